/**
 * Links the revisions of a series: v1 → v2 → v3. Evidence, strongest first:
 *  1. a `change-id:` line (b4 writes one in every cover letter) shared by both;
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

  // 1. change-id
  const byChangeId = new Map<string, VersionCandidate[]>();
  for (const s of ordered) {
    if (!s.changeId) continue;
    const key = `${s.list}\u0000${s.changeId}`;
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
    for (const s of group) {
      if (previous.has(s.index)) continue;
      const older = group
        .filter((o) => isOlderRevision(o, s) && !next.has(o.index) && Date.parse(s.date ?? '') - Date.parse(o.date ?? '') <= windowMs)
        .sort((a, b) => b.version - a.version || (b.date ?? '').localeCompare(a.date ?? ''));
      if (older.length) link(older[0], s);
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
