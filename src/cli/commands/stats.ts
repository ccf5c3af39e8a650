import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { readStats } from '../../store/reader.js';
import { renderTable, terminalWidth } from '../output.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('Summarise what an index holds')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--json', 'print the figures as JSON')
    .addHelpText('after', `
Examples:
  listindex stats --db dpdk.db
  listindex stats --db dpdk.db --json | jq .lists`)
    .action((opts: { db: string; json?: boolean }) => {
      const db = openDatabase(opts.db, { readonly: true });
      try {
        const stats = readStats(db);
        if (opts.json) {
          process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
          return;
        }
        const { lists, ...figures } = stats;
        process.stdout.write(renderTable(Object.entries(figures).map(([what, value]) => ({ what, value })), ['what', 'value']));
        process.stdout.write('\n' + renderTable(lists, ['list_id', 'name', 'messages', 'first', 'last'], { width: terminalWidth() }));
      } finally {
        db.close();
      }
    });
}
