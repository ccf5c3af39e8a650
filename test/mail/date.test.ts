import { describe, expect, it } from 'vitest';
import { formatUtc, parseMailDate } from '../../src/mail/date.js';

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
