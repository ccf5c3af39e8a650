/**
 * `listindex import` through the real built CLI: every kind of input, the found = stored +
 * duplicates + rejected invariant, idempotent re-imports, the imports/rejects tables, exit codes
 * and error messages.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decompressRaw, rawBodySql, rawHeadSql } from '../../src/store/raw-codec.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import type { GeneratedMessage } from '../../src/tools/archive-generator.js';
import { cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Summary {
  importId: number;
  files: number;
  unreadable: { file: string; byteOffset: number | null; error: string }[];
  messagesFound: number;
  stored: number;
  duplicates: number;
  rejected: number;
  rejects: { source: string; offset: number; reason: string }[];
  lists: string[];
  bytes: number;
  seconds: number;
  status: string;
}

interface ImportRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  arguments: string;
  status: string;
  files: number;
  unreadable: number;
  messages_found: number;
  stored: number;
  duplicates: number;
  rejected: number;
  bytes: number;
  seconds: number;
}

const messages = [...generateArchive({ count: 60, seed: 21 })];
const DUPLICATED = 3;
/** The archive as mboxrd, with its first messages repeated at the end (same bytes: duplicates). */
const mbox = Buffer.concat([...messages, ...messages.slice(0, DUPLICATED)].map(toMboxrd));
const bytesOf = (m: GeneratedMessage) => Buffer.from(m.text, m.encoding);

let dir: string;
beforeAll(() => {
  dir = tempDir('listindex-cli-');
});

function importJson(args: string[], input?: Buffer): Summary {
  const r = cliOk(['import', ...args, '--json'], { input });
  expect(r.err).toBe('');
  return JSON.parse(r.out) as Summary;
}

function importRows(db: string): ImportRow[] {
  return withDb(db, (d) => d.prepare('SELECT * FROM imports ORDER BY id').all() as ImportRow[]);
}

function expectInvariant(s: { messagesFound: number; stored: number; duplicates: number; rejected: number }): void {
  expect(s.messagesFound).toBe(s.stored + s.duplicates + s.rejected);
}

/** The value of one row of the summary table (`what  value`). */
function tableValue(out: string, what: string): string | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`${what} `));
  return line?.slice(what.length).trim();
}

/**
 * Imports `inputs` three times into a fresh index: once, again (incremental: unchanged files are
 * skipped, nothing stored, and it says so), and again with --full (everything read, all
 * duplicates). Checks the summaries, the imports table and the stored messages; returns the
 * database path.
 */
