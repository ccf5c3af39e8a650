/**
 * Each list's series as a user sees them, by Message-Ids only (row ids differ between indexes):
 * so that an index of several lists can be compared with indexes of each list alone.
 */
import Database from 'better-sqlite3';

export interface SeriesSnapshot {
  key: string;
  name: string | null;
  version: number;
  total: number;
  received: number;
  cover: string | null;
  /** `number msgid` of each patch, in order. */
  patches: string[];
  previous: string | null;
  next: string | null;
  /** Per patch Message-Id, its trailers as `Name: value`, in order. */
  trailers: Record<string, string[]>;
}

/** List-Id → its series, ordered by key Message-Id. */
export function seriesByList(path: string): Map<string, SeriesSnapshot[]> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const series = db.prepare(`SELECT s.id, l.list_id AS list, s.key_msgid AS key, s.name, s.version, s.total, s.received_total AS received,
        c.msgid AS cover, pv.key_msgid AS previous, nx.key_msgid AS next
      FROM series s JOIN lists l ON l.id = s.list_id LEFT JOIN messages c ON c.id = s.cover_id
      LEFT JOIN series pv ON pv.id = s.previous_id LEFT JOIN series nx ON nx.id = s.next_id
      ORDER BY l.list_id, s.key_msgid`).all() as (Omit<SeriesSnapshot, 'patches' | 'trailers'> & { id: number; list: string })[];
    const patches = db.prepare(`SELECT p.number, m.msgid, p.message_id FROM patches p JOIN messages m ON m.id = p.message_id
      WHERE p.series_id = ? ORDER BY p.number, m.msgid`);
    const trailers = db.prepare('SELECT name, value FROM trailers WHERE patch_id = ? ORDER BY position').raw();
    const out = new Map<string, SeriesSnapshot[]>();
    for (const { id, list, ...s } of series) {
      const rows = patches.all(id) as { number: number; msgid: string; message_id: number }[];
      const snapshot: SeriesSnapshot = {
        ...s, patches: rows.map((p) => `${p.number} ${p.msgid}`),
        trailers: Object.fromEntries(rows.map((p) => [p.msgid, (trailers.all(p.message_id) as [string, string][]).map(([n, v]) => `${n}: ${v}`)])),
      };
      out.set(list, [...(out.get(list) ?? []), snapshot]);
    }
    return out;
  } finally {
    db.close();
  }
}
