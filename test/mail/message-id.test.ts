import { describe, expect, it } from 'vitest';
import {
  findInReplyTo,
  findMessageId,
  findReferences,
  syntheticMessageId,
} from '../../src/mail/message-id.js';

describe('findMessageId', () => {
  it('keeps the first <...> with brackets and drops comments', () => {
    expect(findMessageId('<x@y> (comment) <z@w>')).toBe('<x@y>');
  });
  it('falls back to the stripped value without brackets', () => {
    expect(findMessageId(' 5899abc@radware.com> ')).toBe('5899abc@radware.com>');
  });
  it('returns null for an empty value', () => {
    expect(findMessageId('   ')).toBeNull();
  });
  it('keeps an id longer than 255 characters whole', () => {
    expect(findMessageId(`<${'a'.repeat(400)}@b>`)).toBe(`<${'a'.repeat(400)}@b>`);
  });
  it('skips empty brackets and copes with hostile input quickly', () => {
    expect(findMessageId('<> <a@b>')).toBe('<a@b>');
    const start = Date.now();
    findMessageId('<'.repeat(200_000) + 'x');
    expect(Date.now() - start).toBeLessThan(500);
  });
});

describe('findInReplyTo', () => {
  it('takes the first <...> of an Emacs-style value', () => {
    expect(findInReplyTo('<id@host> (message from Bob Author on Tue, 4 Sep 2018)')).toBe('<id@host>');
  });
  it('accepts a bare id containing @ and no spaces', () => {
    expect(findInReplyTo('id@host')).toBe('id@host');
  });
  it('ignores free text', () => {
    expect(findInReplyTo("Bob's message of yesterday")).toBeNull();
  });
});

describe('findReferences', () => {
  it('returns every <...> in order', () => {
    expect(findReferences('<a@b> <c@d>\n <e@f>')).toEqual(['<a@b>', '<c@d>', '<e@f>']);
  });
  it('returns nothing for free text', () => {
    expect(findReferences('none')).toEqual([]);
  });
});

describe('syntheticMessageId', () => {
  it('is a stable SHA-1 id in the .invalid domain', () => {
    expect(syntheticMessageId(Buffer.from('Subject: x\n\nbody\n'))).toMatch(/^<[0-9a-f]{40}@listindex\.invalid>$/);
  });
  it('ignores CRLF versus LF and trailing blank lines', () => {
    const a = syntheticMessageId(Buffer.from('Subject: x\n\nbody\n\n'));
    const b = syntheticMessageId(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
    expect(a).toBe(b);
    expect(a).not.toBe(syntheticMessageId(Buffer.from('Subject: y\n\nbody\n')));
  });
});