function importTwice(name: string, inputs: string[], expected: { found: number; stored: number; files: number }, extra: string[] = [], input?: Buffer): string {
  const db = join(dir, `${name}.db`);
  const first = importJson([...inputs, '--db', db, ...extra], input);
  expectInvariant(first);
  expect(first).toMatchObject({
    files: expected.files, unreadable: [], messagesFound: expected.found, stored: expected.stored,
    duplicates: expected.found - expected.stored, rejected: 0, status: 'complete', lists: ['dev.lists.example.org'],
  });

  // Again, with the table output: nothing stored, and it says so. Files are skipped when
  // unchanged (standard input cannot be, so it is read again: all duplicates).
  const stdin = inputs.includes('-');
  const again = cliOk(['import', ...inputs, '--db', db, ...extra], { input });
  expect(again.out).toContain('nothing new');
  expect(tableValue(again.out, 'stored')).toBe('0');
  expect(tableValue(again.out, 'rejected')).toBe('0');
  expect(tableValue(again.out, 'messages')).toBe(tableValue(again.out, 'duplicates'));
  expect(tableValue(again.out, 'messages')).toBe(stdin ? String(expected.found) : '0');
  expect(tableValue(again.out, 'unchanged files')).toBe(stdin ? '0' : String(expected.files));

  // --full reads everything again: every message found is a duplicate.
  const full = importJson([...inputs, '--db', db, '--full', ...extra], input);
  expectInvariant(full);
  expect(full).toMatchObject({ files: expected.files, unreadable: [], messagesFound: expected.found, stored: 0, duplicates: expected.found, rejected: 0 });

  const rows = importRows(db);
  expect(rows).toHaveLength(3);
  expect(rows[0]).toMatchObject({
    id: first.importId, status: 'complete', files: expected.files, unreadable: 0,
    messages_found: first.messagesFound, stored: first.stored, duplicates: first.duplicates, rejected: first.rejected,
  });
  expect(rows[1]).toMatchObject({ status: 'complete', unreadable: 0, messages_found: stdin ? expected.found : 0, stored: 0, rejected: 0 });
  expect(rows[2]).toMatchObject({
    id: full.importId, status: 'complete', files: expected.files, unreadable: 0, messages_found: expected.found, stored: 0,
    duplicates: expected.found, rejected: 0,
  });
  for (const row of rows) {
    expect(row.finished_at).not.toBeNull();
    expect(row.messages_found).toBe(row.stored + row.duplicates + row.rejected);
  }
  withDb(db, (d) => {
    expect(d.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(expected.stored);
    expect(d.prepare('SELECT count(*) FROM rejects').pluck().get()).toBe(0);
  });
  return db;
}

describe('import: every kind of input', () => {
  it('imports an mbox file, and a second time stores nothing', () => {
    const file = join(dir, 'list.mbox');
    writeFileSync(file, mbox);
    const db = importTwice('mbox', [file], { found: messages.length + DUPLICATED, stored: messages.length, files: 1 });
    withDb(db, (d) => {
      const stored = new Set(d.prepare('SELECT msgid FROM messages').pluck().all() as string[]);
      expect(stored).toEqual(new Set(messages.map((m) => m.msgid)));
      expect(d.prepare('SELECT path, kind, messages FROM sources').all()).toEqual([{ path: file, kind: 'mbox', messages: messages.length + DUPLICATED }]);
      // Three times the same bytes: one message, three occurrences.
      expect(d.prepare('SELECT count(*) FROM occurrences').pluck().get()).toBe(messages.length + DUPLICATED);
    });
  });

  it('imports a .mbox.gz file (with a parse worker thread)', () => {
    const file = join(dir, 'list.mbox.gz');
    writeFileSync(file, gzipSync(mbox));
    importTwice('gz', [file], { found: messages.length + DUPLICATED, stored: messages.length, files: 1 }, ['--workers', '1']);
  });

  it('imports a Maildir folder', () => {
    const maildir = join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    const some = messages.slice(0, 12);
    some.forEach((m, i) => {
      const folder = i % 3 === 0 ? 'new' : 'cur';
      writeFileSync(join(maildir, folder, `17000000${String(i).padStart(2, '0')}.M${i}P42.host${folder === 'cur' ? ':2,S' : ''}`), bytesOf(m));
    });
    // A message still being delivered (tmp/) is not mail yet.
    writeFileSync(join(maildir, 'tmp', '1700000099.M99P42.host'), bytesOf(messages[20]));
    const db = importTwice('maildir', [maildir], { found: some.length, stored: some.length, files: some.length });
    withDb(db, (d) => {
      expect(new Set(d.prepare('SELECT msgid FROM messages').pluck().all())).toEqual(new Set(some.map((m) => m.msgid)));
      expect(d.prepare(`SELECT DISTINCT kind FROM sources`).pluck().all()).toEqual(['maildir-message']);
    });
  });

  it('imports single .eml files', () => {
    const emlDir = join(dir, 'eml');
    mkdirSync(emlDir);
    const some = messages.slice(10, 18);
    const files = some.map((m, i) => {
      const file = join(emlDir, `message-${i}.eml`);
      writeFileSync(file, bytesOf(m));
      return file;
    });
    // One given twice on the command line is read once.
    const db = importTwice('eml', [...files, files[0]], { found: some.length, stored: some.length, files: some.length });
    withDb(db, (d) => {
      expect(new Set(d.prepare('SELECT msgid FROM messages').pluck().all())).toEqual(new Set(some.map((m) => m.msgid)));
      // A single-message file is stored exactly as written.
      const { raw, raw_compression, body, head } = d.prepare(`SELECT raw, raw_compression, ${rawBodySql()} AS body, ${rawHeadSql()} AS head FROM messages WHERE msgid = ?`)
        .get(some[0].msgid) as { raw: Buffer; raw_compression: string; body: Buffer | null; head: string | null };
      expect(['brotli', 'brotli-head', 'rebuilt']).toContain(raw_compression);
      expect(Buffer.compare(decompressRaw(raw, raw_compression, body, head), bytesOf(some[0]))).toBe(0);
    });
  });

  it('imports an mbox from standard input (-)', () => {
    const db = importTwice('stdin', ['-'], { found: messages.length + DUPLICATED, stored: messages.length, files: 1 }, [], mbox);
    withDb(db, (d) => {
      expect(d.prepare('SELECT path, kind FROM sources').all()).toEqual([{ path: '-', kind: 'stdin' }]);
    });
  });

  it('imports a glob pattern and a directory, not twice', () => {
    const globDir = join(dir, 'globbed');
    mkdirSync(globDir);
    writeFileSync(join(globDir, 'a.mbox'), Buffer.concat(messages.slice(0, 20).map(toMboxrd)));
    writeFileSync(join(globDir, 'b.mbox'), Buffer.concat(messages.slice(20, 30).map(toMboxrd)));
    importTwice('glob', [join(globDir, '*.mbox'), globDir], { found: 30, stored: 30, files: 2 });
  });

  it('records import dates in the index format (YYYY-MM-DDTHH:MM:SSZ, docs/schema.md)', () => {
    const db = join(dir, 'dates.db');
    const file = join(dir, 'dates.mbox');
    writeFileSync(file, Buffer.concat(messages.slice(0, 3).map(toMboxrd)));
    importJson([file, '--db', db]);
    const [row] = importRows(db);
    expect(row.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(row.finished_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('import: rejects', () => {
  /** An mbox built from parts, remembering the byte offset of each From line. */
  function buildMbox(parts: { name: string; text: Buffer }[]): { bytes: Buffer; offsets: Map<string, number>; raws: Map<string, Buffer> } {
    const offsets = new Map<string, number>();
    const raws = new Map<string, Buffer>();
    const chunks: Buffer[] = [];
    let at = 0;
    for (const { name, text } of parts) {
      const from = Buffer.from(`From ${name}@example.org Thu Mar  7 10:00:00 2024\n`);
      const raw = Buffer.concat([text, Buffer.from('\n')]); // the blank line before the next From line
      offsets.set(name, at);
      raws.set(name, raw);
      chunks.push(from, raw);
      at += from.length + raw.length;
    }
    return { bytes: Buffer.concat(chunks), offsets, raws };
  }
  const good = (n: string) => ({
    name: n,
    text: Buffer.from(`From: Good ${n} <${n}@example.org>\nSubject: message ${n}\nDate: Thu, 7 Mar 2024 10:00:00 +0000\n` +
      `Message-Id: <${n}@example.org>\nList-Id: <dev.lists.example.org>\n\nBody of ${n}.\n`),
  });
  // Looks like a message to the splitter (a `Name:` line follows the From line), but has no
  // mail header field at all: binary junk.
  const junk = {
    name: 'junk',
    text: Buffer.concat([Buffer.from('X-Garbage: '), Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x0a, 0x00, 0x00, 0x0a, 0x0a]),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x0a])]),
  };
  const bigBody = 'x'.repeat(71).concat('\n').repeat(300); // 21,600 bytes: over a 0.01 MiB limit
  const big = {
    name: 'big',
    text: Buffer.from(`From: Big <big@example.org>\nSubject: a very large message\nDate: Thu, 7 Mar 2024 10:00:00 +0000\n` +
      `Message-Id: <big@example.org>\nList-Id: <dev.lists.example.org>\n\n${bigBody}`),
  };
  const junkMbox = buildMbox([good('g1'), junk, good('g2')]);
  const bigMbox = buildMbox([good('g3'), big, good('g4'), good('g5')]);
  const LIMIT_MIB = '0.01';
  const limitBytes = Math.round(0.01 * 1024 * 1024);

  let db: string;
  let junkFile: string;
  let bigFile: string;
  let summary: Summary;
  beforeAll(() => {
    junkFile = join(dir, 'with-junk.mbox');
    bigFile = join(dir, 'with-big.mbox');
    writeFileSync(junkFile, junkMbox.bytes);
    writeFileSync(bigFile, bigMbox.bytes);
    expect(bigMbox.raws.get('big')!.length).toBeGreaterThan(limitBytes);
    db = join(dir, 'rejects.db');
    summary = importJson([junkFile, bigFile, '--db', db, '--max-message-size', LIMIT_MIB]);
  });

  it('keeps the invariant with a junk message and an oversized one, and stores everything else', () => {
    expectInvariant(summary);
    expect(summary).toMatchObject({ files: 2, messagesFound: 7, stored: 5, duplicates: 0, rejected: 2, unreadable: [], status: 'complete' });
    withDb(db, (d) => {
      expect(new Set(d.prepare('SELECT msgid FROM messages').pluck().all()))
        .toEqual(new Set(['g1', 'g2', 'g3', 'g4', 'g5'].map((n) => `<${n}@example.org>`)));
      expect(d.prepare('SELECT messages_found, stored, duplicates, rejected FROM imports').get())
        .toEqual({ messages_found: 7, stored: 5, duplicates: 0, rejected: 2 });
    });
  });

  it('lists the rejects in the summary with source, offset and reason', () => {
    expect(summary.rejects).toEqual([
      { source: junkFile, offset: junkMbox.offsets.get('junk'), reason: expect.stringMatching(/no mail header fields/) },
      { source: bigFile, offset: bigMbox.offsets.get('big'), reason: expect.stringMatching(/size limit/) },
    ].sort((a, b) => (a.source < b.source ? -1 : 1)));
  });

  it('puts the junk message in the rejects table with its source, offset, reason and bytes', () => {
    withDb(db, (d) => {
      const row = d.prepare(`SELECT s.path, r.source_offset, r.size, r.reason, r.raw, r.raw_compression FROM rejects r JOIN sources s ON s.id = r.source_id
        WHERE s.path = ?`).get(junkFile) as { path: string; source_offset: number; size: number; reason: string; raw: Buffer; raw_compression: string };
      expect(row).toMatchObject({ path: junkFile, source_offset: junkMbox.offsets.get('junk'), size: junkMbox.raws.get('junk')!.length });
      expect(row.reason).toMatch(/no mail header fields/);
      expect(Buffer.compare(decompressRaw(row.raw, row.raw_compression, null), junkMbox.raws.get('junk')!)).toBe(0);
    });
  });

  it('puts the oversized message in the rejects table with its real size and its head', () => {
    withDb(db, (d) => {
      const row = d.prepare(`SELECT s.path, r.source_offset, r.size, r.reason, r.raw, r.raw_compression FROM rejects r JOIN sources s ON s.id = r.source_id
        WHERE s.path = ?`).get(bigFile) as { path: string; source_offset: number; size: number; reason: string; raw: Buffer; raw_compression: string };
      expect(row.path).toBe(bigFile);
      expect(row.source_offset).toBe(bigMbox.offsets.get('big'));
      expect(row.reason).toMatch(/size limit/);
      const head = decompressRaw(row.raw, row.raw_compression, null);
      expect(head.length).toBeLessThanOrEqual(limitBytes);
      expect(Buffer.compare(head, bigMbox.raws.get('big')!.subarray(0, head.length))).toBe(0);
      // docs/schema.md: rejects.size is "size of the message in bytes (`raw` may hold only its
      // head when it was over the size limit)".
      expect(row.size).toBe(bigMbox.raws.get('big')!.length);
    });
  });

  it('exports an mbox with a junk message byte for byte', () => {
    const r = cliOk(['export', '--db', db, '--source', junkFile]);
    expect(Buffer.compare(r.stdout, readFileSync(junkFile))).toBe(0);
  });

  it('re-imports without storing or rejecting anything twice', () => {
    const again = importJson([junkFile, bigFile, '--db', db, '--max-message-size', LIMIT_MIB]);
    expectInvariant(again);
    expect(again.stored).toBe(0);
    const full = importJson([junkFile, bigFile, '--db', db, '--max-message-size', LIMIT_MIB, '--full']);
    expectInvariant(full);
    expect(full.stored).toBe(0);
    expect(full.messagesFound).toBe(7);
    withDb(db, (d) => {
      expect(d.prepare('SELECT count(*) FROM rejects').pluck().get()).toBe(2);
      expect(d.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(5);
      expect(d.prepare('SELECT count(*) FROM imports').pluck().get()).toBe(3);
      for (const row of importRows(db)) expect(row.messages_found).toBe(row.stored + row.duplicates + row.rejected);
    });
  });
});

describe('import: errors and usage', () => {
  it('imports the other inputs when one is missing: exit 1, one line naming the file, no stack trace', () => {
    const good = join(dir, 'good.mbox');
    writeFileSync(good, Buffer.concat(messages.slice(0, 10).map(toMboxrd)));
    const missing = join(dir, 'does-not-exist.mbox');
    const db = join(dir, 'missing.db');
    const r = cli(['import', missing, good, '--db', db, '--json']);
    expect(r.status).toBe(1);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(r.err).not.toContain('BUG');
    const summary = JSON.parse(r.out) as Summary;
    expectInvariant(summary);
    expect(summary.stored).toBe(10);
    expect(summary.unreadable).toHaveLength(1);
    expect(summary.unreadable[0].file).toContain('does-not-exist.mbox');
    withDb(db, (d) => {
      expect(d.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(10);
      expect(d.prepare('SELECT unreadable, stored, status FROM imports').get()).toEqual({ unreadable: 1, stored: 10, status: 'complete' });
    });
  });

  it('says the same with the table output', () => {
    const good = join(dir, 'good2.mbox');
    writeFileSync(good, Buffer.concat(messages.slice(0, 4).map(toMboxrd)));
    const missing = join(dir, 'nope', 'gone.mbox.gz');
    const r = cli(['import', good, missing, '--db', join(dir, 'missing2.db')]);
    expect(r.status).toBe(1);
    expect(r.err.trimEnd().split('\n')).toEqual([expect.stringContaining(missing)]);
    expect(tableValue(r.out, 'stored')).toBe('4');
    expect(tableValue(r.out, 'unreadable')).toBe('1');
  });

  const usageErrors: [string, string[]][] = [
    ['--workers x', ['--workers', 'x']],
    ['--workers -1', ['--workers', '-1']],
    ['--mbox-format mboxcl', ['--mbox-format', 'mboxcl']],
    ['--max-message-size 0', ['--max-message-size', '0']],
    ['an unknown option', ['--frobnicate']],
  ];
  for (const [what, args] of usageErrors) {
    it(`exits 2 without a stack trace on ${what}, before touching the index`, () => {
      const db = join(dir, `usage-${args.join('')}.db`);
      const r = cli(['import', join(dir, 'good.mbox'), '--db', db, ...args]);
      expect(r.status).toBe(2);
      expect(r.err).not.toBe('');
      expect(r.err).not.toMatch(STACK_FRAME);
      expect(r.err).not.toContain('BUG');
      expect(existsSync(db)).toBe(false);
    });
  }

  it('exits 2 when no input is given', () => {
    const r = cli(['import', '--db', join(dir, 'none.db')]);
    expect(r.status).toBe(2);
    expect(r.err).not.toMatch(STACK_FRAME);
  });
});

describe('--help', () => {
  for (const command of ['import', 'query', 'stats', 'export', 'series', 'show', 'mbox']) {
    it(`${command} --help exits 0 with examples`, () => {
      const r = cli([command, '--help']);
      expect(r.status).toBe(0);
      expect(r.out).toContain(`Usage: listindex ${command}`);
      expect(r.out).toContain('Examples');
      expect(r.out).toContain(`listindex ${command}`);
    });
  }

  it('listindex --help exits 0 and lists every command', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const command of ['import', 'query', 'stats', 'export', 'series', 'show', 'mbox']) expect(r.out).toContain(command);
    expect(r.out).toContain('Examples');
  });
});
