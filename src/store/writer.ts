import type { Statement } from 'better-sqlite3';
import { HEADER_ROW_WIDTH, RECEIVED_ROW_WIDTH } from './records.js';
import type { PreparedMessage, PreparedRecord, PreparedReject, StoredMessage } from './records.js';
import type { Address } from '../types.js';
import type { SqliteDatabase } from './database.js';
import { RAW_COMPRESSION, decompressRaw, headerFieldsOfRows, rawBodySql, rawHeadSql } from './raw-codec.js';
import { linkFactsStatement } from './series-store.js';

// SQLite allows 32,766 bound values per statement; 64 rows of a few columns stay far below.
const MAX_ROWS_PER_INSERT = 64;

export interface BatchCounts {
  stored: number;
  duplicates: number;
  rejected: number;
}

/** What a source looked like once fully read: lets the next import skip it or read only its tail. */
export interface SourceNote {
  path: string;
  kind: string;
  size: number | null;
  messages: number;
  headSha1: string | null;
  readOffset: number | null;
  /** Read to its end (not interrupted, no read error). */
  complete?: boolean;
  /** Where this read started, and the offset of the last message it found (null: none). */
  readFrom?: number;
  lastOffset?: number | null;
  /** Git sources: the last commit read to the end of the history (kept as it was when reading stopped early). */
  gitCommit?: string | null;
  /** Git sources read to the end of their history: a purge begun on them is finished. */
  readToEnd?: boolean;
}

export interface SourceState {
  size: number | null;
  messages: number;
  head_sha1: string | null;
  read_offset: number | null;
  git_commit: string | null;
}

/** A purge noticed in a git source: its history no longer holds the last commit read. */
export interface PurgeNote {
  source: string;
  oldCommit: string;
  newCommit: string;
}

export interface ImportTotals extends BatchCounts {
  files: number;
  unreadable: number;
  messagesFound: number;
  bytes: number;
  seconds: number;
  status: 'complete' | 'interrupted' | 'failed';
}

/**
 * The only code that writes messages. One writer per database; it inserts what the parse
 * workers prepared, in batched transactions, and never parses anything itself.
 */
export class IndexWriter {
  private readonly db: SqliteDatabase;
  private readonly statements: ReturnType<typeof prepareStatements>;
  // Caches of ids already resolved: people and lists repeat on almost every message.
  private readonly personIds = new Map<string, number>();
  private readonly listIds = new Map<string, number>();
  private readonly sourceIds = new Map<string, number>();
  // Per source: from this offset on, no occurrence of an earlier read is left (claimOccurrence).
  private readonly appendsFrom = new Map<number, number>();
  // Sources whose earlier version this import has already kept apart.
  private readonly keptVersions = new Set<number>();
  /** Half-written messages replaced by their complete copy and deleted: linking must run. */
  messagesDropped = 0;

  constructor(db: SqliteDatabase) {
    this.db = db;
    // Statement journals (SQLite's undo log for one statement inside a transaction, which each
    // multi-row INSERT needs) in memory. In temporary files they spill past 64 KB: importing
    // linux-watchdog wrote 3.0 GB in 721,000 write calls, now 1.0 GB in 201,000, and a replay of
    // the writer alone went from 4.7–5.5 s to 3.9 s. They last one statement, so they stay small.
    // (Linking wants its temporary tables on disk, and says so: store/series-store.ts.)
    db.pragma('temp_store = MEMORY');
    this.statements = prepareStatements(db);
  }

  /**
   * Starts an import's row. Rows still `running` belong to imports that were killed (the caller
   * holds the import lock, so none runs): they are closed out as `interrupted`. Their counts are
   * those of the batches they committed (writeBatch keeps them); rows written before it did get
   * theirs from what they stored.
   */
  beginImport(inputs: string[]): number {
    return this.db.transaction(() => {
      this.statements.recountKilledImports.run();
      this.statements.closeKilledImports.run();
      const row = this.statements.beginImport.get(utcNow(), JSON.stringify(inputs)) as { id: number };
      return row.id;
    }).immediate();
  }

