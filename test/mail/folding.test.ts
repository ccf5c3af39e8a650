import { describe, it, expect } from 'vitest';
import { parseHeaderBlock } from '../../src/mail/header-block.js';
import { foldingOf, isJsSpace, rebuildField, rebuildHeaderBlock, rebuiltFieldEnd, writtenText } from '../../src/mail/folding.js';

/** Each field as the parser reads it, rebuilt from what a `headers` row keeps (value only, or raw too). */
function roundTrips(field: string): { valueOnly: string | null; withRaw: string } {
  const [f] = parseHeaderBlock(Buffer.from(`${field}\n\nbody\n`), Number.POSITIVE_INFINITY)!.fields;
  // A row keeps only value when value is raw with its white space collapsed (prepare.ts onlyFolding).
  const valueOnly = f.raw.replace(/\s+/g, ' ').trim() === f.value ? foldingOf(f.sep ?? ': ', f.raw, f.value, null) : null;
  const withRaw = foldingOf(f.sep ?? ': ', f.raw, f.value, f.raw);
  if (valueOnly !== null) {
    expect(rebuildField(f.name, f.value, null, valueOnly)).toBe(`${field}\n`);
    expect(writtenText(f.name, f.value, null, valueOnly)).toBe(f.raw);
  }
  expect(rebuildField(f.name, f.value, f.raw, withRaw)).toBe(`${field}\n`);
  expect(writtenText(f.name, f.value, f.raw, withRaw)).toBe(f.raw);
  return { valueOnly, withRaw };
}

