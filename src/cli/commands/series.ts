import type { Command } from 'commander';
import { openIndex } from '../../api/open-index.js';
import { LATEST_API, seriesJson } from '../../api/patchwork-json.js';
import { ListindexError } from '../../errors.js';
import { chooseFormat, render, writeJson } from '../output.js';
import type { SeriesView } from '../../api/open-index.js';

/** A series as a flat row for the table and CSV: numbers stay numbers, dates keep their Z. */
function seriesRow(v: SeriesView): Record<string, unknown> {
  return {
    id: v.series.id, date: v.series.date, submitter: v.submitter?.name ?? v.submitter?.email ?? null,
    version: v.series.version, received_total: v.series.received_total, total: v.series.total, name: v.series.name,
  };
}

export function registerSeries(program: Command): void {
  program
    .command('series')
    .description('List patch series, newest first, or show one as Patchwork\'s /api/series/ object')
    .argument('[id]', 'a series id: show that series')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--submitter <who>', 'only series from this address (or name fragment)')
    .option('--list <list-id>', 'only series of this list (List-Id, or its short name)')
    .option('--open', 'only the newest revision of each series (what is still open)')
    .option('--limit <n>', 'how many series to list', '50')
    .option('--json', 'JSON output (Patchwork\'s series objects)')
    .option('--ndjson', 'one JSON object a line (list only)')
    .option('--csv', 'CSV output (list only)')
    .option('--base-url <url>', 'fill the url fields of JSON output from this Patchwork-style base URL')
    .addHelpText('after', `
Examples:
  listindex series --db dpdk.db --open
  listindex series --db dpdk.db --submitter anatoly.burakov@intel.com --limit 10
  listindex series --db lkml.db --list linux-watchdog --open
  listindex series --db dpdk.db 453 --json`)
    .action((id: string | undefined, opts: { db: string; submitter?: string; list?: string; open?: boolean; limit: string; json?: boolean; ndjson?: boolean; csv?: boolean; baseUrl?: string }) => {
      const format = chooseFormat(opts);
      const ctx = { baseUrl: opts.baseUrl?.replace(/\/+$/, '') ?? '', version: LATEST_API };
      const index = openIndex(opts.db, { readonly: true });
      try {
        if (id !== undefined) {
          const view = /^\d+$/.test(id) ? index.series(Number(id)) : null;
          if (!view) throw new ListindexError('NOT_FOUND', `no series ${id} in ${opts.db}`);
          if (format === 'json' || format === 'ndjson') {
            writeJson(seriesJson(ctx, view), format);
            return;
          }
          const { series } = view;
          const rows = view.patches.map((p) => ({ number: p.number, date: p.date, name: p.name, msgid: p.msgid }));
          process.stdout.write(`series ${series.id}: ${series.name ?? '(no name)'}\n` +
            `v${series.version}, ${series.received_total}/${series.total} patches${series.received_all ? ' (complete)' : ''}, ` +
            `previous ${series.previous_id ?? '-'}, latest ${series.latest_id ?? '-'}\n` +
            (view.cover ? `cover: ${view.cover.msgid}\n` : '') + '\n');
          process.stdout.write(render(rows, ['number', 'date', 'name', 'msgid'], format));
          return;
        }
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new ListindexError('USAGE', '--limit takes a positive whole number');
        const projects = opts.list !== undefined ? [index.list(opts.list).id] : undefined;
        const views: SeriesView[] = [];
        // Pages of the API's largest size, until the limit: the same bounded queries as the server.
        for (let page = 1; views.length < limit; page++) {
          const got = index.seriesList({
            projects, submitters: opts.submitter ? [opts.submitter] : undefined, open: opts.open,
            order: '-date', page, perPage: Math.min(250, limit),
          });
          views.push(...got.items);
          if (got.items.length === 0 || page * got.perPage >= got.total) break;
        }
        views.length = Math.min(views.length, limit);
        if (format === 'json' || format === 'ndjson') writeJson(views.map((v) => seriesJson(ctx, v)), format);
        else process.stdout.write(render(views.map(seriesRow), ['id', 'date', 'submitter', 'version', 'received_total', 'total', 'name'], format));
      } finally {
        index.close();
      }
    });
}
