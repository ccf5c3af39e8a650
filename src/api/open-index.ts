/**
 * The library facade: what the CLI, the server and programs call. It opens the index, runs
 * imports, and answers the read views of store/read-model.ts, plus what is composed from them
 * (mboxes ready for git am, threads as mboxrd).
 */
import { openDatabase } from '../store/database.js';
import type { OpenOptions, SqliteDatabase } from '../store/database.js';
import { readListStats, readStats, exportMbox, unknownSources } from '../store/reader.js';
import type { IndexStats, ListStats } from '../store/reader.js';
import { ListindexError } from '../errors.js';
import { MISSING_NUMBERS_MAX } from '../store/schema.js';
import { ReadModel } from '../store/read-model.js';
import type {
  EventFilter, EventRow, ListFilter, MessageKind, Page, Person, Project, SearchTerm, SeriesRow, SeriesView, SubmissionListItem, SubmissionView, ThreadMessage, ThreadView,
  MessageBody, PatchFile, SeriesRevision, TrailerRow,
} from '../store/read-model.js';
import { importPaths } from '../import/pipeline.js';
import type { ImportOptions, ImportSummary } from '../import/pipeline.js';
import { coverMbox, mboxrd, patchMbox, seriesMbox } from './mbox.js';

// What the CLI reaches only through this module: the import, commit matching, the raw codec
// and database errors, and the read model's types.
export { importPaths } from '../import/pipeline.js';
export type { ImportOptions, ImportProgress, ImportSummary } from '../import/pipeline.js';
export { matchCommits } from '../import/commit-step.js';
export { databaseError, openDatabase } from '../store/database.js';
export { HEAD_COMPRESSION, HEAD_SQL, REBUILT, decompressRaw } from '../store/raw-codec.js';
export type { SeriesView } from '../store/read-model.js';
export type { IndexStats, ListStats } from '../store/reader.js';

/** A series as an mbox for git am, and what it lacks. */
export interface SeriesMbox {
  series: SeriesRow;
  mbox: string;
  /** Patch numbers 1..total that the index does not have, up to MISSING_NUMBERS_MAX (as `series_missing`). */
  missing: number[];
}

/** An open index: plain SQL through `db` or `query`, plus the common operations. */
export interface ListIndex {
  /** The better-sqlite3 connection, for any SQL. */
  readonly db: SqliteDatabase;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  import(inputs: string[], options?: ImportOptions): Promise<ImportSummary>;
  stats(): IndexStats;
  /** The figures of one list (`list(ref)`). */
  listStats(ref: string): ListStats;
  /** The messages found in these sources (paths), of this list (`list(ref)`), or all. */
  exportMbox(options?: { sources?: string[]; list?: string }): Generator<Buffer>;
  /** Of these paths, those that are no source of the index. */
  unknownSources(paths: string[]): string[];

  projects(filter?: { q?: string[]; order?: string; page?: number; perPage?: number }): Page<Project>;
  project(id: number | null): Project | null;
  /** Project ids for ids, link names or List-Ids; null when none exists. */
  resolveProjects(refs: string[]): number[] | null;
  /**
   * The list a user names: its List-Id, or its short name (link name, or the List-Id's first
   * label) when only one list has it. Else a ListindexError (NOT_FOUND) naming the lists there are.
   */
  list(ref: string): Project;
  people(filter?: { q?: string[]; order?: string; page?: number; perPage?: number }): Page<Person>;
  person(id: number): Person | null;
  series(id: number): SeriesView | null;
  seriesList(filter?: ListFilter): Page<SeriesView>;
  patches(filter?: ListFilter): Page<SubmissionListItem>;
  covers(filter?: ListFilter): Page<SubmissionListItem>;
  /** A message by id or Message-Id (brackets optional); of a repeated Message-Id, the copy on `list` (lists.id) if there is one, else the canonical one. */
  submission(ref: number | string, options?: { list?: number }): SubmissionView | null;
  /** The row id of a Message-Id's canonical copy, or null. */
  messageId(msgid: string): number | null;
  /** A message's kind (patch, cover, comment, other), or null when there is none. */
  kind(messageId: number): MessageKind | null;
  comments(parentId: number): SubmissionView[];
  events(filter?: EventFilter): Page<EventRow>;
  thread(msgid: string): ThreadView | null;
  /** Messages matching every term, newest first. */
  search(terms: SearchTerm[], limit: number): ThreadMessage[];
  /** The stored bytes of a message. */
  raw(messageId: number): Buffer | null;