describe('folding', () => {
  it('is empty for a field written "Name: value", and for raw text kept whole', () => {
    expect(roundTrips('Subject: a plain subject')).toEqual({ valueOnly: '', withRaw: '' });
    expect(roundTrips('Subject: a\n folded one').withRaw).toBe('');
  });

  it('spells a folded Received field in a few bytes', () => {
    const received = 'Received: from mail.example.org (mail.example.org [192.0.2.1])\n\tby mx.example.net with ESMTPS id abc123\n\tfor <list@example.net>; Thu, 01 Jan 2026 00:00:00 +0000';
    expect(roundTrips(received).valueOnly).toBe('4nt,10nt');
  });

  it('gives back DKIM tab folds, no space after the colon, a tab or blanks before it, runs of spaces', () => {
    expect(roundTrips('DKIM-Signature: v=1; a=rsa-sha256;\n\td=example.org; s=sel;\n\tb=QUJD\n\t REVG').valueOnly).toBe('2nt,4nt,5nts');
    expect(roundTrips('X-No-Space:value').valueOnly).toBe('0');
    expect(roundTrips('X-Tab:\tvalue').valueOnly).toBe('0t');
    expect(roundTrips('X-Before-Colon \t: value').valueOnly).toBe('cst');
    expect(roundTrips('X-Runs:  a   b').valueOnly).toBe('0ss,1s3');
  });

  it('gives back trailing white space, empty values, continuation lines of only white space', () => {
    expect(roundTrips('X-Trailing: value  \t').valueOnly).toBe('1sst');
    expect(roundTrips('X-Empty:').valueOnly).toBe('0');
    expect(roundTrips('X-Empty-Space: ').valueOnly).toBe('');
    expect(roundTrips('X-Empty-Fold:\n ').valueOnly).toBe('0ns');
    expect(roundTrips('X-Blank: first\n \n second').valueOnly).toBe('1nsns');
    expect(roundTrips('X-Later:\n later').valueOnly).toBe('0ns');
    expect(roundTrips('References:\n <a@x>\n <b@x> <c@x>').valueOnly).toBe('0ns,1ns');
  });

  it('gives back encoded words with folding from the raw text, and any other white space by its code', () => {
    expect(roundTrips('X-Encoded:  =?UTF-8?Q?caf=C3=A9?=\n =?UTF-8?Q?_cr=C3=A8me?=')).toEqual({ valueOnly: null, withRaw: '0ss' });
    expect(roundTrips('X-Not-Encoded: a=?b\n\tnext').valueOnly).toBe('1nt');
    expect(roundTrips('X-Nbsp: a\u00a0b\u2003 c').valueOnly).toBe('1x00a0,2x2003s');
  });

  it('gives back many single spaces around unusual runs, and one space at the very end', () => {
    expect(roundTrips('References: <a@x> <b@x>\n <c@x> <d@x>\t<e@x> <f@x> ').valueOnly).toBe('2ns,4t,6s');
    expect(roundTrips('X-A: a b c d e f g h i j k l\n\tm').valueOnly).toBe('12nt');
    expect(roundTrips('X-Indent: a\n        b\n\t\t\tc  \u00a0\u00a0\u00a0d').valueOnly).toBe('1ns8,2nt3,3ssx00a03');
  });

  it('rebuilds a header block with its blank line', () => {
    expect(rebuildHeaderBlock([['Subject', 'a b', null, '1nt'], ['X-A', '', null, '0']])).toBe('Subject: a\n\tb\nX-A:\n\n');
  });

  it('finds a field in place where rebuildField\'s text is, and nowhere else, whatever the folding', () => {
    type Row = [name: string, value: string, raw: string | null, folding: string];
    const rows: Row[] = [];
    for (const field of ['Subject: a plain subject', 'X-No-Space:value', 'X-Tab:\tvalue', 'X-Before-Colon \t: value', 'X-Runs:  a   b',
      'X-Trailing: value  \t', 'X-Empty:', 'X-Empty-Fold:\n ', 'X-Blank: first\n \n second', 'References:\n <a@x>\n <b@x> <c@x>',
      'X-Nbsp: a\u00a0b\u2003 c', 'References: <a@x> <b@x>\n <c@x> <d@x>\t<e@x> <f@x> ', 'X-Indent: a\n        b\n\t\t\tc  \u00a0\u00a0\u00a0d',
      'Received: from mail.example.org (mail.example.org [192.0.2.1])\n\tby mx.example.net with ESMTPS id abc123\n\tfor <l@x>; Thu, 1 Jan 2026']) {
      const [f] = parseHeaderBlock(Buffer.from(`${field}\n\nbody\n`), Number.POSITIVE_INFINITY)!.fields;
      rows.push([f.name, f.value, null, foldingOf(f.sep ?? ': ', f.raw, f.value, null)], [f.name, f.value, f.raw, foldingOf(f.sep ?? ': ', f.raw, f.value, f.raw)]);
    }
    // Foldings foldingOf does not write (out of order, repeated, other letters, a trailing comma),
    // which rebuildField reads its own way.
    for (const folding of ['2s,1t', '0t,0s', 'cs,0t,c', '1nt,1s', 'x0020', '1x00a0', '0', 'c', '1', '1s,', ',1s', 's', '3q', '1s0', '01s', '1s0000001', '1s000002', '12345678901s']) {
      rows.push(['X-Odd', 'a b c d', null, folding], ['X-Odd', 'a b', 'a  b', folding]);
    }
    const reference = (text: string, at: number, [name, value, raw, folding]: Row): number => {
      const field = rebuildField(name, value, raw, folding);
      return text.startsWith(field, at) ? at + field.length : -1;
    };
    let compared = 0;
    for (const row of rows) {
      const field = rebuildField(...row);
      const texts = [`X: y\n${field}\n`, field, field.slice(0, -1)];
      // Each character of the field changed, or left out.
      for (let i = 0; i < field.length; i++) {
        for (const c of ['', ' ', '\t', '\n', 'x', ':']) texts.push(`X: y\n${field.slice(0, i)}${c}${field.slice(i + 1)}\n`);
      }
      for (const text of texts) {
        for (const at of [0, 5]) {
          expect(rebuiltFieldEnd(text, at, ...row), `${JSON.stringify(row)} in ${JSON.stringify(text)} at ${at}`).toBe(reference(text, at, row));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it('knows white space as a JavaScript expression does, for every UTF-16 code unit', () => {
    const differ: number[] = [];
    for (let c = 0; c < 0x10000; c++) if (isJsSpace(c) !== /\s/.test(String.fromCharCode(c))) differ.push(c);
    expect(differ).toEqual([]);
  });

  it('gives back fields of random words and white space runs of every kind', () => {
    // A fixed linear congruential sequence: the same fields on every run.
    let seed = 15;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const blanks = [' ', '  ', '\t', ' \t', '\n ', '\n\t', '\n        ', '\u00a0', '\u2003 ', '\ufeff', '\r\n '];
    for (let i = 0; i < 2000; i++) {
      let field = `X-${i}:${next(3) === 0 ? '' : ' '}`;
      if (next(4) === 0) field += blanks[next(blanks.length)];
      for (let words = next(8); words > 0; words--) field += `w${next(100)}${blanks[next(blanks.length)]}`;
      field += next(2) === 0 ? 'end' : '';
      // Lines that are only white space end a header block; such fields are not made here.
      if (/\n[ \t]*(\n|$)/.test(field) || field.includes('\r')) continue;
      roundTrips(field);
    }
  });
});
