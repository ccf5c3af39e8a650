import type { Command } from 'commander';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { openIndex } from '../../api/open-index.js';
import { ListindexError } from '../../errors.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Write the stored messages as an mbox on standard output (each mbox source byte for byte)')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--source <path...>', 'only the messages found in these source files')
    .option('--list <list-id>', 'only the messages of this list (List-Id, or its short name)')
    .addHelpText('after', `
Examples:
  listindex export --db dpdk.db > all.mbox
  listindex export --db dpdk.db --source archives/2018.mbox > 2018.mbox && cmp 2018.mbox archives/2018.mbox
  listindex export --db lkml.db --list linux-watchdog > watchdog.mbox`)
    .action(async (opts: { db: string; source?: string[]; list?: string }) => {
      const index = openIndex(opts.db, { readonly: true });
      try {
        const sources = opts.source?.map((p) => resolve(p));
        const unknown = sources ? index.unknownSources(sources) : [];
        if (unknown.length) {
          throw new ListindexError('DATABASE', `no source ${unknown.join(', ')} in the index: ` +
            `listindex query --db ${opts.db} "select path from sources" lists those it has`, { file: opts.db });
        }
        for (const chunk of index.exportMbox({ sources, list: opts.list })) {
          if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
        }
      } finally {
        index.close();
      }
    });
}
