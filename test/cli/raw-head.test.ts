/**
 * A message whose bytes after its header block are exactly its body's UTF-8 bytes keeps only
 * its header block in `raw` ('brotli-head', store/raw-codec.ts), or nothing at all when its
 * `headers` rows give that header block back byte for byte ('rebuilt'); every other message
 * keeps the whole. Whichever it is, every reader gives back the exact bytes: export,
 * show --raw, query --decompress, and the server's public-inbox raw and t.mbox.gz.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cli, cliOk, withDb } from './run-cli.js';
import { startServe, type TestServer } from '../helpers/serve.js';
import { tempDir } from '../helpers/temp-dir.js';
import { mboxrd } from '../../src/api/mbox.js';
import { HEAD_SQL } from '../../src/store/raw-codec.js';
import { ReadModel } from '../../src/store/read-model.js';

const FROM_LINE = 'From someone@example.org Thu Jan  1 00:00:00 2026';

function head(id: string, extra: string[] = [], eol = '\n'): string {
  return [
    'From: Some One <someone@example.org>',
    `Message-Id: <${id}@example.org>`,
    `Subject: ${id}`,
    'Date: Thu, 01 Jan 2026 00:00:00 +0000',
    ...extra,
  ].join(eol) + eol + eol;
}

interface Case {
  id: string;
  /** The bytes after the From_ line, as the mbox (or file) holds them. */
  bytes: Buffer;
  stored: 'brotli' | 'brotli-head' | 'rebuilt';
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

