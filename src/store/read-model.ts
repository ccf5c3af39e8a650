/**
 * The read side of the index: whole views in a bounded number of statements, whatever their size.
 * A series with its project, submitter, cover and patches; a submission with its series, headers,
 * trailers; a page of a filtered list with its total; a thread; events. Renderers (api/) turn
 * these views into JSON, text or mbox without touching SQL; the CLI and the server reach them
 * through the facade (api/open-index.ts).
 *
 * Every statement is prepared once per connection and parameterised; lists of ids go in as JSON
 * (`json_each`), so no SQL text is ever built from a request's values.
 */
import { decompressRaw, rawBodySql, rawHeadSql } from './raw-codec.js';
import { writtenText } from '../mail/folding.js';
import { parseHeaderBlock } from '../mail/header-block.js';
import type { SqliteDatabase } from './database.js';
import type { Statement } from 'better-sqlite3';

export interface Person {
  id: number;
  name: string | null;
  email: string;
}

/** A list, as Patchwork's project. */
export interface Project {
  id: number;
  list_id: string;
  name: string | null;
  /** Patchwork's link name: the list's subject tag, else the first label of its List-Id. */
  link_name: string;
  list_email: string | null;
}

/** Patchwork's patch states that listindex infers (it has no maintainers to set them). */
export type PatchState = 'new' | 'superseded' | 'accepted';

/** A row of `series`, with the state listindex infers for it. */
export interface SeriesRow {
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
  key_msgid: string;
}

/** A patch or cover as embedded in a series (Patchwork's embedded serializer). */
export interface EmbeddedSubmission {
  id: number;
  msgid: string;
  date: string | null;
  name: string;
  number: number | null;
}

export interface SeriesView {
  series: SeriesRow;
  project: Project | null;
  submitter: Person | null;
  cover: EmbeddedSubmission | null;
  patches: EmbeddedSubmission[];
  /** Trailer counts over the series' patches, as Patchwork's A/R/T columns. */
  acked: number;
  reviewed: number;
  tested: number;
  /** Patches that `listindex commits` found committed. */
  accepted: number;
}

/**
 * A series' state: `accepted` when all its received patches were committed, `partly accepted`
 * when some were, else `superseded` when a newer revision exists, else `new`.
 */
export function seriesState(view: Pick<SeriesView, 'series' | 'accepted'>): string {
  const { series } = view;
  if (view.accepted > 0) return view.accepted >= series.received_total ? 'accepted' : 'partly accepted';
  return series.latest_id !== null && series.latest_id !== series.id ? 'superseded' : 'new';
}

/** The message kinds linking gives (messages.kind). */
export type MessageKind = 'patch' | 'cover' | 'comment' | 'other';

/** One message with what it is in a series: the row every submission view starts from. */
export interface Submission {
  id: number;
  msgid: string;
  kind: MessageKind;
  date: string | null;
  subject: string | null;
  /** The patch's or cover's name (subject without list tag and markers); else null. */
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
  submitter: Person | null;
  /** For a patch: the inferred state. */
  state: PatchState | null;
  /** For an accepted patch: the commit it became (full SHA). */
  commit_ref: string | null;
}

export interface HeaderRow {
  name: string;
  /** As written, folding kept. */
  text: string;
}

export interface TrailerRow {
  patch_id: number;
  name: string;
  value: string;
  origin: string;
  given_in_msgid: string;
}

/** A submission with all that its detail page or API object shows. */
export interface SubmissionView {
  submission: Submission;
  project: Project | null;
  series: SeriesRow | null;
  headers: HeaderRow[];
  trailers: TrailerRow[];
}

/** A submission in a list: no headers, no trailers. */
export interface SubmissionListItem {
  submission: Submission;
  project: Project | null;
  series: SeriesRow | null;
}

export interface Page<T> {
  items: T[];
  /** Rows matching the filter, over all pages. */
  total: number;
  page: number;
  perPage: number;
}

/** Patchwork's list parameters, parsed (see api/filters.ts); empty arrays filter nothing. */
export interface ListFilter {
  /** Project ids; null: the request named projects that do not exist (nothing matches). */
  projects?: number[] | null;
  /** Submitter ids, emails (exact, any case) or, from the CLI, name/email fragments. */
  submitters?: string[];
  /** Terms that must all be in the name, any case. */
  q?: string[];
  since?: string;
  before?: string;
  /** A column and direction, from a closed list per view (see ORDERS). */
  order?: string;
  page?: number;
  perPage?: number;
  /** Series: only the newest revision of each. Patches: only those of such series. */
  open?: boolean;
  /** Patches: states to keep. */
  states?: PatchState[];
  series?: number[];
  hashes?: string[];
  /** Bare or bracketed Message-Ids. */
  msgids?: string[];
  /** Series: only those with a patch or cover whose subject, sender or body has this phrase (full-text index). */
  text?: string;
}

export interface ThreadMessage {
  id: number;
  msgid: string;
  date: string | null;
  subject: string | null;
  in_reply_to: string | null;
  kind: MessageKind;
  sender: string | null;
  /** The bytes as stored (after the From_ line). */
  raw: Buffer;
}

export interface ThreadView {
  /** The root as found: a stored message or a ghost parent's Message-Id. */
  rootMsgid: string;
  messages: ThreadMessage[];
  /** True when the thread was cut at MAX_THREAD messages. */
  truncated: boolean;
}

export type EventCategory = 'cover-created' | 'patch-created' | 'series-created' | 'series-completed'
  | 'patch-completed' | 'cover-comment-created' | 'patch-comment-created';

export interface EventRow {
  /** Stable: the message (or series key) it is about, and its category. */
  id: number;
  category: EventCategory;
  /** The message id whose storing made the event; dates are derived from it. */
  at: number;
  date: string;
  project: number | null;
  series: number | null;
  patch: number | null;
  cover: number | null;
  comment: number | null;
}