  finishImport(importId: number, totals: ImportTotals): void {
    this.statements.finishImport.run({
      id: importId,
      finished_at: utcNow(),
      status: totals.status,
      files: totals.files,
      unreadable: totals.unreadable,
      messages_found: totals.messagesFound,
      stored: totals.stored,
      duplicates: totals.duplicates,
      rejected: totals.rejected,
      bytes: totals.bytes,
      seconds: totals.seconds,
    });
  }

  /** Records a source (file) and what was found in it; returns its id. */
  noteSource(note: SourceNote, importId: number): number {
    const row = this.statements.upsertSource.get(note.path, note.kind, note.size, note.messages, importId, note.headSha1, note.readOffset, note.gitCommit ?? null) as { id: number };
    this.sourceIds.set(note.path, row.id);
    if (note.complete) {
      // Occurrences past the last message read are of an earlier, longer version of the source.
      const end = note.lastOffset === null || note.lastOffset === undefined ? (note.readFrom ?? 0) : note.lastOffset + 1;
      if (this.statements.occurrenceFrom.get(row.id, end)) this.keepEarlierVersion(row.id, importId, end);
    }
    if (note.readToEnd) this.finishPurge(row.id);
    return row.id;
  }

  /**
   * A git source's history was rewritten (a purge): records the purge and sets the source's
   * occurrences aside (as negative offsets, -1 - position) so that reading it again whole puts
   * its current messages back in place; the next complete read (noteSource) finishes the purge.
   * A purge still unfinished (its import was killed) is taken up again, not recorded twice.
   */
  beginPurge(purge: PurgeNote, importId: number): void {
    const s = this.statements;
    this.db.transaction(() => {
      const sourceId = this.sourceId(purge.source, importId, 'git');
      const pending = s.pendingPurge.get(sourceId) as { id: number } | undefined;
      if (pending) {
        s.dropCurrentOccurrences.run(sourceId);
      } else {
        s.setOccurrencesAside.run(sourceId);
        s.insertPurge.run(sourceId, importId, purge.oldCommit, purge.newCommit);
      }
    })();
  }

  /** Messages set aside by beginPurge and not found again: recorded as purged; the rest forgotten. */
  private finishPurge(sourceId: number): void {
    const s = this.statements;
    const pending = s.pendingPurge.get(sourceId) as { id: number } | undefined;
    if (!pending) return;
    const { changes } = s.insertPurgedMessages.run(pending.id, sourceId, sourceId);
    s.setPurgeCount.run(changes, pending.id);
    s.dropSetAside.run(sourceId);
  }

  sourceState(path: string): SourceState | null {
    return (this.statements.sourceState.get(path) as SourceState | undefined) ?? null;
  }

  /**
   * Writes one batch in one transaction; returns what became of its records. `sources` are the
   * sources whose last message is in this batch (or an earlier one): they are recorded as read in
   * the same transaction, so a killed import never marks a source read before its messages are in.
   */
  writeBatch(records: PreparedRecord[], importId: number, sources: SourceNote[] = []): BatchCounts {
    return this.db.transaction(() => {
      const counts: BatchCounts = { stored: 0, duplicates: 0, rejected: 0 };
      let firstNew: number | null = null;
      let lastNew: number | null = null;
      for (const record of records) {
        const sourceId = this.sourceId(record.source, importId);
        if (record.type === 'message') {
          const id = this.writeMessage(record, sourceId, importId);
          if (id === null) {
            counts.duplicates++;
            continue;
          }
          counts.stored++;
          firstNew ??= id;
          lastNew = id;
        } else {
          this.writeReject(record, sourceId, importId);
          counts.rejected++;
        }
      }
      for (const note of sources) this.noteSource(note, importId);
      // The import's row counts what its committed batches hold, so a killed import's row still
      // accounts for what it stored.
      this.statements.countBatch.run(records.length, counts.stored, counts.duplicates, counts.rejected, importId);
      // Full text last, in one statement, from the rows just written. FTS5 writes its pending
      // terms out as a segment at every statement savepoint of the transaction; a per-message
      // insert between the other inserts made a tiny segment per message (and their merges):
      // linux-watchdog's writer spent 1.1 s more on it.
      if (firstNew !== null) {
        this.statements.indexFullText.run(firstNew, lastNew);
        // Linking's narrow copy, made here while the rows are in the page cache and this thread
        // would wait for the parse worker, rather than all at once when linking starts.
        this.statements.addLinkFacts.run(firstNew, lastNew);
      }
      return counts;
    })();
  }

