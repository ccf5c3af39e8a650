/**
 * JSON shaped like Patchwork's REST API (`/api/covers/<id>/`, `/api/patches/<id>/`,
 * `/api/comments/<id>/`, `/api/series/<id>/`, events, projects, people), field for field
 * (notes/patchwork-reference.md §4), for API versions 1.0 to 1.3: fields newer than the version
 * asked for are left out, as Patchwork's versioned serializers do. Pure functions of the read
 * model's views: no SQL here.
 */
import type {
  EmbeddedSubmission, EventRow, HeaderRow, Person, Project, SeriesRow, SeriesView, Submission, SubmissionListItem, SubmissionView,
} from '../store/read-model.js';
import { seriesState } from '../store/read-model.js';
import { patchworkContent } from './content.js';

export type ApiVersion = '1.0' | '1.1' | '1.2' | '1.3';
export const API_VERSIONS: readonly ApiVersion[] = ['1.0', '1.1', '1.2', '1.3'];
export const LATEST_API: ApiVersion = '1.3';

export interface RenderContext {
  /** e.g. http://127.0.0.1:8000, without a trailing slash; '' leaves URL fields empty. */
  baseUrl: string;
  version: ApiVersion;
  /** The API root URLs point at: '/api' (the newest version) or '/api/1.2', as the request named it. */
  apiRoot?: string;
}

type Json = Record<string, unknown>;

/** Patchwork stores naive UTC datetimes and prints them without a zone. */
export function naiveUtc(date: string | null): string | null {
  return date ? date.replace(/Z$/, '') : null;
}

/** A Message-Id as it goes in a Patchwork URL: brackets off, '/' escaped. */
export function urlMsgid(msgid: string): string {
  return encodeURIComponent(msgid.replace(/^<|>$/g, '')).replace(/%40/g, '@');
}

// The version each field appeared in; absent fields date from 1.0.
const NEWER_FIELDS: Record<string, ApiVersion> = {
  web_url: '1.1', comments: '1.1', list_archive_url: '1.2', list_archive_url_format: '1.2', commit_url_format: '1.2',
  related: '1.2', addressed: '1.3',
};

function since(version: ApiVersion, field: string): boolean {
  const needed = NEWER_FIELDS[field];
  return !needed || API_VERSIONS.indexOf(version) >= API_VERSIONS.indexOf(needed);
}

/** Drops the fields the asked version does not have (one level: nested objects are built by their own renderer). */
function versioned(ctx: RenderContext, object: Json): Json {
  if (ctx.version === LATEST_API) return object;
  const out: Json = {};
  for (const [k, v] of Object.entries(object)) if (since(ctx.version, k)) out[k] = v;
  return out;
}

const apiRoot = (ctx: RenderContext) => ctx.apiRoot ?? '/api';
const url = (ctx: RenderContext, path: string) => (ctx.baseUrl ? `${ctx.baseUrl}${path}` : '');

export function projectJson(ctx: RenderContext, p: Project | null): Json {
  return versioned(ctx, {
    id: p?.id ?? null,
    url: p ? url(ctx, `${apiRoot(ctx)}/projects/${p.id}/`) : '',
    name: p ? p.name ?? p.list_id : '',
    link_name: p?.link_name ?? '',
    list_id: p?.list_id ?? '',
    list_email: p?.list_email ?? '',
    web_url: p ? url(ctx, `/project/${p.link_name}/`) : '',
    scm_url: '',
    webscm_url: '',
    list_archive_url: p ? url(ctx, `/${p.list_id}/`) : '',
    list_archive_url_format: p ? url(ctx, `/${p.list_id}/{}/`) : '',
    commit_url_format: '',
  });
}

export function personJson(ctx: RenderContext, p: Person | null): Json {
  return { id: p?.id ?? null, url: p ? url(ctx, `${apiRoot(ctx)}/people/${p.id}/`) : '', name: p?.name ?? null, email: p?.email ?? '' };
}

/** Patchwork's headers object: name → value, a list for repeated headers (Received). */
export function headersObject(rows: HeaderRow[]): Json {
  const out: Record<string, string | string[]> = {};
  for (const { name, text } of rows) {
    const existing = out[name];
    if (existing === undefined) out[name] = text;
    else if (Array.isArray(existing)) existing.push(text);
    else out[name] = [existing, text];
  }
  return out;
}

