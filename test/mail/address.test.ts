import { describe, expect, it } from 'vitest';
import { parseAddressList, splitFromHeader } from '../../src/mail/address.js';

describe('splitFromHeader (Patchwork split_from_header)', () => {
  it.each([
    ['"Name" <a@b.c>', 'Name', 'a@b.c'],
    ['Name <a@b.c>', 'Name', 'a@b.c'],
    ['"Doe, John" <john@example.com>', 'Doe, John', 'john@example.com'],
    ['<a@b.c>', null, 'a@b.c'],
    ['jdoe at example.com (John Doe)', 'John Doe', 'jdoe@example.com'],
    ['a@b.c (Name)', 'Name', 'a@b.c'],
    ['a@b.c', null, 'a@b.c'],
    ['Rafał Miłecki <zajec5@gmail.com>', 'Rafał Miłecki', 'zajec5@gmail.com'],
  ])('%s', (value, name, email) => {
    expect(splitFromHeader(value)).toEqual({ name, email });
  });

  it('returns null for an empty value', () => {
    expect(splitFromHeader('  ')).toBeNull();
  });

  it('cuts name and address to 255 characters', () => {
    const r = splitFromHeader(`${'n'.repeat(300)} <${'e'.repeat(300)}@x.org>`)!;
    expect(r.name).toHaveLength(255);
    expect(r.email).toHaveLength(255);
  });
});

describe('parseAddressList', () => {
  it('splits on commas outside quotes, angles and comments', () => {
    expect(
      parseAddressList('"Doe, John" <john@example.com>, jane@example.com (Jane, Q.), <x@y.z>'),
    ).toEqual([
      { name: 'Doe, John', email: 'john@example.com' },
      { name: 'Jane, Q.', email: 'jane@example.com' },
      { name: null, email: 'x@y.z' },
    ]);
  });

  it('handles folding, encoded names and nested comments', () => {
    expect(
      parseAddressList(
        'bcm@example.com,\n =?UTF-8?q?Rafa=C5=82=20Mi=C5=82ecki?= <zajec5@gmail.com>,\n' +
          ' linux-mtd@lists.infradead.org (open list:MEMORY TECHNOLOGY DEVICES\n (MTD))',
      ),
    ).toEqual([
      { name: null, email: 'bcm@example.com' },
      { name: 'Rafał Miłecki', email: 'zajec5@gmail.com' },
      { name: 'open list:MEMORY TECHNOLOGY DEVICES (MTD)', email: 'linux-mtd@lists.infradead.org' },
    ]);
  });

  it('removes whitespace folded into an address in <...>', () => {
    expect(parseAddressList('Xingyu Wu <xingyu.wu@star\n fivetech.com>')).toEqual([
      { name: 'Xingyu Wu', email: 'xingyu.wu@starfivetech.com' },
    ]);
    expect(splitFromHeader('X <a@star fivetech.com>')).toEqual({ name: 'X', email: 'a@starfivetech.com' });
  });

  it('drops group names and empty groups', () => {
    expect(parseAddressList('undisclosed-recipients:;')).toEqual([]);
    expect(parseAddressList('Team: a@b.c, "B" <d@e.f>;, g@h.i')).toEqual([
      { name: null, email: 'a@b.c' },
      { name: 'B', email: 'd@e.f' },
      { name: null, email: 'g@h.i' },
    ]);
  });

  it('unescapes quoted names', () => {
    expect(parseAddressList('"A \\"quoted\\" name" <a@b.c>')).toEqual([{ name: 'A "quoted" name', email: 'a@b.c' }]);
  });

  it('reads pipermail addresses', () => {
    expect(parseAddressList('jdoe at example.com (John Doe)')).toEqual([{ name: 'John Doe', email: 'jdoe@example.com' }]);
  });
});