  seriesMbox(id: number): SeriesMbox | null;
  /** A patch for git am; with `withEarlier`, the patches of its series before it first (Patchwork's `?series=`). */
  patchMbox(view: SubmissionView, options?: { withEarlier?: boolean }): string;
  coverMbox(view: SubmissionView): string;
  /** Messages as public-inbox's mboxrd. */
  mboxrd(messages: { raw: Buffer }[]): Buffer;
  close(): void;

  // For the web pages (src/web/).
  /** Every revision of a series, oldest first, with its patches' diff hashes. */
  seriesRevisions(id: number): SeriesRevision[];
  /** The patches of a series in order, whole, with their trailers. */
  seriesPatches(id: number): SubmissionView[];
  trailersOfPatches(patchIds: number[]): Map<number, TrailerRow[]>;
  patchFiles(messageId: number): PatchFile[];
  messageBodies(messageIds: number[]): Map<number, MessageBody>;
}

/** Opens an index; `readonly` for readers (query, show, serve). */
export function openIndex(path: string, options: OpenOptions = {}): ListIndex {
  const db = openDatabase(path, options);
  const read = new ReadModel(db);
  const list = (ref: string): Project => {
    const found = read.listsNamed(ref);
    if (found.length === 1) return found[0];
    const named = (lists: Project[]) => lists.map((p) => `${p.list_id} (${p.link_name})`).join(', ');
    if (found.length > 1) {
      throw new ListindexError('NOT_FOUND', `'${ref}' names several lists: ${named(found)}; give the List-Id`, { file: path });
    }
    const all = [...read.projects().values()];
    throw new ListindexError('NOT_FOUND', `no list '${ref}' in the index: ${all.length ? `its lists are ${named(all)}` : 'it has no lists'}`, { file: path });
  };
  return {
    db,
    query: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
    import: (inputs, importOptions) => importPaths(db, inputs, importOptions),
    stats: () => readStats(db),
    listStats: (ref) => readListStats(db, list(ref)),
    exportMbox: (exportOptions = {}) => exportMbox(db, { sources: exportOptions.sources, list: exportOptions.list === undefined ? undefined : list(exportOptions.list).id }),
    unknownSources: (paths) => unknownSources(db, paths),
    projects: (filter = {}) => read.projectPage(filter),
    project: (id) => read.project(id),
    resolveProjects: (refs) => read.resolveProjects(refs),
    list,
    people: (filter = {}) => read.peoplePage(filter),
    person: (id) => read.person(id),
    series: (id) => read.series(id),
    seriesList: (filter = {}) => read.seriesPage(filter),
    patches: (filter = {}) => read.patchPage(filter),
    covers: (filter = {}) => read.coverPage(filter),
    submission: (ref, submissionOptions = {}) => read.submission(ref, submissionOptions.list),
    messageId: (msgid) => read.messageId(msgid),
    kind: (messageId) => read.kind(messageId),
    comments: (parentId) => read.comments(parentId),
    events: (filter = {}) => read.eventPage(filter),
    thread: (msgid) => read.thread(msgid),
    search: (terms, limit) => read.search(terms, limit),
    raw: (id) => read.raw(id),
    seriesMbox(id) {
      // One read transaction: a series and its patches from the same state of the index.
      return db.transaction(() => {
        const { series, patches } = read.seriesPatches(id);
        if (!series) return null;
        const have = new Set(patches.map((p) => p.submission.number));
        const missing: number[] = [];
        // A subject may claim any total: counting to it would hold the request (and its memory) for ever.
        for (let n = 1; n <= Math.min(series.total, MISSING_NUMBERS_MAX); n++) if (!have.has(n)) missing.push(n);
        return { series, mbox: seriesMbox(patches), missing };
      })();
    },
    patchMbox(view, patchOptions = {}) {
      const seriesId = view.submission.series_id;
      if (!patchOptions.withEarlier || seriesId === null) return patchMbox(view);
      const earlier = read.seriesPatches(seriesId).patches.filter((p) => (p.submission.number ?? 0) < (view.submission.number ?? 0));
      return seriesMbox([...earlier, view]);
    },
    coverMbox: (view) => coverMbox(view),
    mboxrd: (messages) => mboxrd(messages.map((m) => m.raw)),
    close: () => db.close(),
    seriesRevisions: (id) => read.seriesRevisions(id),
    seriesPatches: (id) => read.seriesPatches(id).patches,
    trailersOfPatches: (ids) => read.trailersOfPatches(ids),
    patchFiles: (id) => read.patchFiles(id),
    messageBodies: (ids) => read.messageBodies(ids),
  };
}