const linkName = (p: Project | null) => p?.link_name ?? 'unknown';

function submissionWebUrl(ctx: RenderContext, kind: 'cover' | 'patch' | 'comment', project: Project | null, msgid: string): string {
  return url(ctx, `/project/${linkName(project)}/${kind}/${urlMsgid(msgid)}/`);
}

function archiveUrl(ctx: RenderContext, project: Project | null, msgid: string): string {
  return project ? url(ctx, `/${project.list_id}/${urlMsgid(msgid)}/`) : url(ctx, `/all/${urlMsgid(msgid)}/`);
}

/** A series as embedded in a patch or cover: `{id, url, web_url, date, name, version, mbox}`. */
function embeddedSeries(ctx: RenderContext, series: SeriesRow | null, project: Project | null): Json[] {
  if (!series) return [];
  return [versioned(ctx, {
    id: series.id,
    url: url(ctx, `${apiRoot(ctx)}/series/${series.id}/`),
    web_url: url(ctx, `/project/${linkName(project)}/list/?series=${series.id}`),
    date: naiveUtc(series.date),
    name: series.name,
    version: series.version,
    mbox: url(ctx, `/series/${series.id}/mbox/`),
  })];
}

function head(ctx: RenderContext, kind: 'cover' | 'patch', s: Submission, project: Project | null): Json {
  return {
    id: s.id,
    url: url(ctx, `${apiRoot(ctx)}/${kind === 'cover' ? 'covers' : 'patches'}/${s.id}/`),
    web_url: submissionWebUrl(ctx, kind, project, s.msgid),
    project: projectJson(ctx, project),
    msgid: s.msgid,
    list_archive_url: archiveUrl(ctx, project, s.msgid),
    date: naiveUtc(s.date),
    name: s.name,
  };
}

/** A cover in a list (no headers, no content). */
export function coverListJson(ctx: RenderContext, item: SubmissionListItem): Json {
  const { submission: s, project, series } = item;
  const web = submissionWebUrl(ctx, 'cover', project, s.msgid);
  const out: Json = {
    ...head(ctx, 'cover', s, project),
    submitter: personJson(ctx, s.submitter),
    mbox: web ? `${web}mbox/` : '',
    series: embeddedSeries(ctx, series, project),
    comments: url(ctx, `${apiRoot(ctx)}/covers/${s.id}/comments/`),
  };
  // 1.0 had no cover mbox.
  if (ctx.version === '1.0') delete out.mbox;
  return versioned(ctx, out);
}

export function coverJson(ctx: RenderContext, view: SubmissionView): Json {
  return { ...coverListJson(ctx, view), headers: headersObject(view.headers), content: patchworkContent(view.submission) };
}

/** A patch in a list (no headers, content or diff). */
export function patchListJson(ctx: RenderContext, item: SubmissionListItem): Json {
  const { submission: s, project, series } = item;
  const web = submissionWebUrl(ctx, 'patch', project, s.msgid);
  return versioned(ctx, {
    ...head(ctx, 'patch', s, project),
    commit_ref: s.commit_ref ?? null,
    pull_url: s.pull_url,
    state: s.state ?? 'new',
    archived: false,
    hash: s.diff_hash,
    submitter: personJson(ctx, s.submitter),
    delegate: null,
    mbox: web ? `${web}mbox/` : '',
    series: embeddedSeries(ctx, series, project),
    comments: url(ctx, `${apiRoot(ctx)}/patches/${s.id}/comments/`),
    check: 'pending',
    checks: url(ctx, `${apiRoot(ctx)}/patches/${s.id}/checks/`),
    tags: {},
    related: [],
  });
}

export function patchJson(ctx: RenderContext, view: SubmissionView): Json {
  const s = view.submission;
  return {
    ...patchListJson(ctx, view),
    headers: headersObject(view.headers),
    content: patchworkContent(s),
    diff: s.diff,
    prefixes: s.prefixes ? (JSON.parse(s.prefixes) as string[]) : [],
    // Not in Patchwork's API: the trailers collected from the patch, its replies and its cover.
    trailers: view.trailers.map((t) => ({ name: t.name, value: t.value, origin: t.origin, msgid: t.given_in_msgid })),
  };
}

