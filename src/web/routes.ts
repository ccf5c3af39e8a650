/**
 * The web pages' dispatch: which GET (or HEAD) paths are pages, and the read-model views each
 * page is rendered from. Answers null for every other path, which the server's routes then
 * answer as before (API, downloads, public-inbox's raw, t.mbox.gz and search).
 */
import type { ListIndex } from '../api/open-index.js';
import type { ServeRequest, ServeResponse } from '../api/http.js';
import { positiveInt } from '../api/query-params.js';
import type { Project } from '../store/read-model.js';
import { html } from './html.js';
import { htmlDocument } from './layout.js';
import type { WebContext } from './layout.js';
import { listPage } from './list-page.js';
import type { ListParams } from './list-page.js';
import { seriesPage } from './series-page.js';
import { STATIC } from './static.js';
import { submissionPage } from './submission-page.js';
import { threadPage, threadPageMessages } from './thread-page.js';

/**
 * Scripts and styles from this server only, nothing inline: a `<script>` that slipped through
 * from mail would not run. Forms post back here only; no page can be framed.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const PER_PAGE = 50;
/** First segments that are never a list's name in a thread URL. */
const NOT_INBOX = new Set(['api', 'series', 'project', 'patch', 'cover', 'static']);

function page(status: number, body: string): ServeResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Referrer-Policy': 'same-origin' },
    body,
  };
}

function notFoundPage(what: string, project: Project | null = null): ServeResponse {
  return page(404, htmlDocument({ title: 'Not found', project, main: html`<h1>Not found</h1><p>${what}</p><p><a href="/">All series</a></p>` }));
}

/** The page for a request, or null when the path is not a page. `parts` are the decoded path segments. */
export function webRoute(index: ListIndex, req: ServeRequest, method: string, parts: string[], params: URLSearchParams): ServeResponse | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  const ctx: WebContext = { baseUrl: req.baseUrl };
  const [first, second, third, fourth] = parts;
  if (first === 'static' && parts.length === 2) {
    const asset = STATIC.get(second);
    if (!asset) return notFoundPage('No such file.');
    return { status: 200, headers: { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=3600' }, body: asset.body };
  }
  if (parts.length === 0) return list(index, null, params);
  if (first === 'project' && parts.length >= 3) {
    const ids = index.resolveProjects([second]);
    const project = ids ? index.project(ids[0]) : null;
    if (parts.length === 3 && third === 'list') {
      if (!project) return notFoundPage(`No list is named "${second}".`);
      // Patchwork's own URL of a series.
      if (params.has('series')) return series(index, ctx, positiveInt(params.get('series')));
      return list(index, project, params);
    }
    if (parts.length === 4 && third === 'series') return series(index, ctx, positiveInt(fourth));
    if (parts.length === 4 && (third === 'patch' || third === 'cover')) return submission(index, ctx, third, fourth, project);
    return null;
  }
  // public-inbox's permalink of a message, as its thread. HEAD keeps the plain answer (status only).
  if (parts.length === 2 && method === 'GET' && !NOT_INBOX.has(first)) return thread(index, first, second);
  return null;
}

/**
 * A page as the server answers it, for callers other than the server (the serve benchmark):
 * `url` is a path and query, e.g. `/project/dev/list/?state=open`. Null when it names no page.
 */
export function renderWebPage(index: ListIndex, url: string, baseUrl = 'http://127.0.0.1:8000'): ServeResponse | null {
  const parsed = new URL(url, 'http://listindex.invalid');
  const parts = parsed.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  return webRoute(index, { method: 'GET', url, baseUrl, body: '' }, 'GET', parts, parsed.searchParams);
}

function list(index: ListIndex, project: Project | null, params: URLSearchParams): ServeResponse {
  // Control characters mean nothing in a form field, and a NUL ends SQLite's FTS5 query string.
  // eslint-disable-next-line no-control-regex
  const text = (name: string) => (params.get(name) ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 200);
  const listParams: ListParams = {
    project: project ? project.link_name : text('project'),
    submitter: text('submitter'),
    state: text('state') === 'open' ? 'open' : '',
    q: text('q'),
  };
  const projects = project ? [project.id] : listParams.project ? index.resolveProjects([listParams.project]) : undefined;
  const result = index.seriesList({
    projects, submitters: listParams.submitter ? [listParams.submitter] : undefined, open: listParams.state === 'open' || undefined,
    text: listParams.q || undefined, order: '-date', page: positiveInt(params.get('page')) ?? 1, perPage: PER_PAGE,
  });
  const all = [...index.projects({ perPage: 250 }).items];
  return page(200, listPage({ page: result, projects: all, project, params: listParams }));
}

function series(index: ListIndex, ctx: WebContext, id: number | undefined): ServeResponse {
  const view = id === undefined ? null : index.series(id);
  if (!view) return notFoundPage('No series has that number.');
  const revisions = index.seriesRevisions(view.series.id);
  const trailers = index.trailersOfPatches(view.patches.map((p) => p.id));
  const cover = view.cover ? index.submission(view.cover.id) : null;
  return page(200, seriesPage(ctx, { view, revisions, trailers, cover }));
}

function submission(index: ListIndex, ctx: WebContext, kind: 'patch' | 'cover', msgid: string, project: Project | null): ServeResponse {
  // A patch cross-posted to several lists: the project's own copy, in its series.
  const view = index.submission(msgid, { list: project?.id });
  if (!view || view.submission.kind !== kind) return notFoundPage(`No ${kind} has that Message-Id.`);
  const files = kind === 'patch' ? index.patchFiles(view.submission.id) : [];
  return page(200, submissionPage(ctx, { view, files, comments: index.comments(view.submission.id) }));
}

function thread(index: ListIndex, inbox: string, msgid: string): ServeResponse {
  const ids = inbox === 'all' ? undefined : index.resolveProjects([inbox]);
  if (ids === null) return notFoundPage(`No list is named "${inbox}".`);
  const project = ids ? index.project(ids[0]) : null;
  const found = index.submission(msgid);
  const view = found ? index.thread(msgid) : null;
  if (!found || !view) return notFoundPage('No message has that Message-Id.', project);
  const bodies = index.messageBodies(threadPageMessages(view, found.submission.id).map((m) => m.id));
  return page(200, threadPage({ thread: view, bodies, focus: found.submission.id, project }));
}
