/**
 * linkVersions finds a series' closest older revision by version and date (OlderRevisions)
 * instead of scanning its title group for every member. This checks it against that scan, kept
 * here as the reference, on random groups with ties, missing dates and windows crossed.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { linkVersions, VERSION_WINDOW_DAYS } from '../../src/series/versions.js';
import type { VersionCandidate, VersionLinks } from '../../src/series/versions.js';

/** linkVersions as it was, with the title step as a scan of the whole group. */
function referenceLinks(series: VersionCandidate[]): VersionLinks {
  const previous = new Map<number, number>();
  const next = new Map<number, number>();
  const byIndex = new Map(series.map((s) => [s.index, s]));
  const ordered = [...series].sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.index - b.index);
  const link = (older: VersionCandidate, newer: VersionCandidate): boolean => {
    if (previous.has(newer.index) || next.has(older.index) || older.index === newer.index) return false;
    previous.set(newer.index, older.index);
    next.set(older.index, newer.index);
    return true;
  };
  const isOlderRevision = (older: VersionCandidate, newer: VersionCandidate) =>
    older.list === newer.list && older.version < newer.version && (older.date ?? '') <= (newer.date ?? '');
  const byChangeId = new Map<string, VersionCandidate[]>();
  for (const s of ordered) {
    if (!s.changeId) continue;
    const key = `${s.list}\u0000${s.changeId}`;
    byChangeId.set(key, [...(byChangeId.get(key) ?? []), s]);
  }
  for (const group of byChangeId.values()) {
    group.sort((a, b) => a.version - b.version || (a.date ?? '').localeCompare(b.date ?? ''));
    for (let i = 1; i < group.length; i++) if (group[i - 1].version < group[i].version) link(group[i - 1], group[i]);
  }
  for (const s of ordered) {
    if (previous.has(s.index)) continue;
    const targets = s.threadedTo.map((i) => byIndex.get(i)).filter((t): t is VersionCandidate => !!t && isOlderRevision(t, s));
    targets.sort((a, b) => b.version - a.version || (b.date ?? '').localeCompare(a.date ?? ''));
    for (const t of targets) if (link(t, s)) break;
  }
  const byTitle = new Map<string, VersionCandidate[]>();
  for (const s of ordered) {
    if (!s.title) continue;
    const key = `${s.list}\u0000${s.submitter}\u0000${s.title}`;
    byTitle.set(key, [...(byTitle.get(key) ?? []), s]);
  }
  const windowMs = VERSION_WINDOW_DAYS * 86400_000;
  for (const group of byTitle.values()) {
    for (const s of group) {
      if (previous.has(s.index)) continue;
      const older = group
        .filter((o) => isOlderRevision(o, s) && !next.has(o.index) && Date.parse(s.date ?? '') - Date.parse(o.date ?? '') <= windowMs)
        .sort((a, b) => b.version - a.version || (b.date ?? '').localeCompare(a.date ?? ''));
      if (older.length) link(older[0], s);
    }
  }
  return { previous, next, latest: new Map() };
}

const DAY = 86400_000;
const dateOf = (days: number | null) => (days === null ? null : new Date(Date.UTC(2023, 0, 1) + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z'));

const candidates = fc.array(
  fc.record({
    list: fc.constantFrom(1, 2),
    submitter: fc.constantFrom(1, 2, null),
    version: fc.integer({ min: 1, max: 4 }),
    // Few distinct days, so that equal dates are common; up to two years, so the window matters.
    days: fc.option(fc.constantFrom(0, 1, 5, 30, 200, 364, 365, 366, 400, 730), { nil: null }),
    title: fc.constantFrom('a', 'b', ''),
    changeId: fc.option(fc.constantFrom('c1', 'c2'), { freq: 5, nil: null }),
    threadedTo: fc.array(fc.nat(30), { maxLength: 2 }),
  }),
  { maxLength: 30 },
).map((rows) => rows.map((r, index): VersionCandidate => ({
  index, list: r.list, submitter: r.submitter, version: r.version, date: dateOf(r.days), title: r.title, changeId: r.changeId, threadedTo: r.threadedTo,
})));

describe('linkVersions by title', () => {
  it('links exactly what a scan of each title group links', () => {
    fc.assert(fc.property(candidates, (series) => {
      const links = linkVersions(series);
      const reference = referenceLinks(series);
      expect([...links.previous].sort((a, b) => a[0] - b[0])).toEqual([...reference.previous].sort((a, b) => a[0] - b[0]));
      expect([...links.next].sort((a, b) => a[0] - b[0])).toEqual([...reference.next].sort((a, b) => a[0] - b[0]));
    }), { numRuns: 2000 });
  });

  it('agrees with the scan on a bot-like group of 3,000 same-titled series', () => {
    // A bot re-sending one title: versions 1-3 over and over, many on the same day.
    const series = Array.from({ length: 3000 }, (_, i): VersionCandidate => ({
      index: i, list: 1, submitter: 1, version: 1 + (i % 3), date: dateOf(Math.floor(i / 4)), title: 'bump', changeId: null, threadedTo: [],
    }));
    const links = linkVersions(series);
    expect(links.previous.size).toBeGreaterThan(1000);
    expect([...links.previous].sort((a, b) => a[0] - b[0])).toEqual([...referenceLinks(series).previous].sort((a, b) => a[0] - b[0]));
  });
});