export interface EventFilter {
  categories?: EventCategory[];
  projects?: number[] | null;
  series?: number[];
  patches?: number[];
  covers?: number[];
  since?: string;
  before?: string;
  /** 'date' or '-date' (default). */
  order?: string;
  page?: number;
  perPage?: number;
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 250;
const MAX_THREAD = 5000;

/**
 * The state of a patch row `pa` whose series is `s` (NULL: no series), inferred: `accepted` when
 * `listindex commits` found the commit it became, else `superseded` when its series has a newer
 * revision, else `new`.
 */
export const PATCH_STATE_SQL = `CASE WHEN pa.state = 'accepted' THEN 'accepted'
  WHEN s.latest_id IS NOT NULL AND s.latest_id <> s.id THEN 'superseded' ELSE 'new' END`;

const SUBMISSION_COLUMNS = `m.id, m.msgid, m.kind, m.date, m.subject, coalesce(pa.name, c.name) AS name, m.content, m.body, m.diff,
  m.diff_hash, m.pull_url, pa.prefixes, pa.number, coalesce(pa.series_id, c.series_id) AS series_id, m.list_id AS list,
  pe.id AS person_id, pe.name AS person_name, pe.email AS person_email,
  CASE WHEN pa.message_id IS NULL THEN NULL ELSE ${PATCH_STATE_SQL} END AS state, pa.commit_ref`;
const SUBMISSION_FROM = `messages m LEFT JOIN patches pa ON pa.message_id = m.id LEFT JOIN covers c ON c.message_id = m.id
  LEFT JOIN series s ON s.id = coalesce(pa.series_id, c.series_id) LEFT JOIN people pe ON pe.id = m.from_id`;
const SERIES_COLUMNS = 's.id, s.list_id, s.name, s.date, s.submitter_id, s.version, s.version_text, s.total, s.received_total, s.received_all, s.rfc, s.cover_id, s.previous_id, s.next_id, s.latest_id, s.change_id, s.key_msgid';

/** Series `s` has a patch or cover among the full-text matches of one phrase parameter. */
const SERIES_WITH_TEXT_SQL = `s.id IN (SELECT coalesce(pa.series_id, c.series_id) FROM messages_fts f
  LEFT JOIN patches pa ON pa.message_id = f.rowid LEFT JOIN covers c ON c.message_id = f.rowid
  WHERE messages_fts MATCH ? AND coalesce(pa.series_id, c.series_id) IS NOT NULL)`;

/** What `order=` may name, per list, and the SQL it sorts by (ties by id, so pages are stable). */
const ORDERS: Record<'series' | 'patches' | 'covers' | 'people' | 'projects', Record<string, string>> = {
  series: { id: 's.id', date: 's.date', name: 's.name' },
  patches: { id: 'm.id', date: 'm.date', name: 'pa.name', submitter: 'pe.email', state: 'state' },
  covers: { id: 'm.id', date: 'm.date', name: 'c.name', submitter: 'pe.email' },
  people: { id: 'id', name: 'name', email: 'email' },
  projects: { id: 'id', name: 'name' },
};

/** A thread message's row as selected: its raw bytes not yet rebuilt (raw_body: rawBodySql, raw_head: rawHeadSql). */
type StoredThreadMessage = ThreadMessage & { raw_compression: string; raw_body: Buffer | null; raw_head: string | null };

function threadMessage({ raw_compression, raw_body, raw_head, ...r }: StoredThreadMessage): ThreadMessage {
  return { ...r, raw: decompressRaw(r.raw, raw_compression, raw_body, raw_head) };
}

type RawSubmission = Omit<Submission, 'submitter'> & { person_id: number | null; person_name: string | null; person_email: string | null };

function toSubmission(r: RawSubmission): Submission {
  const { person_id, person_name, person_email, ...rest } = r;
  return { ...rest, submitter: person_id === null ? null : { id: person_id, name: person_name, email: person_email ?? '' } };
}

/** `<id>`, `id`: the stored (bracketed) form. */
export function bracketed(msgid: string): string {
  const bare = msgid.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

function orderBy(kind: keyof typeof ORDERS, order: string | undefined, fallback: string): string {
  const text = order && order.length ? order : fallback;
  const desc = text.startsWith('-');
  const column = ORDERS[kind][desc ? text.slice(1) : text] ?? ORDERS[kind][fallback.replace(/^-/, '')];
  const dir = desc ? 'DESC' : 'ASC';
  const tie = ORDERS[kind].id;
  return column === tie ? `${column} ${dir}` : `${column} ${dir}, ${tie} ${dir}`;
}

function paging(filter: { page?: number; perPage?: number }): { page: number; perPage: number; offset: number } {
  const perPage = Math.min(Math.max(1, Math.trunc(filter.perPage ?? DEFAULT_PER_PAGE)), MAX_PER_PAGE);
  const page = Math.max(1, Math.trunc(filter.page ?? 1));
  return { page, perPage, offset: (page - 1) * perPage };
}

/** The WHERE clause and its parameters for a filter; every value goes in as a parameter. */
class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): void {
    this.parts.push(sql);
    this.params.push(...params);
  }
  /** `column IN (values)`, through json_each so that the SQL text is fixed. */
  inList(column: string, values: readonly unknown[]): void {
    this.add(`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(values));
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

export class ReadModel {
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private projectCache: { version: number; byId: Map<number, Project> } | null = null;
  private importCache: { version: number; imports: ImportSpan[] } | null = null;
  private readonly eventCounts = new Map<string, { version: number; total: number }>();

  constructor(readonly db: SqliteDatabase) {}

  /** Statements are prepared once per distinct SQL text; the texts come from this file only. */
  private stmt(sql: string): Statement<unknown[]> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** SQLite's data_version: changes when another connection (an import) commits. */
  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  // ---- projects and people ------------------------------------------------------------------

  /** Every list, by id. Lists are few: read once per change of the index. */
  projects(): Map<number, Project> {
    const version = this.dataVersion();
    if (this.projectCache && this.projectCache.version === version) return this.projectCache.byId;
    const rows = this.stmt(`SELECT l.id, l.list_id, l.name, l.subject_tag,
        (SELECT h.value FROM messages m JOIN headers h ON h.message_id = m.id
          WHERE m.list_id = l.id AND h.name = 'List-Post' COLLATE NOCASE LIMIT 1) AS post
      FROM lists l ORDER BY l.id`).all() as { id: number; list_id: string; name: string | null; subject_tag: string | null; post: string | null }[];
    const byId = new Map<number, Project>();
    for (const r of rows) {
      byId.set(r.id, {
        id: r.id, list_id: r.list_id, name: r.name,
        link_name: r.subject_tag ?? r.list_id.split('.')[0],
        list_email: r.post ? /mailto:([^>\s?]+)/i.exec(r.post)?.[1] ?? null : null,
      });
    }
    this.projectCache = { version, byId };
    return byId;
  }

  project(id: number | null): Project | null {
    return id === null ? null : this.projects().get(id) ?? null;
  }

  /** Project ids for ids or link names (or List-Ids); null when none of them exists. */
  resolveProjects(refs: string[]): number[] | null {
    const out: number[] = [];
    for (const p of this.projects().values()) {
      if (refs.some((r) => r === String(p.id) || r === p.link_name || r === p.list_id)) out.push(p.id);
    }
    return out.length ? out : null;
  }

  /**
   * The lists a name given on the command line can mean: the list with that List-Id, else those
   * whose link name or short name (the List-Id's first label) it is. More than one: ambiguous.
   */
  listsNamed(ref: string): Project[] {
    const all = [...this.projects().values()];
    const exact = all.filter((p) => p.list_id === ref);
    return exact.length ? exact : all.filter((p) => p.link_name === ref || p.list_id.split('.')[0] === ref);
  }

  projectPage(filter: { q?: string[]; order?: string; page?: number; perPage?: number }): Page<Project> {
    const { page, perPage, offset } = paging(filter);
    let all = [...this.projects().values()];
    for (const term of filter.q ?? []) all = all.filter((p) => `${p.name ?? ''} ${p.list_id} ${p.link_name}`.toLowerCase().includes(term.toLowerCase()));
    const desc = filter.order?.startsWith('-') ?? false;
    const key = filter.order?.replace(/^-/, '') === 'name' ? (p: Project) => p.name ?? p.list_id : (p: Project) => p.id;
    all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (desc ? -1 : 1));
    return { items: all.slice(offset, offset + perPage), total: all.length, page, perPage };
  }

  person(id: number): Person | null {
    return (this.stmt('SELECT id, name, email FROM people WHERE id = ?').get(id) as Person | undefined) ?? null;
  }

  peoplePage(filter: { q?: string[]; order?: string; page?: number; perPage?: number }): Page<Person> {
    const { page, perPage, offset } = paging(filter);
    const where = new Where();
    for (const term of filter.q ?? []) where.add(`(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')`, likeTerm(term), likeTerm(term));
    const total = this.stmt(`SELECT count(*) FROM people ${where.sql}`).pluck().get(...where.params) as number;
    const items = this.stmt(`SELECT id, name, email FROM people ${where.sql} ORDER BY ${orderBy('people', filter.order, 'id')} LIMIT ? OFFSET ?`)
      .all(...where.params, perPage, offset) as Person[];
    return { items, total, page, perPage };
  }

  // ---- series -----------------------------------------------------------------------------

  series(id: number): SeriesView | null {
    const page = this.seriesViews(this.stmt(`SELECT ${SERIES_COLUMNS} FROM series s WHERE s.id = ?`).all(id) as SeriesRow[]);
    return page[0] ?? null;
  }

  seriesPage(filter: ListFilter): Page<SeriesView> {
    const { page, perPage, offset } = paging(filter);
    const where = new Where();
    if (filter.projects === null) return { items: [], total: 0, page, perPage };
    if (filter.projects?.length) where.inList('s.list_id', filter.projects);
    this.submitterFilter(where, 's.submitter_id', filter.submitters);
    for (const term of filter.q ?? []) where.add(`s.name LIKE ? ESCAPE '\\'`, likeTerm(term));
    if (filter.since) where.add('s.date >= ?', filter.since);
    if (filter.before) where.add('s.date < ?', filter.before);
    if (filter.open) where.add('(s.latest_id IS NULL OR s.latest_id = s.id)');
    if (filter.series?.length) where.inList('s.id', filter.series);
    if (filter.text) where.add(SERIES_WITH_TEXT_SQL, ftsPhrase(filter.text));
    const total = this.stmt(`SELECT count(*) FROM series s ${where.sql}`).pluck().get(...where.params) as number;
    const rows = total <= offset ? [] : this.stmt(`SELECT ${SERIES_COLUMNS} FROM series s ${where.sql}
      ORDER BY ${orderBy('series', filter.order, 'id')} LIMIT ? OFFSET ?`).all(...where.params, perPage, offset) as SeriesRow[];
    return { items: this.seriesViews(rows), total, page, perPage };
  }

  /** Series rows to views: three statements for any number of series. */
  private seriesViews(rows: SeriesRow[]): SeriesView[] {
    if (!rows.length) return [];
    const ids = JSON.stringify(rows.map((r) => r.id));
    const members = this.stmt(`SELECT 'patch' AS kind, pa.series_id, m.id, m.msgid, m.date, pa.name, pa.number
        FROM patches pa JOIN messages m ON m.id = pa.message_id WHERE pa.series_id IN (SELECT value FROM json_each(?))
      UNION ALL
      SELECT 'cover', c.series_id, m.id, m.msgid, m.date, c.name, NULL
        FROM covers c JOIN messages m ON m.id = c.message_id WHERE c.series_id IN (SELECT value FROM json_each(?))
      ORDER BY 2, 7, 3`).all(ids, ids) as (EmbeddedSubmission & { kind: string; series_id: number })[];
    const counts = this.stmt(`SELECT pa.series_id,
        sum(t.name = 'Acked-by') AS acked, sum(t.name = 'Reviewed-by') AS reviewed, sum(t.name = 'Tested-by') AS tested,
        (SELECT count(*) FROM patches x WHERE x.series_id = pa.series_id AND x.state = 'accepted') AS accepted
      FROM patches pa LEFT JOIN trailers t ON t.patch_id = pa.message_id
      WHERE pa.series_id IN (SELECT value FROM json_each(?)) GROUP BY pa.series_id`).all(ids) as { series_id: number; acked: number; reviewed: number; tested: number; accepted: number }[];
    const people = this.peopleById(rows.map((r) => r.submitter_id));
    const bySeries = new Map<number, SeriesView>();
    const views = rows.map((series) => {
      const view: SeriesView = {
        series, project: this.project(series.list_id), submitter: series.submitter_id === null ? null : people.get(series.submitter_id) ?? null,
        cover: null, patches: [], acked: 0, reviewed: 0, tested: 0, accepted: 0,
      };
      bySeries.set(series.id, view);
      return view;
    });
    for (const { kind, series_id, ...s } of members) {
      const view = bySeries.get(series_id)!;
      if (kind === 'cover') {
        if (view.cover === null || s.id === view.series.cover_id) view.cover = s;
      } else view.patches.push(s);
    }
    for (const c of counts) Object.assign(bySeries.get(c.series_id)!, { acked: c.acked ?? 0, reviewed: c.reviewed ?? 0, tested: c.tested ?? 0, accepted: c.accepted });
    return views;
  }

  private peopleById(ids: (number | null)[]): Map<number, Person> {
    const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
    if (!wanted.length) return new Map();
    const rows = this.stmt('SELECT id, name, email FROM people WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(wanted)) as Person[];
    return new Map(rows.map((p) => [p.id, p]));
  }

  private seriesRows(ids: (number | null)[]): Map<number, SeriesRow> {
    const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
    if (!wanted.length) return new Map();
    const rows = this.stmt(`SELECT ${SERIES_COLUMNS} FROM series s WHERE s.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(wanted)) as SeriesRow[];
    return new Map(rows.map((s) => [s.id, s]));
  }

  /** Submitter refs: a number is an id, an address with @ matches exactly, anything else is a fragment. */
  private submitterFilter(where: Where, column: string, refs: string[] | undefined): void {
    if (!refs?.length) return;
    const ors: string[] = [];
    const params: unknown[] = [];
    for (const ref of refs) {
      if (/^\d+$/.test(ref)) {
        ors.push(`${column} = ?`);
        params.push(Number(ref));
      } else if (ref.includes('@')) {
        ors.push(`${column} IN (SELECT id FROM people WHERE email = ? COLLATE NOCASE)`);
        params.push(ref);
      } else {
        ors.push(`${column} IN (SELECT id FROM people WHERE email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')`);
        params.push(likeTerm(ref), likeTerm(ref));
      }
    }
    where.add(`(${ors.join(' OR ')})`, ...params);
  }

  // ---- submissions -------------------------------------------------------------------------

  /**
   * A message by id, or by Message-Id (with or without brackets): of a repeated Message-Id, the
   * copy on `list` (lists.id) if it has one (a cross-posted patch is a patch of each list), else
   * its canonical copy.
   */
  submission(ref: number | string, list?: number): SubmissionView | null {
    // `m.list_id = NULL` is NULL for every copy: without a list, the order is the canonical one's.
    const row = (typeof ref === 'number'
      ? this.stmt(`SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSION_FROM} WHERE m.id = ?`).get(ref)
      : this.stmt(`SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSION_FROM} WHERE m.msgid = ?
          ORDER BY m.list_id = ? DESC, m.duplicate_of IS NOT NULL, m.id LIMIT 1`).get(bracketed(ref), list ?? null)) as RawSubmission | undefined;
    if (!row) return null;
    const submission = toSubmission(row);
    return {
      submission,
      project: this.project(submission.list),
      series: submission.series_id === null ? null : this.seriesRows([submission.series_id]).get(submission.series_id) ?? null,
      headers: this.headers([submission.id]).get(submission.id) ?? [],
      trailers: submission.kind === 'patch' ? this.trailers(submission.id) : [],
    };
  }

  patchPage(filter: ListFilter): Page<SubmissionListItem> {
    const where = new Where();
    where.add("m.kind = 'patch'");
    if (filter.series?.length) where.inList('pa.series_id', filter.series);
    if (filter.hashes?.length) where.inList('m.diff_hash', filter.hashes);
    if (filter.states?.length) where.inList(PATCH_STATE_SQL, filter.states);
    if (filter.open) where.add('(s.latest_id IS NULL OR s.latest_id = s.id)');
    return this.submissionPage('patches', 'pa.name', filter, where);
  }

  coverPage(filter: ListFilter): Page<SubmissionListItem> {
    const where = new Where();
    where.add("m.kind = 'cover'");
    if (filter.series?.length) where.inList('c.series_id', filter.series);
    return this.submissionPage('covers', 'c.name', filter, where);
  }

  private submissionPage(kind: 'patches' | 'covers', nameColumn: string, filter: ListFilter, where: Where): Page<SubmissionListItem> {
    const { page, perPage, offset } = paging(filter);
    if (filter.projects === null) return { items: [], total: 0, page, perPage };
    if (filter.projects?.length) where.inList('m.list_id', filter.projects);
    this.submitterFilter(where, 'm.from_id', filter.submitters);
    for (const term of filter.q ?? []) where.add(`${nameColumn} LIKE ? ESCAPE '\\'`, likeTerm(term));
    if (filter.since) where.add('m.date >= ?', filter.since);
    if (filter.before) where.add('m.date < ?', filter.before);
    if (filter.msgids?.length) where.inList('m.msgid', filter.msgids.map(bracketed));
    // Copies of a Message-Id that linking left out are of kind 'other', no submissions; a patch
    // cross-posted to several lists is one on each (each list's copy), as in Patchwork's projects.
    const total = this.stmt(`SELECT count(*) FROM ${SUBMISSION_FROM} ${where.sql}`).pluck().get(...where.params) as number;
    const rows = total <= offset ? [] : this.stmt(`SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSION_FROM} ${where.sql}
      ORDER BY ${orderBy(kind, filter.order, 'id')} LIMIT ? OFFSET ?`).all(...where.params, perPage, offset) as RawSubmission[];
    const submissions = rows.map(toSubmission);
    const series = this.seriesRows(submissions.map((s) => s.series_id));
    return {
      items: submissions.map((s) => ({ submission: s, project: this.project(s.list), series: s.series_id === null ? null : series.get(s.series_id) ?? null })),
      total, page, perPage,
    };
  }

  /** The comments on a patch or cover, oldest first, each with its headers: two statements. */
  comments(parentId: number): SubmissionView[] {
    const rows = (this.stmt(`SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSION_FROM} JOIN comments k ON k.message_id = m.id
      WHERE k.patch_id = @parent OR (k.cover_id = @parent AND k.patch_id IS NULL) ORDER BY m.date, m.id`).all({ parent: parentId }) as RawSubmission[]).map(toSubmission);
    const headers = this.headers(rows.map((r) => r.id));
    return rows.map((submission) => ({ submission, project: this.project(submission.list), series: null, headers: headers.get(submission.id) ?? [], trailers: [] }));
  }

  /** A series' row and its patches in order, whole (content, diff, headers, trailers): five statements. */
  seriesPatches(seriesId: number): { series: SeriesRow | null; patches: SubmissionView[] } {
    const series = this.seriesRows([seriesId]).get(seriesId) ?? null;
    if (!series) return { series, patches: [] };
    const rows = (this.stmt(`SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSION_FROM} WHERE pa.series_id = ? ORDER BY pa.number, m.id`)
      .all(seriesId) as RawSubmission[]).map(toSubmission);
    const trailers = this.trailersOf(rows.map((r) => r.id));
    const headers = this.headers(rows.map((r) => r.id));
    return {
      series,
      patches: rows.map((submission) => ({
        submission, project: this.project(submission.list), series,
        headers: headers.get(submission.id) ?? [], trailers: trailers.get(submission.id) ?? [],
      })),
    };
  }

  /**
   * Headers in order, as written, folding included (what Patchwork's `headers` shows), for
   * several messages at once. Rows store the unfolded value when only folding differs; the
   * folded text then comes from the row's folding (mail/folding.ts), or for rows written before
   * it was kept, from the raw message, parsed by the same parser that made the rows.
   */
  headers(messageIds: number[]): Map<number, HeaderRow[]> {
    const out = new Map<number, HeaderRow[]>();
    if (!messageIds.length) return out;
    const rows = this.stmt(`SELECT message_id, name, value, raw, folding FROM headers
      WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, position`).all(JSON.stringify(messageIds)) as
      { message_id: number; name: string; value: string; raw: string | null; folding: string | null }[];
    const refold = new Set<number>();
    for (const r of rows) {
      let list = out.get(r.message_id);
      if (!list) out.set(r.message_id, (list = []));
      if (r.raw === null && r.folding === null) refold.add(r.message_id);
      list.push({ name: r.name, text: r.folding === null ? r.raw ?? r.value : writtenText(r.name, r.value, r.raw, r.folding) });
    }
    if (refold.size) {
      const raws = this.stmt(`SELECT id, raw, raw_compression, ${rawBodySql()} AS body, ${rawHeadSql()} AS head FROM messages WHERE id IN (SELECT value FROM json_each(?))`)
        .all(JSON.stringify([...refold])) as { id: number; raw: Buffer; raw_compression: string; body: Buffer | null; head: string | null }[];
      for (const { id, raw, raw_compression, body, head } of raws) {
        const block = parseHeaderBlock(decompressRaw(raw, raw_compression, body, head), Number.POSITIVE_INFINITY);
        const list = out.get(id)!;
        // The stored rows came from this same parser, so positions correspond one to one.
        if (block && block.fields.length === list.length) out.set(id, list.map((h, i) => ({ name: h.name, text: block.fields[i].raw })));
      }
    }
    return out;
  }

  trailers(patchId: number): TrailerRow[] {
    return this.trailersOf([patchId]).get(patchId) ?? [];
  }

  private trailersOf(patchIds: number[]): Map<number, TrailerRow[]> {
    const out = new Map<number, TrailerRow[]>();
    if (!patchIds.length) return out;
    const rows = this.stmt(`SELECT t.patch_id, t.name, t.value, t.origin, g.msgid AS given_in_msgid FROM trailers t
      JOIN messages g ON g.id = t.given_in WHERE t.patch_id IN (SELECT value FROM json_each(?)) ORDER BY t.patch_id, t.position`)
      .all(JSON.stringify(patchIds)) as TrailerRow[];
    for (const r of rows) {
      let list = out.get(r.patch_id);
      if (!list) out.set(r.patch_id, (list = []));
      list.push(r);
    }
    return out;
  }

  /** The stored bytes of a message (after its From_ line), decompressed. */
  raw(messageId: number): Buffer | null {
    const row = this.stmt(`SELECT raw, raw_compression, ${rawBodySql()} AS body, ${rawHeadSql()} AS head FROM messages WHERE id = ?`).get(messageId) as
      { raw: Buffer; raw_compression: string; body: Buffer | null; head: string | null } | undefined;
    return row ? decompressRaw(row.raw, row.raw_compression, row.body, row.head) : null;
  }

  /** A message's kind, or null when there is no such message: one statement. */
  kind(messageId: number): MessageKind | null {
    return (this.stmt('SELECT kind FROM messages WHERE id = ?').pluck().get(messageId) as MessageKind | undefined) ?? null;
  }

  /** The canonical copy of a Message-Id (the one not marked duplicate_of): its id, or null. */
  messageId(msgid: string): number | null {
    return (this.stmt('SELECT id FROM messages WHERE msgid = ? ORDER BY duplicate_of IS NOT NULL, id LIMIT 1').pluck().get(bracketed(msgid)) as number | undefined) ?? null;
  }

  // ---- threads -----------------------------------------------------------------------------

  /**
   * The whole thread a message is in, as public-inbox serves it (`t.mbox.gz`): the root is the
   * oldest ancestor found by References and In-Reply-To (possibly a ghost, never seen), and the
   * thread is every message that names the root among its references, or descends by
   * In-Reply-To from one that does. Messages come in the order the index stored them (as
   * public-inbox serves them in the order they arrived), not by their Date: b4 collects
   * trailers in that order. A few statements per level of In-Reply-To-only replies.
   */
  thread(msgid: string): ThreadView | null {
    const start = this.messageId(msgid);
    if (start === null) return null;
    const parentOf = this.stmt(`SELECT coalesce(
        (SELECT r.msgid FROM message_references r WHERE r.message_id = @id AND r.header = 'references' ORDER BY r.position LIMIT 1),
        (SELECT r.msgid FROM message_references r WHERE r.message_id = @id AND r.header = 'in-reply-to' ORDER BY r.position LIMIT 1))`).pluck();
    let root = bracketed(msgid);
    let rootId: number | null = start;
    const seenRoots = new Set<string>([root]);
    for (let step = 0; step < 64 && rootId !== null; step++) {
      const parent = parentOf.get({ id: rootId }) as string | null;
      if (parent === null || seenRoots.has(parent)) break;
      seenRoots.add(parent);
      root = parent;
      rootId = this.messageId(parent);
    }
    const ids = new Set<number>(this.stmt(`SELECT id FROM messages WHERE msgid = @root
      UNION SELECT r.message_id FROM message_references r WHERE r.msgid = @root`).pluck().all({ root }) as number[]);
    ids.add(start);
    // Replies that carry only In-Reply-To (no References) hang below members found so far.
    let frontier = [...ids];
    let truncated = false;
    for (let level = 0; frontier.length && level < 256; level++) {
      const children = this.stmt(`SELECT r.message_id FROM messages p JOIN message_references r ON r.msgid = p.msgid
        WHERE p.id IN (SELECT value FROM json_each(?)) AND r.header = 'in-reply-to'`).pluck().all(JSON.stringify(frontier)) as number[];
      frontier = children.filter((c) => !ids.has(c));
      for (const c of frontier) ids.add(c);
      if (ids.size > MAX_THREAD) {
        truncated = true;
        break;
      }
    }
    const chosen = [...ids].sort((a, b) => a - b).slice(0, MAX_THREAD);
    const rows = this.stmt(`SELECT id, msgid, date, subject, in_reply_to, kind, sender, raw, raw_compression, ${rawBodySql()} AS raw_body, ${rawHeadSql()} AS raw_head FROM messages
      WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(chosen)) as StoredThreadMessage[];
    return {
      rootMsgid: root,
      truncated,
      messages: rows.map(threadMessage),
    };
  }

  /**
   * Messages for public-inbox's search: each of `terms` is one condition, all must hold.
   * At most `limit` messages, newest first, with their raw bytes.
   */
  search(terms: SearchTerm[], limit: number): ThreadMessage[] {
    const where = new Where();
    where.add('m.duplicate_of IS NULL');
    for (const t of terms) {
      if (t.kind === 'subject') where.add(`m.subject LIKE ? ESCAPE '\\'`, likeTerm(t.value));
      else if (t.kind === 'from') where.add(`(m.sender LIKE ? ESCAPE '\\')`, likeTerm(t.value));
      else if (t.kind === 'since') where.add('m.date >= ?', t.value);
      else if (t.kind === 'until') where.add('m.date < ?', t.value);
      else if (t.kind === 'msgid') where.add('m.msgid = ?', bracketed(t.value));
      else if (t.kind === 'phrase') where.add(`m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)`, ftsPhrase(t.value));
      else if (t.kind === 'change-id') where.add('m.change_id = ?', t.value);
      else if (t.kind === 'none') where.add('0');
    }
    const rows = this.stmt(`SELECT m.id, m.msgid, m.date, m.subject, m.in_reply_to, m.kind, m.sender, m.raw, m.raw_compression, ${rawBodySql('m')} AS raw_body, ${rawHeadSql('m')} AS raw_head
      FROM messages m ${where.sql} ORDER BY m.date DESC, m.id DESC LIMIT ?`).all(...where.params, limit) as StoredThreadMessage[];
    return rows.map(threadMessage);
  }

  // ---- events ------------------------------------------------------------------------------

  /**
   * Patchwork's events, derived from the index. An event is dated when the import that made it
   * stored its message (not by the mail's Date), so dates only grow: a poller that remembers
   * `since` never misses late or back-dated mail. Each import's messages get the import's start
   * time plus one microsecond per message, and an import never starts before the last date of
   * the one before it.
   */
  eventPage(filter: EventFilter): Page<EventRow> {
    const { page, perPage, offset } = paging(filter);
    if (filter.projects === null) return { items: [], total: 0, page, perPage };
    const spans = this.importSpans();
    const from = filter.since ? idAtOrAfter(spans, filter.since) : 0;
    const to = filter.before ? idAtOrAfter(spans, filter.before) : Number.MAX_SAFE_INTEGER;
    const where = new Where();
    where.add('e.at >= @from AND e.at < @to');
    if (filter.categories?.length) where.inList('e.category', filter.categories);
    if (filter.projects?.length) where.inList('e.project', filter.projects);
    if (filter.series?.length) where.inList('e.series', filter.series);
    if (filter.patches?.length) where.inList('e.patch', filter.patches);
    if (filter.covers?.length) where.inList('e.cover', filter.covers);
    const desc = (filter.order ?? '-date').startsWith('-');
    const events = `WITH touched(series_id) AS (
        SELECT series_id FROM patches WHERE message_id >= @from AND message_id < @to AND series_id IS NOT NULL
        UNION SELECT series_id FROM covers WHERE message_id >= @from AND message_id < @to AND series_id IS NOT NULL),
      numbered AS (
        SELECT pa.message_id, pa.series_id, pa.number,
          max(pa.message_id) OVER w AS done_at, count(*) OVER w AS have
        FROM patches pa WHERE pa.series_id IN (SELECT series_id FROM touched)
        WINDOW w AS (PARTITION BY pa.series_id ORDER BY pa.number RANGE UNBOUNDED PRECEDING)),
      -- Lists come from link_facts, the narrow copy of what linking reads: messages' rows are
      -- wide (raw bytes, bodies), and reading one per event made a whole-index page take seconds.
      e(id, category, at, project, series, patch, cover, comment) AS (
        SELECT c.message_id * 8 + 0, 'cover-created', c.message_id, f.list_id, c.series_id, NULL, c.message_id, NULL
          FROM covers c JOIN link_facts f ON f.message_id = c.message_id WHERE c.message_id >= @from AND c.message_id < @to
        UNION ALL SELECT pa.message_id * 8 + 1, 'patch-created', pa.message_id, f.list_id, pa.series_id, pa.message_id, NULL, NULL
          FROM patches pa JOIN link_facts f ON f.message_id = pa.message_id WHERE pa.message_id >= @from AND pa.message_id < @to
        UNION ALL SELECT k.at * 8 + 2, 'series-created', k.at, k.list_id, k.id, NULL, k.cover_id, NULL
          FROM (SELECT s.id, s.list_id, s.cover_id, coalesce(s.cover_id,
              (SELECT f.message_id FROM link_facts f WHERE f.msgid = s.key_msgid AND f.list_id IS s.list_id AND f.duplicate = 0)) AS at
            FROM series s WHERE s.id IN (SELECT series_id FROM touched)) k WHERE k.at IS NOT NULL
        UNION ALL SELECT s.id * 8 + 3, 'series-completed', (SELECT max(message_id) FROM patches WHERE series_id = s.id), s.list_id, s.id, NULL, s.cover_id, NULL
          FROM series s WHERE s.received_all = 1 AND s.id IN (SELECT series_id FROM touched)
        UNION ALL SELECT n.message_id * 8 + 4, 'patch-completed', n.done_at, s.list_id, n.series_id, n.message_id, NULL, NULL
          FROM numbered n JOIN series s ON s.id = n.series_id WHERE n.number IS NOT NULL AND n.have = n.number
        UNION ALL SELECT k.message_id * 8 + 5, CASE WHEN k.patch_id IS NULL THEN 'cover-comment-created' ELSE 'patch-comment-created' END,
            k.message_id, f.list_id, NULL, k.patch_id, CASE WHEN k.patch_id IS NULL THEN k.cover_id END, k.message_id
          FROM comments k JOIN link_facts f ON f.message_id = k.message_id
          WHERE k.message_id >= @from AND k.message_id < @to AND (k.patch_id IS NOT NULL OR k.cover_id IS NOT NULL))`;
    // The total over the whole range is the costly part (every event of the range is built):
    // kept per filter until an import changes the index.
    const countKey = JSON.stringify([from, to, where.params]);
    const version = this.dataVersion();
    let total = this.eventCounts.get(countKey)?.version === version ? this.eventCounts.get(countKey)!.total : -1;
    if (total < 0) {
      total = this.stmt(`${events} SELECT count(*) FROM e ${where.sql}`).pluck().get(...where.params, { from, to }) as number;
      if (this.eventCounts.size >= 256) this.eventCounts.clear();
      this.eventCounts.set(countKey, { version, total });
    }
    // The page from a window of message ids at the end it starts from, widened until it holds
    // the page: an event is dated by a message of its own series, so a window's events are
    // exactly those of the range dated inside it.
    const need = offset + perPage;
    const last = (this.stmt('SELECT max(id) FROM messages').pluck().get() as number | null) ?? 0;
    const lo = from;
    const hi = Math.min(to, last + 1);
    const pageSql = `${events} SELECT * FROM e ${where.sql} ORDER BY e.at ${desc ? 'DESC' : 'ASC'}, e.id ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    let rows: Omit<EventRow, 'date'>[] = [];
    for (let width = Math.max(256, need * 2); total > offset; width *= 4) {
      const [wFrom, wTo] = desc ? [Math.max(lo, hi - width), hi] : [lo, Math.min(hi, lo + width)];
      rows = this.stmt(pageSql).all(...where.params, need, { from: wFrom, to: wTo }) as Omit<EventRow, 'date'>[];
      if (rows.length >= need || (wFrom <= lo && wTo >= hi)) break;
    }
    rows = rows.slice(offset, need);
    return { items: rows.map((r) => ({ ...r, date: dateOfMessage(spans, r.at) })), total, page, perPage };
  }

  /** Each import's first and last message id and the date its first message's events get. */
  private importSpans(): ImportSpan[] {
    const version = this.dataVersion();
    if (this.importCache && this.importCache.version === version) return this.importCache.imports;
    const imports = this.stmt('SELECT id, started_at FROM imports ORDER BY id').all() as { id: number; started_at: string }[];
    const first = this.stmt('SELECT min(id) FROM messages WHERE import_id = ?').pluck();
    const last = this.stmt('SELECT max(id) FROM messages WHERE import_id = ?').pluck();
    const spans: ImportSpan[] = [];
    let next = 0;
    for (const i of imports) {
      const lo = first.get(i.id) as number | null;
      if (lo === null) continue;
      const hi = last.get(i.id) as number;
      const base = Math.max(Date.parse(i.started_at) * 1000, next);
      spans.push({ first: lo, last: hi, baseMicros: base });
      next = base + (hi - lo) + 1;
    }
    this.importCache = { version, imports: spans };
    return spans;
  }

  // ---- web pages (src/web/) -----------------------------------------------------------------

  /**
   * Every revision of a series (v1 → v2 → …, by previous/next links, at most 64 each way),
   * oldest first, each with its patches' numbers and diff hashes: two statements.
   */
  seriesRevisions(id: number): SeriesRevision[] {
    const rows = this.stmt(`WITH RECURSIVE
        back(id, depth) AS (SELECT ?, 0 UNION SELECT s.previous_id, b.depth + 1 FROM series s JOIN back b ON s.id = b.id
          WHERE s.previous_id IS NOT NULL AND b.depth < 64),
        fwd(id, depth) AS (SELECT ?, 0 UNION SELECT s.next_id, f.depth + 1 FROM series s JOIN fwd f ON s.id = f.id
          WHERE s.next_id IS NOT NULL AND f.depth < 64)
      SELECT ${SERIES_COLUMNS} FROM series s WHERE s.id IN (SELECT id FROM back UNION SELECT id FROM fwd)
      ORDER BY s.version, s.date, s.id`).all(id, id) as SeriesRow[];
    if (!rows.length) return [];
    const patches = this.stmt(`SELECT pa.series_id, m.id, m.msgid, pa.number, pa.name, m.diff_hash FROM patches pa
      JOIN messages m ON m.id = pa.message_id WHERE pa.series_id IN (SELECT value FROM json_each(?)) ORDER BY pa.series_id, pa.number, m.id`)
      .all(JSON.stringify(rows.map((r) => r.id))) as RevisionPatch[];
    const bySeries = new Map(rows.map((series) => [series.id, { series, patches: [] as RevisionPatch[] }]));
    for (const p of patches) bySeries.get(p.series_id)!.patches.push(p);
    return [...bySeries.values()];
  }

  /** The trailers of several patches (their origin and the message that gave each): one statement. */
  trailersOfPatches(patchIds: number[]): Map<number, TrailerRow[]> {
    return this.trailersOf(patchIds);
  }

  /** The files a patch's diff touches, in diff order. */
  patchFiles(messageId: number): PatchFile[] {
    return this.stmt('SELECT path, added, removed, binary FROM patch_files WHERE message_id = ? ORDER BY position').all(messageId) as PatchFile[];
  }

  /** Decoded bodies and senders of messages (a thread page's), by id: one statement. */
  messageBodies(messageIds: number[]): Map<number, MessageBody> {
    if (!messageIds.length) return new Map();
    const rows = this.stmt(`SELECT m.id, m.body, pe.name, pe.email FROM messages m LEFT JOIN people pe ON pe.id = m.from_id
      WHERE m.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(messageIds)) as (MessageBody & { id: number })[];
    return new Map(rows.map(({ id, ...b }) => [id, b]));
  }
}

/** A patch of one revision of a series, as the revision timeline compares them. */
export interface RevisionPatch {
  series_id: number;
  id: number;
  msgid: string;
  number: number | null;
  name: string;
  diff_hash: string | null;
}

export interface SeriesRevision {
  series: SeriesRow;
  patches: RevisionPatch[];
}

export interface PatchFile {
  path: string;
  added: number;
  removed: number;
  binary: number;
}

export interface MessageBody {
  body: string;
  name: string | null;
  email: string | null;
}

interface ImportSpan {
  first: number;
  last: number;
  /** Microseconds since 1970 of the event dated at message `first`. */
  baseMicros: number;
}

/** Patchwork's event date: naive UTC with microseconds. */
function dateOfMessage(spans: ImportSpan[], messageId: number): string {
  let span = spans[0];
  for (const s of spans) if (s.first <= messageId) span = s;
  const micros = span ? span.baseMicros + (messageId - span.first) : 0;
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString().slice(0, 19);
  return `${iso}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/** The first message id whose event date is at or after `date` (an ISO date, naive = UTC). */
function idAtOrAfter(spans: ImportSpan[], date: string): number {
  const micros = isoToMicros(date);
  for (const s of spans) {
    const end = s.baseMicros + (s.last - s.first);
    if (micros <= s.baseMicros) return s.first;
    if (micros <= end) return s.first + (micros - s.baseMicros);
  }
  return spans.length ? spans[spans.length - 1].last + 1 : 0;
}

/** Microseconds since 1970 of an ISO-8601 date or datetime, naive read as UTC. */
export function isoToMicros(date: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(date.trim());
  if (!m) return Number.NaN;
  const [, day, hh = '00', mm = '00', ss = '00', frac = '', zone = 'Z'] = m;
  const z = zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${day}T${hh}:${mm}:${ss}${z}`);
  return ms * 1000 + Number(frac.padEnd(6, '0'));
}

/** An ISO date as the index stores dates (`YYYY-MM-DDTHH:MM:SSZ`, to compare as text), or null. */
export function storedDate(date: string): string | null {
  const micros = isoToMicros(date);
  if (!Number.isFinite(micros)) return null;
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  // Sub-second parts round up, so that `since` keeps its ≥ and `before` its < meaning.
  return micros % 1_000_000 === 0 ? iso.slice(0, 19) + 'Z' : new Date(Math.floor(micros / 1_000_000) * 1000 + 1000).toISOString().slice(0, 19) + 'Z';
}

/** One condition of a public-inbox search; `none` matches nothing (a term listindex cannot answer). */
export type SearchTerm = { kind: 'subject' | 'from' | 'since' | 'until' | 'msgid' | 'phrase' | 'change-id' | 'none'; value: string };

function likeTerm(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A phrase for FTS5 MATCH: quoted, so that no operator in it is read as syntax. */
function ftsPhrase(text: string): string {
  // FTS5 ends a string at a NUL ("unterminated string"): control characters are spaces here.
  return `"${text.replace(/[\u0000-\u001f]/g, ' ').replace(/"/g, '""')}"`;
}
