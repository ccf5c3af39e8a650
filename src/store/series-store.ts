/**
 * SQL side of series linking: reads the compact per-message facts the linker needs and writes
 * its result (kinds, series, patches, covers, comments, trailers) in one transaction, so a
 * reader never sees a half-written series.
 */
import type { SqliteDatabase } from './database.js';

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
}

export interface StoredTrailer {
  name: string;
  value: string;
  person: { name: string; email: string } | null;
}

export function parseOwnTrailers(json: string | null): StoredTrailer[] {
  return json ? (JSON.parse(json) as StoredTrailer[]) : [];
}

/**
 * The facts linking needs, for every message, in id order. Linking holds them all at once, so
 * they are kept small: trailers stay JSON until they are needed, senders are people ids (see
 * loadPeople), and each referenced Message-Id is the same string as the message's own msgid.
 */
export function loadMessageFacts(db: SqliteDatabase): MessageFacts[] {
  const facts: MessageFacts[] = [];
  const position = new Map<number, number>();
  // One string per Message-Id: references repeat a thread's ids in every reply.
  const interned = new Map<string, string>();
  const intern = (msgid: string) => {
    const known = interned.get(msgid);
    if (known !== undefined) return known;
    interned.set(msgid, msgid);
    return msgid;
  };
  const rows = db.prepare(`SELECT id, msgid, list_id, date, from_id, subject, diff IS NOT NULL AS has_diff,
      pull_url, duplicate_of IS NOT NULL AS duplicate, diff_hash, own_trailers, change_id, patchwork_hint = 'ignore' AS ignored
    FROM messages ORDER BY id`).raw().iterate();
  for (const r of rows as Iterable<unknown[]>) {
    const id = r[0] as number;
    position.set(id, facts.length);
    facts.push({
      id, msgid: intern(r[1] as string), list: r[2] as number | null, date: r[3] as string | null, submitter: r[4] as number | null,
      subject: r[5] as string | null, hasDiff: r[6] === 1, pullUrl: r[7] as string | null, duplicate: r[8] === 1,
      diffHash: r[9] as string | null, ownTrailers: r[10] as string | null, changeId: r[11] as string | null,
      ignored: r[12] === 1,
      inReplyTo: NO_REFS, references: NO_REFS, refs: NO_REFS,
    });
  }
  // Grouped in SQL: one row per message and header instead of one per reference.
  const refs = db.prepare(`SELECT message_id, header, group_concat(msgid, char(1) ORDER BY position)
    FROM message_references GROUP BY message_id, header`).raw().iterate();
  for (const [id, header, ids] of refs as Iterable<[number, string, string]>) {
    const at = position.get(id);
    if (at !== undefined) facts[at][header === 'in-reply-to' ? 'inReplyTo' : 'references'] = ids.split('\u0001').map(intern);
  }
  for (const f of facts) if (f.inReplyTo.length || f.references.length) f.refs = patchworkRefs(f);
  return facts;
}

// Shared by every message without references; frozen, so that a push fails loudly.
const NO_REFS = Object.freeze([]) as unknown as string[];

/** Name and address of every person, by id: loaded once rather than joined into every message's facts. */
export function loadPeople(db: SqliteDatabase): Map<number, { name: string | null; email: string }> {
  const people = new Map<number, { name: string | null; email: string }>();
  for (const [id, email, name] of db.prepare('SELECT id, email, name FROM people').raw().iterate() as Iterable<[number, string, string | null]>) {
    people.set(id, { name, email });
  }
  return people;
}

/** Patchwork's reference order: In-Reply-To first, then References newest → oldest, no repeats. */
export function patchworkRefs(f: Pick<MessageFacts, 'inReplyTo' | 'references'>): string[] {
  // A Set, not Array.includes: hostile mail carries 100,000 References.
  const out = new Set<string>(f.inReplyTo);
  for (let i = f.references.length - 1; i >= 0; i--) out.add(f.references[i]);
  return [...out];
}

