/**
 * A bad index through the real CLI (issue 17, item 5): a damaged file, a file that is not SQLite,
 * another program's database, a read-only filesystem and a full disk each give one line saying
 * what is wrong and what to do, never a stack trace. A read-only index still answers the
 * commands that read. The read-only filesystem and the full disk are real mounts, made in a
 * mount namespace of the test's own (`unshare`), so that they need no privileges and leave
 * nothing behind.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { CLI, cli, cliOk, STACK_FRAME } from './run-cli.js';
import type { CliResult } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const messages = [...generateArchive({ count: 120, seed: 9 })];
let dir: string;
let mbox: string;
let good: string;
beforeAll(() => {
  dir = tempDir('listindex-dberr-');
  mbox = join(dir, 'a.mbox');
  writeFileSync(mbox, Buffer.concat(messages.map(toMboxrd)));
  good = join(dir, 'good.db');
  cliOk(['import', mbox, '--db', good, '-q']);
});

function expectOneLine(r: CliResult, message: RegExp): void {
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(STACK_FRAME);
  expect(r.err).not.toContain('BUG');
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.status).toBe(1);
}

/** Runs the CLI after `mount` (a shell command) in a mount namespace of its own. */
function cliMounted(mount: string, args: string[]): CliResult {
  const r = spawnSync('unshare', ['-rm', 'sh', '-ec', `${mount}; exec "$@"`, 'sh', process.execPath, CLI, ...args], { maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  const err = r.stderr.toString();
  if (/unshare:|mount:/.test(err)) throw new Error(`cannot make the test's mount: ${err}`);
  return { status: r.status, stdout: r.stdout, out: r.stdout.toString(), err };
}

const readOnlyMount = (folder: string) => `mount --bind '${folder}' '${folder}'; mount -o remount,ro,bind '${folder}'`;

describe('a damaged index', () => {
  let damaged: string;
  beforeAll(() => {
    damaged = join(dir, 'damaged.db');
    copyFileSync(good, damaged);
    // Every page after the first two becomes noise: the schema still reads, the tables do not.
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(statSync(damaged).size - 16384, 0xab), 0, undefined, 16384);
    closeSync(fd);
  });

  it.each([
    ['query', () => ['query', '--db', damaged, 'select count(*), sum(size) from messages']],
    ['stats', () => ['stats', '--db', damaged]],
    ['export', () => ['export', '--db', damaged]],
    ['import', () => ['import', mbox, '--db', damaged, '-q', '--full']],
  ])('%s: one line saying it is damaged and what to do, exit 1', (_name, args) => {
    expectOneLine(cli(args()), /damaged\.db: the index is damaged .*: import the archives again into a new index/);
  });

  it('a file that is not SQLite at all: one line, for reading and for importing, and the file is unchanged', () => {
    const junk = join(dir, 'junk.db');
    const text = Buffer.from('this is not a database\n'.repeat(50));
    writeFileSync(junk, text);
    expectOneLine(cli(['query', '--db', junk, 'select 1']), /junk\.db: not a SQLite database, or a damaged one .*check the --db path/);
    expectOneLine(cli(['import', mbox, '--db', junk, '-q']), /junk\.db: not a SQLite database/);
    expect(readFileSync(junk).equals(text)).toBe(true);
  });
});

describe("another program's database", () => {
  let other: string;
  let before: Buffer;
  beforeAll(() => {
    other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec("create table notes (id integer primary key, text text); insert into notes (text) values ('keep me')");
    db.close();
    before = readFileSync(other);
  });

  it('import refuses it in one line and changes nothing: no tables, no WAL, the same bytes', () => {
    expectOneLine(cli(['import', mbox, '--db', other, '-q']), /other\.db: not a listindex index: .*another program.*left unchanged/);
    expect(readFileSync(other).equals(before)).toBe(true);
    expect(existsSync(`${other}-wal`)).toBe(false);
    expect(existsSync(`${other}.import-lock`)).toBe(false);
  });

  it('query and stats say it is not a listindex index', () => {
    expectOneLine(cli(['query', '--db', other, 'select * from notes']), /other\.db: not a listindex index/);
    expectOneLine(cli(['stats', '--db', other]), /other\.db: not a listindex index/);
  });
});

describe('a read-only index (on a read-only filesystem)', () => {
  let folder: string;
  let index: string;
  beforeAll(() => {
    folder = join(dir, 'ro');
    mkdirSync(folder);
    index = join(folder, 'list.db');
    copyFileSync(good, index);
  });

  it('answers query, stats, export and show as a writable one does', () => {
    for (const args of [
      ['query', '--db', '%', '--json', 'select id, msgid, subject from messages order by id'],
      ['stats', '--db', '%', '--json'],
      ['export', '--db', '%'],
      ['show', '--db', '%', '3'],
    ]) {
      const readOnly = cliMounted(readOnlyMount(folder), args.map((a) => (a === '%' ? index : a)));
      expect(readOnly.err).toBe('');
      expect(readOnly.status).toBe(0);
      expect(readOnly.stdout.equals(cliOk(args.map((a) => (a === '%' ? good : a))).stdout)).toBe(true);
    }
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('listindex-readonly-'))).toEqual([]); // no copy left behind
  });

  it('sees what is still only in the WAL file beside it', () => {
    const walFolder = join(dir, 'ro-wal');
    mkdirSync(walFolder);
    const source = join(dir, 'with-wal.db');
    copyFileSync(good, source);
    // A connection left open keeps the writer's close from checkpointing the WAL into the file.
    const reader = new Database(source, { readonly: true });
    try {
      reader.prepare('select count(*) from messages').get();
      const writer = new Database(source);
      writer.pragma('wal_autocheckpoint = 0');
      writer.prepare("update messages set subject = 'only in the WAL' where id = 1").run();
      writer.close();
      expect(statSync(`${source}-wal`).size).toBeGreaterThan(0);
      copyFileSync(source, join(walFolder, 'list.db'));
      copyFileSync(`${source}-wal`, join(walFolder, 'list.db-wal'));
    } finally {
      reader.close();
    }
    const r = cliMounted(readOnlyMount(walFolder), ['query', '--db', join(walFolder, 'list.db'), '--csv', 'select subject from messages where id = 1']);
    expect(r.err).toBe('');
    expect(r.out).toBe('subject\nonly in the WAL\n');
  });

  it('import says it is read-only, in one line, for the index and for a new one beside it', () => {
    expectOneLine(cliMounted(readOnlyMount(folder), ['import', mbox, '--db', index, '-q']), /list\.db: the index is read-only .*import into a writable copy/);
    expectOneLine(cliMounted(readOnlyMount(folder), ['import', mbox, '--db', join(folder, 'new.db'), '-q']), /new\.db: the index is read-only/);
  });
});

describe('a full disk', () => {
  it('import says the disk is full and what to do, in one line', () => {
    const small = join(dir, 'small');
    mkdirSync(small);
    const r = cliMounted(`mount -t tmpfs -o size=256k tmpfs '${small}'`, ['import', mbox, '--db', join(small, 'full.db'), '-q']);
    expectOneLine(r, /full\.db: the disk is full .*free some space, then run the same command again/);
  });

  it('writing the output to a full disk: one line', () => {
    const r = spawnSync(process.execPath, [CLI, 'export', '--db', good], { stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'] });
    const err = r.stderr.toString();
    expect(err).toMatch(/cannot write the output: .*the disk is full/);
    expect(err).not.toMatch(STACK_FRAME);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.status).toBe(1);
  });
});
