import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTrailerName, findTrailers, isPersonTrailer, mayHoldWrappedFixes } from '../../src/patch/trailers.js';

const pairs = (text: string) => findTrailers(text).map((t) => `${t.name}: ${t.value}`);

describe('findTrailers', () => {
  it('finds the usual trailers of a commit message, with persons parsed', () => {
    const text = [
      'Fix the frobnicator.', '',
      'Fixes: 0123456789ab ("frob: add the frobnicator")',
      'Closes: https://bugs.example.org/1',
      'Link: https://lore.kernel.org/r/123@example.org',
      'Reported-by: Ann Tester <ann@example.org>',
      'Suggested-by: "Doe, Jane" <jane@example.org>',
      'Co-developed-by: Carl <carl@example.org>',
      'Cc: stable@vger.kernel.org',
      'Signed-off-by: Bob Hacker <bob@example.com>',
    ].join('\n');
    const found = findTrailers(text);
    expect(found.map((t) => `${t.name}: ${t.value}`)).toEqual([
      'Fixes: 0123456789ab ("frob: add the frobnicator")',
      'Closes: https://bugs.example.org/1',
      'Link: https://lore.kernel.org/r/123@example.org',
      'Reported-by: Ann Tester <ann@example.org>',
      'Suggested-by: Doe, Jane <jane@example.org>',
      'Co-developed-by: Carl <carl@example.org>',
      'Cc: stable@vger.kernel.org',
      'Signed-off-by: Bob Hacker <bob@example.com>',
    ]);
    expect(found[3].person).toEqual({ name: 'Ann Tester', email: 'ann@example.org' });
    expect(found[6].person).toEqual({ name: '', email: 'stable@vger.kernel.org' });
    expect(found[0].person).toBeNull();
    expect(found[2].person).toBeNull();
  });

  it('ignores quoted lines', () => {
    expect(pairs('> Reviewed-by: Someone <someone@example.org>\n>> Acked-by: X <x@example.org>\n\nThanks')).toEqual([]);
  });

  it('ignores everything after a "-- " signature line, but not after "--"', () => {
    expect(pairs('Acked-by: A <a@example.org>\n-- \nReviewed-by: B <b@example.org>')).toEqual(['Acked-by: A <a@example.org>']);
    expect(pairs('Acked-by: A <a@example.org>\n--\nReviewed-by: B <b@example.org>')).toEqual([
      'Acked-by: A <a@example.org>',
      'Reviewed-by: B <b@example.org>',
    ]);
  });

  it('person trailers need an address; Fixes and Link do not', () => {
    expect(pairs('Reviewed-by: Just A Name\nTested-by: me\nFixes: abcdef012345\nLink: https://example.org/x')).toEqual([
      'Fixes: abcdef012345',
      'Link: https://example.org/x',
    ]);
  });

  it('URLs only in link trailers; phone/e-mail lines are never trailers', () => {
    expect(pairs('Tested-by: https://ci.example.org/run/1 <ci@example.org>\nEmail: a@example.org\nPhone: +1 555 0100')).toEqual([]);
  });

  it('b4 needs no trailer block: a lone tag in a reply counts', () => {
    expect(pairs('Looks good to me.\nReviewed-by: Carol <carol@example.org>\nCheers')).toEqual(['Reviewed-by: Carol <carol@example.org>']);
  });

  it('headers pasted after text are not trailers', () => {
    expect(pairs('Some text\nFrom: Foo <foo@example.org>\nDate: today')).toEqual([]);
  });

  it('normalises addresses: HTML-mail junk, bare address with name in parentheses, quotes', () => {
    expect(pairs('Reviewed-by: HTML Junker <junk@example.com<mailto:junk@example.com>>')).toEqual(['Reviewed-by: HTML Junker <junk@example.com>']);
    expect(pairs('Acked-by: dave@example.org (Dave Smith)')).toEqual(['Acked-by: Dave Smith <dave@example.org>']);
    expect(pairs('Tested-by: "Eve" <eve@example.org>')).toEqual(['Tested-by: Eve <eve@example.org>']);
    expect(pairs('Reviewed-by: Rob Herring (Arm) <robh@kernel.org>')).toEqual(['Reviewed-by: Rob Herring (Arm) <robh@kernel.org>']);
  });

  it('keeps # comments and [bracket] notes aside', () => {
    const [link, sob] = findTrailers('Link: https://lore.kernel.org/x  # bug discussion\nSigned-off-by: A <a@example.org>\n[a: fixed the typo]');
    expect(link).toMatchObject({ value: 'https://lore.kernel.org/x', comment: '# bug discussion' });
    expect(sob).toMatchObject({ value: 'A <a@example.org>', comment: '[a: fixed the typo]' });
  });

  it('rejoins wrapped Fixes: titles and addresses', () => {
    expect(pairs('Fixes: 0123456789ab (frob: a very long\n title)\nSigned-off-by: Long Name\n<long@example.org>')).toEqual([
      'Fixes: 0123456789ab (frob: a very long  title)',
      'Signed-off-by: Long Name <long@example.org>',
    ]);
  });

  it('rejoins a wrapped Fixes: with other blanks around its hash', () => {
    expect(pairs('Fixes: 0123abcd \u00a0(frob: a very\nlong title)\nAcked-by: A <a@example.org>')).toEqual([
      'Fixes: 0123abcd \u00a0(frob: a very long title)',
      'Acked-by: A <a@example.org>',
    ]);
  });

  it('looks for wrapped Fixes: lines only where the expression can match (property)', () => {
    // The shortcut must never skip a text the expression rejoins.
    const WRAPPED_FIXES = /^(\S+:\s+[\da-f]+\s+\([^)]+)\n([^\n]+\))/m;
    const piece = fc.constantFrom('Fixes:', 'x:', ':', ' ', '\t', '\n', '\u00a0', '0123abcd', 'ab', 'G1', '(', ')', 'title', '"', 'e');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        if (WRAPPED_FIXES.test(text)) expect(mayHoldWrappedFixes(text), JSON.stringify(text)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(mayHoldWrappedFixes('see the code (and more)\nFixes: 0123 abcd')).toBe(false);
  });

  it('canonical names; generic -by trailers', () => {
    expect(pairs('reviewed-by: A <a@example.org>\nCO-DEVELOPED-BY: B <b@example.org>\nDebugged-by: C <c@example.org>\nWhatever-by: D <d@example.org>')).toEqual([
      'Reviewed-by: A <a@example.org>',
      'Co-developed-by: B <b@example.org>',
      'Debugged-by: C <c@example.org>',
      'Whatever-by: D <d@example.org>',
    ]);
  });

  it('CRLF text', () => {
    expect(pairs('Acked-by: A <a@example.org>\r\n-- \r\nsig')).toEqual(['Acked-by: A <a@example.org>']);
  });
});

describe('trailer names', () => {
  it('isPersonTrailer', () => {
    expect(isPersonTrailer('Reviewed-by')).toBe(true);
    expect(isPersonTrailer('nacked-by')).toBe(true);
    expect(isPersonTrailer('Fixes')).toBe(false);
    expect(isPersonTrailer('Cc')).toBe(false);
  });
  it('canonicalTrailerName', () => {
    expect(canonicalTrailerName('SIGNED-OFF-BY')).toBe('Signed-off-by');
    expect(canonicalTrailerName('buglink')).toBe('BugLink');
    expect(canonicalTrailerName('cc')).toBe('Cc');
    expect(canonicalTrailerName('x-something')).toBe('X-something');
  });
});
