/**
 * SQL side of series linking. Linking reads each message's facts from link_facts (a narrow copy
 * kept in linking order), and writes what it decides into temporary tables as it goes;
 * `LinkStore.commit` then makes the real tables match them, writing only the differences.
 * Nothing of the index is held in memory but the linker's own state, so linking an index of
 * millions of messages stays within bounds.
 * The caller runs it all in one transaction, so a reader never sees a half-written series.
 */
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/** What linking knows of one message, read by id. */
export interface MessageFacts {
  id: number;
  msgid: string;
  list: number | null;
  date: string | null;
  submitter: number | null;
  subject: string | null;
  inReplyTo: string[];
  /** References, oldest first. */
  references: string[];
  /** Both in Patchwork's order (see patchworkRefs): what series linking follows. */
  refs: string[];
  hasDiff: boolean;
  pullUrl: string | null;
  duplicate: boolean;
  /** X-Patchwork-Hint: ignore — the sender asks Patchwork to leave this mail out. */
  ignored: boolean;
  diffHash: string | null;
  /** Trailers written in the message itself (found at import), as stored: JSON, or null. */
  ownTrailers: string | null;
  changeId: string | null;
  /** The sender (people row), or null. */
  from: { name: string | null; email: string } | null;
}

export interface StoredTrailer {
  name: string;
  value: string;
  person: { name: string; email: string } | null;
}

export function parseOwnTrailers(json: string | null): StoredTrailer[] {
  return json ? (JSON.parse(json) as StoredTrailer[]) : [];
}

// Shared by every message without references; frozen, so that a push fails loudly.
const NO_REFS = Object.freeze([]) as unknown as string[];

/**
 * link_facts rows made from messages and message_references; a WHERE clause on `m` picks the
 * messages. The import adds each batch's (see linkFactsStatement); linking adds what is missing.
 */
const LINK_FACTS_INSERT = `INSERT INTO link_facts (date, msgid, message_id, list_id, from_id, subject, has_diff, pull_url,
    duplicate, ignored, diff_hash, own_trailers, change_id, in_reply_to, refs)
  SELECT coalesce(m.date, ''), m.msgid, m.id, m.list_id, m.from_id, m.subject, m.diff IS NOT NULL, m.pull_url,
    m.duplicate_of IS NOT NULL, m.patchwork_hint IS 'ignore', m.diff_hash, m.own_trailers, m.change_id,
    nullif((SELECT json_group_array(r.msgid ORDER BY r.position) FROM message_references r
      WHERE r.message_id = m.id AND r.header = 'in-reply-to'), '[]'),
    nullif((SELECT json_group_array(r.msgid ORDER BY r.position) FROM message_references r
      WHERE r.message_id = m.id AND r.header = 'references'), '[]')
  FROM messages m`;

/** Adds the link_facts rows of messages `first` to `last` (ids), as stored in the same transaction. */
export function linkFactsStatement(db: SqliteDatabase): Statement {
  return db.prepare(`${LINK_FACTS_INSERT} WHERE m.id BETWEEN ? AND ?`);
}

/** Messages read per statement when reading in linking order (factsInLinkingOrder). */
const FACTS_PAGE = 256;

const FACT_COLUMNS = `f.message_id, f.msgid, f.list_id, f.date, f.from_id, f.subject, f.has_diff, f.pull_url, f.duplicate,
  f.ignored, f.diff_hash, f.own_trailers, f.change_id, p.name, p.email, f.in_reply_to, f.refs`;