// In an mbox, each message keeps the blank line before the next From_ line.
const MBOX_CASES: Case[] = [
  { id: 'plain-utf8', stored: 'rebuilt', bytes: utf8(head('plain-utf8', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit']) + 'Grüße, café: ünïcödé.\n\n-- \nsig\n\n') },
  { id: 'plain-ascii', stored: 'rebuilt', bytes: utf8(head('plain-ascii') + 'No Content-Type at all: US-ASCII, 7bit.\n\n') },
  { id: 'reply', stored: 'rebuilt', bytes: utf8(head('reply', ['In-Reply-To: <plain-utf8@example.org>', 'References: <plain-utf8@example.org>']) + '> Grüße\nA reply.\n\n') },
  { id: 'quoted-printable', stored: 'brotli', bytes: utf8(head('quoted-printable', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable']) + 'caf=C3=A9 and a soft=\n break\n\n') },
  { id: 'base64', stored: 'brotli', bytes: utf8(head('base64', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64']) + Buffer.from('café in base64\n').toString('base64') + '\n\n') },
  { id: 'latin1', stored: 'brotli', bytes: Buffer.concat([utf8(head('latin1', ['Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit'])), Buffer.from('caf\xe9\n\n', 'latin1')]) },
  { id: 'multipart', stored: 'brotli', bytes: utf8(head('multipart', ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"']) +
    '--b1\nContent-Type: text/plain; charset=utf-8\n\nThe text.\n--b1\nContent-Type: text/x-patch; name="a.patch"\n\n--- a/x\n+++ b/x\n--b1--\n\n') },
  { id: 'escaped-from', stored: 'brotli', bytes: utf8(head('escaped-from') + 'A line of the body:\n>From here it looks like a separator.\n\n') },
  { id: 'empty-body', stored: 'brotli', bytes: utf8(head('empty-body')) },
  { id: 'nul-byte', stored: 'brotli', bytes: utf8(head('nul-byte') + 'a NUL \0 the parser drops\n\n') },
  { id: 'invalid-utf8', stored: 'brotli', bytes: Buffer.concat([utf8(head('invalid-utf8', ['Content-Type: text/plain; charset=utf-8'])), Buffer.from([0x62, 0xff, 0x0a, 0x0a])]) },
  ...headerCases(),
];

/**
 * Plain messages, each with a kind of header field the `headers` rows must give back exactly
 * (their folding: mail/folding.ts), or that they cannot, so that the message keeps its header
 * block ('brotli-head').
 */
function headerCases(): Case[] {
  const plain = (id: string, stored: Case['stored'], fields: (string | Buffer)[]): Case => ({
    id, stored, bytes: Buffer.concat([...fields.map((f) => Buffer.concat([typeof f === 'string' ? utf8(f) : f, utf8('\n')])), utf8(head(id) + `The ${id} body.\n\n`)]),
  });
  return [
    plain('folded-received', 'rebuilt', ['Received: from mail.example.org (mail.example.org [192.0.2.1])\n\tby mx.example.net with ESMTPS id abc123\n\tfor <list@example.net>; Thu, 01 Jan 2026 00:00:00 +0000']),
    plain('dkim-tabs', 'rebuilt', ['DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;\n\ts=sel; t=1700000000;\n\tbh=AbCdEf0123456789+/=;\n\th=From:To:Subject;\n\tb=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n\t MoreBase64Here']),
    plain('no-space', 'rebuilt', ['X-No-Space:value', 'X-Tab:\tvalue', 'X-Before-Colon : value', 'X-Two-Spaces:  value  with  runs']),
    plain('trailing-space', 'rebuilt', ['X-Trailing: value   ', 'X-Fold-Trailing: a  \n\tb\t']),
    plain('encoded-folded', 'rebuilt', ['X-Encoded: =?UTF-8?Q?caf=C3=A9?=\n =?UTF-8?Q?_cr=C3=A8me?=  tail', 'X-Encoded-Lead:  =?UTF-8?B?w6ll?=']),
    plain('empty-value', 'rebuilt', ['X-Empty:', 'X-Empty-Space: ', 'X-Empty-Fold:\n ']),
    plain('blank-continuation', 'rebuilt', ['X-Blank: first\n \n second', 'X-Later:\n later']),
    plain('utf8-header', 'rebuilt', ['X-Name: Grüße, 中文', 'X-Nbsp: a\u00a0b \u2003c']),
    plain('latin1-header', 'brotli-head', [Buffer.from('X-Name: caf\xe9', 'latin1')]),
    plain('nul-header', 'brotli-head', ['X-Nul: a\0b']),
  ];
}

// Single-message files: no From_ line, no blank line after.
const FILE_CASES: Case[] = [
  { id: 'crlf', stored: 'brotli', bytes: utf8(head('crlf', [], '\r\n') + 'Line one.\r\nLine two.\r\n') },
  // Exactly its body's bytes: nothing to normalise, so the body is not stored twice.
  { id: 'no-final-newline', stored: 'rebuilt', bytes: utf8(head('no-final-newline') + 'The last line has no line break') },
  // A CRLF header block before an LF body: the rows (which keep LF) cannot give it back.
  { id: 'crlf-head', stored: 'brotli-head', bytes: utf8(head('crlf-head', [], '\r\n') + 'Line one.\nLine two.\n') },
];

const ALL = [...MBOX_CASES, ...FILE_CASES];

describe.each(['0', '1'])('messages stored head-only or whole (--workers %s)', (workers) => {
  let dir: string;
  let db: string;
  let mbox: string;
  let mboxBytes: Buffer;
  let server: TestServer;

  beforeAll(async () => {
    dir = tempDir('listindex-rawhead-');
    db = join(dir, 'index.db');
    mbox = join(dir, 'list.mbox');
    mboxBytes = Buffer.concat(MBOX_CASES.flatMap((c) => [utf8(FROM_LINE + '\n'), c.bytes]));
    writeFileSync(mbox, mboxBytes);
    const files = FILE_CASES.map((c) => {
      const file = join(dir, `${c.id}.eml`);
      writeFileSync(file, c.bytes);
      return file;
    });
    cliOk(['import', mbox, ...files, '--db', db, '--workers', workers, '--quiet']);
    server = await startServe(db);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('stores a message head-only exactly when its bytes after the header block are its body', () => {
    const stored = withDb(db, (d) => Object.fromEntries(
      d.prepare('SELECT msgid, raw_compression FROM messages').raw().all() as [string, string][]));
    expect(stored).toEqual(Object.fromEntries(ALL.map((c) => [`<${c.id}@example.org>`, c.stored])));
    // Head-only: raw holds the header block and its blank line, nothing of the body.
    withDb(db, (d) => {
      const sizes = d.prepare(`SELECT size, length(CAST(body AS BLOB)) AS body FROM messages WHERE msgid = '<plain-utf8@example.org>'`).get() as { size: number; body: number };
      expect(sizes.size - sizes.body).toBe(Buffer.byteLength(head('plain-utf8', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'])));
      // Rebuilt: raw holds nothing.
      expect(d.prepare(`SELECT count(*) FROM messages WHERE raw_compression = 'rebuilt' AND length(raw) > 0`).pluck().get()).toBe(0);
    });
  });

  it('keeps a field\'s folding in a few bytes: a Received folded twice, a field written without a space', () => {
    const folding = (msgid: string, name: string) => withDb(db, (d) => d.prepare(`SELECT h.folding FROM headers h JOIN messages m ON m.id = h.message_id
      WHERE m.msgid = ? AND h.name = ?`).pluck().get(`<${msgid}@example.org>`, name));
    expect(folding('folded-received', 'Received')).toBe('4nt,10nt');
    expect(folding('no-space', 'X-No-Space')).toBe('0');
    expect(folding('no-space', 'X-Before-Colon')).toBe('cs');
    expect(folding('plain-ascii', 'Subject')).toBe('');
  });

  it('gives each field as written (Patchwork\'s headers) from its folding, rebuilt or not', () => {
    const written = (msgid: string) => withDb(db, (d) => {
      const id = d.prepare('SELECT id FROM messages WHERE msgid = ?').pluck().get(`<${msgid}@example.org>`) as number;
      return new ReadModel(d).headers([id]).get(id)!;
    });
    expect(written('folded-received').find((h) => h.name === 'Received')?.text)
      .toBe('from mail.example.org (mail.example.org [192.0.2.1])\n\tby mx.example.net with ESMTPS id abc123\n\tfor <list@example.net>; Thu, 01 Jan 2026 00:00:00 +0000');
    expect(written('blank-continuation').find((h) => h.name === 'X-Blank')?.text).toBe('first\n \n second');
    // Not rebuilt (a NUL in a field): the other fields' foldings still give them back.
    expect(written('nul-header').find((h) => h.name === 'Subject')?.text).toBe('nul-header');
    expect(written('crlf-head').find((h) => h.name === 'Subject')?.text).toBe('crlf-head');
  });

  it('exports the mbox byte for byte', () => {
    const out = cliOk(['export', '--db', db, '--source', mbox]).stdout;
    expect(Buffer.compare(out, mboxBytes)).toBe(0);
  });

  it.each(ALL.map((c) => [c.id, c] as const))('show --raw gives the exact bytes of %s', (_id, c) => {
    const out = cliOk(['show', `<${c.id}@example.org>`, '--raw', '--db', db]).stdout;
    expect(out.toString('latin1')).toBe(c.bytes.toString('latin1'));
  });

  it('query --decompress rebuilds every message from raw, raw_compression, body and head', () => {
    const rows = JSON.parse(cliOk(['query', '--db', db, '--json', '--decompress', `select msgid, raw, raw_compression, body, ${HEAD_SQL} AS head from messages`]).out) as { msgid: string; raw: string }[];
    for (const c of ALL) expect(rows.find((r) => r.msgid === `<${c.id}@example.org>`)?.raw).toBe(c.bytes.toString('utf8'));
  });

  it('query --decompress without body says to select it, in one line, for a head-only row', () => {
    const r = cli(['query', '--db', db, '--decompress', `select raw, raw_compression from messages where msgid = '<latin1-header@example.org>'`]);
    expect(r.status).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/brotli-head.*select raw, raw_compression and body/);
  });

  it('query --decompress without head says what to select, in one line, for a rebuilt row', () => {
    const r = cli(['query', '--db', db, '--decompress', `select raw, raw_compression, body from messages where msgid = '<plain-utf8@example.org>'`]);
    expect(r.status).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/'rebuilt'.*json_group_array.* AS head from messages/);
  });

  it.each(ALL.map((c) => [c.id, c] as const))('the public-inbox raw answer of %s is its exact bytes as mboxrd', async (_id, c) => {
    const answer = await fetch(`${server.url}/all/${encodeURIComponent(`${c.id}@example.org`)}/raw`);
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer()).toString('latin1')).toBe(mboxrd([c.bytes]).toString('latin1'));
  });

  it('the thread mbox (t.mbox.gz) has each message\'s exact bytes', async () => {
    const answer = await fetch(`${server.url}/all/${encodeURIComponent('reply@example.org')}/t.mbox.gz`);
    expect(answer.status).toBe(200);
    const thread = gunzipSync(Buffer.from(await answer.arrayBuffer()));
    const plain = MBOX_CASES.find((c) => c.id === 'plain-utf8')!;
    const reply = MBOX_CASES.find((c) => c.id === 'reply')!;
    expect(thread.toString('latin1')).toBe(mboxrd([plain.bytes, reply.bytes]).toString('latin1'));
  });
});

describe('a growing mbox whose last message was read half-written and stored rebuilt from its rows', () => {
  it('recognises the complete copy as its continuation and replaces it', () => {
    const dir = tempDir('listindex-rawhead-grow-');
    const db = join(dir, 'index.db');
    const mbox = join(dir, 'list.mbox');
    const first = MBOX_CASES[0];
    const last = utf8(head('growing') + 'The first half of the body,\n');
    writeFileSync(mbox, Buffer.concat([utf8(FROM_LINE + '\n'), first.bytes, utf8(FROM_LINE + '\n'), last]));
    cliOk(['import', mbox, '--db', db, '--quiet']);
    expect(withDb(db, (d) => d.prepare(`SELECT raw_compression FROM messages WHERE msgid = '<growing@example.org>'`).pluck().get())).toBe('rebuilt');
    appendFileSync(mbox, 'and the second half.\n\n');
    cliOk(['import', mbox, '--db', db, '--quiet']);
    withDb(db, (d) => {
      expect(d.prepare(`SELECT count(*) FROM messages WHERE msgid = '<growing@example.org>'`).pluck().get()).toBe(1);
      expect(d.prepare(`SELECT count(*) FROM sources`).pluck().get()).toBe(1); // no earlier version kept aside
    });
    expect(Buffer.compare(cliOk(['export', '--db', db]).stdout, readFileSync(mbox))).toBe(0);
  });
});
