import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { SeriesReader } from '../../store/series-reader.js';
import { PatchworkRenderer } from '../../api/patchwork-json.js';
import { ListindexError } from '../../errors.js';
import { render } from '../output.js';

export function registerSeries(program: Command): void {
  program
    .command('series')
    .description('List patch series, newest first, or show one as Patchwork\'s /api/series/ object')
    .argument('[id]', 'a series id: show that series')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--submitter <who>', 'only series from this address (or name fragment)')
    .option('--list <list-id>', 'only series of this list')
    .option('--limit <n>', 'how many series to list', '50')
    .option('--json', 'JSON output')
    .option('--csv', 'CSV output (list only)')
    .option('--base-url <url>', 'fill the url fields of JSON output from this Patchwork-style base URL')
    .addHelpText('after', `
Examples:
  listindex series --db dpdk.db
  listindex series --db dpdk.db --submitter anatoly.burakov@intel.com --limit 10
  listindex series --db dpdk.db 453 --json`)
    .action((id: string | undefined, opts: { db: string; submitter?: string; list?: string; limit: string; json?: boolean; csv?: boolean; baseUrl?: string }) => {
      const db = openDatabase(opts.db, { readonly: true });
      try {
        const reader = new SeriesReader(db);
        if (id !== undefined) {
          const series = /^\d+$/.test(id) ? reader.series(Number(id)) : null;
          if (!series) throw new ListindexError('USAGE', `no series ${id} in ${opts.db}`);
          const json = new PatchworkRenderer(reader, { baseUrl: opts.baseUrl }).series(series);
          if (opts.json) {
            process.stdout.write(JSON.stringify(json, null, 2) + '\n');
          } else {
            const patches = reader.seriesPatches(series.id).map((p) => ({ number: p.number, date: p.date, name: p.name, msgid: p.msgid }));
            process.stdout.write(`series ${series.id}: ${series.name ?? '(no name)'}\n` +
              `v${series.version}, ${series.received_total}/${series.total} patches${series.received_all ? ' (complete)' : ''}, ` +
              `previous ${series.previous_id ?? '-'}, latest ${series.latest_id ?? '-'}\n\n`);
            process.stdout.write(render(patches, ['number', 'date', 'name', 'msgid'], 'table'));
          }
          return;
        }
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new ListindexError('USAGE', '--limit takes a positive whole number');
        const rows = reader.listSeries({ limit, submitter: opts.submitter, list: opts.list });
        process.stdout.write(render(rows, ['id', 'date', 'submitter', 'version', 'received', 'name'], opts.json ? 'json' : opts.csv ? 'csv' : 'table'));
      } finally {
        db.close();
      }
    });
}
