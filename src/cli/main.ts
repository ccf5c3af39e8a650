#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=1024
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
import { registerServe } from './commands/serve.js';
import { registerCommits } from './commands/commits.js';
import { EXIT } from './exit-codes.js';
import { databaseError } from '../api/open-index.js';

// Output nobody reads any more (`listindex export | head`) ends the command quietly, whatever it
// was doing, as git and sqlite3 end; any other failure to write says what it was, in one line.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.BROKEN_PIPE);
    if (stream === process.stdout) {
      const full = error.code === 'ENOSPC' || error.code === 'EDQUOT';
      process.stderr.write(`listindex: cannot write the output: ${error.message}${full ? ': the disk is full; free some space' : ''}\n`);
    }
    process.exit(EXIT.FAILED);
  });
}

/** The index of the running command, for errors that arise in SQLite without naming it. */
let indexPath = 'listindex.db';

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
  listindex query --db dpdk.db "select list_id, date, from_email, subject from message_overview order by date desc limit 20"
  listindex stats --db dpdk.db
  listindex export --db dpdk.db > all.mbox
  listindex series --db dpdk.db
  listindex show --db dpdk.db '<msgid>' --json
  listindex mbox --db dpdk.db series/453 > s.mbox
  listindex serve --db dpdk.db
  listindex commits --repo ~/src/linux --db dpdk.db

Environment:
  LISTINDEX_DB  the index every command uses when --db is not given (default: listindex.db)`)
  .hook('preAction', (_program, command) => {
    // As notmuch and git-pw read their database from the environment.
    if (process.env.LISTINDEX_DB && command.getOptionValueSource('db') === 'default') {
      command.setOptionValueWithSource('db', process.env.LISTINDEX_DB, 'env');
    }
    const db = command.opts().db as unknown;
    if (typeof db === 'string') indexPath = db;
  });

registerImport(program);
registerQuery(program);
registerStats(program);
registerExport(program);
registerSeries(program);
registerShow(program);
registerMbox(program);
registerServe(program);
registerCommits(program);

try {
  await program.parseAsync(process.argv);
} catch (thrown) {
  // SQLite and file-system failures (a damaged or read-only index, a full disk) say what to do.
  const error = databaseError(thrown, indexPath);
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
