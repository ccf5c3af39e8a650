/** Read side of series, patches, covers and comments: the rows the JSON renderers and CLI need. */
import { decompressRaw } from './raw-codec.js';
import type { SqliteDatabase } from './database.js';

export interface PersonRow {
  id: number;
  name: string | null;
  email: string;
}

export interface ListRow {
  id: number;
  list_id: string;
  name: string | null;
  subject_tag: string | null;
  list_email: string | null;
}

export interface SubmissionRow {
  id: number;
  msgid: string;
  kind: string;
  date: string | null;
  subject: string | null;
  name: string | null;
  content: string | null;
  body: string;
  diff: string | null;
  diff_hash: string | null;
  pull_url: string | null;
  prefixes: string | null;
  number: number | null;
  series_id: number | null;
  list: number | null;
  submitter: number | null;
}

export interface SeriesRowOut {
  id: number;
  list_id: number | null;
  name: string | null;
  date: string | null;
  submitter_id: number | null;
  version: number;
  version_text: string | null;
  total: number;
  received_total: number;
  received_all: number;
  rfc: number;
  cover_id: number | null;
  previous_id: number | null;
  next_id: number | null;
  latest_id: number | null;
  change_id: string | null;
}

export interface HeaderRow {
  name: string;
  /** As written when that differs from the value by more than folding; else the value. */
  text: string;
  /** True when `text` is the unfolded value (the folded original is in messages.raw). */
  unfolded: boolean;
}

export interface TrailerRow {
  patch_id: number;
  name: string;
  value: string;
  origin: string;
  given_in_msgid: string;
}

export class SeriesReader {
  constructor(private readonly db: SqliteDatabase) {}

  person(id: number | null): PersonRow | null {
    if (id === null) return null;
    return (this.db.prepare('SELECT id, name, email FROM people WHERE id = ?').get(id) as PersonRow | undefined) ?? null;
  }

  list(id: number | null): ListRow | null {
    if (id === null) return null;
    const row = this.db.prepare('SELECT id, list_id, name, subject_tag FROM lists WHERE id = ?').get(id) as Omit<ListRow, 'list_email'> | undefined;
    if (!row) return null;
    // The list's address, from the List-Post header of one of its messages (`<mailto:dev@dpdk.org>`).
    const post = this.db.prepare(`SELECT h.value FROM headers h JOIN messages m ON m.id = h.message_id
      WHERE m.list_id = ? AND h.name = 'List-Post' COLLATE NOCASE LIMIT 1`).pluck().get(id) as string | undefined;
    const email = post ? /mailto:([^>\s]+)/i.exec(post)?.[1] ?? null : null;
    return { ...row, list_email: email };
  }

  private static readonly SUBMISSION = `SELECT m.id, m.msgid, m.kind, m.date, m.subject, coalesce(p.name, c.name) AS name, m.content, m.body, m.diff,
      m.diff_hash, m.pull_url, p.prefixes, p.number, coalesce(p.series_id, c.series_id) AS series_id, m.list_id AS list,
      m.from_id AS submitter
    FROM messages m LEFT JOIN patches p ON p.message_id = m.id LEFT JOIN covers c ON c.message_id = m.id`;

  /** A message by Message-Id (with or without brackets) or by numeric id; of a repeated Message-Id, its canonical copy. */
  submission(ref: string | number): SubmissionRow | null {
    if (typeof ref === 'number') {
      return (this.db.prepare(`${SeriesReader.SUBMISSION} WHERE m.id = ?`).get(ref) as SubmissionRow | undefined) ?? null;
    }
    const msgid = ref.startsWith('<') ? ref : `<${ref}>`;
    return (this.db.prepare(`${SeriesReader.SUBMISSION} WHERE m.msgid = ? ORDER BY m.duplicate_of IS NOT NULL, m.id LIMIT 1`).get(msgid) as SubmissionRow | undefined) ?? null;
  }

  series(id: number): SeriesRowOut | null {
    return (this.db.prepare('SELECT * FROM series WHERE id = ?').get(id) as SeriesRowOut | undefined) ?? null;
  }

  /** Series of a message (as patch or cover), or null. */
  seriesOf(messageId: number): SeriesRowOut | null {
    const id = this.db.prepare(`SELECT coalesce((SELECT series_id FROM patches WHERE message_id = ?),
      (SELECT series_id FROM covers WHERE message_id = ?))`).pluck().get(messageId, messageId) as number | null;
    return id === null ? null : this.series(id);
  }

  seriesPatches(seriesId: number): SubmissionRow[] {
    return this.db.prepare(`${SeriesReader.SUBMISSION} WHERE p.series_id = ? ORDER BY p.number`).all(seriesId) as SubmissionRow[];
  }

  /** Headers in order, as written (folding kept). */
  headers(messageId: number): HeaderRow[] {
    const rows = this.db.prepare(`SELECT name, coalesce(raw, value) AS text, raw IS NULL AS unfolded FROM headers
      WHERE message_id = ? ORDER BY position`).all(messageId) as (Omit<HeaderRow, 'unfolded'> & { unfolded: number })[];
    return rows.map((r) => ({ ...r, unfolded: r.unfolded === 1 }));
  }

  trailers(patchId: number): TrailerRow[] {
    return this.db.prepare(`SELECT t.patch_id, t.name, t.value, t.origin, g.msgid AS given_in_msgid FROM trailers t
      JOIN messages g ON g.id = t.given_in WHERE t.patch_id = ? ORDER BY t.position`).all(patchId) as TrailerRow[];
  }

  comments(parent: { patch?: number; cover?: number }): SubmissionRow[] {
    const column = parent.patch !== undefined ? 'patch_id' : 'cover_id';
    return this.db.prepare(`${SeriesReader.SUBMISSION} JOIN comments k ON k.message_id = m.id WHERE k.${column} = ? ORDER BY m.date, m.id`)
      .all(parent.patch ?? parent.cover) as SubmissionRow[];
  }

  raw(messageId: number): Buffer {
    const row = this.db.prepare('SELECT raw, raw_compression FROM messages WHERE id = ?').get(messageId) as { raw: Buffer; raw_compression: string };
    return decompressRaw(row.raw, row.raw_compression);
  }

  /** Newest series first, for `listindex series`. */
  listSeries(options: { limit: number; submitter?: string; list?: string }): Record<string, unknown>[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.submitter) {
      where.push('(submitter_email LIKE ? OR submitter_name LIKE ?)');
      params.push(`%${options.submitter}%`, `%${options.submitter}%`);
    }
    if (options.list) {
      where.push('list_id = ?');
      params.push(options.list);
    }
    return this.db.prepare(`SELECT id, date, submitter_name AS submitter, 'v' || version AS version,
        received_total || '/' || total AS received, name FROM series_overview
      ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY date DESC, id DESC LIMIT ?`).all(...params, options.limit) as Record<string, unknown>[];
  }
}
