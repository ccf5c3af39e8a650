/** Our index seen the way the Patchwork expected-output JSON files describe theirs. */
import type { SqliteDatabase } from '../src/store/database.js';

export interface SeriesView {
  name: string | null;
  version: number;
  total: number;
  received_all: boolean;
  cover_msgid: string | null;
  patches: { msgid: string; number: number; name: string; hash: string | null; pull_url: string | null }[];
}

export function seriesView(db: SqliteDatabase): SeriesView[] {
  const series = db.prepare(`SELECT s.id, s.name, s.version, s.total, s.received_all, c.msgid AS cover_msgid
    FROM series s LEFT JOIN messages c ON c.id = s.cover_id ORDER BY s.date, s.id`).all() as (Omit<SeriesView, 'patches' | 'received_all'> & { id: number; received_all: number })[];
  const patches = db.prepare(`SELECT m.msgid, p.number, p.name, m.diff_hash AS hash, m.pull_url FROM patches p
    JOIN messages m ON m.id = p.message_id WHERE p.series_id = ? ORDER BY p.number`);
  return series.map(({ id, received_all, ...s }) => ({ ...s, received_all: received_all === 1, patches: patches.all(id) as SeriesView['patches'] }));
}

/** Message-Id → kind, for the first stored copy of each Message-Id. */
export function kindsView(db: SqliteDatabase): Map<string, string> {
  const rows = db.prepare('SELECT msgid, kind FROM messages WHERE duplicate_of IS NULL').raw().all() as [string, string][];
  return new Map(rows);
}

/** A series' identity for comparing groupings: its cover and patch Message-Ids. */
export function groupKey(s: { cover_msgid: string | null; patches: { msgid: string }[] }): string {
  return JSON.stringify([s.cover_msgid, s.patches.map((p) => p.msgid).sort()]);
}
