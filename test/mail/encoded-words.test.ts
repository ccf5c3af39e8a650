import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from '../../src/mail/encoded-words.js';

describe('decodeEncodedWords', () => {
  it.each([
    ['Q encoding', '=?utf-8?q?=C3=A9xample?= user', 'éxample user'],
    ['B encoding', '=?UTF-8?B?UmFmYcWCIE1pxYJlY2tp?=', 'Rafał Miłecki'],
    ['Latin-1 Q', 'Uwe =?iso-8859-1?Q?Kleine-K=F6nig?=', 'Uwe Kleine-König'],
    ['a UTF-8 character split over two words', '=?utf-8?q?=C3?= =?utf-8?q?=A9?=', 'é'],
    ['whitespace between words dropped', '=?utf-8?q?a?=   =?utf-8?q?b?=', 'ab'],
    ['underscore is a space', '=?utf-8?q?hello_world?=', 'hello world'],
    ['plain text untouched', 'no words here', 'no words here'],
    ['RFC 2231 language tag', '=?utf-8*en?q?hi?=', 'hi'],
  ])('%s', (_name, input, expected) => {
    expect(decodeEncodedWords(input)).toBe(expected);
  });

  it('guesses an unknown charset: windows-1252 for non-UTF-8 bytes', () => {
    expect(decodeEncodedWords('=?x-unknown?q?caf=E9?=')).toBe('café');
  });

  it('guesses an unknown charset: UTF-8 when the bytes are UTF-8', () => {
    expect(decodeEncodedWords('=?unknown-8bit?q?caf=C3=A9?=')).toBe('café');
  });

  it('copes with a NUL in the charset name', () => {
    expect(decodeEncodedWords('=?utf\u0000-8?q?caf=C3=A9?=')).toBe('café');
  });

  it('never throws on broken base64 in a word', () => {
    expect(() => decodeEncodedWords('=?utf-8?b?!!!notbase64?=')).not.toThrow();
  });

  it('decodes us-ascii words with 8-bit bytes by guessing', () => {
    expect(decodeEncodedWords('=?us-ascii?q?J=F6rg?=')).toBe('Jörg');
  });

  it('decodes a value seen before, and values past the remembered ones, the same way', () => {
    // More distinct values than are remembered, each twice, and a long value that is never kept.
    const long = `${'=?utf-8?q?J=C3=B6rg?= '.repeat(200)}x`;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3000; i++) expect(decodeEncodedWords(`=?utf-8?q?J=C3=B6rg_${i}?=`)).toBe(`Jörg ${i}`);
      expect(decodeEncodedWords(long)).toBe(`${'Jörg'.repeat(200)} x`);
    }
  });
});