/** How linking reads link_facts; each must use one of its indexes (a test checks the plans). */
export const LINK_FACTS_READS = {
  /** One message's facts, by id. */
  byId: `SELECT ${FACT_COLUMNS} FROM link_facts f LEFT JOIN people p ON p.id = f.from_id WHERE f.message_id = ?`,
  /** The next page after a key (date, msgid, id), along the table's own order. */
  page: `SELECT ${FACT_COLUMNS} FROM link_facts f LEFT JOIN people p ON p.id = f.from_id
    WHERE (f.date, f.msgid, f.message_id) > (?, ?, ?) ORDER BY f.date, f.msgid, f.message_id LIMIT ${FACTS_PAGE}`,
  /**
   * The copies of a Message-Id that are linked, one per list at most (link_facts_msgid holds just
   * those; see store/canonical-copies.ts). Ignored messages are left out by the linker.
   */
  byMsgid: 'SELECT message_id, list_id FROM link_facts WHERE msgid = ? AND duplicate = 0',
} as const;

const parseIds = (json: string | null) => (json === null ? NO_REFS : (JSON.parse(json) as string[]));

/** Patchwork's reference order: In-Reply-To first, then References newest → oldest, no repeats. */
export function patchworkRefs(f: Pick<MessageFacts, 'inReplyTo' | 'references'>): string[] {
  // A Set, not Array.includes: hostile mail carries 100,000 References.
  const out = new Set<string>(f.inReplyTo);
  for (let i = f.references.length - 1; i >= 0; i--) out.add(f.references[i]);
  return [...out];
}

/** The last message id the index was linked with (0 when never linked). */
export function linkedUpTo(db: SqliteDatabase): number {
  return db.prepare(`SELECT coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'linked_up_to'), 0)`).pluck().get() as number;
}

/** False when messages were stored after the last linking (an import killed before its end). */
export function isLinked(db: SqliteDatabase): boolean {
  return db.prepare('SELECT coalesce(max(id), 0) FROM messages').pluck().get() as number <= linkedUpTo(db);
}

export function loadSettings(db: SqliteDatabase): { dropPrefixes: string[] } {
  const row = db.prepare(`SELECT value FROM settings WHERE key = 'drop_prefixes'`).pluck().get() as string | undefined;
  return { dropPrefixes: row ? (JSON.parse(row) as string[]) : [] };
}

