import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { MboxSplitter, splitMbox } from '../../src/input/mbox-splitter.js';
import type { MboxPart } from '../../src/input/mbox-splitter.js';
import { unescapeFromLines } from '../../src/input/unescape.js';

/** Split `text` fed in chunks of `chunkSize` bytes (the splitter must not care how it is cut). */
async function split(text: string | Buffer, chunkSize = 1 << 20, maxMessageBytes?: number): Promise<MboxPart[]> {
  const buf = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, i + chunkSize);
  }
  const out: MboxPart[] = [];
  for await (const part of splitMbox(chunks(), { maxMessageBytes })) out.push(part);
  return out;
}

/** fromLine + '\n' + raw for every message: must give the file back. */
function rebuild(parts: MboxPart[]): string {
  return parts.map((p) => (p.fromLine === null ? '' : p.fromLine + '\n') + p.raw.toString('latin1')).join('');
}

/** One mbox message, with the blank line that ends it. */
const msg = (from: string, subject: string, body: string) => `${from}\nFrom: a@b.c\nSubject: ${subject}\n\n${body}\n\n`;

describe('splitMbox', () => {
  it('splits mboxrd, keeps escaping in raw, gives offsets and a byte-exact rebuild', async () => {
    const file =
      msg('From mboxrd@z Thu Jan  1 00:00:00 1970', 'one', 'hello\n>From the start\n>>From deeper') +
      msg('From mboxrd@z Thu Jan  1 00:00:00 1970', 'two', 'second');
    for (const chunk of [1, 3, 7, 64, 1 << 20]) {
      const parts = await split(file, chunk);
      expect(parts.map((p) => p.fromLine)).toEqual(['From mboxrd@z Thu Jan  1 00:00:00 1970', 'From mboxrd@z Thu Jan  1 00:00:00 1970']);
      expect(parts[0].raw.toString()).toBe('From: a@b.c\nSubject: one\n\nhello\n>From the start\n>>From deeper\n\n');
      expect(parts[0].offset).toBe(0);
      expect(parts[1].offset).toBe(file.indexOf('From mboxrd', 1));
      expect(rebuild(parts)).toBe(file);
    }
  });

  it('accepts the usual From_ line shapes', async () => {
    const lines = [
      'From git@z Thu Jan 1 00:00:00 1970',
      'From 1234abcd Mon Sep 17 00:00:00 2001',
      'From foo@bar.com  Tue Jul  7 11:13:00 2015',
      'From user at host.com  Mon Jan 20 10:00:00 2014',
      'From dev-return-1@x.apache.org Wed Jun 01 04:17:05 2016',
    ];
    const file = lines.map((l, i) => msg(l, `m${i}`, 'body')).join('');
    const parts = await split(file);
    expect(parts.map((p) => p.fromLine)).toEqual(lines);
  });

  it('does not split on From lines inside a patch or in prose', async () => {
    const body = [
      'Some text.',
      '',
      'From what I can tell, in 2014 this broke at 10:00.',
      'It is fine now.',
      '',
      'diff --git a/x b/x',
      '+From 1234 Mon Sep 17 00:00:00 2001',
      'From 1234 Mon Sep 17 00:00:00 2001',
      'Subject: not a header, not after a blank line',
      '',
      'From someone Mon Sep 17 00:00:00 2001',
      '  continuation lines do not count',
    ].join('\n');
    const file = msg('From a@b Mon Sep 17 00:00:00 2001', 'patch', body) + msg('From a@b Mon Sep 17 00:00:00 2001', 'next', 'x');
    for (const chunk of [1, 5, 1 << 20]) {
      const parts = await split(file, chunk);
      expect(parts).toHaveLength(2);
      expect(parts[0].raw.toString()).toContain('From 1234 Mon Sep 17');
      expect(rebuild(parts)).toBe(file);
    }
  });

  it('handles CRLF files: the \\r stays on fromLine, raw starts after the \\n', async () => {
    const file = 'From a@b Thu Jan  1 00:00:00 1970\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom a@b Thu Jan  1 00:00:00 1970\r\nSubject: two\r\n\r\nbody2\r\n';
    for (const chunk of [1, 2, 1 << 20]) {
      const parts = await split(file, chunk);
      expect(parts).toHaveLength(2);
      expect(parts[0].fromLine).toBe('From a@b Thu Jan  1 00:00:00 1970\r');
      expect(parts[0].raw.toString()).toBe('Subject: one\r\n\r\nbody\r\n\r\n');
      expect(parts[1].offset).toBe(file.indexOf('From', 5));
      expect(rebuild(parts)).toBe(file);
    }
  });

  it('mboxcl2: Content-Length protects an unescaped From line', async () => {
    const body = 'Quoted mbox follows:\n\nFrom x@y Mon Jan  1 00:00:00 2001\nSubject: inner\n\nend\n';
    const first = `From a@b Mon Jan  1 00:00:00 2001\nSubject: one\nContent-Length: ${body.length}\n\n${body}\n`;
    const second = msg('From a@b Mon Jan  1 00:00:00 2001', 'two', 'x');
    for (const chunk of [1, 4, 1 << 20]) {
      const parts = await split(first + second, chunk);
      expect(parts.map((p) => p.offset)).toEqual([0, first.length]);
      expect(parts[0].raw.toString()).toContain('Subject: inner');
      expect(rebuild(parts)).toBe(first + second);
    }
    // Last message: Content-Length reaching EOF also holds.
    expect(await split(first)).toHaveLength(1);
  });

  it('mboxcl: Content-Length also splits where no blank line precedes the next From line', async () => {
    const first = 'From a@b Mon Jan  1 00:00:00 2001\nContent-Length: 5\n\nabcd\n';
    const second = msg('From a@b Mon Jan  1 00:00:00 2001', 'two', 'x');
    const parts = await split(first + second, 3);
    expect(parts.map((p) => p.offset)).toEqual([0, first.length]);
  });

  it('ignores a Content-Length that does not land on a separator', async () => {
    const first = 'From a@b Mon Jan  1 00:00:00 2001\nContent-Length: 3\n\nabcdef\n\n';
    const second = msg('From a@b Mon Jan  1 00:00:00 2001', 'two', 'x');
    const parts = await split(first + second);
    expect(parts.map((p) => p.offset)).toEqual([0, first.length]);
    const tooLong = 'From a@b Mon Jan  1 00:00:00 2001\nContent-Length: 999\n\nabc\n\n' + second;
    expect(await split(tooLong)).toHaveLength(2);
  });

  it('skips leading whitespace (counted in offsets) and keeps other leading junk as a message', async () => {
    const m = msg('From a@b Mon Jan  1 00:00:00 2001', 'one', 'x');
    const ws = await split('\n\n' + m);
    expect(ws).toHaveLength(1);
    expect(ws[0].offset).toBe(2);

    const junk = 'Garbage: yes\n\nnot mail\n\n';
    const parts = await split(junk + m, 2);
    expect(parts.map((p) => [p.offset, p.fromLine])).toEqual([[0, null], [junk.length, 'From a@b Mon Jan  1 00:00:00 2001']]);
    expect(parts[0].raw.toString()).toBe(junk);
  });

  it('yields a file without separators as one message, and nothing for an empty file', async () => {
    const text = 'Subject: hi\n\nFrom here on, no mbox.\n';
    const parts = await split(text, 4);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ offset: 0, fromLine: null });
    expect(parts[0].raw.toString()).toBe(text);
    expect(await split('')).toEqual([]);
    expect(await split(' \n\n')).toEqual([]);
  });

  it('takes the first line as a separator even without a date, and a last message without newline', async () => {
    const parts = await split('From \nList-Id: <a>\n\nNo date\n\nFrom a@b Mon Jan  1 00:00:00 2001\nSubject: x\n\nno newline', 3);
    expect(parts.map((p) => p.fromLine)).toEqual(['From ', 'From a@b Mon Jan  1 00:00:00 2001']);
    expect(parts[1].raw.toString()).toBe('Subject: x\n\nno newline');
  });

  it('yields an oversized message as a head, skips the rest with bounded memory', async () => {
    const max = 1024 * 1024;
    const head = 'From a@b Mon Jan  1 00:00:00 2001\nSubject: big\n\n';
    const line = 'x'.repeat(1023) + '\n';
    const bodyLines = 40 * 1024; // 40 MiB
    const next = msg('From a@b Mon Jan  1 00:00:00 2001', 'after', 'small');
    const splitter = new MboxSplitter({ maxMessageBytes: max });
    const out: MboxPart[] = [];
    let peak = 0;
    const block = Buffer.from(line.repeat(64));
    out.push(...splitter.push(Buffer.from(head)));
    for (let i = 0; i < bodyLines / 64; i++) {
      out.push(...splitter.push(block));
      peak = Math.max(peak, (splitter as unknown as { buf: Buffer }).buf.length);
    }
    out.push(...splitter.push(Buffer.from('\n' + next)), ...splitter.end());
    expect(peak).toBeLessThan(4 * max);
    expect(out).toHaveLength(2);
    expect(out[0].oversized).toBe(true);
    expect(out[0].rawSize).toBe(head.length - head.indexOf('\n') - 1 + bodyLines * line.length + 1);
    expect(out[0].raw.length).toBeLessThanOrEqual(max);
    expect(out[0].raw.toString()).toMatch(/^Subject: big\n/);
    expect(out[1].offset).toBe(head.length + bodyLines * line.length + 1);
    expect(out[1].oversized).toBeUndefined();
    expect(out[1].raw.toString()).toContain('small');
  });

  it('flags an oversized message found within one chunk too', async () => {
    const big = msg('From a@b Mon Jan  1 00:00:00 2001', 'big', 'y'.repeat(5000));
    const parts = await split(big + msg('From a@b Mon Jan  1 00:00:00 2001', 'ok', 'z'), 1 << 20, 1000);
    expect(parts.map((p) => !!p.oversized)).toEqual([true, false]);
    expect(parts[0].rawSize).toBe(big.length - big.indexOf('\n') - 1);
  });

  it('yields what came before a stream error, the last message marked truncated', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from(msg('From a@b Mon Jan  1 00:00:00 2001', 'one', 'x') + 'From a@b Mon Jan  1 00:00:00 2001\nSubject: tw');
      throw new Error('boom');
    }
    const seen: MboxPart[] = [];
    await expect(
      (async () => {
        for await (const p of splitMbox(broken())) seen.push(p);
      })(),
    ).rejects.toThrow('boom');
    expect(seen.map((p) => p.truncated)).toEqual([undefined, true]);
    expect(seen[1].raw.toString()).toBe('Subject: tw');
  });

  it('gives the same result whatever the chunking (property)', async () => {
    const line = fc.oneof(
      fc.constantFrom('', 'From x@y Mon Jan  1 00:00:00 2001', 'From what I see', 'Subject: s', '>From x', ' cont', 'Content-Length: 4'),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 40 }), fc.boolean(), fc.integer({ min: 1, max: 9 }), async (lines, crlf, chunk) => {
        const text = lines.join(crlf ? '\r\n' : '\n');
        const whole = await split(text);
        const pieces = await split(text, chunk);
        expect(pieces).toEqual(whole);
        // Rebuild holds except for skipped leading whitespace, and a From line ending the
        // file without a newline (rebuild adds the '\n').
        const skipped = whole.length ? whole[0].offset : text.length;
        expect(text.slice(0, skipped).trim()).toBe('');
        const last = whole[whole.length - 1];
        const noNewline = last?.fromLine !== null && last?.raw.length === 0 && !text.endsWith('\n');
        expect(rebuild(whole)).toBe(text.slice(skipped) + (noNewline ? '\n' : ''));
      }),
      { numRuns: 300 },
    );
  });
});

/** A minimal mboxrd writer: every `>*From ` line gets one more `>`. */
function writeMboxrd(bodies: string[]): string {
  return bodies
    .map((b) => 'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: t\n\n' + b.replace(/^(>*From )/gm, '>$1') + '\n')
    .join('');
}

describe('mboxrd round trip', () => {
  it('random bodies with From / >From lines come back identical (property)', async () => {
    const line = fc.oneof(
      fc.constantFrom('', 'From ', 'From me Mon Jan  1 00:00:00 2001', '>From ', '>>From x', '>>>From  y', 'Subject: x', '>', 'From'),
      fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n')),
    );
    const body = fc.array(line, { maxLength: 20 }).map((ls) => ls.map((l) => l + '\n').join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 50 }), async (bodies, chunk) => {
        const parts = await split(Buffer.from(writeMboxrd(bodies)), chunk);
        expect(parts.map((p) => unescapeFromLines(p.raw, 'mboxrd').toString())).toEqual(bodies.map((b) => `Subject: t\n\n${b}\n`));
      }),
      { numRuns: 300 },
    );
  });
});
