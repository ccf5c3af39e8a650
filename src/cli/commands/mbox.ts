import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { SeriesReader } from '../../store/series-reader.js';
import { seriesMbox, patchMbox } from '../../api/series-mbox.js';
import { ListindexError } from '../../errors.js';

export function registerMbox(program: Command): void {
  program
    .command('mbox')
    .description('Write a series (or one patch) as an mbox for git am, with trailers from replies applied')
    .argument('<what>', 'series/<id>, or patch/<message-id or id>')
    .option('--db <file>', 'the index', 'listindex.db')
    .addHelpText('after', `
Examples:
  listindex mbox --db dpdk.db series/453 > s.mbox && git am s.mbox
  listindex mbox --db dpdk.db 'patch/<20250410082616.1855860-2-daniel.lezcano@linaro.org>' | git am`)
    .action((what: string, opts: { db: string }) => {
      const db = openDatabase(opts.db, { readonly: true });
      try {
        const reader = new SeriesReader(db);
        const series = /^series\/(\d+)$/.exec(what);
        const patch = /^patch\/(.+)$/.exec(what);
        if (series) {
          if (!reader.series(Number(series[1]))) throw new ListindexError('USAGE', `no series ${series[1]} in ${opts.db}`);
          process.stdout.write(seriesMbox(reader, Number(series[1])));
        } else if (patch) {
          const row = reader.submission(/^\d+$/.test(patch[1]) ? Number(patch[1]) : patch[1]);
          if (!row || row.kind !== 'patch') throw new ListindexError('USAGE', `no patch ${patch[1]} in ${opts.db}`);
          process.stdout.write(patchMbox(reader, row));
        } else {
          throw new ListindexError('USAGE', `say series/<id> or patch/<message-id>, not "${what}"`);
        }
      } finally {
        db.close();
      }
    });
}