export function addDropPrefixes(db: SqliteDatabase, prefixes: string[]): void {
  if (!prefixes.length) return;
  const merged = [...new Set([...loadSettings(db).dropPrefixes, ...prefixes.map((p) => p.toLowerCase())])].sort();
  db.prepare(`INSERT INTO settings (key, value) VALUES ('drop_prefixes', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
    .run(JSON.stringify(merged));
}


export interface SeriesRow {
  keyMsgid: string;
  list: number | null;
  name: string | null;
  date: string | null;
  submitter: number | null;
  version: number;
  versionText: string | null;
  total: number;
  receivedTotal: number;
  receivedAll: boolean;
  rfc: boolean;
  cover: number | null;
  changeId: string | null;
  /** Indexes into the same array. */
  previous: number | null;
  next: number | null;
  latest: number | null;
}

/** A trailer as linking collects it, before its person has an id. */
export interface LinkedTrailer {
  name: string;
  value: string;
  email: string | null;
  personName: string | null;
  /** The message it was written in. */
  givenIn: number;
  origin: string;
}

export type StoredKind = 'patch' | 'cover' | 'comment' | 'other';

// What linking decides, kept on disk (SQLite's temporary database) rather than in memory until
// it is compared with what the index holds. `ord` is a patch's place in linking order: new
// people from trailers are added in that order, so that their ids do not depend on anything else.
const TEMP_TABLES = `
CREATE TEMP TABLE link_patches (message_id INTEGER PRIMARY KEY, series_index INTEGER, number INTEGER,
  name TEXT NOT NULL, prefixes TEXT NOT NULL, ord INTEGER NOT NULL, diff_hash TEXT);
CREATE TEMP TABLE link_covers (message_id INTEGER PRIMARY KEY, series_index INTEGER NOT NULL, name TEXT NOT NULL, total INTEGER, version INTEGER);
CREATE TEMP TABLE link_comments (message_id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, patch_id INTEGER, cover_id INTEGER);
CREATE TEMP TABLE link_trailers (patch_id INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  email TEXT, person_name TEXT, given_in INTEGER NOT NULL, origin TEXT NOT NULL, ord INTEGER NOT NULL,
  PRIMARY KEY (patch_id, position)) WITHOUT ROWID;
CREATE TEMP TABLE link_series_ids (series_index INTEGER PRIMARY KEY, id INTEGER NOT NULL);
CREATE TEMP TABLE link_series (id INTEGER PRIMARY KEY, list_id INTEGER, name TEXT, date TEXT, submitter_id INTEGER,
  version INTEGER NOT NULL, version_text TEXT, total INTEGER NOT NULL, received_total INTEGER NOT NULL,
  received_all INTEGER NOT NULL, rfc INTEGER NOT NULL, cover_id INTEGER, previous_id INTEGER, next_id INTEGER,
  latest_id INTEGER, change_id TEXT, key_msgid TEXT NOT NULL);
`;
const TEMP_NAMES = ['link_patches', 'link_covers', 'link_comments', 'link_trailers', 'link_series_ids', 'link_series'];
const SERIES_COLUMNS = ['list_id', 'name', 'date', 'submitter_id', 'version', 'version_text', 'total', 'received_total',
  'received_all', 'rfc', 'cover_id', 'previous_id', 'next_id', 'latest_id', 'change_id', 'key_msgid'];

/**
 * Reads facts for the linker and keeps its decisions until `commit`. Must be used inside one
 * transaction (see relinkSeries); `close` drops the temporary tables.
 */
export class LinkStore {
  private readonly factsById;
  private readonly factsPage;
  private readonly insertPatch;
  private readonly insertCover;
  private readonly insertComment;
  private readonly insertTrailer;
  private readonly trailersOfPatch;
  private readonly patchOrd;
  private readonly diffHashOf;
  private readonly referencingMessage;
  private readonly linkedWithMsgid;
  private readonly canonicalWithMsgid;

  constructor(private readonly db: SqliteDatabase) {
    // Temporary tables spill to a file beyond this cache, so linking memory stays flat (the
    // writer keeps its temporary data in memory: IndexWriter).
    db.pragma('temp_store = FILE');
    db.pragma('temp.cache_size = -8192');
    this.dropTemp();
    db.exec(TEMP_TABLES);
    this.factsById = db.prepare(LINK_FACTS_READS.byId).raw();
    this.factsPage = db.prepare(LINK_FACTS_READS.page).raw();
    this.insertPatch = db.prepare('INSERT INTO temp.link_patches (message_id, series_index, number, name, prefixes, ord, diff_hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertCover = db.prepare('INSERT INTO temp.link_covers (message_id, series_index, name, total, version) VALUES (?, ?, ?, ?, ?)');
    this.insertComment = db.prepare('INSERT INTO temp.link_comments (message_id, parent_id, patch_id, cover_id) VALUES (?, ?, ?, ?)');
    this.insertTrailer = db.prepare(`INSERT INTO temp.link_trailers (patch_id, position, name, value, email, person_name, given_in, origin, ord)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.trailersOfPatch = db.prepare(`SELECT name, value, email, person_name, given_in, origin FROM temp.link_trailers
      WHERE patch_id = ? ORDER BY position`).raw();
    this.patchOrd = db.prepare('SELECT ord FROM temp.link_patches WHERE message_id = ?').pluck();
    // Kept with the patch in phase 1: the messages row has it past its body and raw bytes.
    this.diffHashOf = db.prepare('SELECT diff_hash FROM temp.link_patches WHERE message_id = ?').pluck();
    this.linkedWithMsgid = db.prepare(LINK_FACTS_READS.byMsgid).raw();
    this.canonicalWithMsgid = db.prepare('SELECT id FROM messages WHERE msgid = ? AND duplicate_of IS NULL').pluck();
    this.referencingMessage = db.prepare(`SELECT DISTINCT r.message_id FROM message_references r
      WHERE r.msgid = (SELECT msgid FROM messages WHERE id = ?) ORDER BY r.message_id`).pluck();
  }

  /**
   * Brings link_facts up to date: adds the messages stored since linking last ran (message ids
   * only grow), or, should the two tables ever disagree in size, fills it again from scratch.
   * Returns the rows added.
   */
  catchUpFacts(): { added: number; refilled: boolean } {
    const db = this.db;
    let added = db.prepare(`${LINK_FACTS_INSERT} WHERE m.id > (SELECT coalesce(max(message_id), 0) FROM link_facts)`).run().changes;
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const refilled = count('link_facts') !== count('messages');
    if (refilled) {
      db.exec('DELETE FROM link_facts');
      added = db.prepare(LINK_FACTS_INSERT).run().changes;
    }
    return { added, refilled };
  }

  /** Every message's list and subject (for the list tags), streamed. */
  *listSubjects(): IterableIterator<{ list: number | null; subject: string | null }> {
    for (const [list, subject] of this.db.prepare('SELECT list_id, subject FROM link_facts').raw().iterate() as Iterable<[number | null, string | null]>) {
      yield { list, subject };
    }
  }

  facts(id: number): MessageFacts {
    const r = this.factsById.get(id) as unknown[] | undefined;
    if (r === undefined) throw new Error(`linking: no message ${id}`);
    return toFacts(r);
  }

  /**
   * Every message's facts in linking order: by date, then Message-Id, then id (compareForLinking;
   * SQLite compares text as UTF-8 bytes, which differs from JavaScript only for characters beyond
   * the Basic Multilingual Plane). A message without a date sorts first, as there. Read a page
   * at a time (the connection cannot write while a query is open).
   */
  *factsInLinkingOrder(): IterableIterator<MessageFacts> {
    let key: unknown[] = ['', '', 0];
    for (;;) {
      const rows = this.factsPage.all(...key) as unknown[][];
      for (const r of rows) yield toFacts(r);
      if (rows.length < FACTS_PAGE) return;
      const last = rows[rows.length - 1];
      key = [last[3], last[1], last[0]];
    }
  }

  /** The diff hash of a patch added with addPatch. */
  diffHash(id: number): string | null {
    return (this.diffHashOf.get(id) as string | null | undefined) ?? null;
  }

  /** A patch, its place in linking order, and its own trailers (the start of its trailer list). */
  addPatch(id: number, series: number | null, number: number | null, name: string, prefixes: string[], ord: number,
    diffHash: string | null, trailers: LinkedTrailer[]): void {
    this.insertPatch.run(id, series, number, name, JSON.stringify(prefixes), ord, diffHash);
    this.insertTrailers(id, trailers, 0, ord);
  }

  /** The copies of a Message-Id that are linked (not duplicates), as [id, list]: one per list at most. */
  linkedCopies(msgid: string): [number, number | null][] {
    return this.linkedWithMsgid.all(msgid) as [number, number | null][];
  }

  /** The copy that stands for a Message-Id in the index (messages.duplicate_of is not set). */
  canonicalCopy(msgid: string): number | undefined {
    return this.canonicalWithMsgid.get(msgid) as number | undefined;
  }

  /** Messages whose In-Reply-To or References name this message. */
  referencing(id: number): number[] {
    return this.referencingMessage.all(id) as number[];
  }

  /** A cover letter, with the total and version its own subject gives (its series' may differ). */
  addCover(id: number, series: number, name: string, total: number | null, version: number): void {
    this.insertCover.run(id, series, name, total, version);
  }

  addComment(id: number, parent: number, patch: number | null, cover: number | null): void {
    this.insertComment.run(id, parent, patch, cover);
  }

  /** A patch's trailers so far, in order. */
  trailers(patchId: number): LinkedTrailer[] {
    return (this.trailersOfPatch.all(patchId) as [string, string, string | null, string | null, number, string][]).map(
      ([name, value, email, personName, givenIn, origin]) => ({ name, value, email, personName, givenIn, origin }),
    );
  }

  /** Appends trailers to a patch's list (`position` counts on from `from`). */
  appendTrailers(patchId: number, trailers: LinkedTrailer[], from = 0): void {
    if (trailers.length) this.insertTrailers(patchId, trailers, from, this.patchOrd.get(patchId) as number);
  }

  private insertTrailers(patchId: number, trailers: LinkedTrailer[], from: number, ord: number): void {
    trailers.forEach((t, i) => this.insertTrailer.run(patchId, from + i, t.name, t.value, t.email, t.personName, t.givenIn, t.origin, ord));
  }

  /**
   * Makes the index hold what linking decided: kinds, list tags, series (their ids kept through
   * their key Message-Id), patches, covers, comments and trailers. Only differences are written:
   * returns how many rows of the index changed.
   */
  commit(kindOf: (id: number) => StoredKind | undefined, listTags: Map<number, string | null>, series: SeriesRow[]): number {
    const db = this.db;
    let changes = 0;
    // Compared while reading (the kind index covers it); grouped by kind, not a pair per message.
    const changed = new Map<StoredKind, number[]>();
    for (const [id, kind] of db.prepare('SELECT id, kind FROM messages').raw().iterate() as Iterable<[number, string | null]>) {
      const linked = kindOf(id);
      if (linked === undefined || linked === kind) continue;
      let ids = changed.get(linked);
      if (ids === undefined) changed.set(linked, (ids = []));
      ids.push(id);
    }
    const setKind = db.prepare('UPDATE messages SET kind = ? WHERE id = ?');
    for (const [kind, ids] of changed) for (const id of ids) changes += setKind.run(kind, id).changes;

    const setTag = db.prepare('UPDATE lists SET subject_tag = ? WHERE id = ? AND subject_tag IS NOT ?');
    for (const [list, tag] of listTags) changes += setTag.run(tag, list, tag).changes;

    // A series is known by its list and key Message-Id: a series cross-posted to two lists is one of each.
    const seriesKey = (list: number | null, keyMsgid: string) => `${list}\u0000${keyMsgid}`;
    const oldIds = new Map((db.prepare('SELECT list_id, key_msgid, id FROM series').raw().all() as [number | null, string, number][])
      .map(([list, key, id]) => [seriesKey(list, key), id]));
    let nextId = ((db.prepare('SELECT max(id) FROM series').pluck().get() as number | null) ?? 0) + 1;
    const ids = series.map((s) => oldIds.get(seriesKey(s.list, s.keyMsgid)) ?? nextId++);
    oldIds.clear();
    const ref = (index: number | null) => (index === null ? null : ids[index]);
    const insertId = db.prepare('INSERT INTO temp.link_series_ids (series_index, id) VALUES (?, ?)');
    const insertSeries = db.prepare(`INSERT INTO temp.link_series (id, ${SERIES_COLUMNS.join(', ')})
      VALUES (${['id', ...SERIES_COLUMNS].map(() => '?').join(', ')})`);
    series.forEach((s, i) => {
      insertId.run(i, ids[i]);
      insertSeries.run(ids[i], s.list, s.name, s.date, s.submitter, s.version, s.versionText, s.total, s.receivedTotal,
        s.receivedAll ? 1 : 0, s.rfc ? 1 : 0, s.cover, ref(s.previous), ref(s.next), ref(s.latest), s.changeId, s.keyMsgid);
    });

    changes += syncFromTemp(db, 'series', 'link_series', ['id'], SERIES_COLUMNS);
    const withSeriesId = (temp: string, columns: string) => `SELECT n.message_id, s.id AS series_id, ${columns}
      FROM temp.${temp} n LEFT JOIN temp.link_series_ids s ON s.series_index = n.series_index`;
    // Patches also hold what `listindex commits` found (state, commit_ref...): updated, not replaced.
    changes += syncFromTemp(db, 'patches', 'link_patches', ['message_id'], ['series_id', 'number', 'name', 'prefixes'],
      withSeriesId('link_patches', 'n.number, n.name, n.prefixes'), 'update');
    changes += syncFromTemp(db, 'covers', 'link_covers', ['message_id'], ['series_id', 'name', 'total', 'version'],
      withSeriesId('link_covers', 'n.name, n.total, n.version'));
    changes += syncFromTemp(db, 'comments', 'link_comments', ['message_id'], ['parent_id', 'patch_id', 'cover_id']);

    // People named only in trailers become people rows, in linking order (first name wins).
    changes += db.prepare(`INSERT INTO people (email, name) SELECT email, person_name FROM temp.link_trailers WHERE email IS NOT NULL
        ORDER BY ord, position ON CONFLICT(email) DO NOTHING`).run().changes;
    changes += syncFromTemp(db, 'trailers', 'link_trailers', ['patch_id', 'position'], ['name', 'value', 'person_id', 'given_in', 'origin'],
      `SELECT n.patch_id, n.position, n.name, n.value, p.id AS person_id, n.given_in, n.origin
        FROM temp.link_trailers n LEFT JOIN people p ON p.email = n.email`);
    // Everything up to this message id is linked; an import killed before this point relinks.
    db.prepare(`INSERT INTO settings (key, value) VALUES ('linked_up_to', (SELECT coalesce(max(id), 0) FROM messages))
      ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run();
    return changes;
  }

  close(): void {
    this.dropTemp();
  }

  private dropTemp(): void {
    for (const name of TEMP_NAMES) this.db.exec(`DROP TABLE IF EXISTS temp.${name}`);
  }
}

/** A row of LinkStore's facts query as MessageFacts. */
function toFacts(r: unknown[]): MessageFacts {
  const inReplyTo = parseIds(r[15] as string | null);
  const references = parseIds(r[16] as string | null);
  const email = r[14] as string | null;
  return {
    id: r[0] as number, msgid: r[1] as string, list: r[2] as number | null, date: (r[3] as string) || null, submitter: r[4] as number | null,
    subject: r[5] as string | null, hasDiff: r[6] === 1, pullUrl: r[7] as string | null, duplicate: r[8] === 1, ignored: r[9] === 1,
    diffHash: r[10] as string | null, ownTrailers: r[11] as string | null, changeId: r[12] as string | null,
    from: email === null ? null : { name: r[13] as string | null, email },
    inReplyTo, references, refs: inReplyTo.length || references.length ? patchworkRefs({ inReplyTo, references }) : NO_REFS,
  };
}

/**
 * Makes `table` hold exactly the rows of temporary table `temp` (keyed alike), in SQL: rows whose
 * key is gone are deleted, new or changed rows written, equal rows left alone. `source` gives
 * the wanted rows with the table's column names (by default, the temporary table's own).
 */
function syncFromTemp(db: SqliteDatabase, table: string, temp: string, keys: string[], columns: string[], source = `SELECT * FROM temp.${temp}`,
  changed: 'replace' | 'update' = 'replace'): number {
  const all = [...keys, ...columns];
  const sameKey = keys.map((k) => `t.${k} = n.${k}`).join(' AND ');
  const removed = db.prepare(`DELETE FROM main.${table} AS t WHERE NOT EXISTS (SELECT 1 FROM temp.${temp} n WHERE ${sameKey})`).run();
  // 'update' keeps the columns linking does not write in a changed row; 'replace' rewrites the row.
  const onConflict = changed === 'update'
    ? ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}` : '';
  const written = db.prepare(`INSERT ${changed === 'replace' ? 'OR REPLACE ' : ''}INTO main.${table} (${all.join(', ')}) SELECT ${all.map((c) => `n.${c}`).join(', ')}
    FROM (${source}) n WHERE NOT EXISTS (SELECT 1 FROM main.${table} t WHERE ${sameKey} AND ${columns.map((c) => `t.${c} IS n.${c}`).join(' AND ')})${onConflict}`).run();
  return removed.changes + written.changes;
}
