/**
 * What `listindex serve` answers, as one function of the index and a request: Patchwork's REST
 * API (`/api/`, `/api/1.0`–`/api/1.3`), Patchwork's mbox downloads, and public-inbox's URLs
 * under `/all/` and `/<list-id>/`. No I/O but the index's reads, so the same code runs in the
 * server's worker threads and in tests. Every value from the request reaches SQL as a
 * parameter; every path names rows of the index, never a file.
 */
import { gzipSync } from 'node:zlib';
import type { ListIndex } from '../api/open-index.js';
import {
  API_VERSIONS, LATEST_API, commentJson, coverJson, coverListJson, eventJson, patchJson, patchListJson, personJson, projectJson, seriesJson,
} from '../api/patchwork-json.js';
import type { ApiVersion, RenderContext } from '../api/patchwork-json.js';
import { downloadName } from '../api/mbox.js';
import type { Page, ThreadMessage } from '../store/read-model.js';
import { EVENT_CATEGORIES, listQuery, parseSearch, positiveInt, values } from '../api/query-params.js';
import { webRoute } from '../web/routes.js';
import { jsonAnswer as json, textAnswer as text } from '../api/http.js';
import type { ServeRequest, ServeResponse } from '../api/http.js';

export type { ServeRequest, ServeResponse };

/** public-inbox's search answers at most this many messages (its default is 200). */
const SEARCH_LIMIT = 200;

const notFound = (detail = 'Not found.') => json(404, { detail });
const redirect = (location: string): ServeResponse => text(302, '', { Location: location });

