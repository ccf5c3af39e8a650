import { describe, expect, it } from 'vitest';
import { cleanHeaderValue, parseHeaderBlock } from '../../src/mail/header-block.js';

const MAX = 1024 * 1024;
const parse = (s: string | Buffer) => parseHeaderBlock(typeof s === 'string' ? Buffer.from(s) : s, MAX);

describe('parseHeaderBlock', () => {
  it('finds the end of the header block with LF line ends', () => {
    const bytes = Buffer.from('Subject: hi\nFrom: a@b\n\nbody\n');
    const block = parse(bytes)!;
    expect(block.fields.map((f) => f.name)).toEqual(['Subject', 'From']);
    expect(bytes.subarray(block.bodyOffset).toString()).toBe('body\n');
  });

  it('finds the end of the header block with CRLF line ends and normalises raw values', () => {
    const bytes = Buffer.from('Subject: a long\r\n  folded subject\r\nFrom: a@b\r\n\r\nbody\r\n');
    const block = parse(bytes)!;
    expect(block.fields[0]).toEqual({ name: 'Subject', sep: ': ', raw: 'a long\n  folded subject', value: 'a long folded subject' });
    expect(bytes.subarray(block.bodyOffset).toString()).toBe('body\r\n');
  });

  it('ends the block at the first blank line, CRLF or LF, wherever the other kind comes after it', () => {
    // A CRLF blank line right before an LF one ends the block, and one far into the body does not.
    const crlfFirst = Buffer.from('From: a@b\n\r\n\nbody\n');
    expect(crlfFirst.subarray(parse(crlfFirst)!.bodyOffset).toString()).toBe('\nbody\n');
    const lfFirst = Buffer.from('From: a@b\n\nbody\n\r\nmore\n');
    expect(lfFirst.subarray(parse(lfFirst)!.bodyOffset).toString()).toBe('body\n\r\nmore\n');
    const crlfOnly = Buffer.from('From: a@b\r\n\r\nbody\r\n\nmore\n');
    expect(crlfOnly.subarray(parse(crlfOnly)!.bodyOffset).toString()).toBe('body\r\n\nmore\n');
  });

  it('keeps repeated fields in file order', () => {
    const block = parse('Received: one\nX-A: 1\nReceived: two\n\n')!;
    expect(block.fields.map((f) => `${f.name}=${f.value}`)).toEqual(['Received=one', 'X-A=1', 'Received=two']);
  });

  it('reads raw 8-bit bytes as UTF-8 when valid and as Latin-1 otherwise, field by field', () => {
    const bytes = Buffer.concat([
      Buffer.from('Subject: Rafa'),
      Buffer.from([0xc5, 0x82]),
      Buffer.from('\nReceived: by host with '),
      Buffer.from([0x9c]),
      Buffer.from(' id 1; Thu, 15 Sep 2016 13:06:53 +0100\n\n'),
    ]);
    const block = parse(bytes)!;
    expect(block.fields[0].value).toBe('Rafał');
    expect(block.fields[1].raw).toBe('by host with \u009c id 1; Thu, 15 Sep 2016 13:06:53 +0100');
  });

  it('removes NUL bytes from raw and value', () => {
    const block = parse(Buffer.from('Subject: a\0b\n\n'))!;
    expect(block.fields[0]).toMatchObject({ raw: 'ab', value: 'ab' });
  });

  it('skips a leading mbox From_ line and blank lines, with warnings', () => {
    const block = parse('\nFrom 1234abcd Mon Sep 17 00:00:00 2001\nSubject: x\n\nbody')!;
    expect(block.fields).toHaveLength(1);
    expect(block.warnings).toEqual(['blank lines before the header block skipped', 'leading mbox From_ line skipped']);
  });

  it('ends the header block at a line that is not a field (the body starts there)', () => {
    const bytes = Buffer.from('Subject: x\nFrom: a@b\nthis is the body\nmore: body\n');
    const block = parse(bytes)!;
    expect(block.fields.map((f) => f.name)).toEqual(['Subject', 'From']);
    expect(bytes.subarray(block.bodyOffset).toString()).toBe('this is the body\nmore: body\n');
    expect(block.warnings[0]).toMatch(/not a header field/);
  });

  it('accepts a first field indented by mistake', () => {
    const block = parse(' From: a@b\nSubject: x\n\n')!;
    expect(block.fields.map((f) => f.name)).toEqual(['From', 'Subject']);
  });

  it('accepts obsolete whitespace before the colon', () => {
    expect(parse('Subject : hi\n\n')!.fields[0]).toMatchObject({ name: 'Subject', value: 'hi' });
  });

  it('returns null when the input does not start with a header field', () => {
    expect(parse('just some text\nSubject: x\n\n')).toBeNull();
    expect(parse('\n\n\n')).toBeNull();
    expect(parse(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a]))).toBeNull();
  });

  it('drops fields past maxHeaderBytes and still finds the body', () => {
    const bytes = Buffer.from(`Subject: x\nX-Big: ${'a'.repeat(100)}\nFrom: a@b\n\nbody`);
    const block = parseHeaderBlock(bytes, 40)!;
    expect(block.fields.map((f) => f.name)).toEqual(['Subject']);
    expect(bytes.subarray(block.bodyOffset).toString()).toBe('body');
    expect(block.warnings[0]).toMatch(/larger than 40 bytes/);
  });

  it('has no body when there is no blank line', () => {
    const bytes = Buffer.from('Subject: x\nFrom: a@b\n');
    expect(parse(bytes)!.bodyOffset).toBe(bytes.length);
  });
});

describe('cleanHeaderValue', () => {
  it('unfolds, decodes encoded words, collapses whitespace', () => {
    expect(cleanHeaderValue('=?utf-8?q?=C3=A9xample?= user\n\t  and  more ')).toBe('éxample user and more');
  });
});

// The importer stores a field's raw text only where it differs from the value by more than
// folding, and relies on this to skip the comparison for fields without encoded words.
describe('a field without encoded words', () => {
  it('has as value its raw text with each run of white space made one space, trimmed', async () => {
    const fc = (await import('fast-check')).default;
    const piece = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom(' ', '\t', '  ', '\u00a0', '\r', '\u2028', 'é', '€', '\u0000', '=', '?', '\ufeff'),
    );
    const line = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('').replace(/[\r\n]/g, ' '));
    const field = fc.tuple(line, fc.array(fc.tuple(fc.constantFrom(' ', '\t'), line), { maxLength: 3 }));
    fc.assert(
      fc.property(field, ([first, continuations]) => {
        const text = `X-Test: ${first}${continuations.map(([ws, l]) => `\n${ws}${l}`).join('')}\nFrom: a@b\n\n`;
        const block = parse(text);
        const f = block?.fields.find((x) => x.name === 'X-Test');
        if (!f || f.raw.includes('=?')) return;
        expect(f.value).toBe(f.raw.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 2000 },
    );
  });
});
