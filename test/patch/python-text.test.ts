import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PY_S, isPySpaceCode, normaliseSpace, pyStrip } from '../../src/patch/python-text.js';

// The definitions the fast paths must agree with: Python's whitespace class as a regex.
const ONE_SPACE = new RegExp(`^${PY_S}$`);
const SPACE_RUNS = new RegExp(`${PY_S}+`, 'g');
const byRegex = (value: string) => value.replace(SPACE_RUNS, ' ').replace(new RegExp(`^${PY_S}+|${PY_S}+$`, 'g'), '');

describe('Python whitespace', () => {
  it('isPySpaceCode accepts exactly the code units of PY_S', () => {
    const wrong: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isPySpaceCode(c) !== ONE_SPACE.test(String.fromCharCode(c))) wrong.push(c);
    expect(wrong).toEqual([]);
  });

  it('normaliseSpace and pyStrip agree with the regex definitions', () => {
    const unit = fc.constantFrom(' ', '  ', '\t', '\n', '\x1c', '\x85', '\xa0', '\u2003', '\u3000', '\ufeff', 'a', 'b', '[', 'é', '0');
    fc.assert(fc.property(fc.array(unit, { maxLength: 12 }).map((parts) => parts.join('')), (value) => {
      expect(normaliseSpace(value)).toBe(byRegex(value));
      expect(pyStrip(value)).toBe(value.replace(new RegExp(`^${PY_S}+|${PY_S}+$`, 'g'), ''));
    }), { numRuns: 2000 });
  });

  it('gives back an already normal string as it is', () => {
    expect(normaliseSpace('[PATCH v2 1/3] watchdog: fix it')).toBe('[PATCH v2 1/3] watchdog: fix it');
    expect(normaliseSpace(' a  b ')).toBe('a b');
    expect(normaliseSpace('')).toBe('');
  });
});
