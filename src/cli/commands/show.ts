import type { Command } from 'commander';
import { openIndex } from '../../api/open-index.js';
import { LATEST_API, submissionJson } from '../../api/patchwork-json.js';
import { patchworkContent } from '../../api/content.js';
import { parseMessageRef } from '../../api/message-ref.js';
import { ListindexError } from '../../errors.js';
import { exclusiveFlags, writeJson } from '../output.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('Show one message: as Patchwork\'s /api/covers|patches|comments/ object with --json')
    .argument('<message>', 'a Message-Id (brackets, id: or mid: optional), a lore/public-inbox URL, or a message id number')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--json', 'Patchwork REST API JSON')
    .option('--raw', 'the message exactly as stored')
    .option('--list <list-id>', 'of a message sent to several lists, the copy on this one (List-Id, or its short name)')
    .option('--base-url <url>', 'fill the url fields of JSON output from this Patchwork-style base URL')
    .addHelpText('after', `
Examples:
  listindex show --db dpdk.db '<1530882416-27263-1-git-send-email-anatoly.burakov@intel.com>' --json
  listindex show --db dpdk.db https://lore.kernel.org/r/20250410082616.1855860-1-daniel.lezcano@linaro.org/
  listindex show --db dpdk.db 1234 --raw | git am`)
    .action((ref: string, opts: { db: string; json?: boolean; raw?: boolean; baseUrl?: string; list?: string }) => {
      exclusiveFlags(opts, ['json', 'raw']);
      const index = openIndex(opts.db, { readonly: true });
      try {
        const view = index.submission(parseMessageRef(ref), { list: opts.list === undefined ? undefined : index.list(opts.list).id });
        if (!view) throw new ListindexError('NOT_FOUND', `no message ${ref} in ${opts.db}`);
        const row = view.submission;
        if (opts.raw) {
          process.stdout.write(index.raw(row.id) ?? Buffer.alloc(0));
          return;
        }
        if (opts.json) {
          writeJson(submissionJson({ baseUrl: opts.baseUrl?.replace(/\/+$/, '') ?? '', version: LATEST_API }, view), 'json');
          return;
        }
        const lines = [`${row.kind}: ${row.name ?? row.subject ?? ''}`, `msgid: ${row.msgid}`, `date: ${row.date ?? ''}`];
        if (row.series_id !== null) lines.push(`series: ${row.series_id}${row.number !== null ? `, patch ${row.number}` : ''}`);
        if (row.state) lines.push(`state: ${row.state}`);
        if (row.diff_hash) lines.push(`hash: ${row.diff_hash}`);
        if (row.pull_url) lines.push(`pull: ${row.pull_url}`);
        for (const t of view.trailers) lines.push(`${t.name}: ${t.value}  (${t.origin})`);
        process.stdout.write(lines.join('\n') + '\n\n' + patchworkContent(row) + '\n' + (row.diff ? '\n' + row.diff : ''));
      } finally {
        index.close();
      }
    });
}