/** False when messages were stored after the last linking (an import killed before its end). */
export function isLinked(db: SqliteDatabase): boolean {
  return db.prepare(`SELECT coalesce(max(id), 0) <= coalesce((SELECT CAST(value AS INTEGER) FROM settings
    WHERE key = 'linked_up_to'), 0) FROM messages`).pluck().get() === 1;
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

export interface LinkedRows {
  kinds: Map<number, string>;
  listTags: Map<number, string | null>;
  series: SeriesRow[];
  patches: { messageId: number; series: number | null; number: number | null; name: string; prefixes: string[] }[];
  covers: { messageId: number; series: number; name: string }[];
  comments: { messageId: number; parent: number; patch: number | null; cover: number | null }[];
  trailers: { patchId: number; name: string; value: string; email: string | null; personName: string | null; givenIn: number; origin: string }[];
}

/**
 * Stores the linking result in one transaction, so readers never see half of it. Series ids stay
 * stable through their key msgid. Only rows that changed are written: after a small import most
 * of the result is what is already there.
 */
export function writeLinkResult(db: SqliteDatabase, rows: LinkedRows): void {
  db.transaction(() => {
    const oldIds = new Map(db.prepare('SELECT key_msgid, id FROM series').raw().all() as [string, number][]);
    let nextId = ((db.prepare('SELECT max(id) FROM series').pluck().get() as number | null) ?? 0) + 1;
    const ids = rows.series.map((s) => oldIds.get(s.keyMsgid) ?? nextId++);
    const ref = (index: number | null) => (index === null ? null : ids[index]);

    // Compared while reading, not loaded into a map: linking holds enough of the index as it is.
    const changedKinds: [string, number][] = [];
    for (const [id, kind] of db.prepare('SELECT id, kind FROM messages').raw().iterate() as Iterable<[number, string | null]>) {
      const linked = rows.kinds.get(id);
      if (linked !== undefined && linked !== kind) changedKinds.push([linked, id]);
    }
    const setKind = db.prepare('UPDATE messages SET kind = ? WHERE id = ?');
    for (const [kind, id] of changedKinds) setKind.run(kind, id);

    const setTag = db.prepare('UPDATE lists SET subject_tag = ? WHERE id = ? AND subject_tag IS NOT ?');
    for (const [list, tag] of rows.listTags) setTag.run(tag, list, tag);

    syncTable(db, 'series', ['id'], ['list_id', 'name', 'date', 'submitter_id', 'version', 'version_text', 'total', 'received_total',
      'received_all', 'rfc', 'cover_id', 'previous_id', 'next_id', 'latest_id', 'change_id', 'key_msgid'],
    rows.series.map((s, i) => [ids[i], s.list, s.name, s.date, s.submitter, s.version, s.versionText, s.total, s.receivedTotal,
      s.receivedAll ? 1 : 0, s.rfc ? 1 : 0, s.cover, ref(s.previous), ref(s.next), ref(s.latest), s.changeId, s.keyMsgid]));
    syncTable(db, 'patches', ['message_id'], ['series_id', 'number', 'name', 'prefixes'],
      rows.patches.map((p) => [p.messageId, ref(p.series), p.number, p.name, JSON.stringify(p.prefixes)]));
    syncTable(db, 'covers', ['message_id'], ['series_id', 'name'], rows.covers.map((c) => [c.messageId, ids[c.series], c.name]));
    syncTable(db, 'comments', ['message_id'], ['parent_id', 'patch_id', 'cover_id'],
      rows.comments.map((c) => [c.messageId, c.parent, c.patch, c.cover]));

    const personId = db.prepare('SELECT id FROM people WHERE email = ?').pluck();
    const insertPerson = db.prepare('INSERT INTO people (email, name) VALUES (?, ?) ON CONFLICT(email) DO NOTHING');
    const positions = new Map<number, number>();
    const trailerRows = rows.trailers.map((t) => {
      let person: number | null = null;
      if (t.email) {
        person = (personId.get(t.email) as number | undefined) ?? null;
        if (person === null) {
          insertPerson.run(t.email, t.personName);
          person = personId.get(t.email) as number;
        }
      }
      const position = positions.get(t.patchId) ?? 0;
      positions.set(t.patchId, position + 1);
      return [t.patchId, position, t.name, t.value, person, t.givenIn, t.origin];
    });
    syncTable(db, 'trailers', ['patch_id', 'position'], ['name', 'value', 'person_id', 'given_in', 'origin'], trailerRows);
    // Everything up to this message id is linked; an import killed before this point relinks.
    db.prepare(`INSERT INTO settings (key, value) VALUES ('linked_up_to', (SELECT coalesce(max(id), 0) FROM messages))
      ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run();
  })();
}

/**
 * Makes `table` hold exactly `rows` (key columns first, then the others), writing only the
 * differences. Runs inside the caller's transaction. Keys are integers (one, or two packed into
 * one number), so that comparing a few hundred thousand rows makes almost no strings.
 */
function syncTable(db: SqliteDatabase, table: string, keys: string[], columns: string[], rows: unknown[][]): void {
  const all = [...keys, ...columns];
  const keyOf = (row: unknown[]): number | string => {
    if (keys.length === 1) return row[0] as number;
    const second = row[1] as number;
    return second < KEY_SPAN ? (row[0] as number) * KEY_SPAN + second : `${row[0]}:${second}`;
  };
  const wanted = new Map<number | string, unknown[]>();
  for (const row of rows) wanted.set(keyOf(row), row);
  const changed: unknown[][] = [];
  const removed: unknown[][] = [];
  for (const row of db.prepare(`SELECT ${all.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>) {
    const key = keyOf(row);
    const want = wanted.get(key);
    if (want === undefined) removed.push(row.slice(0, keys.length));
    else if (!sameRow(row, want)) changed.push(want);
    wanted.delete(key);
  }
  // What is left in `wanted` is new.
  const upsert = db.prepare(`INSERT OR REPLACE INTO ${table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')})`);
  for (const row of changed) upsert.run(...row);
  for (const row of wanted.values()) upsert.run(...row);
  const remove = db.prepare(`DELETE FROM ${table} WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}`);
  for (const key of removed) remove.run(...key);
}

// A second key column (a position) below this packs with the first (an id) into one safe integer;
// a larger one (never seen in real mail) is keyed by text.
const KEY_SPAN = 1 << 20;

/** Stored and wanted values compared as SQLite stores them: null/undefined alike, numbers and text as text. */
function sameRow(stored: unknown[], wanted: unknown[]): boolean {
  for (let i = 0; i < wanted.length; i++) {
    const a = stored[i];
    const b = wanted[i];
    if (a === b) continue;
    if ((a === null || a === undefined) && (b === null || b === undefined)) continue;
    if (a === null || a === undefined || b === null || b === undefined || String(a) !== String(b)) return false;
  }
  return true;
}
