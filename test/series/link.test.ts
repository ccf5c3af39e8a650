import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compareForLinking, IdNumbers, linkSeries, PatchSlots, SeriesLinker, SERIES_WINDOW_MS } from '../../src/series/link.js';
import type { LinkedComment, LinkMessage, LinkResult, MessageKind } from '../../src/series/link.js';
import { linkVersions, normaliseTitle, VERSION_WINDOW_DAYS } from '../../src/series/versions.js';
import type { VersionCandidate } from '../../src/series/versions.js';
import { detectListTags } from '../../src/series/list-tag.js';

// ---------------------------------------------------------------------------------------------
// Building LinkMessage records by hand
// ---------------------------------------------------------------------------------------------

const T0 = Date.UTC(2024, 2, 4, 10, 0, 0);
/** UTC date `minutes` after T0, in the index's format. */
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Spec {
  subject: string;
  /** Minutes after T0. */
  minute: number;
  /** Patchwork order: In-Reply-To first, then References newest → oldest. */
  refs?: string[];
  diff?: boolean;
  submitter?: number;
  list?: number;
  pull?: string;
  duplicate?: boolean;
}

/** A little mail archive: `add` returns the message id; msgids are `<name@x>`. */
class Archive {
  readonly messages: LinkMessage[] = [];
  private readonly ids = new Map<string, number>();

  add(name: string, spec: Spec): number {
    const id = this.messages.length + 1;
    this.ids.set(name, id);
    this.messages.push({
      id, msgid: mid(name), list: spec.list ?? 1, date: at(spec.minute), submitter: spec.submitter ?? 1,
      subject: spec.subject, refs: (spec.refs ?? []).map(mid), hasDiff: spec.diff ?? false, pullUrl: spec.pull ?? null,
      duplicate: spec.duplicate ?? false,
    });
    return id;
  }

  id(name: string): number {
    const id = this.ids.get(name);
    if (id === undefined) throw new Error(`no message ${name}`);
    return id;
  }

  link(messages: LinkMessage[] = this.messages): LinkResult {
    return linkSeries(messages, () => []);
  }
}

const mid = (name: string) => (name.startsWith('<') ? name : `<${name}@x>`);
const noDrop = () => [] as string[];

/** The series holding message `id` (as patch or cover), or undefined. */
function seriesOf(result: LinkResult, id: number) {
  const place = result.patchSeries.get(id);
  const index = place ? place.series : result.coverSeries.get(id);
  return index === undefined ? undefined : result.series[index];
}

/** Patch numbers → message ids of a series, as a plain object. */
const patchesOf = (s: { patches: Iterable<[number, number]> } | undefined) => Object.fromEntries(s ? [...s.patches].sort((a, b) => a[0] - b[0]) : []);

/** Everything linkSeries decided, in a form independent of the input order (keyed by msgid). */
function canonical(result: LinkResult, messages: LinkMessage[]) {
  const msgid = new Map(messages.map((m) => [m.id, m.msgid]));
  const name = (id: number | null) => (id === null ? null : msgid.get(id)!);
  const series = result.series.map((s) => ({
    list: s.list, name: s.name, date: s.date, submitter: s.submitter, version: s.version, versionText: s.versionText,
    total: s.total, rfc: s.rfc, cover: name(s.cover),
    patches: [...s.patches].sort((a, b) => a[0] - b[0]).map(([n, id]) => [n, name(id)]),
  }));
  const sortByFirst = <T extends [string, ...unknown[]]>(rows: T[]) => rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    series: series.map((s) => JSON.stringify(s)).sort(),
    kinds: sortByFirst([...result.kinds].map(([id, k]) => [name(id)!, k] as [string, string])),
    patchSeries: sortByFirst([...result.patchSeries].map(([id, p]) => [name(id)!, JSON.stringify(series[p.series]), p.number] as [string, string, number])),
    coverSeries: sortByFirst([...result.coverSeries].map(([id, s]) => [name(id)!, JSON.stringify(series[s])] as [string, string])),
    comments: sortByFirst([...result.comments].map(([id, c]) => [name(id)!, name(c.parent), name(c.patch), name(c.cover)] as [string, ...unknown[]])),
    names: sortByFirst([...result.subjects].map(([id, info]) => [name(id)!, info.name] as [string, string])),
  };
}

// ---------------------------------------------------------------------------------------------

