import type { Command } from 'commander';
import { openIndex } from '../../api/open-index.js';
import { parseMessageRef } from '../../api/message-ref.js';
import { ListindexError } from '../../errors.js';

export function registerMbox(program: Command): void {
  program
    .command('mbox')
    .description('Write a series (or one patch) as an mbox for git am, with trailers from replies applied')
    .argument('<what>', 'series/<id>, or patch/<message-id or id>')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--list <list-id>', 'patch/: of a patch sent to several lists, the copy on this one, with its trailers (List-Id, or its short name)')
    .addHelpText('after', `
Examples:
  listindex mbox --db dpdk.db series/453 > s.mbox && git am s.mbox
  listindex mbox --db dpdk.db 'patch/<20250410082616.1855860-2-daniel.lezcano@linaro.org>' | git am`)
    .action((what: string, opts: { db: string; list?: string }) => {
      const series = /^series\/(.+)$/.exec(what);
      const patch = /^patch\/(.+)$/.exec(what);
      if (!series && !patch) throw new ListindexError('USAGE', `say series/<id> or patch/<message-id>, not "${what}"`);
      if (series && !/^\d+$/.test(series[1])) throw new ListindexError('USAGE', `a series is named by its number, not "${series[1]}"`);
      const index = openIndex(opts.db, { readonly: true });
      try {
        if (series) {
          const found = index.seriesMbox(Number(series[1]));
          if (!found) throw new ListindexError('NOT_FOUND', `no series ${series[1]} in ${opts.db}`);
          if (found.missing.length) {
            process.stderr.write(`listindex: warning: series ${series[1]} is incomplete: ${found.series.received_total} of ` +
              `${found.series.total} patches; missing ${numberRanges(found.missing)}\n`);
          }
          process.stdout.write(found.mbox);
          return;
        }
        const view = index.submission(parseMessageRef(patch![1]), { list: opts.list === undefined ? undefined : index.list(opts.list).id });
        if (!view) throw new ListindexError('NOT_FOUND', `no patch ${patch![1]} in ${opts.db}`);
        if (view.submission.kind === 'cover') {
          throw new ListindexError('NOT_FOUND', `${view.submission.msgid} is the cover letter of series ${view.submission.series_id ?? '?'}, not a patch: ` +
            `use series/${view.submission.series_id ?? '<id>'}`);
        }
        if (view.submission.kind !== 'patch') throw new ListindexError('NOT_FOUND', `${view.submission.msgid} is a ${view.submission.kind}, not a patch`);
        process.stdout.write(index.patchMbox(view));
      } finally {
        index.close();
      }
    });
}

/** 1, 2, 3, 5, 7, 8 as "1-3, 5, 7-8". */
export function numberRanges(numbers: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    const first = numbers[i];
    while (i + 1 < numbers.length && numbers[i + 1] === numbers[i] + 1) i++;
    out.push(numbers[i] === first ? String(first) : `${first}-${numbers[i]}`);
  }
  return out.join(', ');
}
