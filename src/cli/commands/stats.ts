import type { Command } from 'commander';
import { openIndex } from '../../api/open-index.js';
import { renderTable, terminalWidth } from '../output.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('Summarise what an index holds')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--list <list-id>', 'the figures of one list (List-Id, or its short name)')
    .option('--json', 'print the figures as JSON')
    .addHelpText('after', `
Examples:
  listindex stats --db dpdk.db
  listindex stats --db dpdk.db --json | jq .lists
  listindex stats --db lkml.db --list linux-watchdog.vger.kernel.org
  listindex stats --db lkml.db --list linux-watchdog --json`)
    .action((opts: { db: string; list?: string; json?: boolean }) => {
      const index = openIndex(opts.db, { readonly: true });
      try {
        if (opts.list !== undefined) {
          const figures = index.listStats(opts.list);
          if (opts.json) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
          else process.stdout.write(renderTable(Object.entries(figures).map(([what, value]) => ({ what, value })), ['what', 'value']));
          return;
        }
        const stats = index.stats();
        if (opts.json) {
          process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
          return;
        }
        const { lists, ...figures } = stats;
        process.stdout.write(renderTable(Object.entries(figures).map(([what, value]) => ({ what, value })), ['what', 'value']));
        process.stdout.write('\n' + renderTable(lists, ['list_id', 'name', 'messages', 'first', 'last'], { width: terminalWidth() }));
      } finally {
        index.close();
      }
    });
}
