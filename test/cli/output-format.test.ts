/** The shared output rules of cli/output.ts, as pure functions (the CLI tests run them end to end). */
import { describe, it, expect } from 'vitest';
import { chooseFormat, csvCell, exclusiveFlags, jsonObject, render, rowFormatter } from '../../src/cli/output.js';
import { ListindexError } from '../../src/errors.js';

const feed = (format: Parameters<typeof rowFormatter>[0], columns: string[], rows: unknown[][], options = {}) => {
  const f = rowFormatter(format, columns, options);
  return rows.map((r) => f.push(r)).join('') + f.end();
};

describe('output rules', () => {
  it('refuses options that exclude each other, naming them as typed', () => {
    expect(() => exclusiveFlags({ json: true, csv: true }, ['json', 'csv'])).toThrow(/use just one of --json, --csv/);
    expect(() => exclusiveFlags({ quiet: true, json: true, baseUrl: 'x' }, ['quiet', 'json'])).toThrow(ListindexError);
    expect(() => exclusiveFlags({ json: true, csv: false }, ['json', 'csv'])).not.toThrow();
    expect(chooseFormat({ ndjson: true })).toBe('ndjson');
    expect(chooseFormat({})).toBe('table');
    let caught: unknown;
    try {
      chooseFormat({ json: true, ndjson: true });
    } catch (error) {
      caught = error;
    }
    expect((caught as ListindexError | undefined)?.code).toBe('USAGE');
  });

  it('writes BLOBs as base64, keeps repeated column names, quotes CSV only when it must', () => {
    expect(jsonObject(['a', 'a', 'b'], [1, null, Buffer.from([0, 255])])).toBe('{"a":1,"a":null,"b":{"$base64":true,"encoded":"AP8="}}');
    expect(csvCell(Buffer.from('hi'))).toBe('aGk=');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "x"')).toBe('"say ""x"""');
    expect(csvCell(null)).toBe('');
  });

  it('streams JSON as one array, NDJSON a line per row, CSV with its header even when empty', () => {
    expect(feed('json', ['x'], [[1], [2]])).toBe('[\n{"x":1},\n{"x":2}\n]\n');
    expect(feed('json', ['x'], [])).toBe('[]\n');
    expect(feed('ndjson', ['x'], [[1], [2]])).toBe('{"x":1}\n{"x":2}\n');
    expect(feed('csv', ['x', 'y'], [])).toBe('x,y\n');
  });

  it('sizes a table on its first rows; a later, longer cell runs over rather than being cut', () => {
    const out = feed('table', ['id', 'name'], [[1, 'a'], [2, 'bb'], [300, 'a much longer name']], { sampleRows: 2 });
    expect(out).toBe('id  name\n--  ----\n1   a\n2   bb\n300  a much longer name\n');
  });

  it('shows records when the table is wider than the terminal, and a table when it fits', () => {
    const rows = [{ id: 1, subject: 'x'.repeat(50) }, { id: 2, subject: 'short' }];
    expect(render(rows, ['id', 'subject'], 'table', { width: 40 })).toBe(`-- row 1\nid       1\nsubject  ${'x'.repeat(50)}\n\n-- row 2\nid       2\nsubject  short\n`);
    expect(render(rows, ['id', 'subject'], 'table', { width: 80 })).toBe(`id  subject\n--  ${'-'.repeat(50)}\n1   ${'x'.repeat(50)}\n2   short\n`);
    expect(render([], ['id'], 'table', { width: 10 })).toBe('id\n--\n');
  });
});