  /**
   * The id of a source, recorded with `kind` if it is new. Batches record their sources as
   * `mbox` until the source is noted at its end; a git source is recorded before it is read, so
   * that it says `git` while its messages are written.
   */
  sourceId(path: string, importId: number, kind = 'mbox'): number {
    const cached = this.sourceIds.get(path);
    if (cached !== undefined) return cached;
    const { id } = this.statements.ensureSource.get(path, kind, importId) as { id: number };
    this.sourceIds.set(path, id);
    return id;
  }

  /** Returns the new message's id, or null when the same content was already stored. */
  private writeMessage(record: PreparedMessage, sourceId: number, importId: number): number | null {
    const s = this.statements;
    const m = record.message;
    const slot = this.claimOccurrence(record, sourceId, importId);
    const existing = s.messageByHash.get(record.contentHash) as { id: number } | undefined;
    if (existing) {
      if (slot === 'free') s.insertOccurrence.run(sourceId, record.offset, record.fromLine, existing.id, null, record.lineEnds);
      return null;
    }
    const firstWithMsgid = s.firstByMsgid.get(m.msgid) as { id: number } | undefined;
    const fromId = m.from ? this.personId(m.from, m.date) : null;
    const listId = m.listId ? this.listId(m.listId, m.listName) : null;
    // Positional values, in the order of the INSERT's columns: binding by name costs a
    // property lookup per column and message on the writer thread, which bounds the import.
    const { id } = s.insertMessage.get(
      m.msgid, m.msgidSynthetic ? 1 : 0, firstWithMsgid?.id ?? null, record.contentHash, listId, m.subject,
      formatSender(m.from), fromId, m.date, m.dateRaw, m.dateSource, m.inReplyTo[0] ?? null, record.texts.body,
      record.size, record.compressed, sourceId, record.offset, importId,
      m.warnings.length ? JSON.stringify(m.warnings) : null,
      // For mail without a diff, Patchwork's content is the body minus its signature: derived on
      // read (api/content.ts) rather than stored a second time.
      record.texts.content, record.texts.diff, record.patch.diffStart, record.patch.diffLength, record.patch.hash, record.patch.pullUrl,
      record.patch.trailers.length
        ? JSON.stringify(record.patch.trailers.map((t) => ({ name: t.name, value: t.value, person: t.person })))
        : null,
      record.patch.changeId, m.patchworkHint, record.patch.provisionalKind, record.rawCompression,
    ) as { id: number };
    this.writeDetails(id, m);
    record.patch.files.forEach((f, position) => s.insertPatchFile.run(id, position, f.path, f.added, f.removed, f.binary ? 1 : 0));
    s.insertOccurrence.run(sourceId, record.offset, record.fromLine, id, null, record.lineEnds);
    return id;
  }

  /**
   * Makes room for a copy found at (source, offset), where an earlier read of the source may
   * have left an occurrence. Sources are read in offset order, so once no earlier row lies at or
   * past an offset, the rest of the read only appends. Otherwise:
   * - the same copy (content and From line) is there: it stays, with these line ends ('same');
   * - the last occurrence of the source is there, and this copy continues it: that one was a
   *   half-written message at the end of a growing file; it is replaced, and the message itself
   *   dropped if it is found nowhere else ('free');
   * - anything else means the source holds other messages than before (rewritten, another
   *   stdin stream): its earlier version is kept whole under a source row of its own, and the
   *   source continues from here with this read ('free').
   */
  private claimOccurrence(record: PreparedRecord, sourceId: number, importId: number): 'same' | 'free' {
    const s = this.statements;
    const appendsFrom = this.appendsFrom.get(sourceId);
    if (appendsFrom !== undefined && record.offset >= appendsFrom) return 'free';
    const rows = s.occurrencesFrom.all(sourceId, record.offset) as EarlierOccurrence[];
    if (rows.length === 0) {
      this.appendsFrom.set(sourceId, record.offset);
      return 'free';
    }
    const there = rows[0];
    if (there.source_offset === record.offset && there.from_line === record.fromLine) {
      if (there.content_hash === record.contentHash && (record.type === 'message') === (there.message_id !== null)) {
        if (record.lineEnds !== null) s.setLineEnds.run(record.lineEnds, sourceId, record.offset);
        return 'same';
      }
      if (rows.length === 1 && this.continues(there, record)) {
        s.deleteOccurrence.run(sourceId, record.offset);
        this.dropIfNowhere(there);
        this.appendsFrom.set(sourceId, record.offset);
        return 'free';
      }
    }
    this.keepEarlierVersion(sourceId, importId, record.offset);
    this.appendsFrom.set(sourceId, record.offset);
    return 'free';
  }

