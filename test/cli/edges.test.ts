/**
 * Issue 17, "nothing lost at the edges": what the import does with copies that differ only in
 * their line ends, files that grow or are rewritten, a second stdin import, gzip with trailing
 * bytes, inputs that never end, killed imports and their lock, and very long Message-Ids. Each
 * through the real built CLI, on real files and a real index.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { CLI, cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const FROM = 'From a@b Mon Jan  1 00:00:00 2001\n';

/** A small message with this Message-Id and body text. */
function message(msgid: string, body: string, extra = ''): string {
  return `Subject: ${body}\nFrom: A <a@b.example>\nDate: Mon, 1 Jan 2001 00:00:00 +0000\nMessage-Id: ${msgid}\n${extra}\n${body}\n`;
}

function exported(db: string, ...args: string[]): Buffer {
  return cliOk(['export', '--db', db, ...args]).stdout;
}

describe('long Message-Ids (issue 17, item 15)', () => {
  it('keeps two Message-Ids that share their first 255 characters apart', () => {
    const dir = tempDir('listindex-edges-');
    const common = 'x'.repeat(300);
    const one = `<${common}1@example.org>`;
    const two = `<${common}2@example.org>`;
    const mbox = join(dir, 'long.mbox');
    writeFileSync(mbox, FROM + message(one, 'first') + '\n' + FROM + message(two, 'second', `In-Reply-To: ${one}\n`) + '\n');
    const db = join(dir, 'long.db');
    cliOk(['import', mbox, '--db', db, '-q']);
    withDb(db, (d) => {
      const rows = d.prepare('SELECT msgid, duplicate_of FROM messages ORDER BY id').all() as { msgid: string; duplicate_of: number | null }[];
      expect(rows).toEqual([{ msgid: one, duplicate_of: null }, { msgid: two, duplicate_of: null }]);
      const parent = d.prepare("SELECT msgid FROM message_references WHERE header = 'in-reply-to'").pluck().get();
      expect(parent).toBe(one);
    });
    expect(exported(db)).toEqual(readFileSync(mbox));
  });
});

describe('inputs that never end (issue 17, item 13)', () => {
  it('skips a FIFO in a folder with a warning and imports the other files', () => {
    const dir = tempDir('listindex-edges-');
    const folder = join(dir, 'mail');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.mbox'), FROM + message('<a@x>', 'one') + '\n' + FROM + message('<b@x>', 'two') + '\n');
    execFileSync('mkfifo', [join(folder, 'p')]);
    const db = join(dir, 'f.db');
    const r = cli(['import', folder, '--db', db, '--json'], { timeoutMs: 30_000 });
    expect(r.status).toBe(0);
    expect(r.err).toBe(`listindex: warning: ${join(folder, 'p')}: skipped: a FIFO, not a mail file; give it by name to read it\n`);
    const summary = JSON.parse(r.out) as { stored: number; warnings: { file: string }[] };
    expect(summary.stored).toBe(2);
    expect(summary.warnings.map((w) => w.file)).toEqual([join(folder, 'p')]);
  });

  it('stops reading /dev/zero at the size limit: its head is kept as a reject, with a one-line error', () => {
    const dir = tempDir('listindex-edges-');
    const db = join(dir, 'z.db');
    const r = cli(['import', '/dev/zero', '--db', db, '--max-message-size', '1', '--json'], { timeoutMs: 60_000 });
    expect(r.status).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^listindex: \/dev\/zero, byte \d+: no `From ` line in the first 1048576 bytes, so it is one message larger than the size limit/);
    expect(r.err).not.toMatch(STACK_FRAME);
    const summary = JSON.parse(r.out) as { messagesFound: number; rejected: number };
    expect(summary).toMatchObject({ messagesFound: 1, rejected: 1 });
    withDb(db, (d) => expect(d.prepare('SELECT count(*) FROM occurrences WHERE reject_id IS NOT NULL').pluck().get()).toBe(1));
  });
});

describe('gzip with trailing bytes (issue 17, item 12)', () => {
  it('stores every message that decompresses and reports the bytes after the gzip data', () => {
    const dir = tempDir('listindex-edges-');
    const messages = [...generateArchive({ count: 120, seed: 5 })];
    const mbox = Buffer.concat(messages.map(toMboxrd));
    const gz = gzipSync(mbox);
    const file = join(dir, 'list.mbox.gz');
    writeFileSync(file, Buffer.concat([gz, Buffer.from('junk\n')]));
    const db = join(dir, 'gz.db');
    const r = cli(['import', file, '--db', db, '--json']);
    expect(r.status).toBe(0);
    expect(r.err).toBe(`listindex: warning: ${file}: 5 bytes after the end of the gzip data (from byte ${gz.length} of the file) are not gzip; ignored\n`);
    expect(JSON.parse(r.out)).toMatchObject({ messagesFound: messages.length, stored: messages.length });
    expect(exported(db)).toEqual(mbox);
  });
});

