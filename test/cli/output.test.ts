/**
 * Output through the real CLI (issue 17, items 1-4, 23): a reader that goes away ends a command
 * quietly; `query` streams every format, stops at --timeout, never cuts a cell, fits the
 * terminal, writes BLOBs as base64; flags that exclude each other are refused; LISTINDEX_DB.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { CLI, cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Enough mail (~2 MB) that an export cannot end inside the pipe's buffer before a reader that
// stops early has closed it: with less, a loaded machine let it finish first and exit 0.
const messages = [...generateArchive({ count: 1500, seed: 17 })];
let dir: string;
let db: string;
let mbox: string;
beforeAll(() => {
  dir = tempDir('listindex-output-');
  mbox = join(dir, 'a.mbox');
  writeFileSync(mbox, Buffer.concat(messages.map(toMboxrd)));
  db = join(dir, 'a.db');
  cliOk(['import', mbox, '--db', db, '-q']);
});

/** Rows 1..n, each a number and a 40-character text: 300,000 of them make ~15 MB of table. */
const numbers = (n: number | null) => `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c${n === null ? '' : ` WHERE x < ${n}`}) ` +
  `SELECT x, printf('%040d', x) AS padded FROM c`;
const ENDLESS_COUNT = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

interface Ended { status: number | null; signal: NodeJS.Signals | null; out: Buffer; err: string; ms: number }

/**
 * Runs the CLI with its standard output read by `reader`, which gets each chunk and says whether
 * to stop reading (then the pipe is closed, as `head` closes it). Kills it after `limitMs`.
 */
function runReading(args: string[], reader: (received: Buffer) => boolean | Promise<boolean>, limitMs = 30_000): Promise<Ended> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    let closed = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', async (d: Buffer) => {
      if (closed) return;
      chunks.push(d);
      child.stdout.pause();
      if (await reader(Buffer.concat(chunks))) {
        closed = true;
        child.stdout.destroy();
      } else {
        child.stdout.resume();
      }
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (status, signal) => {
      clearTimeout(kill);
      resolve({ status, signal, out: Buffer.concat(chunks), err, ms: performance.now() - started });
    });
  });
}

/** Runs the CLI with its output pipe closed before it writes anything. */
function runWithClosedOutput(args: string[]): Promise<Ended> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (status, signal) => resolve({ status, signal, out: Buffer.alloc(0), err, ms: performance.now() - started }));
  });
}

describe('a reader that goes away (item 1)', () => {
  it.each([
    ['query (table)', () => ['query', '--db', db, 'select * from messages']],
    ['query --json', () => ['query', '--db', db, '--json', 'select * from messages']],
    ['query --csv', () => ['query', '--db', db, '--csv', 'select * from messages']],
    ['export', () => ['export', '--db', db]],
    ['stats', () => ['stats', '--db', db]],
    ['series', () => ['series', '--db', db]],
    ['show', () => ['show', '--db', db, '1']],
    ['--help', () => ['--help']],
  ])('%s with its output already closed: exit 141 (as git), nothing on stderr', async (_name, args) => {
    const r = await runWithClosedOutput(args());
    expect(r.err).toBe('');
    expect(r.status).toBe(141);
  });

  it('export | head: stops quietly once the reader has what it wanted', async () => {
    const r = await runReading(['export', '--db', db], (received) => received.length > 0);
    expect(r.err).toBe('');
    expect(r.status).toBe(141);
    expect(r.out.toString('latin1')).toMatch(/^From /);
  });

  it('query | head on a long result: stops quietly, well before the result would end', async () => {
    const r = await runReading(['query', '--db', db, numbers(null)], (received) => received.includes('\n1000 '));
    expect(r.err).toBe('');
    expect(r.status).toBe(141);
  });
});