  /** Is the earlier copy's text (without its trailing line breaks) a beginning of this copy's? */
  private continues(there: EarlierOccurrence, record: PreparedRecord): boolean {
    if (record.lineEnds === null) return false; // oversized: only its head is known
    const stored = (there.message_id !== null ? this.statements.messageRaw : this.statements.rejectRaw)
      .get(there.message_id ?? there.reject_id) as { raw: Buffer; raw_compression: string; body: Buffer | null; head: string | null; size: number } | undefined;
    if (!stored) return false;
    const earlier = decompressRaw(stored.raw, stored.raw_compression, stored.body, stored.head);
    if (earlier.length !== stored.size) return false; // an oversized reject's head
    const now = record.type === 'message'
      ? decompressRaw(record.compressed, record.rawCompression, record.texts.body, headerFieldsOfRows(record.message.headerRows))
      : decompressRaw(record.compressed, record.rawCompression, null);
    let end = earlier.length;
    while (end > 0 && (earlier[end - 1] === 0x0a || earlier[end - 1] === 0x0d)) end--;
    return end < now.length && now.subarray(0, end).equals(earlier.subarray(0, end));
  }

  /** Deletes a message or reject replaced by its complete copy, unless another occurrence has it. */
  private dropIfNowhere(there: EarlierOccurrence): void {
    const s = this.statements;
    if (there.reject_id !== null) {
      if (!s.rejectOccurs.get(there.reject_id)) s.deleteReject.run(there.reject_id);
      return;
    }
    const id = there.message_id!;
    if (s.messageOccurs.get(id)) return;
    const row = s.messageForDelete.get(id) as { msgid: string; subject: string | null; sender: string | null; body: string };
    s.deleteFullText.run(id, row.subject, row.sender, row.body);
    for (const statement of s.deleteMessageRows) statement.run(id);
    // Later copies with its Message-Id pointed at it: the first of them is now the first.
    const first = s.firstByMsgid.get(row.msgid) as { id: number } | undefined;
    if (first) {
      s.renumberDuplicates.run(first.id, first.id, row.msgid);
      s.renumberLinkFacts.run(first.id, row.msgid);
    }
    this.messagesDropped++;
  }

  /**
   * The source's occurrences describe an earlier version from `offset` on: all of them are
   * copied to a new source row (`<path> (before import N)`), and those from `offset` on leave
   * the source, which this read continues.
   */
  private keepEarlierVersion(sourceId: number, importId: number, offset: number): void {
    const s = this.statements;
    if (!this.keptVersions.has(sourceId)) {
      const { id } = s.copySource.get(importId, importId, sourceId) as { id: number };
      s.copyOccurrences.run(id, sourceId);
      this.keptVersions.add(sourceId);
    }
    s.deleteOccurrencesFrom.run(sourceId, offset);
  }

  private writeDetails(id: number, m: StoredMessage): void {
    const s = this.statements;
    // One multi-row INSERT per message and table: ~30 header rows for the price of one call.
    // The rows come whole from the worker but for the message id, set here in place.
    this.insertMany('headers', HEADER_ROW_WIDTH, withMessageId(id, m.headerRows, HEADER_ROW_WIDTH));
    this.insertMany('received', RECEIVED_ROW_WIDTH, withMessageId(id, m.receivedRows, RECEIVED_ROW_WIDTH));
    m.inReplyTo.forEach((ref, position) => s.insertReference.run(id, 'in-reply-to', position, ref));
    m.references.forEach((ref, position) => s.insertReference.run(id, 'references', position, ref));
    m.attachments.forEach((a, position) =>
      s.insertAttachment.run(id, position, a.filename, a.contentType, a.size, a.disposition),
    );
  }

  private readonly manyStatements = new Map<string, Statement>();

