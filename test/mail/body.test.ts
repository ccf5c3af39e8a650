import { describe, expect, it } from 'vitest';
import { decodeText, resolveCharset } from '../../src/mail/charset.js';
import { htmlToText } from '../../src/mail/html-text.js';
import { decodeBase64, decodeQuotedPrintable, normaliseTransferEncoding } from '../../src/mail/transfer-encoding.js';

describe('decodeQuotedPrintable', () => {
  it.each([
    ['caf=C3=A9', 'café'],
    ['soft =\nbreak', 'soft break'],
    ['soft =\r\nbreak', 'soft break'],
    ['soft =  \nbreak', 'soft break'],
    ['lower =c3=a9', 'lower é'],
    ['literal = sign and =ZZ', 'literal = sign and =ZZ'],
    ['trailing =', 'trailing '],
  ])('%j', (input, expected) => {
    expect(decodeQuotedPrintable(Buffer.from(input)).toString('utf8')).toBe(expected);
  });
});

describe('decodeBase64', () => {
  it('decodes and reports junk characters', () => {
    expect(decodeBase64(Buffer.from('aGVsbG8=\n'))).toEqual({ bytes: Buffer.from('hello'), clean: true });
    const bad = decodeBase64(Buffer.from('aGVs!!bG8='));
    expect(bad.bytes.toString()).toBe('hello');
    expect(bad.clean).toBe(false);
  });
  it('decodes line-by-line padded segments', () => {
    expect(decodeBase64(Buffer.from('aGk=\naGk=\n')).bytes.toString()).toBe('hihi');
  });
});

describe('normaliseTransferEncoding', () => {
  it.each([
    [null, '7bit'],
    [' Quoted-Printable ', 'quoted-printable'],
    ['"base64"', 'base64'],
    ['8BIT', '8bit'],
    ['x-uuencode', null],
  ])('%j', (input, expected) => {
    expect(normaliseTransferEncoding(input)).toBe(expected);
  });
});

describe('decodeText', () => {
  const latin1 = Buffer.from([0x43, 0x61, 0x66, 0xe9]);
  it('uses a known declared charset', () => {
    expect(decodeText(latin1, 'iso-8859-1')).toEqual({ text: 'Café', warning: null });
    expect(decodeText(Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), 'koi8-r').text).toBe('Привет');
  });
  it('guesses UTF-8 then windows-1252 without a charset (and for us-ascii, none, unknown-8bit)', () => {
    expect(decodeText(Buffer.from('Café'), null).text).toBe('Café');
    expect(decodeText(latin1, null).text).toBe('Café');
    expect(decodeText(latin1, 'us-ascii')).toEqual({ text: 'Café', warning: null });
    expect(decodeText(latin1, 'none').text).toBe('Café');
    expect(decodeText(latin1, 'unknown-8bit')).toEqual({ text: 'Café', warning: null });
  });
  it('treats an unknown charset as absent, with a warning', () => {
    const r = decodeText(latin1, 'x-bogus');
    expect(r.text).toBe('Café');
    expect(r.warning).toMatch(/unknown charset/);
    expect(decodeText(latin1, 'utf\u00008').warning).toMatch(/unknown charset/);
  });
  it('refuses UTF-7', () => {
    expect(resolveCharset('utf-7')).toBeNull();
  });
  it('keeps invalid UTF-8 declared as UTF-8 with replacement characters and a warning', () => {
    const r = decodeText(latin1, 'utf-8');
    expect(r.text).toBe('Caf\ufffd');
    expect(r.warning).toMatch(/invalid UTF-8/);
  });
  it('decodes ISO-2022-JP', () => {
    expect(decodeText(Buffer.from('\x1b$B%F%9%H\x1b(B', 'latin1'), 'iso-2022-jp').text).toBe('テスト');
  });
});

describe('htmlToText', () => {
  it('strips tags, hidden blocks and entities', () => {
    expect(
      htmlToText('<html><head><title>t</title><style>p{}</style></head><body><p>A &amp; B</p><!-- c --><div>x&nbsp;y<br/>z &#233; &#x41;</div><script>evil()</script></body></html>'),
    ).toBe('A & B\n\nx y\nz é A');
  });
  it('stays fast on hostile input', () => {
    const start = Date.now();
    htmlToText('<'.repeat(200_000));
    htmlToText('<script'.repeat(50_000));
    htmlToText('<!--'.repeat(50_000));
    htmlToText(' '.repeat(200_000) + 'x');
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
