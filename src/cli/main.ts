#!/usr/bin/env -S node --max-semi-space-size=4
/** The `listindex` command: a table of subcommands, each in its own file. */
import { Command, CommanderError } from 'commander';
import { ListindexError } from '../errors.js';
import { registerImport } from './commands/import.js';
import { registerQuery } from './commands/query.js';
import { registerStats } from './commands/stats.js';
import { registerExport } from './commands/export.js';
import { registerSeries } from './commands/series.js';
import { registerShow } from './commands/show.js';
import { registerMbox } from './commands/mbox.js';
import { registerCommits } from './commands/commits.js';
import { EXIT } from './exit-codes.js';

const program = new Command();
program
  .name('listindex')
  .description('Index mailing-list archives (mbox, Maildir, .eml) into SQLite, then query them with SQL.')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) })
  .addHelpText('after', `
Examples:
  listindex import 'archives/**/*.mbox*' ~/Maildir/lists/dpdk --db dpdk.db
  listindex query --db dpdk.db "select list_id, count(*) from message_overview group by 1"
  listindex stats --db dpdk.db
  listindex export --db dpdk.db > all.mbox
  listindex series --db dpdk.db
  listindex show --db dpdk.db '<msgid>' --json
  listindex mbox --db dpdk.db series/453 > s.mbox
  listindex commits --repo ~/src/linux --db dpdk.db`);

registerImport(program);
registerQuery(program);
registerStats(program);
registerExport(program);
registerSeries(program);
registerShow(program);
registerMbox(program);
registerCommits(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else if (error instanceof ListindexError) {
    process.stderr.write(`listindex: ${error.message}\n`);
    process.exitCode = error.code === 'USAGE' ? EXIT.USAGE : EXIT.FAILED;
  } else {
    process.stderr.write(`listindex: BUG: ${(error as Error).stack ?? error}\n`);
    process.exitCode = EXIT.FAILED;
  }
}