describe('linkSeries: threading', () => {
  it('groups a cover and its shallow-threaded patches into one series', () => {
    const a = new Archive();
    a.add('c', { subject: '[PATCH 0/3] mem: rework the heap', minute: 0 });
    for (const n of [1, 2, 3]) a.add(`p${n}`, { subject: `[PATCH ${n}/3] mem: part ${n}`, minute: n, refs: ['c'], diff: true });
    const r = a.link();

    expect(r.kinds.get(a.id('c'))).toBe('cover');
    for (const n of [1, 2, 3]) expect(r.kinds.get(a.id(`p${n}`))).toBe('patch');
    expect(r.series).toHaveLength(1);
    const s = r.series[0];
    expect(s.cover).toBe(a.id('c'));
    expect(s.total).toBe(3);
    expect(s.version).toBe(1);
    expect(s.name).toBe('mem: rework the heap');
    expect(s.date).toBe(at(0));
    expect(patchesOf(s)).toEqual({ 1: a.id('p1'), 2: a.id('p2'), 3: a.id('p3') });
    expect(r.patchSeries.get(a.id('p2'))).toEqual({ series: 0, number: 2 });
    expect(r.coverSeries.get(a.id('c'))).toBe(0);
  });

  it('names a series without cover after patch 1', () => {
    const a = new Archive();
    a.add('p1', { subject: '[PATCH v2 1/2] net/ice: fix the thing', minute: 0, diff: true });
    a.add('p2', { subject: '[PATCH v2 2/2] net/ice: and the other', minute: 1, refs: ['p1'], diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(1);
    expect(r.series[0].name).toBe('[v2,1/2] net/ice: fix the thing');
    expect(r.series[0].version).toBe(2);
    expect(r.series[0].cover).toBeNull();
  });

  it('follows a deep thread whose mails carry only In-Reply-To (each patch answers the one before)', () => {
    const a = new Archive();
    // 30 minutes apart: only the references can join them.
    a.add('c', { subject: '[PATCH 0/3] eal: deep thread', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/3] eal: one', minute: 30, refs: ['c'], diff: true });
    a.add('p2', { subject: '[PATCH 2/3] eal: two', minute: 60, refs: ['p1'], diff: true });
    a.add('p3', { subject: '[PATCH 3/3] eal: three', minute: 90, refs: ['p2'], diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(1);
    expect(r.series[0].cover).toBe(a.id('c'));
    expect(patchesOf(r.series[0])).toEqual({ 1: a.id('p1'), 2: a.id('p2'), 3: a.id('p3') });
  });

  it('follows a deep thread without cover letter', () => {
    const a = new Archive();
    a.add('p1', { subject: '[PATCH 1/3] i2c: one', minute: 0, diff: true });
    a.add('p2', { subject: '[PATCH 2/3] i2c: two', minute: 40, refs: ['p1'], diff: true });
    a.add('p3', { subject: '[PATCH 3/3] i2c: three', minute: 80, refs: ['p2'], diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(1);
    expect(patchesOf(r.series[0])).toEqual({ 1: a.id('p1'), 2: a.id('p2'), 3: a.id('p3') });
  });

  /** A real v9 of five patches from submitter 1, shallow-threaded under its cover. */
  function realV9(): Archive {
    const a = new Archive();
    a.add('c', { subject: '[PATCH v9 0/5] clk: rework the dividers', minute: 0 });
    for (const n of [1, 2, 3, 4, 5]) a.add(`p${n}`, { subject: `[PATCH v9 ${n}/5] clk: part ${n}`, minute: n / 10, refs: ['c'], diff: true });
    return a;
  }
  const realPatches = (a: Archive) => Object.fromEntries([1, 2, 3, 4, 5].map((n) => [n, a.id(`p${n}`)]));

  it("keeps another sender's [PATCH v9 6/5] in reply to a real cover out of its series (hijack)", () => {
    for (const minute of [1, 3 * 24 * 60]) {
      const a = realV9();
      a.add('evil', { subject: '[PATCH v9 6/5] clk: add a backdoor', minute, refs: ['c'], diff: true, submitter: 2 });
      const r = a.link();
      expect(patchesOf(seriesOf(r, a.id('c'))), `minute ${minute}`).toEqual(realPatches(a));
      const own = seriesOf(r, a.id('evil'))!;
      expect(own.cover).toBeNull();
      expect(own.submitter).toBe(2);
      expect(patchesOf(own)).toEqual({ 6: a.id('evil') });
    }
  });

  it("keeps another sender's patch out of a series also when its number is free", () => {
    const a = new Archive();
    a.add('c', { subject: '[PATCH 0/3] clk: rework', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/3] clk: one', minute: 1, refs: ['c'], diff: true });
    a.add('p2', { subject: '[PATCH 2/3] clk: two', minute: 1, refs: ['c'], diff: true });
    a.add('other', { subject: '[PATCH 3/3] clk: three', minute: 120, refs: ['c'], diff: true, submitter: 2 });
    const r = a.link();
    expect(patchesOf(seriesOf(r, a.id('c')))).toEqual({ 1: a.id('p1'), 2: a.id('p2') });
    expect(seriesOf(r, a.id('other'))!.submitter).toBe(2);
  });

  it('keeps an extra patch beyond the total when the sender sends it with the series, not days later', () => {
    const sameRun = realV9();
    sameRun.add('extra', { subject: '[PATCH v9 6/5] clk: one more', minute: 1, refs: ['c'], diff: true });
    let r = sameRun.link();
    expect(patchesOf(seriesOf(r, sameRun.id('c')))).toEqual({ ...realPatches(sameRun), 6: sameRun.id('extra') });

    const later = realV9();
    later.add('extra', { subject: '[PATCH v9 6/5] clk: one more', minute: 2 * 24 * 60, refs: ['c'], diff: true });
    r = later.link();
    expect(patchesOf(seriesOf(r, later.id('c')))).toEqual(realPatches(later));
    expect(patchesOf(seriesOf(r, later.id('extra')))).toEqual({ 6: later.id('extra') });
  });

  it("keeps a cover whose N or version differs from its patches' with them, taking the patches' counts", () => {
    const cases = [
      { cover: '[PATCH v7 00/23] mm: big', patch: (n: number) => `[PATCH v7 ${n}/24] mm: part ${n}`, total: 24, version: 7 },
      { cover: '[PATCH 0/3] mm: small', patch: (n: number) => `[PATCH ${n}/4] mm: part ${n}`, total: 4, version: 1, upTo: 3 },
      { cover: '[PATCH 0/9] mm: v2 cover', patch: (n: number) => `[PATCH v2 ${n}/8] mm: part ${n}`, total: 8, version: 2 },
      { cover: '[PATCH v16 00/23] mm: again', patch: (n: number) => `[PATCH v17 ${n}/24] mm: part ${n}`, total: 24, version: 17 },
    ];
    for (const c of cases) {
      const a = new Archive();
      a.add('c', { subject: c.cover, minute: 0 });
      const numbers = Array.from({ length: c.upTo ?? c.total }, (_, i) => i + 1);
      for (const n of numbers) a.add(`p${n}`, { subject: c.patch(n), minute: n / 10, refs: ['c'], diff: true });
      const r = a.link();
      expect(r.series, c.cover).toHaveLength(1);
      const s = r.series[0];
      expect(s.cover).toBe(a.id('c'));
      expect([s.total, s.version]).toEqual([c.total, c.version]);
      expect(patchesOf(s)).toEqual(Object.fromEntries(numbers.map((n) => [n, a.id(`p${n}`)])));
    }
  });

  it('keeps the patches of a miscounted cover together also when some are found by markers only', () => {
    const a = new Archive();
    a.add('c', { subject: '[PATCH 0/2] mm: miscounted', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/3] mm: one', minute: 1, refs: ['c'], diff: true });
    // The rest of the run lost its threading (sent one by one).
    a.add('p2', { subject: '[PATCH 2/3] mm: two', minute: 2, diff: true });
    a.add('p3', { subject: '[PATCH 3/3] mm: three', minute: 3, diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(1);
    expect(patchesOf(r.series[0])).toEqual({ 1: a.id('p1'), 2: a.id('p2'), 3: a.id('p3') });
  });

  it("does not give a cover to patches of another size that do not answer it directly, or come later, or from someone else", () => {
    const variants: [string, Spec][] = [
      ['not directly', { subject: '[PATCH 1/4] mm: one', minute: 1, refs: ['other', 'c'], diff: true }],
      ['a day later', { subject: '[PATCH 1/4] mm: one', minute: 24 * 60, refs: ['c'], diff: true }],
      ['another sender', { subject: '[PATCH 1/4] mm: one', minute: 1, refs: ['c'], diff: true, submitter: 2 }],
    ];
    for (const [what, spec] of variants) {
      const a = new Archive();
      a.add('c', { subject: '[PATCH 0/3] mm: three', minute: 0 });
      a.add('other', { subject: 'Re: [PATCH 0/3] mm: three', minute: 0.5, refs: ['c'], submitter: 3 });
      a.add('p1', spec);
      const r = a.link();
      expect(r.series, what).toHaveLength(2);
      expect(seriesOf(r, a.id('c'))!.patches.size, what).toBe(0);
      expect(seriesOf(r, a.id('c'))!.total, what).toBe(3);
    }
  });

  it('keeps a series sent in two runs with its cover when the second run replies to an older posting', () => {
    const a = new Archive();
    // Two weeks before, the same series (same version) went to another list, threaded under a
    // cover not in this archive; this list got its patch 4 only.
    a.add('old4', { subject: '[PATCH 4/5] soc: part 4', minute: -14 * 24 * 60, refs: ['elsewhere'], diff: true });
    // Now: the cover and two patches; minutes later the rest, sent --in-reply-to the old cover.
    a.add('c', { subject: '[PATCH 0/5] soc: convert to DT', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/5] soc: part 1', minute: 0.1, refs: ['c'], diff: true });
    a.add('p2', { subject: '[PATCH 2/5] soc: part 2', minute: 0.2, refs: ['c'], diff: true });
    for (const n of [3, 4, 5]) a.add(`p${n}`, { subject: `[PATCH ${n}/5] soc: part ${n}`, minute: 12 + n / 10, refs: ['elsewhere'], diff: true });
    const r = a.link();
    expect(patchesOf(seriesOf(r, a.id('c')))).toEqual(Object.fromEntries([1, 2, 3, 4, 5].map((n) => [n, a.id(`p${n}`)])));
    expect(patchesOf(seriesOf(r, a.id('old4')))).toEqual({ 4: a.id('old4') });
  });

  it('still lets a patch sent days later join its series by reference', () => {
    const a = new Archive();
    a.add('c', { subject: '[PATCH 0/3] soc: convert', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/3] soc: one', minute: 1, refs: ['c'], diff: true });
    a.add('p2', { subject: '[PATCH 2/3] soc: two', minute: 1, refs: ['c'], diff: true });
    // The forgotten patch 3, two days later, and another unrelated series of the same shape.
    a.add('q1', { subject: '[PATCH 1/3] net: one', minute: 2 * 24 * 60, diff: true });
    a.add('p3', { subject: '[PATCH 3/3] soc: three', minute: 2 * 24 * 60 + 1, refs: ['c'], diff: true });
    const r = a.link();
    expect(patchesOf(seriesOf(r, a.id('c')))).toEqual({ 1: a.id('p1'), 2: a.id('p2'), 3: a.id('p3') });
  });

  it('keeps a v2 sent in reply to the v1 cover as its own series', () => {
    const a = new Archive();
    a.add('v1c', { subject: '[PATCH 0/2] mmc: rework reset', minute: 0 });
    a.add('v1p1', { subject: '[PATCH 1/2] mmc: one', minute: 1, refs: ['v1c'], diff: true });
    a.add('v1p2', { subject: '[PATCH 2/2] mmc: two', minute: 2, refs: ['v1c'], diff: true });
    // A day later, git send-email --in-reply-to=<v1 cover>.
    const day = 24 * 60;
    a.add('v2c', { subject: '[PATCH v2 0/2] mmc: rework reset', minute: day, refs: ['v1c'] });
    a.add('v2p1', { subject: '[PATCH v2 1/2] mmc: one', minute: day + 1, refs: ['v2c', 'v1c'], diff: true });
    a.add('v2p2', { subject: '[PATCH v2 2/2] mmc: two', minute: day + 2, refs: ['v2c', 'v1c'], diff: true });
    const r = a.link();

    expect(r.series).toHaveLength(2);
    const v1 = seriesOf(r, a.id('v1c'))!;
    const v2 = seriesOf(r, a.id('v2c'))!;
    expect(v1).not.toBe(v2);
    expect(v1.version).toBe(1);
    expect(v2.version).toBe(2);
    expect(patchesOf(v1)).toEqual({ 1: a.id('v1p1'), 2: a.id('v1p2') });
    expect(patchesOf(v2)).toEqual({ 1: a.id('v2p1'), 2: a.id('v2p2') });
    expect(r.kinds.get(a.id('v2c'))).toBe('cover');
  });

  it('keeps a v2 sent in reply to the v1 cover apart even minutes later', () => {
    const a = new Archive();
    a.add('v1c', { subject: '[PATCH 0/2] mmc: rework reset', minute: 0 });
    a.add('v1p1', { subject: '[PATCH 1/2] mmc: one', minute: 1, refs: ['v1c'], diff: true });
    a.add('v1p2', { subject: '[PATCH 2/2] mmc: two', minute: 2, refs: ['v1c'], diff: true });
    a.add('v2c', { subject: '[PATCH v2 0/2] mmc: rework reset', minute: 5, refs: ['v1c'] });
    a.add('v2p1', { subject: '[PATCH v2 1/2] mmc: one', minute: 6, refs: ['v2c', 'v1c'], diff: true });
    a.add('v2p2', { subject: '[PATCH v2 2/2] mmc: two', minute: 7, refs: ['v2c', 'v1c'], diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(2);
    expect(patchesOf(seriesOf(r, a.id('v1c')))).toEqual({ 1: a.id('v1p1'), 2: a.id('v1p2') });
    expect(patchesOf(seriesOf(r, a.id('v2c')))).toEqual({ 1: a.id('v2p1'), 2: a.id('v2p2') });
  });

  // docs/patchwork-differences.md: Patchwork makes one series per mail here (each v2 patch finds
  // v1 by reference, where its number is taken).
  it("keeps a new revision threaded to the previous one's patches as one series", () => {
    const a = new Archive();
    a.add('v1p1', { subject: '[PATCH 1/2] mmc: one', minute: 0, diff: true });
    a.add('v1p2', { subject: '[PATCH 2/2] mmc: two', minute: 1, refs: ['v1p1'], diff: true });
    const day = 24 * 60;
    a.add('v2p1', { subject: '[PATCH v2 1/2] mmc: one', minute: day, refs: ['v1p1'], diff: true });
    a.add('v2p2', { subject: '[PATCH v2 2/2] mmc: two', minute: day + 1, refs: ['v1p2', 'v1p1'], diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(2);
    expect(patchesOf(seriesOf(r, a.id('v2p1')))).toEqual({ 1: a.id('v2p1'), 2: a.id('v2p2') });
  });

  it('keeps names over 255 characters whole (Patchwork cuts them)', () => {
    const a = new Archive();
    const title = `mm: ${'a very long subject '.repeat(20).trim()}`;
    a.add('c', { subject: `[PATCH 0/1] ${title}`, minute: 0 });
    a.add('p1', { subject: `[PATCH 1/1] ${title}`, minute: 1, refs: ['c'], diff: true });
    const r = a.link();
    expect(title.length).toBeGreaterThan(255);
    expect(r.series[0].name).toBe(title);
    expect(r.subjects.get(a.id('p1'))!.name).toBe(`[1/1] ${title}`);
  });

  it('does not merge a 25-patch series sent in reply to a 7-patch series (Patchwork #127)', () => {
    const a = new Archive();
    a.add('small', { subject: '[PATCH 0/7] drm: small series', minute: 0 });
    for (let n = 1; n <= 7; n++) a.add(`s${n}`, { subject: `[PATCH ${n}/7] drm: small ${n}`, minute: n, refs: ['small'], diff: true });
    // Same sender, same version, minutes later, threaded under the first series' cover.
    a.add('big', { subject: '[PATCH 0/25] drm: big series', minute: 10, refs: ['small'] });
    for (let n = 1; n <= 25; n++) {
      a.add(`b${n}`, { subject: `[PATCH ${n}/25] drm: big ${n}`, minute: 10 + n / 10, refs: ['big', 'small'], diff: true });
    }
    const r = a.link();

    expect(r.series).toHaveLength(2);
    const small = seriesOf(r, a.id('small'))!;
    const big = seriesOf(r, a.id('big'))!;
    expect(small.total).toBe(7);
    expect(big.total).toBe(25);
    expect(patchesOf(small)).toEqual(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [i + 1, a.id(`s${i + 1}`)])));
    expect(patchesOf(big)).toEqual(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [i + 1, a.id(`b${i + 1}`)])));
    expect(r.kinds.get(a.id('big'))).toBe('cover');
  });
});

describe('linkSeries: unthreaded patches', () => {
  it('joins unthreaded patches of one submitter sent within the window by their n/N markers', () => {
    const a = new Archive();
    a.add('p1', { subject: '[PATCH 1/3] crypto: one', minute: 0, diff: true });
    a.add('p2', { subject: '[PATCH 2/3] crypto: two', minute: 5, diff: true });
    a.add('p3', { subject: '[PATCH 3/3] crypto: three', minute: 19, diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(1);
    expect(patchesOf(r.series[0])).toEqual({ 1: a.id('p1'), 2: a.id('p2'), 3: a.id('p3') });
  });

  it('does not join unthreaded patches sent an hour apart', () => {
    const a = new Archive();
    a.add('p1', { subject: '[PATCH 1/3] crypto: one', minute: 0, diff: true });
    a.add('p2', { subject: '[PATCH 2/3] crypto: two', minute: 60, diff: true });
    a.add('p3', { subject: '[PATCH 3/3] crypto: three', minute: 120, diff: true });
    const r = a.link();
    expect(r.series).toHaveLength(3);
    for (const p of ['p1', 'p2', 'p3']) expect(seriesOf(r, a.id(p))!.patches.size).toBe(1);
  });

  it('measures the window from the series date: just inside joins, just outside does not', () => {
    const window = SERIES_WINDOW_MS / 60_000;
    const inside = new Archive();
    inside.add('p1', { subject: '[PATCH 1/2] mem: one', minute: 0, diff: true });
    inside.add('p2', { subject: '[PATCH 2/2] mem: two', minute: window, diff: true });
    expect(inside.link().series).toHaveLength(1);
    const outside = new Archive();
    outside.add('p1', { subject: '[PATCH 1/2] mem: one', minute: 0, diff: true });
    outside.add('p2', { subject: '[PATCH 2/2] mem: two', minute: window + 1, diff: true });
    expect(outside.link().series).toHaveLength(2);
  });

  it('does not join unthreaded patches of different submitters, versions or totals', () => {
    const a = new Archive();
    a.add('p1', { subject: '[PATCH 1/2] mem: one', minute: 0, diff: true, submitter: 1 });
    a.add('other-sender', { subject: '[PATCH 2/2] mem: two', minute: 1, diff: true, submitter: 2 });
    a.add('other-version', { subject: '[PATCH v2 2/2] mem: two', minute: 2, diff: true, submitter: 1 });
    a.add('other-total', { subject: '[PATCH 2/3] mem: two', minute: 3, diff: true, submitter: 1 });
    const r = a.link();
    expect(r.series).toHaveLength(4);
  });

  it('never joins series across lists', () => {
    const a = new Archive();
    a.add('p1', { subject: '[PATCH 1/2] mem: one', minute: 0, diff: true, list: 1 });
    a.add('p2', { subject: '[PATCH 2/2] mem: two', minute: 1, diff: true, list: 2, refs: ['p1'] });
    expect(a.link().series).toHaveLength(2);
  });
});

describe('linkSeries: kinds and comments', () => {
  it('makes a Re: mail carrying a diff a comment, not a patch', () => {
    const a = new Archive();
    a.add('p1', { subject: '[PATCH] watchdog: fix timeout', minute: 0, diff: true });
    a.add('re', { subject: 'Re: [PATCH] watchdog: fix timeout', minute: 30, refs: ['p1'], diff: true, submitter: 2 });
    const r = a.link();
    expect(r.kinds.get(a.id('re'))).toBe('comment');
    expect(r.comments.get(a.id('re'))).toEqual({ parent: a.id('p1'), patch: a.id('p1'), cover: null });
    expect(r.patchSeries.has(a.id('re'))).toBe(false);
    expect(r.series).toHaveLength(1);
  });

  it('makes a reply to a reply to a patch a comment on that patch', () => {
    const a = new Archive();
    a.add('c', { subject: '[PATCH 0/2] i2c: things', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/2] i2c: one', minute: 1, refs: ['c'], diff: true });
    a.add('p2', { subject: '[PATCH 2/2] i2c: two', minute: 2, refs: ['c'], diff: true });
    a.add('r1', { subject: 'Re: [PATCH 2/2] i2c: two', minute: 60, refs: ['p2', 'c'], submitter: 2 });
    // Only In-Reply-To: the reply chain itself leads to the patch.
    a.add('r2', { subject: 'Re: [PATCH 2/2] i2c: two', minute: 120, refs: ['r1'], submitter: 1 });
    a.add('r3', { subject: 'Re: [PATCH 2/2] i2c: two', minute: 180, refs: ['r2'], submitter: 2 });
    const r = a.link();
    expect(r.comments.get(a.id('r1'))).toEqual({ parent: a.id('p2'), patch: a.id('p2'), cover: null });
    expect(r.comments.get(a.id('r2'))).toEqual({ parent: a.id('r1'), patch: a.id('p2'), cover: null });
    expect(r.comments.get(a.id('r3'))).toEqual({ parent: a.id('r2'), patch: a.id('p2'), cover: null });
    for (const x of ['r1', 'r2', 'r3']) expect(r.kinds.get(a.id(x))).toBe('comment');
  });

  it('makes a reply to the cover letter a comment on the cover, and a reply to that reply too', () => {
    const a = new Archive();
    a.add('c', { subject: '[PATCH 0/2] i2c: things', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/2] i2c: one', minute: 1, refs: ['c'], diff: true });
    a.add('p2', { subject: '[PATCH 2/2] i2c: two', minute: 2, refs: ['c'], diff: true });
    a.add('rc', { subject: 'Re: [PATCH 0/2] i2c: things', minute: 60, refs: ['c'], submitter: 2 });
    a.add('rrc', { subject: 'Re: [PATCH 0/2] i2c: things', minute: 70, refs: ['rc', 'c'], submitter: 1 });
    const r = a.link();
    expect(r.comments.get(a.id('rc'))).toEqual({ parent: a.id('c'), patch: null, cover: a.id('c') });
    expect(r.comments.get(a.id('rrc'))).toEqual({ parent: a.id('rc'), patch: null, cover: a.id('c') });
  });

  it('links a reply to a reply even when its clock is behind its parent\'s (only In-Reply-To)', () => {
    // Replies are linked "after every patch and cover is known, so a parent arriving later
    // still gets its replies"; a reply whose Date is a few minutes earlier than its parent
    // reply's (a skewed clock) must still reach the patch through that parent.
    const a = new Archive();
    a.add('p', { subject: '[PATCH] mmc: fix', minute: 0, diff: true });
    a.add('r1', { subject: 'Re: [PATCH] mmc: fix', minute: 60, refs: ['p'], submitter: 2 });
    a.add('r2', { subject: 'Re: [PATCH] mmc: fix', minute: 55, refs: ['r1'], submitter: 3 });
    const r = a.link();
    expect(r.kinds.get(a.id('r2'))).toBe('comment');
    expect(r.comments.get(a.id('r2'))).toEqual({ parent: a.id('r1'), patch: a.id('p'), cover: null });
  });

  it('makes a reply whose parent is unknown `other`', () => {
    const a = new Archive();
    a.add('lost', { subject: 'Re: [PATCH 3/5] net: something', minute: 0, refs: ['never-seen'] });
    a.add('q', { subject: 'question about eal', minute: 1 });
    a.add('a', { subject: 'Re: question about eal', minute: 2, refs: ['q'] });
    const r = a.link();
    expect(r.kinds.get(a.id('lost'))).toBe('other');
    expect(r.kinds.get(a.id('q'))).toBe('other');
    expect(r.kinds.get(a.id('a'))).toBe('other');
    expect(r.comments.size).toBe(0);
    expect(r.series).toHaveLength(0);
  });

  it('makes a 0/N mail carrying a diff a patch with no series number', () => {
    const a = new Archive();
    a.add('zero', { subject: '[PATCH 0/2] eal: cover with a diff', minute: 0, diff: true });
    a.add('p1', { subject: '[PATCH 1/2] eal: one', minute: 1, refs: ['zero'], diff: true });
    a.add('p2', { subject: '[PATCH 2/2] eal: two', minute: 2, refs: ['zero'], diff: true });
    const r = a.link();
    expect(r.kinds.get(a.id('zero'))).toBe('patch');
    expect(r.patchSeries.has(a.id('zero'))).toBe(false);
    expect(r.coverSeries.has(a.id('zero'))).toBe(false);
    const s = seriesOf(r, a.id('p1'))!;
    expect(s.cover).toBeNull();
    expect(patchesOf(s)).toEqual({ 1: a.id('p1'), 2: a.id('p2') });
    expect(seriesOf(r, a.id('p2'))).toBe(s);
  });

  it('makes a pull request without diff a patch, and a later copy of a Message-Id `other`', () => {
    const a = new Archive();
    a.add('pull', { subject: '[GIT PULL] watchdog fixes', minute: 0, pull: 'git://git.example.org/wd.git fixes' });
    a.add('copy', { subject: '[PATCH] x: y', minute: 1, diff: true, duplicate: true });
    const r = a.link();
    expect(r.kinds.get(a.id('pull'))).toBe('patch');
    expect(r.kinds.get(a.id('copy'))).toBe('other');
    expect(r.patchSeries.has(a.id('copy'))).toBe(false);
  });
});

describe('linkSeries: input order', () => {
  /** A mix of every case above, with some mails sharing a date. */
  function mixedArchive(): LinkMessage[] {
    const a = new Archive();
    a.add('c', { subject: '[PATCH 0/3] mem: rework', minute: 0 });
    a.add('p1', { subject: '[PATCH 1/3] mem: one', minute: 1, refs: ['c'], diff: true });
    a.add('p2', { subject: '[PATCH 2/3] mem: two', minute: 1, refs: ['c'], diff: true });
    a.add('p3', { subject: '[PATCH 3/3] mem: three', minute: 2, refs: ['c'], diff: true });
    a.add('r1', { subject: 'Re: [PATCH 2/3] mem: two', minute: 50, refs: ['p2', 'c'], submitter: 2 });
    a.add('r2', { subject: 'Re: [PATCH 2/3] mem: two', minute: 70, refs: ['r1'], submitter: 1 });
    a.add('rc', { subject: 'Re: [PATCH 0/3] mem: rework', minute: 80, refs: ['c'], submitter: 3, diff: true });
    a.add('v2c', { subject: '[PATCH v2 0/3] mem: rework', minute: 1440, refs: ['c'] });
    a.add('v2p1', { subject: '[PATCH v2 1/3] mem: one', minute: 1441, refs: ['v2c', 'c'], diff: true });
    a.add('v2p2', { subject: '[PATCH v2 2/3] mem: two', minute: 1441, refs: ['v2c', 'c'], diff: true });
    a.add('v2p3', { subject: '[PATCH v2 3/3] mem: three', minute: 1442, refs: ['v2c', 'c'], diff: true });
    // Unthreaded, by markers; then the same subjects an hour later (separate series).
    a.add('u1', { subject: '[PATCH 1/2] i2c: one', minute: 3000, diff: true, submitter: 4 });
    a.add('u2', { subject: '[PATCH 2/2] i2c: two', minute: 3005, diff: true, submitter: 4 });
    a.add('u1b', { subject: '[PATCH 1/2] i2c: one', minute: 3065, diff: true, submitter: 4 });
    a.add('u2b', { subject: '[PATCH 2/2] i2c: two', minute: 3125, diff: true, submitter: 4 });
    // Two lone patches at the very same time from two people.
    a.add('l1', { subject: '[PATCH] eal: lone', minute: 4000, diff: true, submitter: 5 });
    a.add('l2', { subject: '[PATCH] eal: lone', minute: 4000, diff: true, submitter: 6 });
    a.add('orphan', { subject: 'Re: [PATCH] gone', minute: 4100, refs: ['nowhere'] });
    a.add('zero', { subject: '[PATCH 0/1] crypto: cover with diff', minute: 5000, diff: true });
    a.add('z1', { subject: '[PATCH 1/1] crypto: one', minute: 5001, refs: ['zero'], diff: true });
    // A cover that miscounts its patches, some of them threaded to it.
    a.add('mc', { subject: '[PATCH 0/2] net: miscounted', minute: 6000 });
    a.add('mc1', { subject: '[PATCH v2 1/3] net: one', minute: 6001, refs: ['mc'], diff: true });
    a.add('mc2', { subject: '[PATCH v2 2/3] net: two', minute: 6001, refs: ['mc'], diff: true });
    a.add('mc3', { subject: '[PATCH v2 3/3] net: three', minute: 6002, diff: true });
    // Another sender's patch in reply to that cover; a series sent in two runs, the second
    // threaded to an older posting of it.
    a.add('evil', { subject: '[PATCH v2 4/3] net: more', minute: 6003, refs: ['mc'], diff: true, submitter: 9 });
    a.add('old2', { subject: '[PATCH 2/3] soc: two', minute: 7000, refs: ['gone'], diff: true, submitter: 7 });
    a.add('rc', { subject: '[PATCH 0/3] soc: convert', minute: 9000, submitter: 7 });
    a.add('r1', { subject: '[PATCH 1/3] soc: one', minute: 9000, refs: ['rc'], diff: true, submitter: 7 });
    a.add('r2', { subject: '[PATCH 2/3] soc: two', minute: 9010, refs: ['gone'], diff: true, submitter: 7 });
    a.add('r3', { subject: '[PATCH 3/3] soc: three', minute: 9010, refs: ['gone'], diff: true, submitter: 7 });
    return a.messages;
  }

  it('gives the same result for every order of the input', () => {
    const messages = mixedArchive();
    const expected = canonical(linkSeries(messages, noDrop), messages);
    // Sanity: the archive really exercises grouping.
    expect(expected.series.length).toBeGreaterThanOrEqual(7);
    expect(expected.comments.length).toBeGreaterThanOrEqual(3);
    fc.assert(
      fc.property(fc.shuffledSubarray(messages, { minLength: messages.length, maxLength: messages.length }), (shuffled) => {
        const result = linkSeries(shuffled, noDrop);
        expect(canonical(result, shuffled)).toEqual(expected);
        // Series come out in date order whatever the input order, so their indexes agree too.
        expect(result.series.map((s) => s.date)).toEqual(linkSeries(messages, noDrop).series.map((s) => s.date));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result for the reversed input', () => {
    const messages = mixedArchive();
    const reversed = [...messages].reverse();
    expect(canonical(linkSeries(reversed, noDrop), reversed)).toEqual(canonical(linkSeries(messages, noDrop), messages));
  });

  it('does not modify its input', () => {
    const messages = mixedArchive();
    const copy = structuredClone(messages);
    linkSeries(messages, noDrop);
    expect(messages).toEqual(copy);
  });
});

describe('SeriesLinker: reply parents found in phase 1', () => {
  // With options.idOf (an index on disk) a reply's parents are found as phase 1 passes it, also
  // ignored ones it has not met yet; without, they are found in phase 2 among what phase 1 kept.
  it('decides every kind and comment as the linker that reads each reply again', () => {
    const subjects = ['[PATCH 1/2] a', '[PATCH 2/2] a', '[PATCH 0/2] a', 'Re: [PATCH 1/2] a', 'Re: [PATCH 0/2] a', 'hello', 'Re: hello', '[PATCH] b'];
    const mail = fc.record({
      name: fc.integer({ min: 0, max: 11 }), // a repeated Message-Id is a duplicate
      subject: fc.constantFrom(...subjects),
      minute: fc.integer({ min: 0, max: 60 }),
      refs: fc.array(fc.integer({ min: 0, max: 13 }), { maxLength: 4 }), // 12 and 13 are never sent
      diff: fc.boolean(),
      ignored: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    });
    fc.assert(
      fc.property(fc.array(mail, { minLength: 1, maxLength: 25 }), (specs) => {
        const seen = new Set<string>();
        const messages: LinkMessage[] = specs.map((s, i) => {
          const msgid = `<m${s.name}@x>`;
          const duplicate = seen.has(msgid);
          seen.add(msgid);
          return {
            id: i + 1, msgid, list: 1, date: at(s.minute), submitter: 1, subject: s.subject,
            refs: [...new Set(s.refs.map((r) => `<m${r}@x>`))], hasDiff: s.diff, pullUrl: null, duplicate, ignored: s.ignored,
          };
        });
        const inMemory = linkSeries(messages, noDrop);
        // As in SQL: the first copy of each Message-Id, ignored or not.
        const firstCopy = new Map(messages.filter((m) => !m.duplicate).map((m) => [m.msgid, m.id]));
        const kinds = new Map<number, MessageKind>();
        const comments = new Map<number, LinkedComment>();
        const linker = new SeriesLinker(noDrop, {
          kind: (id, kind) => kinds.set(id, kind),
          reply: (id, comment) => comment && comments.set(id, comment),
        }, { idOf: (msgid) => firstCopy.get(msgid) });
        for (const m of [...messages].sort(compareForLinking)) linker.add(m);
        linker.resolveReplies();
        expect(kinds).toEqual(inMemory.kinds);
        expect(comments).toEqual(inMemory.comments);
      }),
      { numRuns: 500 },
    );
  });
});

describe('linkSeries: drop prefixes', () => {
  it('leaves the list tag out of names when the caller says so', () => {
    const a = new Archive();
    a.add('c', { subject: '[dpdk-dev] [PATCH 0/2] mem: support external memory', minute: 0 });
    a.add('p1', { subject: '[dpdk-dev] [PATCH 1/2] mem: one', minute: 1, refs: ['c'], diff: true });
    a.add('p2', { subject: '[dpdk-dev] [PATCH 2/2] mem: two', minute: 2, refs: ['c'], diff: true });
    const r = linkSeries(a.messages, (list) => (list === 1 ? ['dpdk-dev'] : []));
    expect(r.series).toHaveLength(1);
    expect(r.subjects.get(a.id('c'))!.name).toBe('[0/2] mem: support external memory');
    expect(r.subjects.get(a.id('p1'))!.name).toBe('[1/2] mem: one');
    expect(r.series[0].name).toBe('mem: support external memory');
  });
});

// ---------------------------------------------------------------------------------------------
// linkVersions and detectListTags
// ---------------------------------------------------------------------------------------------
const DAY = 86400_000;
const V0 = Date.UTC(2024, 0, 10, 12, 0, 0);
const day = (n: number) => new Date(V0 + n * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A candidate with sensible defaults; `index` is its position in the caller's array. */
function candidate(index: number, fields: Partial<VersionCandidate> & { day: number }): VersionCandidate {
  const { day: d, ...rest } = fields;
  return { index, list: 1, submitter: 1, version: 1, date: day(d), title: 'mem: rework the heap', changeId: null, threadedTo: [], ...rest };
}

const entries = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);

describe('linkVersions', () => {
  it('links revisions of one submitter that share a change-id, whatever their titles', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 1, title: 'first title', changeId: '20240110-heap-abc' }),
      candidate(1, { day: 1, version: 1, title: 'unrelated', submitter: 3 }),
      candidate(2, { day: 20, version: 2, title: 'a reworded title', changeId: '20240110-heap-abc' }),
    ]);
    expect(entries(links.previous)).toEqual([[2, 0]]);
    expect(entries(links.next)).toEqual([[0, 2]]);
    expect(links.latest.get(0)).toBe(2);
    expect(links.latest.get(1)).toBe(1);
  });

  it("does not let another sender's change-id make their series the next revision (hijack)", () => {
    // A real v1..v9 of submitter 1, then submitter 2's v10 carrying the same change-id.
    const real = Array.from({ length: 9 }, (_, i) => candidate(i, { day: i * 10, version: i + 1, title: 'real', changeId: 'cid' }));
    const links = linkVersions([...real, candidate(9, { day: 95, version: 10, title: 'forged', submitter: 2, changeId: 'cid' })]);
    expect(links.previous.has(9)).toBe(false);
    expect(links.next.get(8)).toBeUndefined();
    expect(links.latest.get(0)).toBe(8);
    expect(links.latest.get(9)).toBe(9);
  });

  it('links a change-id group in version order even when listed newest first', () => {
    const links = linkVersions([
      candidate(0, { day: 30, version: 3, changeId: 'cid', title: 'c' }),
      candidate(1, { day: 10, version: 2, changeId: 'cid', title: 'b' }),
      candidate(2, { day: 0, version: 1, changeId: 'cid', title: 'a' }),
    ]);
    expect(entries(links.previous)).toEqual([[0, 1], [1, 2]]);
    expect([0, 1, 2].map((i) => links.latest.get(i))).toEqual([0, 0, 0]);
  });

  it('links a revision threaded to an older one (git send-email --in-reply-to)', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 1, title: 'old name' }),
      candidate(1, { day: 5, version: 2, title: 'new name', threadedTo: [0] }),
    ]);
    expect(entries(links.previous)).toEqual([[1, 0]]);
    expect(links.latest.get(0)).toBe(1);
  });

  it('ignores threading to a newer or same-version series', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 2, title: 'x' }),
      candidate(1, { day: 5, version: 2, title: 'y', threadedTo: [0] }),
      candidate(2, { day: 6, version: 1, title: 'z', threadedTo: [0] }),
    ]);
    expect(links.previous.size).toBe(0);
    expect(links.next.size).toBe(0);
  });

  it('links the same submitter and title with a higher version within the window', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 1 }),
      candidate(1, { day: 40, version: 2 }),
    ]);
    expect(entries(links.previous)).toEqual([[1, 0]]);
    expect(entries(links.next)).toEqual([[0, 1]]);
  });

  it('links nothing beyond the window', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 1 }),
      candidate(1, { day: VERSION_WINDOW_DAYS + 1, version: 2 }),
    ]);
    expect(links.previous.size).toBe(0);
    expect(links.next.size).toBe(0);
    expect(links.latest.get(0)).toBe(0);
    expect(links.latest.get(1)).toBe(1);
  });

  it('does not link same titles from other submitters or lists', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 1 }),
      candidate(1, { day: 3, version: 2, submitter: 2 }),
      candidate(2, { day: 4, version: 2, list: 2 }),
    ]);
    expect(links.previous.size).toBe(0);
  });

  it('lets latest follow next links to the newest revision', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 1 }),
      candidate(1, { day: 10, version: 2 }),
      candidate(2, { day: 20, version: 3 }),
      candidate(3, { day: 2, version: 1, title: 'something else' }),
    ]);
    expect(entries(links.previous)).toEqual([[1, 0], [2, 1]]);
    expect(entries(links.next)).toEqual([[0, 1], [1, 2]]);
    expect([0, 1, 2, 3].map((i) => links.latest.get(i))).toEqual([2, 2, 2, 3]);
  });

  it('gives each series at most one previous and one next revision', () => {
    const links = linkVersions([
      candidate(0, { day: 0, version: 1 }),
      candidate(1, { day: 10, version: 2 }),
      candidate(2, { day: 11, version: 2 }),
    ]);
    const previousTargets = [...links.previous.values()];
    expect(new Set(previousTargets).size).toBe(previousTargets.length);
    expect(links.next.size).toBeLessThanOrEqual(1);
  });

  it('normalises titles: lower case, spaces collapsed', () => {
    expect(normaliseTitle('  Mem:  Rework\tthe HEAP ')).toBe('mem: rework the heap');
  });
});