describe('killed imports and the import lock (issue 17, item 14)', () => {
  const dir = tempDir('listindex-edges-lock-');
  const archive = join(dir, 'list.mbox.gz');
  const plain = join(dir, 'list.mbox');
  let mbox: Buffer;
  beforeAll(() => {
    mbox = Buffer.concat([...generateArchive({ count: 1500, seed: 17 })].map(toMboxrd));
    writeFileSync(archive, gzipSync(mbox));
    writeFileSync(plain, mbox);
  });

  const count = (db: string, sql: string) => withDb(db, (d) => d.prepare(sql).pluck().get() as number);
  const messagesIn = (db: string) => {
    try {
      return count(db, 'SELECT count(*) FROM messages');
    } catch {
      return 0; // not created yet
    }
  };
  /** Starts an import and resolves once it holds the lock and has stored something. */
  async function startImport(db: string): Promise<ChildProcess & { exited: Promise<number | null> }> {
    const before = messagesIn(db);
    const child = spawn(process.execPath, [CLI, 'import', archive, '--db', db, '--workers', '0', '-q'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    let over = false;
    void exited.then(() => (over = true));
    while (!over && messagesIn(db) === before) await new Promise((done) => setTimeout(done, 20));
    return Object.assign(child, { exited });
  }

  it('closes out the rows of killed imports with what they stored', async () => {
    const db = join(dir, 'killed.db');
    for (let kill = 0; kill < 2; kill++) {
      const child = await startImport(db);
      child.kill('SIGKILL');
      await child.exited;
    }
    cliOk(['import', archive, '--db', db, '-q']);
    withDb(db, (d) => {
      const rows = d.prepare('SELECT status, messages_found, stored, duplicates, rejected FROM imports ORDER BY id').all() as
        { status: string; messages_found: number; stored: number; duplicates: number; rejected: number }[];
      expect(rows.map((r) => r.status)).toEqual(['interrupted', 'interrupted', 'complete']);
      expect(rows[0].stored).toBeGreaterThan(0);
      for (const r of rows) expect(r.messages_found).toBe(r.stored + r.duplicates + r.rejected);
      const stored = d.prepare('SELECT count(*) FROM messages').pluck().get();
      expect(rows.reduce((sum, r) => sum + r.stored, 0)).toBe(stored);
    });
    expect(exported(db)).toEqual(mbox);
  });

  it('is not blocked by an empty lock file that a failed import left', () => {
    const db = join(dir, 'empty-lock.db');
    writeFileSync(`${db}.import-lock`, '');
    const r = cli(['import', plain, '--db', db, '-q']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
  });

  it('holds through a symlinked --db path', async () => {
    const db = join(dir, 'real.db');
    const first = await startImport(db);
    const link = join(dir, 'link.db');
    symlinkSync(db, link);
    const second = cli(['import', plain, '--db', link, '-q']);
    expect(await first.exited).toBe(0);
    expect(second.status).toBe(1);
    expect(second.err).toMatch(/^listindex: [^\n]*link\.db: another import is running on this database \(pid \d+ on [^)]*\); wait for it to finish/);
    expect(second.err).not.toMatch(STACK_FRAME);
    withDb(db, (d) => expect(d.prepare("SELECT count(*) FROM imports WHERE status != 'complete'").pluck().get()).toBe(0));
  });

  it('a write that fails (file size limit, as a full disk) says so in one line; the next import finishes the job', () => {
    const db = join(dir, 'full.db');
    // ulimit -f: writes past 1.5 MB fail (EFBIG; node ignores SIGXFSZ), as they would on a full disk.
    const limited = spawnSync('sh', ['-c', `ulimit -f 1500; exec "${process.execPath}" "${CLI}" import "${plain}" --db "${db}" -q`], { encoding: 'utf8' });
    expect(limited.status).toBe(1);
    // Where the limit strikes decides which write fails: a batch's (the import says so) or a
    // checkpoint's after it (SQLite's I/O error, said as such); either way one line, no trace.
    expect(limited.stderr).toMatch(new RegExp('^listindex: [^\\n]*full\\.db: (cannot write to the database \\([^\\n]*is the disk full\\?\\): ' +
      'what was imported before is kept; make room|the disk failed to read or write the index \\([^\\n]*\\): check the disk and free space, then) ' +
      'run the same command again\\n$'));
    const r = cli(['import', plain, '--db', db, '-q']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(exported(db)).toEqual(mbox);
    withDb(db, (d) => {
      const statuses = d.prepare('SELECT status FROM imports ORDER BY id').pluck().all() as string[];
      // The failed import's row says so, unless the write that failed was the one that would
      // have kept it (then SQLite rolled it back with the batch); none is left running.
      expect(statuses[statuses.length - 1]).toBe('complete');
      expect(statuses.slice(0, -1).every((s) => s === 'failed')).toBe(true);
    });
  });
});

describe('copies that differ only in their line ends (issue 17, item 9)', () => {
  it('exports each copy with its own trailing newlines and CRLF', () => {
    const dir = tempDir('listindex-edges-');
    const body = message('<x@y>', 'body');
    const lf = join(dir, 'lf.mbox');
    writeFileSync(lf, FROM + body + '\n' + FROM + body + '\n\n');
    const crlf = join(dir, 'crlf.mbox');
    // The same message, but its last line ends in CRLF: its content hash is the same.
    writeFileSync(crlf, FROM + body.slice(0, -1) + '\r\n\r\n' + FROM + body + '\n');
    const db = join(dir, 'd.db');
    const summary = JSON.parse(cliOk(['import', lf, crlf, '--db', db, '--json']).out) as { stored: number; duplicates: number };
    expect(summary).toMatchObject({ stored: 1, duplicates: 3 });
    expect(exported(db, '--source', lf)).toEqual(readFileSync(lf));
    expect(exported(db, '--source', crlf)).toEqual(readFileSync(crlf));
    expect(exported(db)).toEqual(Buffer.concat([readFileSync(crlf), readFileSync(lf)]));
  });
});

describe('a growing mbox (issue 17, item 10)', () => {
  it('replaces a half-written last message by its complete copy when the file grows', () => {
    const dir = tempDir('listindex-edges-');
    const messages = [...generateArchive({ count: 60, seed: 9 })].map(toMboxrd);
    const whole = Buffer.concat(messages);
    // Cut in the middle of message 40's body, as a mail delivery in progress leaves it.
    const cut = Buffer.concat(messages.slice(0, 40)).length + Math.floor(messages[40].length * 0.7);
    const file = join(dir, 'growing.mbox');
    const db = join(dir, 'g.db');
    writeFileSync(file, whole.subarray(0, cut));
    cliOk(['import', file, '--db', db, '-q']);
    writeFileSync(file, whole);
    const second = JSON.parse(cliOk(['import', file, '--db', db, '--json']).out) as { messagesFound: number; stored: number; duplicates: number; rejected: number };
    expect(second.messagesFound).toBe(second.stored + second.duplicates + second.rejected);
    expect(exported(db)).toEqual(whole);
    withDb(db, (d) => {
      expect(d.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(messages.length);
      expect(d.prepare('SELECT count(*) FROM messages WHERE duplicate_of IS NOT NULL').pluck().get()).toBe(0);
      expect(d.prepare('SELECT count(*) FROM occurrences').pluck().get()).toBe(messages.length);
      expect(d.prepare('SELECT count(*) FROM link_facts').pluck().get()).toBe(messages.length);
      // The half-written copy is gone from every table that described it.
      expect(d.prepare('SELECT count(*) FROM headers WHERE message_id NOT IN (SELECT id FROM messages)').pluck().get()).toBe(0);
      expect(d.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'the'").pluck().get())
        .toBe(d.prepare("SELECT count(*) FROM messages m WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'the')").pluck().get());
    });
  });
});

describe('a rewritten file, a second stdin import (issue 17, item 11)', () => {
  const allOccur = (db: string) =>
    withDb(db, (d) => d.prepare('SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM occurrences o WHERE o.message_id = m.id)').pluck().get());
  const archive = (seed: number, count: number) => Buffer.concat([...generateArchive({ count, seed })].map(toMboxrd));

  it('keeps the earlier version of a rewritten file apart: export gives the new file exactly, then the old one', () => {
    const dir = tempDir('listindex-edges-');
    const file = join(dir, 'list.mbox');
    const db = join(dir, 'r.db');
    const before = archive(1, 30);
    const after = archive(2, 20);
    writeFileSync(file, before);
    cliOk(['import', file, '--db', db, '-q']);
    writeFileSync(file, after);
    cliOk(['import', file, '--db', db, '-q']);
    expect(exported(db, '--source', file)).toEqual(after);
    expect(exported(db)).toEqual(Buffer.concat([after, before]));
    expect(allOccur(db)).toBe(0);
    withDb(db, (d) => expect(d.prepare('SELECT path, replaced_by_import FROM sources ORDER BY id').all())
      .toEqual([{ path: file, replaced_by_import: null }, { path: `${file} (before import 2)`, replaced_by_import: 2 }]));
  });

  it('keeps two stdin imports apart, each whole', () => {
    const dir = tempDir('listindex-edges-');
    const db = join(dir, 's.db');
    const first = archive(3, 25);
    const second = archive(4, 10);
    cliOk(['import', '-', '--db', db, '-q'], { input: first });
    cliOk(['import', '-', '--db', db, '-q'], { input: second });
    expect(allOccur(db)).toBe(0);
    expect(exported(db)).toEqual(Buffer.concat([second, first]));
    // The same stream again is the same source: nothing moves.
    cliOk(['import', '-', '--db', db, '-q'], { input: second });
    expect(exported(db)).toEqual(Buffer.concat([second, first]));
  });
});
