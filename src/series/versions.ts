/**
 * Links the revisions of a series: v1 → v2 → v3. Evidence, strongest first:
 *  1. a `change-id:` line (b4 writes one in every cover letter) shared by both, from the same
 *     submitter: anyone can copy a change-id into a mail, and another sender's series must not
 *     become the latest revision of someone else's work;
 *  2. the new version threaded to the old one (its cover or first patch references a mail of
 *     the older series, as `git send-email --in-reply-to` does);
 *  3. the same submitter and the same title (cover title, else patch 1's), a higher version,
 *     within VERSION_WINDOW_DAYS.
 * Each series gets at most one previous and one next version; `latest` follows next links.
 */

export interface VersionCandidate {
  /** Index of the series in the caller's array. */
  index: number;
  list: number | null;
  submitter: number | null;
  version: number;
  date: string | null;
  /** Normalised title: the subject without prefixes, lower case, spaces collapsed. */
  title: string;
  changeId: string | null;
  /** Indexes of the series that this one's cover/first patch references (threading). */
  threadedTo: number[];
}

export interface VersionLinks {
  previous: Map<number, number>;
  next: Map<number, number>;
  latest: Map<number, number>;
}

/** Revisions of one series are usually weeks apart; a year apart is another piece of work. */
export const VERSION_WINDOW_DAYS = 365;

export function normaliseTitle(title: string): string {
  return title.toLowerCase().replace(/\s+/g, ' ').trim();
}

export function linkVersions(series: VersionCandidate[]): VersionLinks {
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

  // 1. change-id, within one submitter's series
  const byChangeId = new Map<string, VersionCandidate[]>();
  for (const s of ordered) {
    if (!s.changeId) continue;
    const key = `${s.list}\u0000${s.submitter}\u0000${s.changeId}`;
    const group = byChangeId.get(key);
    if (group) group.push(s);
    else byChangeId.set(key, [s]);
  }
  for (const group of byChangeId.values()) {
    group.sort((a, b) => a.version - b.version || (a.date ?? '').localeCompare(b.date ?? ''));
    for (let i = 1; i < group.length; i++) if (group[i - 1].version < group[i].version) link(group[i - 1], group[i]);
  }

  // 2. threading: the newest older revision it references
  for (const s of ordered) {
    if (previous.has(s.index)) continue;
    const targets = s.threadedTo.map((i) => byIndex.get(i)).filter((t): t is VersionCandidate => !!t && isOlderRevision(t, s));
    targets.sort((a, b) => b.version - a.version || (b.date ?? '').localeCompare(a.date ?? ''));
    for (const t of targets) if (link(t, s)) break;
  }

  // 3. same submitter and title, the closest lower version within the window
  const byTitle = new Map<string, VersionCandidate[]>();
  for (const s of ordered) {
    if (!s.title) continue;
    const key = `${s.list}\u0000${s.submitter}\u0000${s.title}`;
    const group = byTitle.get(key);
    if (group) group.push(s);
    else byTitle.set(key, [s]);
  }
  const windowMs = VERSION_WINDOW_DAYS * 86400_000;
  for (const group of byTitle.values()) {
    const older = new OlderRevisions(group, windowMs);
    for (const s of group) {
      if (previous.has(s.index)) continue;
      const found = older.closest(s, (o) => !next.has(o.index));
      if (found) link(found, s);
    }
  }

  const latest = new Map<number, number>();
  for (const s of series) {
    let at = s.index;
    const seen = new Set<number>();
    while (next.has(at) && !seen.has(at)) {
      seen.add(at);
      at = next.get(at)!;
    }
    latest.set(s.index, at);
  }
  return { previous, next, latest };
}

/**
 * The series of one title group by version, each in date order, to find a series' closest older
 * revision without scanning the whole group for every member: a bot that sends the same title
 * thousands of times made that quadratic. The choice is the one of a full scan: the highest
 * lower version; within it the latest date not after the series' own, within the window; among
 * equal dates the first in the group's order.
 */
class OlderRevisions {
  private readonly byVersion = new Map<number, VersionCandidate[]>();
  private readonly versions: number[];

  constructor(group: VersionCandidate[], private readonly windowMs: number) {
    for (const o of group) {
      // A series without a usable date is never within the window of another.
      if (o.date === null || Number.isNaN(Date.parse(o.date))) continue;
      const list = this.byVersion.get(o.version);
      if (list) list.push(o);
      else this.byVersion.set(o.version, [o]);
    }
    // The group is in (date, index) order, and so is each version's list.
    this.versions = [...this.byVersion.keys()].sort((a, b) => b - a);
  }

  closest(s: VersionCandidate, available: (o: VersionCandidate) => boolean): VersionCandidate | undefined {
    const time = Date.parse(s.date ?? '');
    if (Number.isNaN(time)) return undefined;
    for (const version of this.versions) {
      if (version >= s.version) continue;
      const list = this.byVersion.get(version)!;
      // Past the last one dated at or before s, then back through earlier dates.
      let end = upperBound(list, s.date!);
      while (end > 0) {
        const date = list[end - 1].date!;
        if (time - Date.parse(date) > this.windowMs) break;
        let start = end - 1;
        while (start > 0 && list[start - 1].date === date) start--;
        for (let i = start; i < end; i++) if (available(list[i])) return list[i];
        end = start;
      }
    }
    return undefined;
  }
}

/** Index past the last series dated at or before `date` (dates are ISO-8601: text order is time order). */
function upperBound(list: VersionCandidate[], date: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].date! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
