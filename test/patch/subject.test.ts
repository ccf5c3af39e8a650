import { describe, expect, it } from 'vitest';
import { parseSeriesMarker, parseSubject, parseVersion, seriesNameFromCover, splitPrefixes } from '../../src/patch/subject.js';

describe('parseSubject: the worked examples of the reference notes §1.6 (drop = dpdk)', () => {
  const table: [string, string, string[], [number, number] | null, number][] = [
    ['[RFC 00/11] Support externally allocated memory in DPDK', '[RFC,00/11] Support externally allocated memory in DPDK', ['RFC', '00/11'], [0, 11], 1],
    ['[PATCH 0/9] mem: reduce memory fragmentation', '[0/9] mem: reduce memory fragmentation', ['0/9'], [0, 9], 1],
    ['[dpdk-dev] [PATCH v3 02/11] net/ice: foo', '[dpdk-dev,v3,02/11] net/ice: foo', ['dpdk-dev', 'v3', '02/11'], [2, 11], 3],
    ['[PATCH v2] [RFC] a [b] c', '[v2,RFC] a [b] c', ['v2', 'RFC'], null, 2],
    ['[Patch 2/2]: powerpc/…', '[2/2] : powerpc/…', ['2/2'], [2, 2], 1],
    ['Fwd: [PATCH 3 of 5] hg', '[3 of 5] hg', ['3 of 5'], [3, 5], 1],
    ['[PATCH v2 0/3]', '[v2,0/3] ', ['v2', '0/3'], [0, 3], 2],
  ];
  for (const [subject, name, prefixes, marker, version] of table) {
    it(subject, () => {
      const info = parseSubject(subject, ['dpdk']);
      expect(info.name).toBe(name);
      expect(info.prefixes).toEqual(prefixes);
      expect(info.counter).toBe(marker?.[0] ?? null);
      expect(info.total).toBe(marker?.[1] ?? null);
      expect(info.version).toBe(version);
      expect(info.pwVersion).toBe(version);
    });
  }

  it('drops list tags given in the drop list (patches.dpdk.org behaviour)', () => {
    const info = parseSubject('[dpdk-dev] [PATCH 00/16] Support externally allocated memory in DPDK', ['dpdk', 'dpdk-dev']);
    expect(info.name).toBe('[00/16] Support externally allocated memory in DPDK');
  });
});

describe("parseSubject: Patchwork's test_parser.py SubjectTest", () => {
  const cases: [string, string, string[], string[]?][] = [
    ['meep', 'meep', []],
    ['Re: meep', 'meep', []],
    ['[PATCH] meep', 'meep', []],
    ['[PATCH] meep \n meep', 'meep meep', []],
    ['[PATCH] meep,\n meep', 'meep, meep', []],
    ['[PATCH RFC] meep', '[RFC] meep', ['RFC']],
    ['[PATCH,RFC] meep', '[RFC] meep', ['RFC']],
    ['[PATCH,1/2] meep', '[1/2] meep', ['1/2']],
    ['[PATCH RFC 1/2] meep', '[RFC,1/2] meep', ['RFC', '1/2']],
    ['[PATCH] [RFC] meep', '[RFC] meep', ['RFC']],
    ['[PATCH] [RFC,1/2] meep', '[RFC,1/2] meep', ['RFC', '1/2']],
    ['[PATCH] [RFC] [1/2] meep', '[RFC,1/2] meep', ['RFC', '1/2']],
    ['[PATCH] rewrite [a-z] regexes', 'rewrite [a-z] regexes', []],
    ['[PATCH] [RFC] rewrite [a-z] regexes', '[RFC] rewrite [a-z] regexes', ['RFC']],
    ['[foo] [bar] meep', '[bar] meep', ['bar'], ['foo']],
    ['[FOO] [bar] meep', '[bar] meep', ['bar'], ['foo']],
  ];
  for (const [subject, name, prefixes, drop] of cases) {
    it(JSON.stringify(subject), () => {
      const info = parseSubject(subject, drop);
      expect(info.name).toBe(name);
      expect(info.prefixes).toEqual(prefixes);
    });
  }

  it('subject_check: Re in any case, with a colon or a space, is a reply', () => {
    for (const s of ['RE: meep', 'Re: meep', 're: meep', 'RE meep', 'Re meep', 're meep']) {
      expect(parseSubject(s).isReply, s).toBe(true);
    }
    expect(parseSubject('Reply to meep').isReply).toBe(false);
    expect(parseSubject('Fwd: [PATCH] meep').isReply).toBe(false);
    expect(parseSubject('Fwd: [PATCH] meep').isForward).toBe(true);
  });

  it('split_prefixes', () => {
    expect(splitPrefixes('PATCH')).toEqual(['PATCH']);
    expect(splitPrefixes('PATCH,RFC')).toEqual(['PATCH', 'RFC']);
    expect(splitPrefixes('')).toEqual([]);
    expect(splitPrefixes('PATCH,')).toEqual(['PATCH']);
    expect(splitPrefixes('PATCH ')).toEqual(['PATCH']);
    expect(splitPrefixes('PATCH 1/2')).toEqual(['PATCH', '1/2']);
    expect(splitPrefixes('PATCH 1 of 2 v2')).toEqual(['PATCH', '1 of 2', 'v2']);
  });

  it('parse_series_marker', () => {
    expect(parseSeriesMarker([])).toBeNull();
    expect(parseSeriesMarker(['bar'])).toBeNull();
    expect(parseSeriesMarker(['bar', '1/2'])).toEqual({ counter: 1, total: 2 });
    expect(parseSeriesMarker(['bar', '0/12'])).toEqual({ counter: 0, total: 12 });
    expect(parseSeriesMarker(['bar', '1 of 2'])).toEqual({ counter: 1, total: 2 });
    expect(parseSeriesMarker(['bar', '0 of 12'])).toEqual({ counter: 0, total: 12 });
    expect(parseSeriesMarker(['PATCH1/8'])).toEqual({ counter: 1, total: 8 });
    expect(parseSeriesMarker(['PATCH1 of 8'])).toEqual({ counter: 1, total: 8 });
    expect(parseSeriesMarker(['PATCH100/123'])).toEqual({ counter: 100, total: 123 });
    expect(parseSeriesMarker(['v2PATCH1/4'])).toEqual({ counter: 1, total: 4 });
    expect(parseSeriesMarker(['v2', 'PATCH1/4'])).toEqual({ counter: 1, total: 4 });
    expect(parseSeriesMarker(['v2.3PATCH1/4'])).toEqual({ counter: 1, total: 4 });
  });

  it('parse_version', () => {
    expect(parseVersion('', []).version).toBe(1);
    expect(parseVersion('Hello, world', []).version).toBe(1);
    expect(parseVersion('Hello, world', ['version']).version).toBe(1);
    expect(parseVersion('Hello, world', ['v2']).version).toBe(2);
    expect(parseVersion('Hello, world', ['V6']).version).toBe(6);
    expect(parseVersion('Hello, world', ['v10']).version).toBe(10);
    expect(parseVersion('Hello, world (v2)', []).version).toBe(2);
    expect(parseVersion('Hello, world (V6)', []).version).toBe(6);
  });
});

