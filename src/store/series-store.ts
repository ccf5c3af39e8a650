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
import { PatchSlots, SERIES_WINDOW_MS } from '../series/link.js';
import type { EarlierLinking, LinkedSeries, MessageKind, ReferenceStore, SeriesSpill } from '../series/link.js';
import type { SubjectTagCounts } from '../series/list-tag.js';
import type { VersionCandidate } from '../series/versions.js';

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

/** Remembers more prefixes to drop; returns whether any was new. */
export function addDropPrefixes(db: SqliteDatabase, prefixes: string[]): boolean {
  if (!prefixes.length) return false;
  const before = loadSettings(db).dropPrefixes;
  const merged = [...new Set([...before, ...prefixes.map((p) => p.toLowerCase())])].sort();
  db.prepare(`INSERT INTO settings (key, value) VALUES ('drop_prefixes', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
    .run(JSON.stringify(merged));
  return merged.length !== before.length;
}

/**
 * A series as linking makes it, to be written to `series`: its versions' links are indexes into
 * linking's own order until the rows are written (read-model.ts's SeriesRow is the row as stored).
 */
export type LinkedSeriesRow = Omit<LinkedSeries, 'patches' | 'firstPatchName'> & {
  keyMsgid: string;
  receivedTotal: number;
  receivedAll: boolean;
  changeId: string | null;
  /** Indexes into the same array. */
  previous: number | null;
  next: number | null;
  latest: number | null;
};

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
CREATE TEMP TABLE link_series_spill (series_index INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TEMP TABLE link_series_staged (series_index INTEGER PRIMARY KEY, list_id INTEGER, name TEXT, date TEXT, submitter_id INTEGER,
  version INTEGER NOT NULL, version_text TEXT, total INTEGER NOT NULL, received_total INTEGER NOT NULL,
  received_all INTEGER NOT NULL, rfc INTEGER NOT NULL, cover_id INTEGER, previous_index INTEGER, next_index INTEGER,
  latest_index INTEGER, change_id TEXT, key_msgid TEXT NOT NULL, title TEXT NOT NULL,
  version_group INTEGER NOT NULL DEFAULT 0, threaded_to TEXT);
CREATE INDEX temp.link_series_staged_group ON link_series_staged(version_group);
CREATE TEMP TABLE link_version_groups (version_group INTEGER PRIMARY KEY, component INTEGER NOT NULL);
CREATE INDEX temp.link_version_groups_component ON link_version_groups(component);
CREATE TEMP TABLE link_series_rows (id INTEGER PRIMARY KEY, list_id INTEGER, name TEXT, date TEXT, submitter_id INTEGER,
  version INTEGER NOT NULL, version_text TEXT, total INTEGER NOT NULL, received_total INTEGER NOT NULL,
  received_all INTEGER NOT NULL, rfc INTEGER NOT NULL, cover_id INTEGER, previous_id INTEGER, next_id INTEGER,
  latest_id INTEGER, change_id TEXT, key_msgid TEXT NOT NULL);
CREATE TEMP TABLE link_state_series (ordinal INTEGER PRIMARY KEY, series_id INTEGER NOT NULL, title TEXT NOT NULL);
CREATE TEMP TABLE link_state_references (list_key INTEGER NOT NULL, msgid TEXT NOT NULL, ordinal INTEGER NOT NULL,
  PRIMARY KEY (list_key, msgid)) WITHOUT ROWID;
CREATE TEMP TABLE link_state_senders (person_id INTEGER PRIMARY KEY, name TEXT);
CREATE TEMP TABLE link_state_tags (list_id INTEGER NOT NULL, tag TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (list_id, tag)) WITHOUT ROWID;
`;
/**
 * Who sent follow-ups with trailers naming someone at another address, under which name
 * (link_trailer_senders): only for those does the sender's name decide whether the trailers
 * count (trailer-collection.ts, sentBy; its looser address match only makes this list longer).
 */
const TRAILER_SENDERS = `SELECT DISTINCT f.from_id AS person_id, p.name FROM link_facts f JOIN people p ON p.id = f.from_id
  JOIN messages m ON m.id = f.message_id
  WHERE f.own_trailers IS NOT NULL AND m.kind = 'comment' AND EXISTS (SELECT 1 FROM json_each(f.own_trailers) j
    WHERE json_extract(j.value, '$.person') IS NOT NULL AND lower(json_extract(j.value, '$.person.email')) IS NOT lower(p.email))`;

const STAGE_SERIES = `INSERT INTO temp.link_series_staged (series_index, list_id, name, date, submitter_id, version, version_text,
  total, received_total, received_all, rfc, cover_id, latest_index, change_id, key_msgid, title, version_group, threaded_to)
  VALUES (${Array.from({ length: 18 }, () => '?').join(', ')})`;

const TEMP_NAMES = ['link_patches', 'link_covers', 'link_comments', 'link_trailers', 'link_series_ids', 'link_series_spill',
  'link_series_staged', 'link_version_groups', 'link_series_rows',
  'link_state_series', 'link_state_references', 'link_state_tags', 'link_state_senders'];
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
   * Returns the rows added, or -1 when it was filled again.
   */
  catchUpFacts(): { added: number; refilled: boolean } {
    const db = this.db;
    let added = db.prepare(`${LINK_FACTS_INSERT} WHERE m.id > (SELECT coalesce(max(message_id), 0) FROM link_facts)`).run().changes;
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const refilled = count('link_facts') !== count('messages');
    if (refilled) {
      db.exec('DELETE FROM link_facts');
      db.prepare(LINK_FACTS_INSERT).run();
      added = -1;
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
  *factsInLinkingOrder(after: [string, string, number] = ['', '', 0]): IterableIterator<MessageFacts> {
    let key: unknown[] = after;
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
    // A patch linked before (linking new mail) has no place among the new ones: it goes first.
    if (trailers.length) this.insertTrailers(patchId, trailers, from, (this.patchOrd.get(patchId) as number | undefined) ?? -1);
  }

  private insertTrailers(patchId: number, trailers: LinkedTrailer[], from: number, ord: number): void {
    trailers.forEach((t, i) => this.insertTrailer.run(patchId, from + i, t.name, t.value, t.email, t.personName, t.givenIn, t.origin, ord));
  }

  /**
   * Makes the index hold what linking decided: kinds, list tags, series (their ids kept through
   * their key Message-Id), patches, covers, comments and trailers. Only differences are written:
   * returns how many rows of the index changed.
   */
  commit(kindOf: (id: number) => StoredKind | undefined, listTags: Map<number, string | null>,
    state: { tagCounts: SubjectTagCounts }): number {
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

    // A series is known by its list and key Message-Id (a series cross-posted to two lists is
    // one of each): it keeps its id; new series take the next ones, in index order.
    db.prepare(`INSERT INTO temp.link_series_ids (series_index, id) SELECT * FROM (SELECT n.series_index,
        (SELECT max(s.id) FROM series s WHERE s.list_id IS n.list_id AND s.key_msgid = n.key_msgid) AS id
      FROM temp.link_series_staged n) WHERE id IS NOT NULL`).run();
    db.prepare(`INSERT INTO temp.link_series_ids (series_index, id)
      SELECT n.series_index, (SELECT coalesce(max(id), 0) FROM series) + row_number() OVER (ORDER BY n.series_index)
      FROM temp.link_series_staged n WHERE n.series_index NOT IN (SELECT series_index FROM temp.link_series_ids)`).run();
    db.prepare(`INSERT INTO temp.link_series_rows (id, ${SERIES_COLUMNS.join(', ')})
      SELECT i.id, n.list_id, n.name, n.date, n.submitter_id, n.version, n.version_text, n.total, n.received_total,
        n.received_all, n.rfc, n.cover_id, p.id, x.id, l.id, n.change_id, n.key_msgid
      FROM temp.link_series_staged n JOIN temp.link_series_ids i ON i.series_index = n.series_index
      LEFT JOIN temp.link_series_ids p ON p.series_index = n.previous_index
      LEFT JOIN temp.link_series_ids x ON x.series_index = n.next_index
      LEFT JOIN temp.link_series_ids l ON l.series_index = n.latest_index`).run();
    db.prepare(`INSERT INTO temp.link_state_series (ordinal, series_id, title)
      SELECT n.series_index, i.id, n.title FROM temp.link_series_staged n JOIN temp.link_series_ids i ON i.series_index = n.series_index`).run();

    changes += syncFromTemp(db, 'series', 'link_series_rows', ['id'], SERIES_COLUMNS);
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
    // Linking's own state, for the next import to go on from (linkNew).
    changes += syncFromTemp(db, 'link_series', 'link_state_series', ['ordinal'], ['series_id', 'title']);
    changes += syncFromTemp(db, 'link_references', 'link_state_references', ['list_key', 'msgid'], ['ordinal']);
    this.insertTagCounts(state.tagCounts);
    changes += syncFromTemp(db, 'link_subject_tags', 'link_state_tags', ['list_id', 'tag'], ['count']);
    db.prepare(`INSERT INTO temp.link_state_senders (person_id, name) ${TRAILER_SENDERS}`).run();
    changes += syncFromTemp(db, 'link_trailer_senders', 'link_state_senders', ['person_id'], ['name']);
    this.markLinked();
    return changes;
  }

  /**
   * One series as linking made it (`index`: its place in creation order), kept until commit,
   * with what its version links are decided by (`candidate`, see series/versions.ts) and the
   * group its versions are linked within (stagedVersionComponents). Its version links come later
   * (setVersions); until then it is its own latest version.
   */
  stageSeries(index: number, s: Omit<LinkedSeriesRow, 'previous' | 'next' | 'latest'>, candidate: VersionCandidate, group: number): void {
    this.statement(STAGE_SERIES).run(index, s.list, s.name, s.date, s.submitter, s.version, s.versionText, s.total, s.receivedTotal, s.receivedAll ? 1 : 0,
        s.rfc ? 1 : 0, s.cover, index, s.changeId, s.keyMsgid, candidate.title, group,
        candidate.threadedTo.length === 0 ? null : candidate.threadedTo.join(' '));
  }

  /**
   * The staged series' version candidates, a component at a time: `componentOf` joins groups
   * into components (version links never cross components), each read in index order.
   */
  *stagedVersionComponents(componentOf: Map<number, number>): IterableIterator<VersionCandidate[]> {
    const insert = this.db.prepare('INSERT INTO temp.link_version_groups (version_group, component) VALUES (?, ?)');
    for (const [group, component] of componentOf) insert.run(group, component);
    const components = this.db.prepare('SELECT DISTINCT component FROM temp.link_version_groups ORDER BY component').pluck().all() as number[];
    const read = this.db.prepare(`SELECT series_index, list_id, submitter_id, version, date, title, change_id, threaded_to
      FROM temp.link_series_staged WHERE version_group IN (SELECT version_group FROM temp.link_version_groups WHERE component = ?)
      ORDER BY series_index`).raw();
    for (const component of components) {
      yield (read.all(component) as [number, number | null, number | null, number, string | null, string, string | null, string | null][])
        .map(([index, list, submitter, version, date, title, changeId, threadedTo]) => ({
          index, list, submitter, version, date, title, changeId, threadedTo: threadedTo === null ? [] : threadedTo.split(' ').map(Number),
        }));
    }
  }

  /** A staged series' version links (series indexes). */
  setVersions(index: number, previous: number | null, next: number | null, latest: number): void {
    this.statement('UPDATE temp.link_series_staged SET previous_index = ?, next_index = ?, latest_index = ? WHERE series_index = ?')
      .run(previous, next, latest, index);
  }

  /** The staged series that have a previous version: [index, previous, date], by date then index. */
  stagedPreviousVersions(): [number, number, string | null][] {
    return this.db.prepare(`SELECT series_index, previous_index, date FROM temp.link_series_staged WHERE previous_index IS NOT NULL
      ORDER BY coalesce(date, ''), series_index`).raw().all() as [number, number, string | null][];
  }

  /** The series a patch (in a series) or a cover was linked into in this linking, by message id. */
  seriesIndexOf(id: number): number | undefined {
    return (this.statement('SELECT series_index FROM temp.link_patches WHERE message_id = ? AND series_index IS NOT NULL')
      .pluck().get(id) ?? this.statement('SELECT series_index FROM temp.link_covers WHERE message_id = ?').pluck().get(id)) as number | undefined;
  }

  /** Where a linker lets series go (SeriesLinker, options.spill): a row of JSON each. */
  seriesSpill(): SeriesSpill {
    const save = this.db.prepare('INSERT OR REPLACE INTO temp.link_series_spill (series_index, data) VALUES (?, ?)');
    const load = this.db.prepare('SELECT data FROM temp.link_series_spill WHERE series_index = ?').pluck();
    return {
      save: (index, s) => save.run(index, JSON.stringify({ ...s, patches: s.patches.toPairs() })),
      load: (index) => {
        const data = load.get(index) as string | undefined;
        if (data === undefined) throw new Error(`linking: series ${index} was let go but not kept`);
        const s = JSON.parse(data) as Omit<LinkedSeries, 'patches'> & { patches: number[] };
        return { ...s, patches: PatchSlots.fromPairs(s.patches) };
      },
    };
  }

  /** Everything up to here is linked; an import killed before this point links again. */
  private markLinked(): void {
    const db = this.db;
    const last = db.prepare('SELECT date, msgid, message_id FROM link_facts ORDER BY date DESC, msgid DESC, message_id DESC LIMIT 1').raw().get() as
      [string, string, number] | undefined;
    const set = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    set.run('linked_up_to', String(db.prepare('SELECT coalesce(max(id), 0) FROM messages').pluck().get()));
    set.run('linked_position', JSON.stringify(last ?? ['', '', 0]));
    set.run('linked_count', String(db.prepare('SELECT count(*) FROM messages').pluck().get()));
  }

  private insertTagCounts(counts: SubjectTagCounts): void {
    const insert = this.db.prepare('INSERT INTO temp.link_state_tags (list_id, tag, count) VALUES (?, ?, ?)');
    for (const [list, { total, tags }] of counts) {
      insert.run(list, '', total);
      for (const [tag, n] of tags) insert.run(list, tag, n);
    }
  }

  /**
   * The series references of a full relink, kept in SQL as they are registered (synced into
   * link_references at commit) rather than in memory: see SqlReferences.
   */
  referenceStore(): ReferenceStore {
    const expected = this.db.prepare('SELECT count(*) FROM link_facts').pluck().get() as number;
    return new SqlReferences(this.db, expected);
  }

  /** The series references a linker registered, kept until commit (Patchwork's SeriesReference). */
  keepReferences(references: Iterable<[number | null, string, number]>): void {
    const insert = this.db.prepare('INSERT INTO temp.link_state_references (list_key, msgid, ordinal) VALUES (?, ?, ?)');
    for (const [list, msgid, ordinal] of references) insert.run(list ?? 0, msgid, ordinal);
  }

  close(): void {
    this.dropTemp();
  }

  // Linking new mail only (link-step.ts, linkNew): what it reads of the index linked before,
  // and how it writes what it decided (only the rows of what the new mail touched).

  private readonly statements = new Map<string, Statement>();
  /** A statement prepared once per LinkStore (these run once per message or series). */
  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  /** The first message in linking order after `last`, if any: its date. */
  firstDateAfter(last: [string, string, number]): string | null | undefined {
    const date = this.statement(`SELECT date FROM link_facts WHERE (date, msgid, message_id) > (?, ?, ?)
      ORDER BY date, msgid, message_id LIMIT 1`).pluck().get(...last) as string | undefined;
    return date === undefined ? undefined : date || null;
  }

  /** How many series, patches, covers and comments the index holds. */
  linkedCounts(): { series: number; patches: number; covers: number; comments: number } {
    const count = (table: string) => this.statement(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return { series: count('series'), patches: count('patches'), covers: count('covers'), comments: count('comments') };
  }

  /** The message with this Message-Id (not a duplicate, not ignored). */
  linkableCopies(msgid: string): [number, number | null][] {
    return this.statement('SELECT message_id, list_id FROM link_facts WHERE msgid = ? AND duplicate = 0 AND ignored = 0').raw().all(msgid) as [number, number | null][];
  }

  /** Messages whose In-Reply-To or References name this Message-Id. */
  referencingMsgid(msgid: string): number[] {
    return this.statement('SELECT DISTINCT message_id FROM message_references WHERE msgid = ?').pluck().all(msgid) as number[];
  }

  /** A patch's diff hash, from link_facts (patches linked before are not in link_patches). */
  factsDiffHash(id: number): string | null {
    return (this.statement('SELECT diff_hash FROM link_facts WHERE message_id = ?').pluck().get(id) as string | null | undefined) ?? null;
  }

  /** A patch's trailers as the index holds them, in order. */
  storedTrailers(patchId: number): LinkedTrailer[] {
    return (this.statement(`SELECT t.name, t.value, p.email, p.name, t.given_in, t.origin FROM main.trailers t
      LEFT JOIN people p ON p.id = t.person_id WHERE t.patch_id = ? ORDER BY t.position`).raw().all(patchId) as
      [string, string, string | null, string | null, number, string][]).map(
      ([name, value, email, personName, givenIn, origin]) => ({ name, value, email, personName, givenIn, origin }),
    );
  }

  /** Sets a patch's whole trailer list (temporary, until commitNew). */
  setTrailers(patchId: number, trailers: LinkedTrailer[], ord: number): void {
    this.statement('DELETE FROM temp.link_trailers WHERE patch_id = ?').run(patchId);
    this.insertTrailers(patchId, trailers, 0, ord);
  }

  /** A patch or cover linked before whose series is written again (its id may change). */
  keepEarlierMember(id: number, series: number): void {
    this.statement(`INSERT OR IGNORE INTO temp.link_patches (message_id, series_index, number, name, prefixes, ord, diff_hash)
      SELECT message_id, ?, number, name, prefixes, -1, NULL FROM main.patches WHERE message_id = ?`).run(series, id);
    this.statement(`INSERT OR IGNORE INTO temp.link_covers (message_id, series_index, name, total, version)
      SELECT message_id, ?, name, total, version FROM main.covers WHERE message_id = ?`).run(series, id);
  }

  /**
   * Writes what linking new mail decided: the kinds of the new messages, the series it touched
   * (by creation order; an earlier series whose key Message-Id changed gets a new id, as a full
   * relink would give it), their patches and covers, the new comments, the trailer lists of
   * `trailerPatches` (whole), and linking's own state. Returns the rows changed.
   */
  commitNew(upTo: number, kinds: [number, StoredKind][], listTags: Map<number, string | null>, series: Map<number, LinkedSeriesRow & { title: string }>,
    earlierIds: Map<number, number>, trailerPatches: number[], tagCounts: SubjectTagCounts, references: Iterable<[number | null, string, number]>): number {
    const db = this.db;
    let changes = 0;
    const setKind = db.prepare('UPDATE messages SET kind = ? WHERE id = ? AND kind IS NOT ?');
    for (const [id, kind] of kinds) changes += setKind.run(kind, id, kind).changes;
    const setTag = db.prepare('UPDATE lists SET subject_tag = ? WHERE id = ? AND subject_tag IS NOT ?');
    for (const [list, tag] of listTags) changes += setTag.run(tag, list, tag).changes;

    const byKey = db.prepare('SELECT id FROM series WHERE key_msgid = ?').pluck();
    let nextId = ((db.prepare('SELECT max(id) FROM series').pluck().get() as number | null) ?? 0) + 1;
    const ordinals = [...series.keys()].sort((a, b) => a - b);
    const ids = new Map<number, number>();
    for (const o of ordinals) ids.set(o, (byKey.get(series.get(o)!.keyMsgid) as number | undefined) ?? nextId++);
    const ref = (ordinal: number | null) => (ordinal === null ? null : ids.get(ordinal) ?? null);
    const insertId = db.prepare('INSERT INTO temp.link_series_ids (series_index, id) VALUES (?, ?)');
    const insertSeries = db.prepare(`INSERT INTO temp.link_series_rows (id, ${SERIES_COLUMNS.join(', ')})
      VALUES (${['id', ...SERIES_COLUMNS].map(() => '?').join(', ')})`);
    const insertState = db.prepare('INSERT INTO temp.link_state_series (ordinal, series_id, title) VALUES (?, ?, ?)');
    const gone: number[] = [];
    for (const o of ordinals) {
      const s = series.get(o)!;
      const id = ids.get(o)!;
      const before = earlierIds.get(o);
      if (before !== undefined && before !== id) gone.push(before);
      insertId.run(o, id);
      insertState.run(o, id, s.title);
      insertSeries.run(id, s.list, s.name, s.date, s.submitter, s.version, s.versionText, s.total, s.receivedTotal,
        s.receivedAll ? 1 : 0, s.rfc ? 1 : 0, s.cover, ref(s.previous), ref(s.next), ref(s.latest), s.changeId, s.keyMsgid);
    }
    const removeSeries = db.prepare('DELETE FROM series WHERE id = ?');
    for (const id of gone) changes += removeSeries.run(id).changes;
    changes += writeChanged(db, 'series', ['id'], SERIES_COLUMNS, 'SELECT * FROM temp.link_series_rows');
    const withSeriesId = (temp: string, columns: string) => `SELECT n.message_id, s.id AS series_id, ${columns}
      FROM temp.${temp} n LEFT JOIN temp.link_series_ids s ON s.series_index = n.series_index`;
    changes += writeChanged(db, 'patches', ['message_id'], ['series_id', 'number', 'name', 'prefixes'],
      withSeriesId('link_patches', 'n.number, n.name, n.prefixes'), 'update');
    changes += writeChanged(db, 'covers', ['message_id'], ['series_id', 'name', 'total', 'version'],
      withSeriesId('link_covers', 'n.name, n.total, n.version'));
    changes += writeChanged(db, 'comments', ['message_id'], ['parent_id', 'patch_id', 'cover_id'], 'SELECT * FROM temp.link_comments');

    changes += db.prepare(`INSERT INTO people (email, name) SELECT email, person_name FROM temp.link_trailers WHERE email IS NOT NULL
        ORDER BY ord, position ON CONFLICT(email) DO NOTHING`).run().changes;
    const count = db.prepare('SELECT count(*) FROM temp.link_trailers WHERE patch_id = ?').pluck();
    const cut = db.prepare('DELETE FROM main.trailers WHERE patch_id = ? AND position >= ?');
    for (const id of trailerPatches) changes += cut.run(id, count.get(id)).changes;
    changes += writeChanged(db, 'trailers', ['patch_id', 'position'], ['name', 'value', 'person_id', 'given_in', 'origin'],
      `SELECT n.patch_id, n.position, n.name, n.value, p.id AS person_id, n.given_in, n.origin
        FROM temp.link_trailers n LEFT JOIN people p ON p.email = n.email`);

    changes += writeChanged(db, 'link_series', ['ordinal'], ['series_id', 'title'], 'SELECT * FROM temp.link_state_series');
    this.keepReferences(references);
    changes += writeChanged(db, 'link_references', ['list_key', 'msgid'], ['ordinal'], 'SELECT * FROM temp.link_state_references');
    this.insertTagCounts(tagCounts);
    changes += writeChanged(db, 'link_subject_tags', ['list_id', 'tag'], ['count'], 'SELECT * FROM temp.link_state_tags');
    changes += writeChanged(db, 'link_trailer_senders', ['person_id'], ['name'], `${TRAILER_SENDERS} AND f.message_id > ${Number(upTo)}`);
    this.markLinked();
    return changes;
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
  const sameKey = keys.map((k) => `t.${k} = n.${k}`).join(' AND ');
  const removed = db.prepare(`DELETE FROM main.${table} AS t WHERE NOT EXISTS (SELECT 1 FROM temp.${temp} n WHERE ${sameKey})`).run();
  return removed.changes + writeChanged(db, table, keys, columns, source, changed);
}

/** Writes the rows of `source` that `table` lacks or holds otherwise (see syncFromTemp); returns how many. */
function writeChanged(db: SqliteDatabase, table: string, keys: string[], columns: string[], source: string, changed: 'replace' | 'update' = 'replace'): number {
  const all = [...keys, ...columns];
  const sameKey = keys.map((k) => `t.${k} = n.${k}`).join(' AND ');
  // 'update' keeps the columns linking does not write in a changed row; 'replace' rewrites the row.
  const onConflict = changed === 'update'
    ? ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}` : '';
  return db.prepare(`INSERT ${changed === 'replace' ? 'OR REPLACE ' : ''}INTO main.${table} (${all.join(', ')}) SELECT ${all.map((c) => `n.${c}`).join(', ')}
    FROM (${source}) n WHERE NOT EXISTS (SELECT 1 FROM main.${table} t WHERE ${sameKey} AND ${columns.map((c) => `t.${c} IS n.${c}`).join(' AND ')})${onConflict}`).run().changes;
}

/** Where the last linking stopped, as LinkStore.commit / commitNew left it (null: never, or before schema 13). */
export interface LinkedPosition {
  /** The last message in linking order: [date, msgid, id]. */
  last: [string, string, number];
  upTo: number;
  count: number;
}

export function linkedPosition(db: SqliteDatabase): LinkedPosition | null {
  const get = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  const last = get.get('linked_position') as string | undefined;
  const count = get.get('linked_count') as string | undefined;
  if (last === undefined || count === undefined) return null;
  return { last: JSON.parse(last) as [string, string, number], upTo: linkedUpTo(db), count: Number(count) };
}

/**
 * Why the mail stored since `at` cannot be linked on from there (then the whole index is
 * relinked), or null when it can: it must all come after the last message linked, in linking
 * order; no earlier message may name it (a reply linked before its parent arrived, resolved
 * again) or share its Message-Id (the canonical copy may change); nothing may have been deleted;
 * and no list's subject tag may change for mail already linked.
 */
export function whyNotLinkable(db: SqliteDatabase, at: LinkedPosition): string | null {
  const { last, upTo, count } = at;
  // link_facts loses a row with its message, and counts along a narrow index (messages' rows hold the mail).
  if ((db.prepare('SELECT count(*) FROM link_facts WHERE message_id <= ?').pluck().get(upTo) as number) !== count) return 'messages were deleted';
  if ((db.prepare('SELECT count(*) FROM link_series').pluck().get() as number) !== (db.prepare('SELECT count(*) FROM series').pluck().get() as number)) {
    return 'the linking state does not match the series';
  }
  if (db.prepare('SELECT 1 FROM link_trailer_senders s JOIN people p ON p.id = s.person_id WHERE p.name IS NOT s.name LIMIT 1').get()) {
    return 'someone who gave trailers has another name now';
  }
  if (db.prepare(`SELECT 1 FROM link_facts WHERE message_id > ? AND (date, msgid, message_id) <= (?, ?, ?) LIMIT 1`).get(upTo, ...last)) {
    return 'new mail sorts before the last message linked';
  }
  if (db.prepare(`SELECT 1 FROM link_facts n JOIN messages o ON o.msgid = n.msgid AND o.id <= ? WHERE n.message_id > ? LIMIT 1`).get(upTo, upTo)) {
    return 'new mail repeats a Message-Id linked before';
  }
  if (db.prepare(`SELECT 1 FROM link_facts n JOIN message_references r ON r.msgid = n.msgid AND r.message_id <= ? WHERE n.message_id > ? LIMIT 1`).get(upTo, upTo)) {
    return 'mail linked before names new mail';
  }
  return null;
}

/** Subject tag counts of the lists that have mail stored after `upTo`, with that mail counted in. */
export function tagCountsWithNew(db: SqliteDatabase, upTo: number, countNew: (counts: SubjectTagCounts, subjects: Iterable<{ list: number | null; subject: string | null }>) => void):
  { counts: SubjectTagCounts; stored: Map<number, string | null>; hadMail: Set<number> } {
  const lists = db.prepare('SELECT DISTINCT list_id FROM link_facts WHERE message_id > ? AND list_id IS NOT NULL').pluck().all(upTo) as number[];
  const counts: SubjectTagCounts = new Map();
  const stored = new Map<number, string | null>();
  const hadMail = new Set<number>();
  const tagRows = db.prepare('SELECT tag, count FROM link_subject_tags WHERE list_id = ?').raw();
  const tagOf = db.prepare('SELECT subject_tag FROM lists WHERE id = ?').pluck();
  for (const list of lists) {
    const entry = { total: 0, tags: new Map<string, number>() };
    for (const [tag, n] of tagRows.all(list) as [string, number][]) {
      if (tag === '') entry.total = n;
      else entry.tags.set(tag, n);
    }
    if (entry.total > 0) hadMail.add(list);
    counts.set(list, entry);
    stored.set(list, (tagOf.get(list) as string | null | undefined) ?? null);
  }
  const rows = db.prepare('SELECT list_id, subject FROM link_facts WHERE message_id > ?').raw().iterate(upTo) as Iterable<[number | null, string | null]>;
  countNew(counts, (function* () {
    for (const [list, subject] of rows) yield { list, subject };
  })());
  return { counts, stored, hadMail };
}

/** Every list's stored subject tag. */
export function storedListTags(db: SqliteDatabase): Map<number, string | null> {
  return new Map(db.prepare('SELECT id, subject_tag FROM lists').raw().all() as [number, string | null][]);
}

/**
 * The state an earlier linking left, read from SQL as the linker asks (EarlierLinking), and what
 * linking new mail needs to know of the series and messages linked before.
 */
export class EarlierLinkState implements EarlierLinking {
  readonly seriesCount: number;
  private readonly seriesRow;
  private readonly seriesPatches;
  private readonly referenceOf;
  private readonly coverName;
  private readonly kindRow;
  private readonly commentRow;
  private readonly ordinalOfSeries;
  private readonly seriesOfMessageRow;

  private readonly changeIdRows;
  private readonly titleRows;

  constructor(private readonly db: SqliteDatabase, private readonly firstNewDate: string | null) {
    this.changeIdRows = db.prepare(`SELECT l.ordinal FROM series s JOIN link_series l ON l.series_id = s.id
      WHERE s.change_id = ? AND s.list_id IS ? AND s.submitter_id IS ?`).pluck();
    this.titleRows = db.prepare(`SELECT l.ordinal FROM link_series l JOIN series s ON s.id = l.series_id
      WHERE l.title = ? AND l.title <> '' AND s.list_id IS ? AND s.submitter_id IS ?`).pluck();
    this.seriesCount = db.prepare('SELECT coalesce(max(ordinal) + 1, 0) FROM link_series').pluck().get() as number;
    this.seriesRow = db.prepare(`SELECT s.id, s.list_id, s.name, s.date, s.submitter_id, s.version, s.version_text, s.total, s.rfc, s.cover_id,
        s.previous_id, s.next_id, s.change_id, l.title
      FROM link_series l JOIN series s ON s.id = l.series_id WHERE l.ordinal = ?`).raw();
    // In the order they joined: linking order.
    this.seriesPatches = db.prepare(`SELECT p.number, p.message_id FROM patches p JOIN link_facts f ON f.message_id = p.message_id
      WHERE p.series_id = ? AND p.number IS NOT NULL ORDER BY f.date, f.msgid, f.message_id`).raw();
    this.referenceOf = db.prepare('SELECT ordinal FROM link_references WHERE list_key = ? AND msgid = ?').pluck();
    this.coverName = db.prepare('SELECT 1 FROM covers c JOIN messages m ON m.id = c.message_id WHERE c.name = ? AND m.list_id IS ? LIMIT 1').pluck();
    this.kindRow = db.prepare('SELECT kind FROM messages WHERE id = ?').pluck();
    this.commentRow = db.prepare('SELECT patch_id, cover_id FROM comments WHERE message_id = ?').raw();
    this.ordinalOfSeries = db.prepare('SELECT ordinal FROM link_series WHERE series_id = ?').pluck();
    this.seriesOfMessageRow = db.prepare(`SELECT coalesce((SELECT series_id FROM patches WHERE message_id = ?),
      (SELECT series_id FROM covers WHERE message_id = ?))`).pluck();
  }

  private row(index: number) {
    const r = this.seriesRow.get(index) as unknown[] | undefined;
    if (r === undefined) throw new Error(`linking: no series at ${index} in link_series`);
    return r;
  }

  series(index: number): LinkedSeries {
    const r = this.row(index);
    const patches = new PatchSlots();
    for (const [number, id] of this.seriesPatches.all(r[0]) as [number, number][]) patches.set(number, id);
    const cover = r[9] as number | null;
    const name = r[2] as string | null;
    return {
      list: r[1] as number | null, name, date: r[3] as string | null, submitter: r[4] as number | null, version: r[5] as number,
      versionText: r[6] as string | null, total: r[7] as number, rfc: r[8] === 1, cover, patches,
      // Only read when a cover joins, and a cover joins only a series without one, whose name
      // is then patch 1's (or none): see SeriesLinker.linkCover.
      firstPatchName: cover === null ? name : null,
    };
  }

  /** What version linking knew of an earlier series: its id, links (as ordinals), change-id and title. */
  stored(index: number): { id: number; previous: number | null; next: number | null; changeId: string | null; title: string; list: number | null; submitter: number | null } {
    const r = this.row(index);
    const ordinal = (id: number | null) => (id === null ? null : (this.ordinalOfSeries.get(id) as number | undefined) ?? null);
    return {
      id: r[0] as number, list: r[1] as number | null, submitter: r[4] as number | null, previous: ordinal(r[10] as number | null),
      next: ordinal(r[11] as number | null), changeId: r[12] as string | null, title: r[13] as string,
    };
  }

  reference(list: number | null, msgid: string): number | undefined {
    return this.referenceOf.get(list ?? 0, msgid) as number | undefined;
  }

  hasCoverName(list: number | null, name: string): boolean {
    return this.coverName.get(name, list) !== undefined;
  }

  recentSeries(): number[] {
    if (this.firstNewDate === null) return [];
    const time = Date.parse(this.firstNewDate);
    // A day before the window's start: dates are compared as text here, as times in the linker.
    const from = Number.isNaN(time) ? '' : new Date(time - SERIES_WINDOW_MS - 86400_000).toISOString().slice(0, 10);
    return this.db.prepare(`SELECT l.ordinal FROM series s JOIN link_series l ON l.series_id = s.id WHERE s.date >= ? ORDER BY l.ordinal`)
      .pluck().all(from) as number[];
  }

  kindOf(id: number): MessageKind | undefined {
    return (this.kindRow.get(id) as MessageKind | null | undefined) ?? undefined;
  }

  commentTarget(id: number): number | undefined {
    const r = this.commentRow.get(id) as [number | null, number | null] | undefined;
    if (r === undefined) return undefined;
    return r[0] ?? (r[1] === null ? undefined : -r[1]);
  }

  /** The series (ordinal) an earlier patch or cover is in. */
  seriesOfMessage(id: number): number | undefined {
    const series = this.seriesOfMessageRow.get(id, id) as number | null | undefined;
    return series == null ? undefined : (this.ordinalOfSeries.get(series) as number | undefined);
  }

  /** Earlier series of one list and submitter with this change-id. */
  withChangeId(list: number | null, submitter: number | null, changeId: string): number[] {
    return this.group(`c\u0000${list}\u0000${submitter}\u0000${changeId}`, () => this.changeIdRows.all(changeId, list, submitter) as number[]);
  }

  /** Earlier series of one list and submitter with this title. */
  withTitle(list: number | null, submitter: number | null, title: string): number[] {
    return this.group(`t\u0000${list}\u0000${submitter}\u0000${title}`, () => this.titleRows.all(title, list, submitter) as number[]);
  }

  /** Each group is asked for by every member of it that linking reaches: read once. */
  private readonly groups = new Map<string, number[]>();
  private group(key: string, read: () => number[]): number[] {
    let members = this.groups.get(key);
    if (members === undefined) this.groups.set(key, (members = read()));
    return members;
  }
}

/**
 * Series references in the temporary table link_state_references, with a Bloom filter in front:
 * most Message-Ids a patch names were never registered (replies, other lists), and the filter
 * says so for sure without a query; ten bits per reference expected, so about one query in a
 * hundred is wasted. Memory: the filter alone (~1 MB per 800,000 references), not the strings.
 */
class SqlReferences implements ReferenceStore {
  private readonly bits: Uint32Array;
  private readonly size: number;
  private readonly select;
  private readonly insert;

  constructor(db: SqliteDatabase, expectedMessages: number) {
    // About one reference per message (a patch registers its own and its thread's); twice that, to be safe.
    this.size = Math.max(1 << 20, Math.ceil(expectedMessages * 2 * 10 / 32) * 32);
    this.bits = new Uint32Array(this.size / 32);
    this.select = db.prepare('SELECT ordinal FROM temp.link_state_references WHERE list_key = ? AND msgid = ?').pluck();
    this.insert = db.prepare('INSERT INTO temp.link_state_references (list_key, msgid, ordinal) VALUES (?, ?, ?)');
  }

  get(list: number | null, msgid: string): number | undefined {
    if (!this.test(list ?? 0, msgid, false)) return undefined;
    return this.select.get(list ?? 0, msgid) as number | undefined;
  }

  add(list: number | null, msgid: string, series: number): void {
    this.insert.run(list ?? 0, msgid, series);
    this.test(list ?? 0, msgid, true);
  }

  /** Whether all the key's bits are set (setting them first when `set`). Seven bits per key. */
  private test(list: number, msgid: string, set: boolean): boolean {
    // Two 32-bit FNV-1a hashes with different seeds; the k bits are h1 + i·h2.
    let h1 = 0x811c9dc5 ^ list;
    let h2 = 0x01000193 ^ Math.imul(list, 0x9e3779b1);
    for (let i = 0; i < msgid.length; i++) {
      const c = msgid.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h2 |= 1;
    let all = true;
    for (let i = 0; i < 7; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.size;
      const word = bit >>> 5;
      const mask = 1 << (bit & 31);
      if (set) this.bits[word] |= mask;
      else if ((this.bits[word] & mask) === 0) {
        all = false;
        break;
      }
    }
    return all;
  }
}
