/** The frame of every page, and the small pieces pages share (people, dates, links). */
import type { Person, Project, SeriesRow } from '../store/read-model.js';
import { Html, bareMsgid, html, seg } from './html.js';

/** What every page needs from the request. */
export interface WebContext {
  /** The URL root for commands shown to copy, e.g. http://127.0.0.1:8000 (no trailing slash). */
  baseUrl: string;
}

/** The URL name of a series' or message's list; `all` when it has none. */
export function projectSlug(project: Project | null): string {
  return project?.link_name ?? 'all';
}

export const urls = {
  list: (project: Project | null) => (project ? `/project/${seg(project.link_name)}/list/` : '/'),
  series: (project: Project | null, id: number) => `/project/${seg(projectSlug(project))}/series/${id}/`,
  submission: (project: Project | null, kind: 'patch' | 'cover', msgid: string) => `/project/${seg(projectSlug(project))}/${kind}/${seg(bareMsgid(msgid))}/`,
  /** public-inbox's permalink: `/<list>/<msgid>/`. */
  message: (project: Project | null, msgid: string) => `/${seg(projectSlug(project))}/${seg(bareMsgid(msgid))}/`,
  seriesMbox: (id: number) => `/series/${id}/mbox/`,
};

export function personText(person: Person | null): string {
  if (!person) return 'unknown';
  return person.name ? `${person.name} <${person.email}>` : person.email;
}

export function personName(person: Person | null): string {
  return person ? person.name || person.email : 'unknown';
}

/** Dates as stored (UTC, ISO) shown to the minute. */
export function shortDate(date: string | null): string {
  return date ? date.slice(0, 16).replace('T', ' ') : '—';
}

/** Whether a series is the newest revision of its kind (open) or one a newer revision replaced. */
export function revisionState(series: SeriesRow): 'open' | 'superseded' {
  return series.latest_id !== null && series.latest_id !== series.id ? 'superseded' : 'open';
}

export function versionText(series: SeriesRow): string {
  return `v${series.version}`;
}

/** A whole document: styles and the script by URL only, nothing inline (the CSP forbids it). */
export function htmlDocument(options: { title: string; project?: Project | null; main: Html; diff?: boolean }): string {
  const project = options.project ?? null;
  return '<!DOCTYPE html>\n' + html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<title>${options.title} · listindex</title>
${options.diff ? html`<link rel="stylesheet" href="/static/diff2html.css">` : ''}
<link rel="stylesheet" href="/static/listindex.css">
<script src="/static/listindex.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/">listindex</a>
<nav aria-label="Site"><a href="/">All series</a>${project ? html` · <a href="${urls.list(project)}">${project.link_name} series</a>` : ''}</nav>
</header>
<main>
${options.main}
</main>
</body>
</html>
`.text;
}
