import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { SeriesReader } from '../../store/series-reader.js';
import { PatchworkRenderer } from '../../api/patchwork-json.js';
import { ListindexError } from '../../errors.js';
import { patchworkContent } from '../../api/content.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('Show one message: as Patchwork\'s /api/covers|patches|comments/ object with --json')
    .argument('<message>', 'a Message-Id (brackets optional) or a message id number')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--json', 'Patchwork REST API JSON')
    .option('--raw', 'the message exactly as stored')
    .option('--base-url <url>', 'fill the url fields of JSON output from this Patchwork-style base URL')
    .addHelpText('after', `
Examples:
  listindex show --db dpdk.db '<1530882416-27263-1-git-send-email-anatoly.burakov@intel.com>' --json
  listindex show --db dpdk.db 1234 --raw | git am`)
    .action((ref: string, opts: { db: string; json?: boolean; raw?: boolean; baseUrl?: string }) => {
      const db = openDatabase(opts.db, { readonly: true });
      try {
        const reader = new SeriesReader(db);
        const row = reader.submission(/^\d+$/.test(ref) ? Number(ref) : ref);
        if (!row) throw new ListindexError('USAGE', `no message ${ref} in ${opts.db}`);
        if (opts.raw) {
          process.stdout.write(reader.raw(row.id));
          return;
        }
        const json = new PatchworkRenderer(reader, { baseUrl: opts.baseUrl }).submission(row);
        if (opts.json) {
          process.stdout.write(JSON.stringify(json, null, 2) + '\n');
          return;
        }
        const lines = [`${row.kind}: ${row.name ?? row.subject ?? ''}`, `msgid: ${row.msgid}`, `date: ${row.date ?? ''}`];
        if (row.series_id !== null) lines.push(`series: ${row.series_id}${row.number !== null ? `, patch ${row.number}` : ''}`);
        if (row.diff_hash) lines.push(`hash: ${row.diff_hash}`);
        if (row.pull_url) lines.push(`pull: ${row.pull_url}`);
        for (const t of reader.trailers(row.id)) lines.push(`${t.name}: ${t.value}  (${t.origin})`);
        process.stdout.write(lines.join('\n') + '\n\n' + patchworkContent(row) + '\n' + (row.diff ? '\n' + row.diff : ''));
      } finally {
        db.close();
      }
    });
}
