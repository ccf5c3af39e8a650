import { Option } from 'commander';
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { HEAD_COMPRESSION, HEAD_SQL, REBUILT, databaseError, decompressRaw, openDatabase } from '../../api/open-index.js';
import { ListindexError } from '../../errors.js';
import { chooseFormat, rowFormatter, terminalWidth, writeRows } from '../output.js';
import type { OutputFormat } from '../output.js';

interface QueryFlags {
  db: string;
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  decompress?: boolean;
  timeout: string;
  terminalWidth?: string;
}

/** Seconds of work a query may take by default: enough for any question asked at a prompt. */
const DEFAULT_TIMEOUT_SECONDS = 60;

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('Run one SQL statement, read-only, and print its rows as they come')
    .argument('<sql>', 'the SQL to run (see docs/schema.md)')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--json', 'print rows as a JSON array')
    .option('--ndjson', 'print rows as JSON objects, one a line')
    .option('--csv', 'print rows as CSV')
    .option('--decompress', 'print a `raw` column as the message text (select raw_compression, body and head with it: docs/schema.md)')
    .option('--timeout <seconds>', 'stop a query that works longer than this (0: no limit)', String(DEFAULT_TIMEOUT_SECONDS))
    // Set by runWithTimeout for its child, whose output is a pipe to this process.
    .addOption(new Option('--terminal-width <n>').hideHelp())
    .addHelpText('after', `
Examples:
  listindex query --db dpdk.db "select list_id, date, from_email, subject from message_overview order by date desc limit 20"
  listindex query --db dpdk.db --json "select subject, date from messages where id in
      (select rowid from messages_fts where messages_fts match 'watchdog_register_device')"
  listindex query --db dpdk.db --csv "select name, reviewed, acked, tested from patch_overview order by date desc limit 100"
  listindex query --db dpdk.db --decompress "select raw, raw_compression, body from messages where id = 1"

BLOBs are written as base64 ({"$base64": true, "encoded": ...} in JSON, as sqlite-utils does).
The time limit counts the query's own work, not the time a pager such as less waits for you.`)
    .action(async (sql: string, flags: QueryFlags) => {
      const format = chooseFormat(flags);
      const timeout = Number(flags.timeout);
      if (!(timeout >= 0)) throw new ListindexError('USAGE', `--timeout takes a number of seconds (0: no limit), not "${flags.timeout}"`);
      const width = flags.terminalWidth === undefined ? terminalWidth() : Number(flags.terminalWidth) || undefined;
      if (timeout === 0) await runQuery(flags.db, sql, format, { decompress: flags.decompress ?? false, width });
      else await runWithTimeout(sql, flags, format, timeout);
    });
}

async function runQuery(dbPath: string, sql: string, format: OutputFormat, options: { decompress: boolean; width: number | undefined }): Promise<void> {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    let statement;
    try {
      statement = db.prepare(sql);
    } catch (error) {
      throw sqlError(error, dbPath);
    }
    if (!statement.reader || !statement.readonly) {
      throw new ListindexError('USAGE', 'query runs read-only statements that return rows (SELECT, WITH, PRAGMA ...)');
    }
    const columns = statement.columns().map((c) => c.name);
    const raw = options.decompress ? rawColumns(columns) : null;
    const rows = statement.raw(true).iterate() as IterableIterator<unknown[]>;
    const formatter = rowFormatter(format, columns, { width: options.width });
    try {
      await writeRows(raw ? decompressed(rows, raw) : rows, formatter, process.stdout);
    } catch (error) {
      throw sqlError(error, dbPath);
    }
  } finally {
    db.close();
  }
}

/** A mistake in the SQL is a usage error; a damaged or unreadable index says so (databaseError). */
function sqlError(error: unknown, dbPath: string): unknown {
  const meaning = databaseError(error, dbPath);
  if (meaning instanceof ListindexError) return meaning;
  return new ListindexError('USAGE', `SQL error: ${(error as Error).message}`);
}

const DECOMPRESS_USAGE = 'select raw, raw_compression and body (e.g. "select raw, raw_compression, body from messages")';
// A 'rebuilt' row's header block is in its headers rows: the expression of docs/schema.md.
const HEAD_USAGE = `select body, and its header fields as head: "select raw, raw_compression, body, ${HEAD_SQL} AS head from messages"`;