describe('detectListTags', () => {
  it('detects a [dpdk-dev] list tag, replies included', () => {
    const tags = detectListTags([
      { list: 1, subject: '[dpdk-dev] [PATCH 0/9] mem: support external memory' },
      { list: 1, subject: '[dpdk-dev] [PATCH 1/9] mem: one' },
      { list: 1, subject: 'Re: [dpdk-dev] [PATCH 1/9] mem: one' },
      { list: 1, subject: '[dpdk-dev] question about the EAL' },
      { list: 1, subject: 'a subject without the tag' },
    ]);
    expect(tags.get(1)).toBe('dpdk-dev');
  });

  it('detects no tag on a list without one', () => {
    const tags = detectListTags([
      { list: 2, subject: '[PATCH 1/3] watchdog: one' },
      { list: 2, subject: '[PATCH v2 2/3] watchdog: two' },
      { list: 2, subject: 'Re: [PATCH 1/3] watchdog: one' },
      { list: 2, subject: 'question about the pretimeout governor' },
      { list: 2, subject: '[RFC] a proposal' },
    ]);
    expect(tags.get(2)).toBeNull();
  });

  it('never takes [PATCH] (or its spellings) for a list tag', () => {
    const tags = detectListTags([
      { list: 3, subject: '[PATCH] a' },
      { list: 3, subject: '[PATCH] b' },
      { list: 3, subject: 'Re: [PATCH] a' },
      { list: 3, subject: '[PATCHv2] c' },
      { list: 3, subject: '[patch] d' },
    ]);
    expect(tags.get(3)).toBeNull();
  });

  it('keeps lists apart and ignores messages without list or subject', () => {
    const tags = detectListTags([
      { list: 1, subject: '[dpdk-dev] one' },
      { list: 1, subject: '[dpdk-dev] two' },
      { list: 2, subject: '[PATCH] one' },
      { list: 2, subject: 'two' },
      { list: null, subject: '[other] x' },
      { list: 1, subject: null },
    ]);
    expect(tags.get(1)).toBe('dpdk-dev');
    expect(tags.get(2)).toBeNull();
    expect(tags.has(null as unknown as number)).toBe(false);
  });
});