describe('query streams every format (item 2)', () => {
  it('prints a table of 300,000 rows (the whole-result renderer overflowed the stack near 120,000)', () => {
    const r = cliOk(['query', '--db', db, numbers(300_000)]);
    const lines = r.out.split('\n');
    expect(lines.length).toBe(300_000 + 3); // header, rule, rows, and the empty string after the last newline
    // Columns are as wide as the first 1,000 rows need; a longer cell later runs over.
    expect(lines[0]).toBe('x     padded');
    expect(lines[2]).toBe(`1     ${'1'.padStart(40, '0')}`);
    expect(lines[300_001]).toBe(`300000  ${'300000'.padStart(40, '0')}`);
  });

  it.each([
    ['table', [], (out: string) => out.startsWith('x     padded\n----  ---')],
    ['--json', ['--json'], (out: string) => out.startsWith(`[\n{"x":1,"padded":"${'1'.padStart(40, '0')}"},\n{"x":2,`)],
    ['--ndjson', ['--ndjson'], (out: string) => out.startsWith(`{"x":1,"padded":"${'1'.padStart(40, '0')}"}\n{"x":2,`)],
    ['--csv', ['--csv'], (out: string) => out.startsWith(`x,padded\n1,${'1'.padStart(40, '0')}\n2,`)],
  ])('%s: the first rows of an endless result arrive while the query still runs', async (_name, flags, looksRight) => {
    const r = await runReading(['query', '--db', db, ...flags, numbers(null)], (received) => received.length > 200_000);
    expect(r.signal).toBeNull(); // not killed after 30 s: it had written its first rows long before
    expect(looksRight(r.out.toString())).toBe(true);
    expect(r.status).toBe(141);
  });

  it('--json and --ndjson give every row, parsed back exactly', () => {
    const sql = 'select id, msgid, date, in_reply_to, size from messages order by id';
    const expected = withDb(db, (d) => d.prepare(sql).all());
    expect(JSON.parse(cliOk(['query', '--db', db, '--json', sql]).out)).toEqual(expected);
    const lines = cliOk(['query', '--db', db, '--ndjson', sql]).out.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(expected);
    expect(cliOk(['query', '--db', db, '--json', 'select 1 where 0']).out).toBe('[]\n');
    expect(cliOk(['query', '--db', db, '--ndjson', 'select 1 where 0']).out).toBe('');
    expect(cliOk(['query', '--db', db, '--csv', 'select 1 as one where 0']).out).toBe('one\n');
  });
});

describe('query --timeout (item 3)', () => {
  it('stops a runaway recursive query, in one line that says how to raise the limit: exit 1', () => {
    const started = performance.now();
    const r = cli(['query', '--db', db, '--timeout', '1', ENDLESS_COUNT], { timeout: 20_000 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/longer than 1 s.*--timeout <seconds>.*--timeout 0/);
    expect(r.err).not.toMatch(STACK_FRAME);
  });

  it('has a default limit, said in the help', () => {
    expect(cliOk(['query', '--help']).out).toMatch(/--timeout <seconds>.*\(default: "60"\)/s);
  });

  it('does not count the time a slow reader (a pager) keeps the output waiting', async () => {
    let waited = false;
    // ~2.4 MB, far more than the pipes hold: the query waits for the reader, who waits 4 s.
    const r = await runReading(['query', '--db', db, '--timeout', '2', '--csv', numbers(50_000)], async () => {
      if (!waited) {
        waited = true;
        await new Promise((resolve) => setTimeout(resolve, 4000));
      }
      return false;
    });
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out.toString().split('\n')).toHaveLength(50_000 + 2);
  });
});