export function commentJson(ctx: RenderContext, view: SubmissionView): Json {
  const s = view.submission;
  const out: Json = {
    id: s.id,
    url: url(ctx, `${apiRoot(ctx)}/comments/${s.id}/`),
    web_url: submissionWebUrl(ctx, 'comment', view.project, s.msgid),
    msgid: s.msgid,
    list_archive_url: archiveUrl(ctx, view.project, s.msgid),
    date: naiveUtc(s.date),
    subject: s.subject,
    submitter: personJson(ctx, s.submitter),
    content: patchworkContent(s),
    headers: headersObject(view.headers),
    addressed: null,
  };
  // The comment's own url came with 1.3.
  if (ctx.version !== '1.3') delete out.url;
  return versioned(ctx, out);
}

/** A message as the API object for its kind (an `other` message renders as a comment). */
export function submissionJson(ctx: RenderContext, view: SubmissionView): Json {
  if (view.submission.kind === 'cover') return coverJson(ctx, view);
  if (view.submission.kind === 'patch') return patchJson(ctx, view);
  return commentJson(ctx, view);
}

function embeddedSubmission(ctx: RenderContext, kind: 'cover' | 'patch', s: EmbeddedSubmission, project: Project | null): Json {
  const web = submissionWebUrl(ctx, kind, project, s.msgid);
  return versioned(ctx, {
    id: s.id,
    url: url(ctx, `${apiRoot(ctx)}/${kind === 'cover' ? 'covers' : 'patches'}/${s.id}/`),
    web_url: web,
    msgid: s.msgid,
    list_archive_url: archiveUrl(ctx, project, s.msgid),
    date: naiveUtc(s.date),
    name: s.name,
    mbox: web ? `${web}mbox/` : url(ctx, `/project/${linkName(project)}/${kind}/${urlMsgid(s.msgid)}/mbox/`),
  });
}

/** A series; Patchwork's list and detail views are the same. */
export function seriesJson(ctx: RenderContext, view: SeriesView): Json {
  const { series, project } = view;
  const [embedded] = embeddedSeries(ctx, series, project);
  return versioned(ctx, {
    id: series.id,
    url: embedded.url,
    web_url: url(ctx, `/project/${linkName(project)}/list/?series=${series.id}`),
    project: projectJson(ctx, project),
    name: series.name,
    date: naiveUtc(series.date),
    submitter: personJson(ctx, view.submitter),
    version: series.version,
    total: series.total,
    received_total: series.received_total,
    received_all: series.received_all === 1,
    mbox: embedded.mbox,
    cover_letter: view.cover ? embeddedSubmission(ctx, 'cover', view.cover, project) : null,
    patches: view.patches.map((p) => embeddedSubmission(ctx, 'patch', p, project)),
    // Not in Patchwork's API: the revisions this index linked, and the state it infers.
    previous_version: series.previous_id,
    next_version: series.next_id,
    latest_version: series.latest_id,
    state: seriesState(view),
  });
}

/** An event, with its payload's objects embedded by id and URL as Patchwork does. */
export function eventJson(ctx: RenderContext, e: EventRow, project: Project | null): Json {
  const ref = (kind: string, id: number | null) => (id === null ? null : { id, url: url(ctx, `${apiRoot(ctx)}/${kind}/${id}/`) });
  const payload: Json = {};
  if (e.category === 'cover-created') Object.assign(payload, { cover: ref('covers', e.cover) });
  else if (e.category === 'patch-created' || e.category === 'patch-completed') Object.assign(payload, { patch: ref('patches', e.patch), series: ref('series', e.series) });
  else if (e.category === 'series-created' || e.category === 'series-completed') Object.assign(payload, { series: ref('series', e.series) });
  else if (e.category === 'cover-comment-created') Object.assign(payload, { cover: ref('covers', e.cover), comment: ref('comments', e.comment) });
  else Object.assign(payload, { patch: ref('patches', e.patch), comment: ref('comments', e.comment) });
  return { id: e.id, category: e.category, project: projectJson(ctx, project), date: e.date, actor: null, payload };
}
