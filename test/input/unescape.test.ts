import { describe, it, expect } from 'vitest';
import { unescapeFromLines } from '../../src/input/unescape.js';

describe('unescapeFromLines', () => {
  it('mboxrd removes exactly one > from lines matching ^>+From ', () => {
    const raw = Buffer.from('>From a\n>>From b\n>>>From c\nx >From d\n>Fromage\n> From e\r\n>From f\r\n>From ');
    expect(unescapeFromLines(raw, 'mboxrd').toString()).toBe('From a\n>From b\n>>From c\nx >From d\n>Fromage\n> From e\r\nFrom f\r\nFrom ');
  });

  it('returns the same buffer when there is nothing to undo', () => {
    const plain = Buffer.from('Subject: x\n\nFrom here, > From there, a >From mid-line\n');
    expect(unescapeFromLines(plain, 'mboxrd')).toBe(plain);
    const escaped = Buffer.from('>From a\n');
    expect(unescapeFromLines(escaped, 'mboxo')).toBe(escaped);
    expect(unescapeFromLines(escaped, 'none')).toBe(escaped);
  });
});