describe('PatchSlots', () => {
  it('answers as a Map would, small and past the size where it becomes one', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 1e6 })), { maxLength: 200 }), (sets) => {
      const slots = new PatchSlots();
      const map = new Map<number, number>();
      for (const [number, id] of sets) {
        expect(slots.has(number)).toBe(map.has(number));
        slots.set(number, id);
        map.set(number, id);
        expect(slots.size).toBe(map.size);
        expect(slots.get(number)).toBe(id);
      }
      expect([...slots]).toEqual([...map]);
      expect([...slots.values()]).toEqual([...map.values()]);
      for (let n = 0; n <= 81; n++) expect(slots.get(n)).toBe(map.get(n));
    }));
  });
});

describe('IdNumbers', () => {
  it('answers as a Map would, for dense row ids and for ids far beyond them', () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(-1, 1.5, 2 ** 53 - 1));
    fc.assert(fc.property(fc.array(fc.tuple(id, fc.double({ noNaN: true })), { maxLength: 300 }), (sets) => {
      const numbers = new IdNumbers();
      const map = new Map<number, number>();
      for (const [key, value] of sets) {
        expect(numbers.has(key)).toBe(map.has(key));
        numbers.set(key, value);
        map.set(key, value);
        expect(numbers.get(key)).toBe(value);
      }
      for (const [key] of sets) expect(numbers.get(key)).toBe(map.get(key));
      for (let key = 0; key <= 310; key++) expect(numbers.get(key)).toBe(map.get(key));
    }));
  });

  it('keeps an id far past the entries it held in the map, also once the dense part grows past it', () => {
    const numbers = new IdNumbers();
    numbers.set(250_000, 1);
    for (let key = 0; key < 100_000; key++) numbers.set(key, key);
    // Grows the dense part to 262,144 slots, over 250,000.
    numbers.set(200_000, 7);
    expect(numbers.get(250_000)).toBe(1);
    numbers.set(250_000, 2);
    expect(numbers.get(250_000)).toBe(2);
    expect(numbers.get(200_000)).toBe(7);
    expect(numbers.get(99_999)).toBe(99_999);
    expect(numbers.get(100_000)).toBeUndefined();
  });
});

