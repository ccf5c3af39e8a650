import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUtc, matchRfc5322, parseMailDate } from '../../src/mail/date.js';

const utc = (s: string): string | null => {
  const d = parseMailDate(s);
  return d === null ? null : formatUtc(d.time);
};

describe('parseMailDate', () => {
  it.each([
    ['Mon, 29 Apr 2019 12:15:58 +0200', '2019-04-29T10:15:58Z'],
    ['Tue, 4 Sep 2018 14:11:35 +0100', '2018-09-04T13:11:35Z'],
    ['29 Apr 2019 12:15:58 +0200', '2019-04-29T10:15:58Z'],
    ['Mon, 29 Apr 2019 06:16:03 -0400 (EDT)', '2019-04-29T10:16:03Z'],
    ['Thu, 15 Sep 2016 14:06:55 +0200 (CEST)', '2016-09-15T12:06:55Z'],
    ['Wed,  1 Jun 2016 22:00:54 +0200', '2016-06-01T20:00:54Z'],
    ['Mon, 29 Apr 19 12:15:58 +0200', '2019-04-29T10:15:58Z'],
    ['Mon, 29 Apr 99 12:15:58 +0200', '1999-04-29T10:15:58Z'],
    ['Mon, 29 Apr 2019 12:15 +0200', '2019-04-29T10:15:00Z'],
    ['Mon, 29 Apr 2019 12:15:58 EST', '2019-04-29T17:15:58Z'],
    ['Mon, 29 Apr 2019 12:15:58 PDT', '2019-04-29T19:15:58Z'],
    ['Mon, 29 Apr 2019 12:15:58 UT', '2019-04-29T12:15:58Z'],
    ['Mon, 29 Apr 2019 12:15:58 GMT', '2019-04-29T12:15:58Z'],
    ['Mon, 29 Apr 2019 12:15:58 -0000', '2019-04-29T12:15:58Z'],
    ['Mon, 29 Apr 2019 12:15:58 +0100 (CET)', '2019-04-29T11:15:58Z'],
    ['Mon,   29   Apr   2019   12:15:58   +0200', '2019-04-29T10:15:58Z'],
    ['Mon 29 Apr 2019 12:15:58 +02:00', '2019-04-29T10:15:58Z'],
    ['Wed Mar  7 10:00:00 2007', '2007-03-07T10:00:00Z'],
    ['Tue Jul 16 10:17:52 EDT 2013', '2013-07-16T14:17:52Z'],
    ['29-Apr-2019 12:15:58 +0200', '2019-04-29T10:15:58Z'],
    ['2019-04-29T12:15:58+02:00', '2019-04-29T10:15:58Z'],
    ['2019-04-29 12:15:58Z', '2019-04-29T12:15:58Z'],
    ['Sat, 5 Sept 2020 01:02:03 +0000', '2020-09-05T01:02:03Z'],
    ['Thursday, 12 December 2019 08:00:00 +0000', '2019-12-12T08:00:00Z'],
    ['Mon, 29 Apr 2019 12:15:58 GMT+0200', '2019-04-29T10:15:58Z'],
    ['Mon, 29 Apr 2019 00:15:58 PM +0000', '2019-04-29T12:15:58Z'],
  ])('%s', (input, expected) => {
    expect(utc(input)).toBe(expected);
  });

  it.each([
    [''],
    ['garbage'],
    ['Mon, 31 Feb 2019 12:00:00 +0000'],
    ['Mon, 29 Apr 207777777777777777777714 12:15:58 +0200'],
    ['Mon, 29 Foo 2019 12:15:58 +0200'],
    ['Mon, 29 Apr 2019 25:15:58 +0200'],
  ])('rejects %j', (input) => {
    expect(parseMailDate(input)).toBeNull();
  });

  it('warns when the zone is missing or unknown', () => {
    expect(parseMailDate('Mon, 29 Apr 2019 12:15:58')!.warning).toMatch(/without a time zone/);
    expect(parseMailDate('Mon, 29 Apr 2019 12:15:58 XYZ')!.warning).toMatch(/unknown time zone/);
    expect(parseMailDate('Mon, 29 Apr 2019 12:15:58 +0200')!.warning).toBeNull();
  });
});

describe('matchRfc5322', () => {
  // The expression it reads by hand; their answers must be the same on anything.
  const RFC5322 =
    /^\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+([+-])(\d{2})(\d{2})(?:\s+\([^()]*\))?\s*$/;
  const viaExpression = (text: string) => {
    const m = RFC5322.exec(text);
    return m === null ? null : {
      day: +m[1], month: m[2].toLowerCase(), year: +m[3], h: +m[4], mi: +m[5], s: +m[6],
      sign: m[7] === '-' ? -1 : 1, zh: +m[8], zm: +m[9],
    };
  };

  it('reads what the expression reads, and refuses what it refuses (property)', () => {
    const piece = fc.constantFrom(
      'Mon', 'Tue,', 'Tues', ',', ' ', '  ', '\t', '\u00a0', '\n', '1', '29', '029', 'Apr', 'APR', 'Sept', '2019', '19', '12:16:04',
      '1:2:3', '12:16', ':', '+0200', '-0400', '+02', '+02000', '(CEST)', '(a(b)c)', '(', ')', 'x', '0', '9',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
        const text = pieces.join('');
        expect(matchRfc5322(text), JSON.stringify(text)).toEqual(viaExpression(text));
      }),
      { numRuns: 20000 },
    );
    // Dates built slot by slot, each slot mostly well-formed, so that most of them match.
    const slot = (...options: string[]) => fc.constantFrom(...options);
    fc.assert(
      fc.property(
        fc.tuple(
          slot('', ' ', '\t'), slot('', 'Mon, ', 'Tue ', 'Wed,', 'Thurs, ', '1, '), slot('1', '29', '029', 'x'), slot(' ', '  ', '', '\u00a0'),
          slot('Apr', 'apr', 'Sept', 'Ap'), slot(' ', '\n', ''), slot('2019', '19', '20190'), slot(' ', ''), slot('12:16:04', '1:16:04', '12:16', '12:16:04.5'),
          slot(' ', ''), slot('+0200', '-0400', '+2400', '+02', '+02000', '0200'), slot('', ' (CEST)', '(CEST)', ' (a(b))', ' (', ' )'), slot('', ' ', 'x', '\n'),
        ),
        (slots) => {
          const text = slots.join('');
          expect(matchRfc5322(text), JSON.stringify(text)).toEqual(viaExpression(text));
        },
      ),
      { numRuns: 20000 },
    );
    const real = ['Mon, 29 Apr 2019 12:16:04 +0200 (CEST)', ' 1 Apr 2019 06:16:03 -0400', 'Tue, 13 Feb 2024 09:11:02 +0000 (UTC)  '];
    for (const text of real) expect(matchRfc5322(text)).toEqual(viaExpression(text));
    expect(matchRfc5322(real[0])).not.toBeNull();
  });
});