describe('parseSubject: b4-style subjects', () => {
  it('[PATCH v2 3/9]', () => {
    const info = parseSubject('[PATCH v2 3/9] mm: fix the thing');
    expect(info).toMatchObject({ name: '[v2,3/9] mm: fix the thing', title: 'mm: fix the thing', counter: 3, total: 9, version: 2, versionText: 'v2' });
  });

  it('[RFC,00/11]', () => {
    expect(parseSubject('[RFC,00/11] big idea')).toMatchObject({ counter: 0, total: 11, rfc: true, version: 1, versionText: null });
  });

  it('PATCHv3: b4 reads v3, Patchwork does not', () => {
    const info = parseSubject('[PATCHv3 1/2] foo');
    expect(info).toMatchObject({ name: '[PATCHv3,1/2] foo', version: 3, pwVersion: 1, versionText: 'v3', counter: 1, total: 2 });
  });

  it('RFCv2 and uppercase V3', () => {
    expect(parseSubject('[RFCv2 PATCH] foo')).toMatchObject({ version: 2, pwVersion: 1, rfc: true });
    expect(parseSubject('[PATCH V3 0/4] PM / OPP')).toMatchObject({ version: 3, pwVersion: 3, versionText: 'V3' });
  });

  it('[PATCH 3 of 5] (Mercurial)', () => {
    expect(parseSubject('[PATCH 3 of 5] hg: foo')).toMatchObject({ name: '[3 of 5] hg: foo', counter: 3, total: 5 });
  });

  it('[Patch 2/2]: keeps the colon in the name', () => {
    expect(parseSubject('[Patch 2/2]: powerpc/hotplug: foo').name).toBe('[2/2] : powerpc/hotplug: foo');
  });

  it('v5.1 is kept as text; its integer part is the version', () => {
    expect(parseSubject('[PATCH v5.1 2/3] foo')).toMatchObject({ name: '[v5.1,2/3] foo', version: 5, pwVersion: 1, versionText: 'v5.1' });
  });

  it('RESEND', () => {
    expect(parseSubject('[RESEND PATCH v2] foo')).toMatchObject({ resend: true, version: 2, name: '[RESEND,v2] foo' });
    expect(parseSubject('[PATCH] foo').resend).toBe(false);
  });

  it('net-next and (vN) in the title', () => {
    const info = parseSubject('[PATCH net-next v3 0/4] net: dsa: Multi-CPU ground work (v3)');
    expect(info).toMatchObject({ name: '[net-next,v3,0/4] net: dsa: Multi-CPU ground work (v3)', prefixes: ['net-next', 'v3', '0/4'], version: 3 });
    expect(parseSubject('[PATCH net-next] foo (v4)')).toMatchObject({ version: 4, pwVersion: 4, versionText: 'v4' });
  });

  it('removes only one Re:/Fwd: and merges every leading group', () => {
    expect(parseSubject('Re: Re: [PATCH 1/2] foo')).toMatchObject({ name: 'Re: [PATCH 1/2] foo', isReply: true, counter: null });
    expect(parseSubject('Re: [PATCH 1/2] [next] foo')).toMatchObject({ name: '[1/2,next] foo', isReply: true, counter: 1 });
  });

  it('normalises whitespace, Python-style (\\x1c-\\x1f are spaces, U+FEFF is not)', () => {
    expect(parseSubject('  [PATCH]\t foo \x1c bar  ').name).toBe('foo bar');
    expect(parseSubject('[PATCH] foo\ufeff').name).toBe('foo\ufeff');
  });
});

describe('seriesNameFromCover', () => {
  it('removes the single leading group', () => {
    expect(seriesNameFromCover('[RFC,00/11] Support externally allocated memory in DPDK')).toBe('Support externally allocated memory in DPDK');
    expect(seriesNameFromCover('[0/2] A sample series')).toBe('A sample series');
    expect(seriesNameFromCover('[v2,0/3] ')).toBe('');
    expect(seriesNameFromCover(' plain name ')).toBe('plain name');
    expect(seriesNameFromCover('[0/2] a [b] c')).toBe('a [b] c');
  });
});
