/**
 * Issue 17, "nothing lost at the edges": what the import does with copies that differ only in
 * their line ends, files that grow or are rewritten, a second stdin import, gzip with trailing
 * bytes, inputs that never end, killed imports and their lock, and very long Message-Ids. Each
 * through the real built CLI, on real files and a real index.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
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