describe('output rules (item 4)', () => {
  const LONG = `<${'a'.repeat(150)}@example.org>`;

  it('a table never cuts a cell', () => {
    const r = cliOk(['query', '--db', db, `select '${LONG}' as msgid, 'x' as other`]);
    expect(r.out.split('\n')[2]).toBe(`${LONG}  x`);
  });

  it('on a terminal narrower than the table, shows each row as a record, values whole; a narrow table stays a table', () => {
    const run = (sql: string) => {
      const r = spawnSync('script', ['-qec', `stty cols 60 rows 40; '${process.execPath}' '${CLI}' query --db '${db}' "${sql}"`, '/dev/null'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      return r.stdout.replace(/\r/g, '');
    };
    const wide = run(`select 1 as id, '${LONG}' as msgid union all select 2, 'short'`);
    expect(wide).toContain(`-- row 1\nid     1\nmsgid  ${LONG}\n`);
    expect(wide).toContain('-- row 2\nid     2\nmsgid  short\n');
    const narrow = run("select 1 as id, 'short' as msgid");
    expect(narrow).toContain('id  msgid\n--  -----\n1   short\n');
  });

  it('writes BLOBs as base64: an object in JSON (as sqlite-utils), the text in CSV', () => {
    expect(JSON.parse(cliOk(['query', '--db', db, '--json', "select x'00ff10' as b"]).out)).toEqual([{ b: { $base64: true, encoded: 'AP8Q' } }]);
    expect(cliOk(['query', '--db', db, '--csv', "select x'00ff10' as b"]).out).toBe('b\nAP8Q\n');
    expect(JSON.parse(cliOk(['query', '--db', db, '--ndjson', "select x'00ff10' as b"]).out)).toEqual({ b: { $base64: true, encoded: 'AP8Q' } });
  });

  it('--decompress prints raw as the message text; without raw_compression it says what to select', () => {
    const r = cliOk(['query', '--db', db, '--json', '--decompress', 'select msgid, raw, raw_compression from messages order by id limit 1']);
    const [row] = JSON.parse(r.out) as { msgid: string; raw: string }[];
    const original = Buffer.from(messages[0].text, messages[0].encoding).toString('utf8');
    expect(row.raw.replace(/\n+$/, '')).toBe(original.replace(/\n+$/, '')); // the mbox's blank line stays with the message
    const bad = cli(['query', '--db', db, '--decompress', 'select raw from messages limit 1']);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/raw_compression/);
  });

  it.each([
    [['query', '--json', '--csv', 'select 1'], /--json, --csv/],
    [['query', '--json', '--ndjson', 'select 1'], /--json, --ndjson/],
    [['query', '--ndjson', '--csv', 'select 1'], /--ndjson, --csv/],
    [['import', 'a.mbox', '--json', '--quiet'], /--quiet, --json/],
  ])('refuses flags that exclude each other: %j', (args, message) => {
    const r = cli([...args, '--db', join(dir, 'never.db')], { cwd: dir });
    expect(r.err).toMatch(message);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });

  it('stats names its figures in snake_case, as the schema names columns', () => {
    const stats = JSON.parse(cliOk(['stats', '--db', db, '--json']).out) as Record<string, unknown>;
    expect(Object.keys(stats).sort()).toEqual(['distinct_msgids', 'duplicate_msgids', 'first_date', 'ghost_references', 'imports',
      'last_date', 'lists', 'messages', 'people', 'received_hops', 'rejects', 'sources']);
    expect(stats.first_date).toMatch(/Z$/);
    expect(cliOk(['stats', '--db', db]).out).toMatch(/^distinct_msgids +\d+$/m);
  });
});

describe('LISTINDEX_DB (item 23)', () => {
  it('names the index when --db is not given; --db still wins', () => {
    const count = (r: { out: string }) => JSON.parse(r.out)[0].n;
    expect(count(cliOk(['query', '--json', 'select count(*) as n from messages'], { env: { LISTINDEX_DB: db } }))).toBe(messages.length);
    expect(JSON.parse(cliOk(['stats', '--json'], { env: { LISTINDEX_DB: db } }).out).messages).toBe(messages.length);
    const other = join(dir, 'env-other.db');
    cliOk(['import', mbox, '--db', other, '-q'], { env: { LISTINDEX_DB: join(dir, 'not-this.db') } });
    expect(existsSync(join(dir, 'not-this.db'))).toBe(false);
    const fresh = join(dir, 'env-fresh.db');
    cliOk(['import', mbox, '-q'], { env: { LISTINDEX_DB: fresh } });
    expect(withDb(fresh, (d) => d.prepare('select count(*) from messages').pluck().get())).toBe(messages.length);
  });
});