/** Path segments, percent-decoded; null when the path does not decode. */
function segments(path: string): string[] | null {
  try {
    return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

export function handle(index: ListIndex, req: ServeRequest): ServeResponse {
  let url: URL;
  try {
    url = new URL(req.url, 'http://listindex.invalid');
  } catch {
    return text(400, 'Bad request.\n');
  }
  const parts = segments(url.pathname);
  if (parts === null) return text(400, 'Bad request: the path is not valid percent-encoding.\n');
  const method = req.method.toUpperCase();
  const read = method === 'GET' || method === 'HEAD';
  const webPage = webRoute(index, req, method, parts, url.searchParams);
  if (webPage) return webPage;

  if (parts[0] === 'api') {
    if (!read) return json(405, { detail: `Method "${method}" not allowed: this server is read-only.` }, { Allow: 'GET, HEAD' });
    return api(index, req, parts.slice(1), url.searchParams);
  }
  if (parts[0] === 'series' || parts[0] === 'project' || parts[0] === 'patch' || parts[0] === 'cover') {
    if (!read) return text(405, 'This server is read-only.\n', { Allow: 'GET, HEAD' });
    return download(index, req, parts, url.searchParams);
  }
  if (parts.length === 0) return text(200, 'listindex: a read-only Patchwork REST API at /api/ and public-inbox at /all/.\n');
  return publicInbox(index, req, method, parts, url.searchParams);
}

// ---- Patchwork REST API ------------------------------------------------------------------------

function api(index: ListIndex, req: ServeRequest, parts: string[], params: URLSearchParams): ServeResponse {
  let version: ApiVersion = LATEST_API;
  let apiRoot = '/api';
  if (parts.length && /^\d+\.\d+$/.test(parts[0])) {
    if (!API_VERSIONS.includes(parts[0] as ApiVersion)) return notFound();
    version = parts[0] as ApiVersion;
    apiRoot = `/api/${version}`;
    parts = parts.slice(1);
  }
  const ctx: RenderContext = { baseUrl: req.baseUrl, version, apiRoot };
  const [resource, idText, sub, extra] = parts;
  if (resource === undefined) {
    const names = ['bundles', 'covers', 'events', 'patches', 'people', 'projects', 'series', 'users'];
    return json(200, Object.fromEntries(names.map((n) => [n, `${req.baseUrl}${apiRoot}/${n}/`])));
  }
  if (extra !== undefined) return notFound();
  const id = idText === undefined ? undefined : positiveInt(idText);
  const page = <T>(p: Page<T>, render: (item: T) => unknown) => listAnswer(req, p, render);
  const query = () => listQuery(params, (refs) => index.resolveProjects(refs));
  const empty = () => json(200, []);

  switch (resource) {
    case 'projects': {
      if (idText !== undefined) {
        if (sub !== undefined) return notFound();
        const ids = index.resolveProjects([idText]);
        const project = ids ? index.project(ids[0]) : null;
        return project ? json(200, projectJson(ctx, project)) : notFound();
      }
      const q = params.get('q')?.trim();
      return page(index.projects({ q: q ? q.split(/\s+/) : undefined, order: params.get('order') ?? undefined,
        page: positiveInt(params.get('page')), perPage: positiveInt(params.get('per_page')) }), (p) => projectJson(ctx, p));
    }
    case 'people': {
      if (idText !== undefined) {
        const person = id !== undefined && sub === undefined ? index.person(id) : null;
        return person ? json(200, personJson(ctx, person)) : notFound();
      }
      const q = params.get('q')?.trim();
      return page(index.people({ q: q ? q.split(/\s+/) : undefined, order: params.get('order') ?? undefined,
        page: positiveInt(params.get('page')), perPage: positiveInt(params.get('per_page')) }), (p) => personJson(ctx, p));
    }
    case 'users':
    case 'bundles':
      // No users (no logins) and no bundles in a read-only index.
      return idText === undefined ? empty() : notFound();
    case 'series': {
      if (idText !== undefined) {
        const view = id !== undefined && sub === undefined ? index.series(id) : null;
        return view ? json(200, seriesJson(ctx, view)) : notFound();
      }
      const { filter, matchesNothing } = query();
      if (matchesNothing) return empty();
      return page(index.seriesList(filter), (v) => seriesJson(ctx, v));
    }
    case 'patches':
    case 'covers': {
      const kind = resource === 'patches' ? 'patch' : 'cover';
      if (idText !== undefined) {
        if (id === undefined || index.kind(id) !== kind) return notFound();
        if (sub === undefined) {
          const view = index.submission(id);
          return view ? json(200, kind === 'patch' ? patchJson(ctx, view) : coverJson(ctx, view)) : notFound();
        }
        if (sub === 'comments' && version !== '1.0') return page(wholePage(index.comments(id), params), (c) => commentJson(ctx, c));
        if (sub === 'checks' && kind === 'patch') return empty();
        return notFound();
      }
      const { filter, matchesNothing } = query();
      if (matchesNothing) return empty();
      return kind === 'patch'
        ? page(index.patches(filter), (item) => patchListJson(ctx, item))
        : page(index.covers(filter), (item) => coverListJson(ctx, item));
    }
    case 'comments': {
      // A comment's own endpoint came with 1.3.
      if (idText === undefined || version !== '1.3' || id === undefined || sub !== undefined) return notFound();
      const view = index.submission(id);
      return view && view.submission.kind === 'comment' ? json(200, commentJson(ctx, view)) : notFound();
    }
    case 'events': {
      if (idText !== undefined) return notFound();
      return events(index, req, ctx, params);
    }
    default:
      return notFound();
  }
}

function events(index: ListIndex, req: ServeRequest, ctx: RenderContext, params: URLSearchParams): ServeResponse {
  const categories = values(params, 'category');
  // Comment events came with 1.3.
  const known = EVENT_CATEGORIES.filter((c) => ctx.version === '1.3' || !c.includes('comment'));
  const wanted = categories.length ? known.filter((c) => categories.includes(c)) : [...known];
  const ids = (name: string) => {
    const v = values(params, name);
    return v.length ? v.filter((x) => /^\d{1,15}$/.test(x)).map(Number) : undefined;
  };
  const series = ids('series');
  const patches = ids('patch');
  const covers = ids('cover');
  const projects = values(params, 'project');
  const since = params.get('since')?.trim() || undefined;
  const before = params.get('before')?.trim() || undefined;
  const badDate = [since, before].some((d) => d !== undefined && !/^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/.test(d));
  if (!wanted.length || badDate || [series, patches, covers].some((x) => x !== undefined && x.length === 0)) return json(200, []);
  const p = index.events({
    categories: wanted, projects: projects.length ? index.resolveProjects(projects) : undefined, series, patches, covers, since, before,
    order: params.get('order')?.trim() || undefined, page: positiveInt(params.get('page')), perPage: positiveInt(params.get('per_page')),
  });
  return listAnswer(req, p, (e) => eventJson(ctx, e, index.project(e.project)));
}

/** A page of a list that is read whole (comments of one submission). */
function wholePage<T>(items: T[], params: URLSearchParams): Page<T> {
  const perPage = Math.min(positiveInt(params.get('per_page')) ?? 30, 250);
  const page = positiveInt(params.get('page')) ?? 1;
  return { items: items.slice((page - 1) * perPage, page * perPage), total: items.length, page, perPage };
}

/** A bare JSON array with Patchwork's `Link` header; a page past the end is 404 "Invalid page.". */
function listAnswer<T>(req: ServeRequest, p: Page<T>, render: (item: T) => unknown): ServeResponse {
  const last = Math.max(1, Math.ceil(p.total / p.perPage));
  if (p.page > last) return notFound('Invalid page.');
  const at = (n: number) => {
    const url = new URL(req.url, 'http://listindex.invalid');
    url.searchParams.set('page', String(n));
    return `<${req.baseUrl}${url.pathname}${url.search}>`;
  };
  const links: string[] = [];
  if (p.page < last) links.push(`${at(p.page + 1)}; rel="next"`);
  if (p.page > 1) links.push(`${at(p.page - 1)}; rel="prev"`);
  links.push(`${at(1)}; rel="first"`, `${at(last)}; rel="last"`);
  return json(200, p.items.map(render), { Link: links.join(', ') });
}

// ---- downloads ---------------------------------------------------------------------------------

const attachment = (name: string) => `attachment; filename=${name}`;

function download(index: ListIndex, req: ServeRequest, parts: string[], params: URLSearchParams): ServeResponse {
  // /series/N/mbox/
  if (parts[0] === 'series') {
    const id = positiveInt(parts[1] ?? null);
    if (id === undefined || parts[2] !== 'mbox' || parts.length !== 3) return text(404, 'Not found.\n');
    const found = index.seriesMbox(id);
    if (!found) return text(404, 'Not found.\n');
    return text(200, found.mbox, { 'Content-Disposition': attachment(`${downloadName(found.series.name, `series-${id}`)}.patch`) });
  }
  // /patch/N/mbox/, /patch/N/raw/, /cover/N/mbox/ → the Message-Id form
  if (parts[0] === 'patch' || parts[0] === 'cover') {
    const id = positiveInt(parts[1] ?? null);
    const view = id !== undefined && parts.length === 3 ? index.submission(id) : null;
    if (!view || view.submission.kind !== parts[0] || !['mbox', 'raw'].includes(parts[2])) return text(404, 'Not found.\n');
    const link = view.project?.link_name ?? 'unknown';
    const query = new URL(req.url, 'http://listindex.invalid').search;
    return redirect(`${req.baseUrl}/project/${encodeURIComponent(link)}/${parts[0]}/${encodeURIComponent(view.submission.msgid.replace(/^<|>$/g, ''))}/${parts[2]}/${query}`);
  }
  // /project/P/patch/<msgid>/mbox/ | raw/, /project/P/cover/<msgid>/mbox/
  const [, project, kind, msgid, what] = parts;
  if (parts.length !== 5 || (kind !== 'patch' && kind !== 'cover')) return text(404, 'Not found.\n');
  // A patch cross-posted to several lists: the project's own copy, with that list's trailers.
  const view = index.submission(msgid, { list: index.resolveProjects([project])?.[0] });
  if (!view || view.submission.kind !== kind) return text(404, 'Not found.\n');
  const name = downloadName(view.submission.name, `${kind}-${view.submission.id}`);
  if (kind === 'cover') {
    if (what !== 'mbox') return text(404, 'Not found.\n');
    return text(200, index.coverMbox(view), { 'Content-Disposition': attachment(`${name}.mbox`) });
  }
  if (what === 'raw') return text(200, view.submission.diff ?? '', { 'Content-Disposition': attachment(`${name}.diff`) });
  if (what !== 'mbox') return text(404, 'Not found.\n');
  const series = params.get('series');
  return text(200, index.patchMbox(view, { withEarlier: series !== null && series !== '' && (series === '*' || series === String(view.submission.series_id)) }),
    { 'Content-Disposition': attachment(`${name}.patch`) });
}

// ---- public-inbox ------------------------------------------------------------------------------

const GZIP = { 'Content-Type': 'application/gzip' };

function publicInbox(index: ListIndex, req: ServeRequest, method: string, parts: string[], params: URLSearchParams): ServeResponse {
  const [inbox, msgid, what, ...rest] = parts;
  if (inbox !== 'all' && index.resolveProjects([inbox]) === null) return text(404, 'Not found.\n');
  // POST /all/?x=m&q=…: search, answered as gzipped mboxrd.
  if (msgid === undefined) {
    if (method === 'POST' || params.has('q')) return search(index, params, req.body);
    return text(200, `listindex: public-inbox ${inbox}\n`);
  }
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'This server is read-only.\n', { Allow: 'GET, HEAD' });
  if (rest.length) return text(404, 'Not found.\n');
  // One statement to know the message: HEAD and raw need no more of it.
  const messageId = index.messageId(msgid);
  if (messageId === null) return text(404, 'Not found.\n');
  if (what === undefined) return text(200, `${msgid}\n`);
  if (what === 'raw') return text(200, index.mboxrd([{ raw: index.raw(messageId) ?? Buffer.alloc(0) }]));
  if (what === 't.mbox.gz') {
    const thread = index.thread(msgid);
    if (!thread) return text(404, 'Not found.\n');
    return { status: 200, headers: GZIP, body: gzipSync(index.mboxrd(thread.messages)) };
  }
  return text(404, 'Not found.\n');
}

function search(index: ListIndex, params: URLSearchParams, body: string): ServeResponse {
  const q = params.get('q') ?? '';
  // Whole threads with t=1, or a form body x=… other than x=0 (what b4 sends).
  const form = new URLSearchParams(body);
  const threads = params.get('t') === '1' || (form.has('x') && form.get('x') !== '0');
  const found = new Map<number, ThreadMessage>();
  for (const terms of parseSearch(q)) {
    for (const m of index.search(terms, SEARCH_LIMIT)) found.set(m.id, m);
    if (found.size >= SEARCH_LIMIT) break;
  }
  if (!found.size) return text(404, 'No results found\n');
  if (threads) {
    // Matches in one thread share it: each thread is read once.
    const inThreads = new Set<number>();
    for (const m of [...found.values()]) {
      if (found.size >= SEARCH_LIMIT * 10) break;
      if (inThreads.has(m.id)) continue;
      for (const t of index.thread(m.msgid)?.messages ?? []) {
        found.set(t.id, t);
        inThreads.add(t.id);
      }
    }
  }
  const ordered = [...found.values()].sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.id - b.id);
  return { status: 200, headers: GZIP, body: gzipSync(index.mboxrd(ordered)) };
}
