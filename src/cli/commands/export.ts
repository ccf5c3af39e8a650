import type { Command } from 'commander';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { openDatabase } from '../../store/database.js';
import { exportMbox } from '../../store/reader.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Write the stored messages as an mbox on standard output (each mbox source byte for byte)')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--source <path...>', 'only the messages found in these source files')
    .addHelpText('after', `
Examples:
  listindex export --db dpdk.db > all.mbox
  listindex export --db dpdk.db --source archives/2018.mbox > 2018.mbox && cmp 2018.mbox archives/2018.mbox`)
    .action(async (opts: { db: string; source?: string[] }) => {
      const db = openDatabase(opts.db, { readonly: true });
      try {
        for (const chunk of exportMbox(db, { sources: opts.source?.map((p) => resolve(p)) })) {
          if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
        }
      } finally {
        db.close();
      }
    });
}