function rawColumns(columns: string[]): { raw: number; compression: number; body: number; head: number } {
  const raw = columns.indexOf('raw');
  const compression = columns.indexOf('raw_compression');
  if (raw < 0 || compression < 0) {
    throw new ListindexError('USAGE', `--decompress prints the column named raw: ${DECOMPRESS_USAGE}`);
  }
  return { raw, compression, body: columns.indexOf('body'), head: columns.indexOf('head') };
}

/**
 * A 'brotli-head' row's message is its raw head followed by its body; a 'rebuilt' row's is its
 * header fields (the head column) followed by its body (store/raw-codec.ts).
 */
function* decompressed(rows: Iterable<unknown[]>, at: { raw: number; compression: number; body: number; head: number }): Generator<unknown[]> {
  for (const row of rows) {
    const stored = row[at.raw];
    const compression = String(row[at.compression]);
    if (stored instanceof Uint8Array) {
      const body = at.body < 0 ? null : (row[at.body] as string | Uint8Array | null);
      if (compression === HEAD_COMPRESSION && body === null) {
        throw new ListindexError('USAGE', `--decompress: this row keeps only its header block in raw (raw_compression '${HEAD_COMPRESSION}'), the rest is its body: ${DECOMPRESS_USAGE}`);
      }
      const head = at.head < 0 ? null : (row[at.head] as string | null);
      if (compression === REBUILT && (body === null || head === null)) {
        throw new ListindexError('USAGE', `--decompress: this row keeps nothing in raw (raw_compression '${REBUILT}'): its header block is its headers rows, the rest its body; ${HEAD_USAGE}`);
      }
      row[at.raw] = decompressRaw(stored, compression, body, head).toString('utf8');
    }
    yield row;
  }
}

/**
 * better-sqlite3 cannot interrupt a statement (it has no sqlite3_interrupt nor progress
 * handler), and a statement runs in native code, holding its thread: no timer fires, and a
 * worker thread stuck in SQLite cannot even be stopped (node waits for it at exit). So the
 * query runs in a child process (this command with --timeout 0), which can be killed. Its
 * output comes through this process, which counts the query's time but not the time spent
 * waiting for the reader of the output (a pager).
 */
async function runWithTimeout(sql: string, flags: QueryFlags, format: OutputFormat, seconds: number): Promise<void> {
  const args = [process.argv[1], 'query', sql, '--db', flags.db, '--timeout', '0'];
  if (format !== 'table') args.push(`--${format}`);
  if (flags.decompress) args.push('--decompress');
  // A table fits the terminal of this process, which the child cannot see through its pipe.
  args.push('--terminal-width', String(terminalWidth() ?? 0));
  const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = performance.now();
  let waited = 0; // milliseconds spent waiting for the reader of the output
  let waitingSince: number | null = null;
  child.stdout.on('data', (chunk: Buffer) => {
    const before = performance.now();
    const more = process.stdout.write(chunk);
    waited += performance.now() - before; // a pipe or file on Linux is written synchronously
    if (!more) {
      child.stdout.pause();
      waitingSince = performance.now();
      process.stdout.once('drain', () => {
        waited += performance.now() - (waitingSince ?? performance.now());
        waitingSince = null;
        child.stdout.resume();
      });
    }
  });
  let timedOut = false;
  const watch = setInterval(() => {
    const now = performance.now();
    const working = now - started - waited - (waitingSince === null ? 0 : now - waitingSince);
    if (working > seconds * 1000) {
      timedOut = true;
      child.kill('SIGKILL');
    }
  }, 50);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve([c, s]));
  }).finally(() => clearInterval(watch));
  if (timedOut) {
    throw new ListindexError('LIMIT_EXCEEDED', `the query ran longer than ${seconds} s and was stopped: ` +
      `give it more time with --timeout <seconds> (--timeout 0: no limit)`, { file: flags.db });
  }
  if (signal) throw new ListindexError('DATABASE', `the query's process was killed (${signal})`, { file: flags.db });
  process.exitCode = code ?? 1;
}
