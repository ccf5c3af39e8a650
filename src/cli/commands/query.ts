import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { ListindexError } from '../../errors.js';
import { render } from '../output.js';
import type { OutputFormat } from '../output.js';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('Run one SQL statement, read-only, and print its rows')
    .argument('<sql>', 'the SQL to run (see docs/schema.md)')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--json', 'print rows as a JSON array')
    .option('--csv', 'print rows as CSV')
    .addHelpText('after', `
Examples:
  listindex query --db dpdk.db "select list_id, count(*) from message_overview group by 1"
  listindex query --db dpdk.db --json "select subject, date from messages where id in
      (select rowid from messages_fts where messages_fts match 'watchdog_register_device')"
  listindex query --db dpdk.db --csv "select by_host, avg(delay_seconds) from received_delays group by 1"`)
    .action((sql: string, opts: { db: string; json?: boolean; csv?: boolean }) => {
      if (opts.json && opts.csv) throw new ListindexError('USAGE', 'use just one of --json or --csv');
      const format: OutputFormat = opts.json ? 'json' : opts.csv ? 'csv' : 'table';
      const db = openDatabase(opts.db, { readonly: true });
      try {
        let statement;
        try {
          statement = db.prepare(sql);
        } catch (error) {
          throw new ListindexError('USAGE', `SQL error: ${(error as Error).message}`);
        }
        if (!statement.reader || !statement.readonly) {
          throw new ListindexError('USAGE', 'query runs read-only statements that return rows (SELECT, WITH, PRAGMA ...)');
        }
        const columns = statement.columns().map((c) => c.name);
        let rows: Record<string, unknown>[];
        try {
          rows = statement.all() as Record<string, unknown>[];
        } catch (error) {
          throw new ListindexError('USAGE', `SQL error: ${(error as Error).message}`);
        }
        process.stdout.write(render(rows, columns, format));
      } finally {
        db.close();
      }
    });
}