  /** INSERT of `values.length / width` rows at once, in chunks of at most MAX_ROWS_PER_INSERT. */
  private insertMany(table: string, width: number, values: unknown[]): void {
    if (values.length === 0) return;
    for (let at = 0; at < values.length; at += width * MAX_ROWS_PER_INSERT) {
      const whole = at === 0 && values.length <= width * MAX_ROWS_PER_INSERT;
      const chunk = whole ? values : values.slice(at, at + width * MAX_ROWS_PER_INSERT);
      const rows = chunk.length / width;
      const key = `${table}:${rows}`;
      let statement = this.manyStatements.get(key);
      if (!statement) {
        const row = `(${Array(width).fill('?').join(', ')})`;
        statement = this.db.prepare(`INSERT INTO ${table} VALUES ${Array(rows).fill(row).join(', ')}`);
        this.manyStatements.set(key, statement);
      }
      statement.run(chunk);
    }
  }

  private writeReject(record: PreparedReject, sourceId: number, importId: number): void {
    const s = this.statements;
    const slot = this.claimOccurrence(record, sourceId, importId);
    const existing = s.rejectByHash.get(record.contentHash) as { id: number } | undefined;
    const rejectId =
      existing?.id ??
      (s.insertReject.get(record.contentHash, sourceId, record.offset, record.size, record.reason, record.compressed, importId) as { id: number }).id;
    if (slot === 'free') s.insertOccurrence.run(sourceId, record.offset, record.fromLine, null, rejectId, record.lineEnds);
  }

  /**
   * A person is one address, matched case-insensitively. Their name is the latest one given in
   * a From header (by message date, so the result does not depend on import order).
   */
  private personId(address: Address, date: string | null): number {
    const key = address.email.toLowerCase();
    const name = address.name?.trim() || null;
    const cached = this.personIds.get(key);
    if (cached !== undefined && !name) return cached;
    const s = this.statements;
    if (name) s.upsertPersonName.run(address.email, name, date ?? '');
    else s.insertPerson.run(address.email, null, null);
    const { id } = s.personByEmail.get(address.email) as { id: number };
    // A cache, not a copy of the people table: bounded, so that a list of millions of senders
    // does not grow the importer.
    if (this.personIds.size >= MAX_CACHED_PEOPLE) this.personIds.clear();
    this.personIds.set(key, id);
    return id;
  }

  private listId(listId: string, name: string | null): number {
    const cached = this.listIds.get(listId);
    if (cached !== undefined) return cached;
    const { id } = this.statements.upsertList.get(listId, name) as { id: number };
    this.listIds.set(listId, id);
    return id;
  }
}

const MAX_CACHED_PEOPLE = 50_000;

/** An occurrence an earlier read of a source left at or past an offset, with its copy's content hash. */
interface EarlierOccurrence {
  source_offset: number;
  from_line: string | null;
  message_id: number | null;
  reject_id: number | null;
  content_hash: string | null;
}

