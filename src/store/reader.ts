import { decompressRaw, rawBodySql, rawHeadSql } from './raw-codec.js';
import type { SqliteDatabase } from './database.js';

/** What an index holds; named in snake_case, as the schema names its columns. */
export interface IndexStats {
  messages: number;
  distinct_msgids: number;
  duplicate_msgids: number;
  rejects: number;
  lists: { list_id: string; name: string | null; messages: number; first: string | null; last: string | null }[];
  people: number;
  sources: number;
  imports: number;
  first_date: string | null;
  last_date: string | null;
  received_hops: number;
  ghost_references: number;
}

export function readStats(db: SqliteDatabase): IndexStats {
  const one = <T>(sql: string): T => db.prepare(sql).pluck().get() as T;
  return {
    messages: one<number>('SELECT count(*) FROM messages'),
    distinct_msgids: one<number>('SELECT count(DISTINCT msgid) FROM messages'),
    duplicate_msgids: one<number>('SELECT count(*) FROM messages WHERE duplicate_of IS NOT NULL'),
    rejects: one<number>('SELECT count(*) FROM rejects'),
    lists: db.prepare(`SELECT l.list_id, l.name, count(m.id) AS messages, min(m.date) AS first, max(m.date) AS last
      FROM lists l LEFT JOIN messages m ON m.list_id = l.id GROUP BY l.id ORDER BY messages DESC`).all() as IndexStats['lists'],
    people: one<number>('SELECT count(*) FROM people'),
    sources: one<number>('SELECT count(*) FROM sources'),
    imports: one<number>('SELECT count(*) FROM imports'),
    first_date: one<string | null>('SELECT min(date) FROM messages'),
    last_date: one<string | null>('SELECT max(date) FROM messages'),
    received_hops: one<number>('SELECT count(*) FROM received'),
    ghost_references: one<number>('SELECT count(*) FROM ghost_references'),
  };
}

/** What an index holds of one list; the figures named as in IndexStats. */
export interface ListStats {
  list_id: string;
  name: string | null;
  messages: number;
  distinct_msgids: number;
  duplicate_msgids: number;
  /** Senders of the list's messages. */
  people: number;
  first_date: string | null;
  last_date: string | null;
  series: number;
  /** Series that are the newest revision of themselves (`latest_id = id`). */
  open_series: number;
  /** Patches in the list's series. */
  patches: number;
}

/**
 * The statements of readListStats: each reads the list's own rows through its index entries
 * (messages_list, series_list, patches_series), so a list costs its own size, never a scan of
 * the index (test/store/query-plan.test.ts checks the plans). INDEXED BY: where one list holds
 * most of the index, SQLite's statistics would have it scan the whole table instead, which on
 * an index of many lists is what asking for one list must not cost.
 */
export const LIST_STATS_READS = {
  messages: `SELECT count(*) AS messages, count(DISTINCT msgid) AS distinct_msgids, count(duplicate_of) AS duplicate_msgids,
    count(DISTINCT from_id) AS people FROM messages INDEXED BY messages_list WHERE list_id = @list`,
  dates: `SELECT (SELECT min(date) FROM messages INDEXED BY messages_list WHERE list_id = @list) AS first_date,
    (SELECT max(date) FROM messages INDEXED BY messages_list WHERE list_id = @list) AS last_date`,
  series: `SELECT count(*) AS series, coalesce(sum(s.latest_id = s.id), 0) AS open_series,
    coalesce(sum((SELECT count(*) FROM patches p WHERE p.series_id = s.id)), 0) AS patches FROM series s INDEXED BY series_list WHERE s.list_id = @list`,
} as const;

/** readStats for one list (`lists.id`). */
export function readListStats(db: SqliteDatabase, list: { id: number; list_id: string; name: string | null }): ListStats {
  const row = (sql: string) => db.prepare(sql).get({ list: list.id }) as Record<string, unknown>;
  return {
    list_id: list.list_id, name: list.name,
    ...row(LIST_STATS_READS.messages), ...row(LIST_STATS_READS.dates), ...row(LIST_STATS_READS.series),
  } as ListStats;
}

/** The paths among `paths` that are no source of the index (never imported). */
export function unknownSources(db: SqliteDatabase, paths: readonly string[]): string[] {
  const known = db.prepare('SELECT 1 FROM sources WHERE path = ?').pluck();
  return paths.filter((path) => known.get(path) === undefined);
}

// A From_ line for messages that came from single-message files (.eml, Maildir), as git and
// public-inbox write them.
const SYNTHETIC_FROM_LINE = 'From mboxrd@z Thu Jan  1 00:00:00 1970';

/**
 * Yields an mbox, chunk by chunk: every message found in the chosen sources in the order it was
 * found (each mbox source comes back byte for byte). Messages from single-message files get a
 * From_ line and mboxrd escaping. `list`: only that list's messages (lists.id).
 */
export function* exportMbox(db: SqliteDatabase, options: { sources?: string[]; list?: number } = {}): Generator<Buffer> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.sources?.length) {
    where.push(`s.path IN (${options.sources.map(() => '?').join(',')})`);
    params.push(...options.sources);
  }
  // A list's messages; rejects have no list.
  if (options.list !== undefined) {
    where.push('m.list_id = ?');
    params.push(options.list);
  }
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const rows = db.prepare(`SELECT o.from_line, o.line_ends, coalesce(m.raw, r.raw) AS raw,
      coalesce(m.raw_compression, r.raw_compression) AS raw_compression, ${rawBodySql('m')} AS body, ${rawHeadSql('m')} AS head
      FROM occurrences o JOIN sources s ON s.id = o.source_id
      LEFT JOIN messages m ON m.id = o.message_id LEFT JOIN rejects r ON r.id = o.reject_id
      ${filter} ORDER BY s.path, o.source_offset`).iterate(...params);
  for (const row of rows as Iterable<{ from_line: string | null; line_ends: string | null; raw: Buffer; raw_compression: string; body: Buffer | null; head: string | null }>) {
    const raw = withLineEnds(decompressRaw(row.raw, row.raw_compression, row.body, row.head), row.line_ends);
    if (row.from_line !== null) {
      yield Buffer.from(row.from_line + '\n', 'latin1');
      yield raw;
    } else {
      yield Buffer.from(SYNTHETIC_FROM_LINE + '\n');
      yield escapeMboxrd(raw);
      if (!raw.subarray(-2).equals(Buffer.from('\n\n'))) yield Buffer.from(raw.at(-1) === 0x0a ? '\n' : '\n\n');
    }
  }
}

/** The stored copy with the trailing line breaks of this occurrence (copies differ only there). */
function withLineEnds(raw: Buffer, lineEnds: string | null): Buffer {
  if (lineEnds === null) return raw;
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  if (raw.length - end === lineEnds.length && raw.toString('latin1', end) === lineEnds) return raw;
  return Buffer.concat([raw.subarray(0, end), Buffer.from(lineEnds, 'latin1')]);
}

function escapeMboxrd(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  if (!/^>*From /m.test(text)) return raw;
  return Buffer.from(text.replace(/^(>*From )/gm, '>$1'), 'latin1');
}
