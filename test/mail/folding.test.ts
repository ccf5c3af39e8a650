import { describe, it, expect } from 'vitest';
import { parseHeaderBlock } from '../../src/mail/header-block.js';
import { foldingOf, rebuildField, rebuildHeaderBlock, writtenText } from '../../src/mail/folding.js';

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
});