/** Dates in the index are UTC ISO-8601 to the second (docs/schema.md). */
function utcNow(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Rows of `width` values whose first column is the message id: set to `id`, in place. */
function withMessageId<T>(id: number, rows: (T | number)[], width: number): (T | number)[] {
  for (let at = 0; at < rows.length; at += width) rows[at] = id;
  return rows;
}

function formatSender(from: Address | null): string | null {
  if (!from) return null;
  return from.name ? `${from.name} <${from.email}>` : from.email;
}

function prepareStatements(db: SqliteDatabase) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    beginImport: p(`INSERT INTO imports (started_at, arguments, status) VALUES (?, ?, 'running') RETURNING id`),
    recountKilledImports: p(`UPDATE imports SET
        stored = (SELECT count(*) FROM messages m WHERE m.import_id = imports.id),
        rejected = (SELECT count(*) FROM rejects r WHERE r.import_id = imports.id),
        messages_found = (SELECT count(*) FROM messages m WHERE m.import_id = imports.id)
          + (SELECT count(*) FROM rejects r WHERE r.import_id = imports.id)
      WHERE status = 'running' AND messages_found = 0`),
    closeKilledImports: p(`UPDATE imports SET status = 'interrupted' WHERE status = 'running'`),
    countBatch: p(`UPDATE imports SET messages_found = messages_found + ?, stored = stored + ?, duplicates = duplicates + ?,
        rejected = rejected + ? WHERE id = ?`),
    finishImport: p(`UPDATE imports SET finished_at = :finished_at, status = :status, files = :files,
      unreadable = :unreadable, messages_found = :messages_found, stored = :stored, duplicates = :duplicates,
      rejected = :rejected, bytes = :bytes, seconds = :seconds WHERE id = :id`),
    upsertSource: p(`INSERT INTO sources (path, kind, size, messages, last_import_id, head_sha1, read_offset, git_commit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, size = excluded.size, messages = excluded.messages,
        last_import_id = excluded.last_import_id, head_sha1 = excluded.head_sha1, read_offset = excluded.read_offset,
        git_commit = excluded.git_commit
      RETURNING id`),
    ensureSource: p(`INSERT INTO sources (path, kind, last_import_id) VALUES (?, ?, ?)
      ON CONFLICT(path) DO UPDATE SET path = excluded.path RETURNING id`),
    sourceState: p(`SELECT size, messages, head_sha1, read_offset, git_commit FROM sources WHERE path = ?`),
    pendingPurge: p(`SELECT id FROM purges WHERE source_id = ? AND messages IS NULL ORDER BY id DESC LIMIT 1`),
    setOccurrencesAside: p(`UPDATE occurrences SET source_offset = -1 - source_offset WHERE source_id = ? AND source_offset >= 0`),
    dropCurrentOccurrences: p(`DELETE FROM occurrences WHERE source_id = ? AND source_offset >= 0`),
    insertPurge: p(`INSERT INTO purges (source_id, import_id, old_commit, new_commit) VALUES (?, ?, ?, ?)`),
    insertPurgedMessages: p(`INSERT OR IGNORE INTO purged_messages (purge_id, message_id)
      SELECT DISTINCT ?, o.message_id FROM occurrences o WHERE o.source_id = ? AND o.source_offset < 0 AND o.message_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM occurrences c WHERE c.message_id = o.message_id AND c.source_id = ? AND c.source_offset >= 0)`),
    setPurgeCount: p(`UPDATE purges SET messages = ? WHERE id = ?`),
    dropSetAside: p(`DELETE FROM occurrences WHERE source_id = ? AND source_offset < 0`),
    messageByHash: p(`SELECT id FROM messages WHERE content_hash = ?`),
    firstByMsgid: p(`SELECT id FROM messages WHERE msgid = ? ORDER BY id LIMIT 1`),
    insertMessage: p(`INSERT INTO messages (msgid, msgid_synthetic, duplicate_of, content_hash, list_id, subject,
        sender, from_id, date, date_raw, date_source, in_reply_to, body, size, raw, source_id, source_offset,
        import_id, warnings, content, diff_text, diff_start, diff_length, diff_hash, pull_url, own_trailers, change_id, patchwork_hint, kind, raw_compression)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?,
        CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?, ?)
      RETURNING id`),
    addLinkFacts: linkFactsStatement(db),
    indexFullText: p(`INSERT INTO messages_fts (rowid, subject, sender, body)
      SELECT id, subject, sender, body FROM messages WHERE id BETWEEN ? AND ?`),
    insertReference: p(`INSERT OR IGNORE INTO message_references (message_id, header, position, msgid) VALUES (?, ?, ?, ?)`),
    insertAttachment: p(`INSERT INTO attachments (message_id, position, filename, content_type, size, disposition)
      VALUES (?, ?, ?, ?, ?, ?)`),
    insertPatchFile: p(`INSERT INTO patch_files (message_id, position, path, added, removed, binary) VALUES (?, ?, ?, ?, ?, ?)`),
    rejectByHash: p(`SELECT id FROM rejects WHERE content_hash = ?`),
    insertReject: p(`INSERT INTO rejects (content_hash, source_id, source_offset, size, reason, raw, import_id, raw_compression)
      VALUES (?, ?, ?, ?, ?, ?, ?, '${RAW_COMPRESSION}') RETURNING id`),
    insertOccurrence: p(`INSERT INTO occurrences (source_id, source_offset, from_line, message_id, reject_id, line_ends)
      VALUES (?, ?, ?, ?, ?, ?)`),
    occurrenceFrom: p(`SELECT 1 FROM occurrences WHERE source_id = ? AND source_offset >= ? LIMIT 1`),
    occurrencesFrom: p(`SELECT o.source_offset, o.from_line, o.message_id, o.reject_id,
        coalesce((SELECT content_hash FROM messages WHERE id = o.message_id), (SELECT content_hash FROM rejects WHERE id = o.reject_id)) AS content_hash
      FROM occurrences o WHERE o.source_id = ? AND o.source_offset >= ? ORDER BY o.source_offset LIMIT 2`),
    setLineEnds: p(`UPDATE occurrences SET line_ends = ? WHERE source_id = ? AND source_offset = ?`),
    deleteOccurrence: p(`DELETE FROM occurrences WHERE source_id = ? AND source_offset = ?`),
    deleteOccurrencesFrom: p(`DELETE FROM occurrences WHERE source_id = ? AND source_offset >= ?`),
    copySource: p(`INSERT INTO sources (path, kind, size, messages, last_import_id, head_sha1, read_offset, replaced_by_import)
      SELECT path || ' (before import ' || CAST(? AS INTEGER) || ')', kind, size, messages, last_import_id, head_sha1, read_offset, ?
      FROM sources WHERE id = ? RETURNING id`),
    copyOccurrences: p(`INSERT INTO occurrences (source_id, source_offset, from_line, message_id, reject_id, line_ends)
      SELECT ?, source_offset, from_line, message_id, reject_id, line_ends FROM occurrences WHERE source_id = ?`),
    messageRaw: p(`SELECT raw, raw_compression, ${rawBodySql()} AS body, ${rawHeadSql()} AS head, size FROM messages WHERE id = ?`),
    rejectRaw: p(`SELECT raw, raw_compression, NULL AS body, NULL AS head, size FROM rejects WHERE id = ?`),
    messageOccurs: p(`SELECT 1 FROM occurrences WHERE message_id = ? LIMIT 1`),
    rejectOccurs: p(`SELECT 1 FROM occurrences WHERE reject_id = ? LIMIT 1`),
    deleteReject: p(`DELETE FROM rejects WHERE id = ?`),
    messageForDelete: p(`SELECT msgid, subject, sender, body FROM messages WHERE id = ?`),
    deleteFullText: p(`INSERT INTO messages_fts (messages_fts, rowid, subject, sender, body) VALUES ('delete', ?, ?, ?, ?)`),
    deleteMessageRows: ['headers', 'received', 'message_references', 'attachments', 'patch_files', 'link_facts']
      .map((table) => p(`DELETE FROM ${table} WHERE message_id = ?`))
      .concat(p(`DELETE FROM messages WHERE id = ?`)),
    renumberLinkFacts: p(`UPDATE link_facts SET duplicate = (message_id != ?) WHERE msgid = ?`),
    renumberDuplicates: p(`UPDATE messages SET duplicate_of = CASE WHEN id = ? THEN NULL ELSE ? END WHERE msgid = ?`),
    insertPerson: p(`INSERT INTO people (email, name, name_date) VALUES (?, ?, ?) ON CONFLICT(email) DO NOTHING`),
    upsertPersonName: p(`INSERT INTO people (email, name, name_date) VALUES (?, ?, ?)
      ON CONFLICT(email) DO UPDATE SET name = excluded.name, name_date = excluded.name_date
      WHERE people.name IS NULL OR people.name_date IS NULL OR excluded.name_date > people.name_date
        OR (excluded.name_date = people.name_date AND excluded.name > people.name)`),
    personByEmail: p(`SELECT id FROM people WHERE email = ?`),
    upsertList: p(`INSERT INTO lists (list_id, name) VALUES (?, ?)
      ON CONFLICT(list_id) DO UPDATE SET name = coalesce(lists.name, excluded.name) RETURNING id`),
  };
}

/** Marks the imports still `running` as `failed` (under the import lock only ours can be); best effort. */
export function markFailed(db: SqliteDatabase): void {
  try {
    db.prepare(`UPDATE imports SET status = 'failed', finished_at = ? WHERE status = 'running'`).run(utcNow());
  } catch {
    // The disk is still full, say: the next import closes the row out (IndexWriter.beginImport).
  }
}