describe('SeriesLinker: series let go (options.spill)', () => {
  // Linking a whole index holds a bounded number of series; the others are saved and loaded
  // again when a message reaches them. Holding one series or all must decide the same.
  it('decides the same series, kinds and comments holding one, two or every series at once', () => {
    const subjects = ['[PATCH 1/2] a', '[PATCH 2/2] a', '[PATCH 0/2] a', '[PATCH v2 1/2] a', '[PATCH v2 2/2] a',
      'Re: [PATCH 1/2] a', '[PATCH 1/3] b', '[PATCH 3/3] b', '[PATCH 0/3] b', '[PATCH] c', 'Re: [PATCH] c'];
    const mail = fc.record({
      subject: fc.constantFrom(...subjects),
      minute: fc.integer({ min: 0, max: 120 }),
      refs: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 3 }),
      diff: fc.boolean(),
      submitter: fc.integer({ min: 1, max: 2 }),
    });
    let loads = 0;
    fc.assert(
      fc.property(fc.array(mail, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 2 }), (specs, resident) => {
        const messages: LinkMessage[] = specs.map((s, i) => ({
          id: i + 1, msgid: `<m${i}@x>`, list: 1, date: at(s.minute), submitter: s.submitter, subject: s.subject,
          refs: [...new Set(s.refs.map((r) => `<m${r}@x>`))], hasDiff: s.diff, pullUrl: null, duplicate: false,
        }));
        const inMemory = linkSeries(messages, noDrop);
        const saved = new Map<number, string>();
        const kinds = new Map<number, MessageKind>();
        const comments = new Map<number, LinkedComment>();
        const places = new Map<number, { series: number; number: number }>();
        const linker = new SeriesLinker(noDrop, {
          kind: (id, kind) => kinds.set(id, kind),
          reply: (id, comment) => comment && comments.set(id, comment),
          patch: (m, _info, place) => place && places.set(m.id, place),
        }, {
          spill: {
            resident,
            store: {
              save: (index, s) => saved.set(index, JSON.stringify({ ...s, patches: s.patches.toPairs() })),
              load: (index) => {
                loads++;
                const s = JSON.parse(saved.get(index)!);
                return { ...s, patches: PatchSlots.fromPairs(s.patches) };
              },
            },
          },
        });
        const ordered = [...messages].sort(compareForLinking);
        for (const m of ordered) linker.add(m);
        const byId = new Map(ordered.map((m) => [m.id, m]));
        linker.resolveReplies((id) => byId.get(id)!);
        expect(kinds).toEqual(inMemory.kinds);
        expect(comments).toEqual(inMemory.comments);
        expect(places).toEqual(inMemory.patchSeries);
        expect(linker.seriesCount).toBe(inMemory.series.length);
        const all = Array.from({ length: linker.seriesCount }, (_, index) => linker.seriesAt(index));
        expect(all.map((s) => ({ ...s, patches: [...s.patches] }))).toEqual(inMemory.series.map((s) => ({ ...s, patches: [...s.patches] })));
      }),
      { numRuns: 300 },
    );
    // Series were let go and loaded again (the comparison is not vacuous).
    expect(loads).toBeGreaterThan(100);
  });
});
