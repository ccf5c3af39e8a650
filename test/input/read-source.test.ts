import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { readSource } from '../../src/input/read-source.js';
import type { SourceMessage } from '../../src/input/read-source.js';
import type { SourceSpec } from '../../src/input/sources.js';
import { ListindexError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('listindex-read-');

function write(name: string, data: string | Buffer): SourceSpec {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return { path: file, kind: 'mbox', size: fs.statSync(file).size };
}

/** Collect the messages, and the error if reading ended with one. */
async function readAll(spec: SourceSpec, options = {}): Promise<{ messages: SourceMessage[]; error: unknown }> {
  const messages: SourceMessage[] = [];
  try {
    for await (const m of readSource(spec, options)) messages.push(m);
  } catch (error) {
    return { messages, error };
  }
  return { messages, error: undefined };
}

function mbox(count: number, filler = ''): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    out += `From mboxrd@z Thu Jan  1 00:00:00 1970\nMessage-Id: <m${i}@x>\nSubject: message ${i}\n\nbody ${i}\n>From escaped\n${filler}\n\n`;
  }
  return out;
}

describe('readSource', () => {
  it('reads an mbox: source, index, offsets, escaping', async () => {
    const text = mbox(3);
    const { messages, error } = await readAll(write('plain.mbox', text));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.index)).toEqual([0, 1, 2]);
    expect(messages.every((m) => m.source === path.join(dir, 'plain.mbox') && m.escaping === 'mboxrd')).toBe(true);
    for (const m of messages) expect(text.slice(m.offset, m.offset + 5)).toBe('From ');
    expect(messages[2].raw.toString()).toContain('Subject: message 2');
  });

  it('passes the escaping option on', async () => {
    const { messages } = await readAll(write('o.mbox', mbox(1)), { escaping: 'mboxo' });
    expect(messages[0].escaping).toBe('mboxo');
  });

  it('reads a single message file whole, with no escaping', async () => {
    const eml = 'From: a@b.c\nSubject: hi\n\nFrom me to you\n\nFrom x@y Mon Jan  1 00:00:00 2001\nSubject: inner\n';
    const { messages } = await readAll({ ...write('one.eml', eml), kind: 'message' });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ offset: 0, fromLine: null, escaping: 'none', index: 0 });
    expect(messages[0].raw.toString()).toBe(eml);
  });

  it('yields nothing for an empty file', async () => {
    expect((await readAll(write('empty', ''))).messages).toEqual([]);
  });

  it('streams gzip, detected by magic bytes whatever the name, mbox and single message', async () => {
    const text = mbox(2000, 'x'.repeat(1000)); // > 2 MB: several chunks
    const plain = await readAll(write('big.mbox', text));
    const gz = await readAll(write('big.mbox.data', zlib.gzipSync(text)));
    expect(gz.error).toBeUndefined();
    expect(gz.messages).toHaveLength(2000);
    expect(gz.messages).toEqual(plain.messages.map((m) => ({ ...m, source: path.join(dir, 'big.mbox.data') })));

    const eml = 'Subject: zipped\n\nhello\n';
    const single = await readAll(write('one.eml.gz', zlib.gzipSync(eml)));
    expect(single.messages.map((m) => [m.fromLine, m.raw.toString()])).toEqual([[null, eml]]);
  });

  it('truncated gzip: earlier messages come out, then INPUT_CORRUPT naming the file', async () => {
    const text = mbox(2000, 'y'.repeat(1000));
    const gz = zlib.gzipSync(text);
    const spec = write('cut.mbox.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { messages, error } = await readAll(spec);
    expect(error).toBeInstanceOf(ListindexError);
    const e = error as ListindexError;
    expect(e.code).toBe('INPUT_CORRUPT');
    expect(e.file).toBe(spec.path);
    expect(e.message).toContain(spec.path);
    expect(e.byteOffset).toBeGreaterThan(0);
    expect(messages.length).toBeGreaterThan(100);
    expect(messages.length).toBeLessThan(2000);
    // All but the last are complete; the last is cut where the data stopped.
    expect(messages.slice(0, -1).every((m, i) => m.raw.toString().includes(`message ${i}\n`) && !m.truncated)).toBe(true);
    expect(messages[messages.length - 1].truncated).toBe(true);
  });

  it('corrupt gzip data gives INPUT_CORRUPT', async () => {
    const gz = Buffer.from(zlib.gzipSync(mbox(50, 'z'.repeat(200))));
    for (let i = 100; i < 200; i++) gz[i] ^= 0x5a;
    const { error } = await readAll(write('bad.gz', gz));
    expect((error as ListindexError).code).toBe('INPUT_CORRUPT');
  });

  it('a missing file gives INPUT_UNREADABLE', async () => {
    const { error } = await readAll({ path: path.join(dir, 'nope.mbox'), kind: 'mbox', size: null });
    expect(error).toMatchObject({ code: 'INPUT_UNREADABLE', file: path.join(dir, 'nope.mbox') });
  });

  it('yields an oversized single message as its head', async () => {
    const eml = 'Subject: big\n\n' + 'q'.repeat(100_000);
    const { messages } = await readAll(write('big.eml', eml), { maxMessageBytes: 1000 });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ oversized: true, rawSize: eml.length });
    expect(messages[0].raw.length).toBe(1000);
  });
});
