/**
 * linkVersions finds a series' closest older revision by version and date (OlderRevisions)
 * instead of scanning its title group for every member. This checks it against that scan, kept
 * here as the reference, on random groups with ties, missing dates and windows crossed.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { linkVersions, VERSION_WINDOW_DAYS } from '../../src/series/versions.js';
import type { VersionCandidate } from '../../src/series/versions.js';

/**
 * linkVersions' title step as it was: for each series, a scan of its whole group. The inputs
 * below carry no change-id and no threading, so the title step is all linkVersions does.
 */
function referenceLinks(series: VersionCandidate[]): Map<number, number> {
  const previous = new Map<number, number>();
  const next = new Map<number, number>();
  const ordered = [...series].sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.index - b.index);
  const byTitle = new Map<string, VersionCandidate[]>();
  for (const s of ordered) {
    if (!s.title) continue;
    const key = `${s.list}\u0000${s.submitter}\u0000${s.title}`;
    byTitle.set(key, [...(byTitle.get(key) ?? []), s]);
  }
  const windowMs = VERSION_WINDOW_DAYS * 86400_000;
  for (const group of byTitle.values()) {
    for (const s of group) {
      const older = group
        .filter((o) => o.version < s.version && (o.date ?? '') <= (s.date ?? '') && !next.has(o.index) &&
          Date.parse(s.date ?? '') - Date.parse(o.date ?? '') <= windowMs)
        .sort((a, b) => b.version - a.version || (b.date ?? '').localeCompare(a.date ?? ''));
      if (older.length) {
        previous.set(s.index, older[0].index);
        next.set(older[0].index, s.index);
      }
    }
  }
  return previous;
}

const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
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
  }),
  { maxLength: 30 },
).map((rows) => rows.map((r, index): VersionCandidate => ({
  index, list: r.list, submitter: r.submitter, version: r.version, date: dateOf(r.days), title: r.title, changeId: null, threadedTo: [],
})));

describe('linkVersions by title', () => {
  it('links exactly what a scan of each title group links', () => {
    fc.assert(fc.property(candidates, (series) => {
      const links = linkVersions(series);
      expect(sorted(links.previous)).toEqual(sorted(referenceLinks(series)));
    }), { numRuns: 2000 });
  });

  it('agrees with the scan on a bot-like group of 3,000 same-titled series', () => {
    // A bot re-sending one title: versions 1-3 over and over, many on the same day.
    const series = Array.from({ length: 3000 }, (_, i): VersionCandidate => ({
      index: i, list: 1, submitter: 1, version: 1 + (i % 3), date: dateOf(Math.floor(i / 4)), title: 'bump', changeId: null, threadedTo: [],
    }));
    const links = linkVersions(series);
    expect(links.previous.size).toBeGreaterThan(1000);
    expect(sorted(links.previous)).toEqual(sorted(referenceLinks(series)));
  });
});
