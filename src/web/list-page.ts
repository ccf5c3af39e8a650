/** The series list (`/`, `/project/<list>/list/`): Patchwork's columns, filters in the URL, pages. */
import type { Page, Project, SeriesView } from '../store/read-model.js';
import { attr, html } from './html.js';
import { htmlDocument, personName, revisionState, shortDate, urls, versionText } from './layout.js';

/** The filters as the form sends them; empty strings are no filter. */
export interface ListParams {
  project: string;
  submitter: string;
  /** '' (every revision) or 'open' (the newest revision of each series). */
  state: string;
  /** A phrase for the full-text index. */
  q: string;
}

export interface ListPageData {
  page: Page<SeriesView>;
  projects: Project[];
  /** The list the path names (`/project/<list>/list/`), else null. */
  project: Project | null;
  params: ListParams;
}

/** The query string of a filtered view, empty values left out, so the same view has one URL. */
export function listQueryString(params: ListParams, page: number, withProject: boolean): string {
  const q = new URLSearchParams();
  if (withProject && params.project) q.set('project', params.project);
  if (params.submitter) q.set('submitter', params.submitter);
  if (params.state) q.set('state', params.state);
  if (params.q) q.set('q', params.q);
  if (page > 1) q.set('page', String(page));
  const text = q.toString();
  return text ? `?${text}` : '';
}

export function listPage(data: ListPageData): string {
  const { page, params, project } = data;
  const last = Math.max(1, Math.ceil(page.total / page.perPage));
  const base = urls.list(project);
  const at = (n: number) => `${base}${listQueryString(params, n, project === null)}`;
  const title = project ? `${project.link_name}: series` : 'Series';
  const rows = page.items.map((v) => {
    const s = v.series;
    const state = revisionState(s);
    return html`<tr data-nav>
<td><a href="${urls.series(v.project, s.id)}">${s.name ?? '(no name)'}</a></td>
<td class="num">${versionText(s)}</td>
<td class="num" data-label="patches">${s.received_total}/${s.total}</td>
<td class="num" data-label="A/R/T" title="Acked-by / Reviewed-by / Tested-by">${v.acked} ${v.reviewed} ${v.tested}</td>
<td>${personName(v.submitter)}</td>
<td class="num wide">${shortDate(s.date)}</td>
<td class="state-${state === 'open' ? 'new' : 'superseded'}">${state}</td>
</tr>`;
  });
  const projectField = project
    ? ''
    : html`<label>List<select name="project"><option value="">all lists</option>${data.projects.map((p) =>
      html`<option value="${attr(p.link_name)}"${p.link_name === params.project ? html` selected` : ''}>${p.link_name} (${p.list_id})</option>`)}</select></label>`;
  const main = html`<h1>${title}</h1>
<form class="filters" method="get" action="${base}" role="search">
${projectField}
<label>Submitter<input name="submitter" value="${attr(params.submitter)}" placeholder="name or address"></label>
<label>State<select name="state"><option value="">every revision</option><option value="open"${params.state === 'open' ? html` selected` : ''}>open (newest revision)</option></select></label>
<label>Search<input type="search" name="q" value="${attr(params.q)}" placeholder="words, a function name"></label>
<button type="submit">Filter</button>
</form>
<p class="meta">${page.total} series${last > 1 ? html`, page ${page.page} of ${last}` : ''}. Keys: j/k move, o opens.</p>
<div class="scroll"><table class="list series">
<thead><tr><th scope="col">Series</th><th scope="col">Version</th><th scope="col">Patches</th><th scope="col"><abbr title="Acked-by, Reviewed-by, Tested-by">A R T</abbr></th><th scope="col">Submitter</th><th scope="col" class="wide">Date (UTC)</th><th scope="col">State</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
${page.items.length ? '' : html`<p>No series match.</p>`}
<nav class="pages" aria-label="Pages">
${page.page > 1 ? html`<a rel="prev" href="${at(page.page - 1)}">← newer</a>` : ''}
${page.page < last ? html`<a rel="next" href="${at(page.page + 1)}">older →</a>` : ''}
</nav>`;
  return htmlDocument({ title, project, main });
}
