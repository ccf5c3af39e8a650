/**
 * A series: cover letter, patches in order with their trailers, the revisions as a timeline
 * with, per patch number, whether the diff changed from the revision before (the diff hash
 * tells), and the commands and downloads that take it.
 */
import type { SeriesRevision, SeriesView, SubmissionView, TrailerRow } from '../store/read-model.js';
import { html } from './html.js';
import { seriesCommands } from './commands.js';
import type { Html } from './html.js';
import { htmlDocument, personName, personText, revisionState, shortDate, urls, versionText } from './layout.js';
import type { WebContext } from './layout.js';
import { mailText } from './mail-text.js';
import { trailerList } from './trailers.js';

export interface SeriesPageData {
  view: SeriesView;
  revisions: SeriesRevision[];
  trailers: Map<number, TrailerRow[]>;
  /** The cover letter, whole, or null. */
  cover: SubmissionView | null;
}

export function commandBlock(commands: string[]): Html {
  return html`<div class="commands">${commands.map((c) => html`<pre><code>${c}</code></pre>`)}</div>`;
}

/** Per patch number, how its diff compares with the revision before: a table, revisions as columns. */
function revisionTable(data: SeriesPageData): Html {
  const { revisions, view } = data;
  if (revisions.length < 2) return html``;
  const numbers = [...new Set(revisions.flatMap((r) => r.patches.map((p) => p.number ?? 0)))].sort((a, b) => a - b);
  const header = revisions.map((r) => html`<th scope="col"${r.series.id === view.series.id ? html` class="current"` : ''}><a href="${urls.series(view.project, r.series.id)}">${versionText(r.series)}</a></th>`);
  const rows = numbers.map((n) => {
    let before: string | null | undefined;
    const cells = revisions.map((r, i) => {
      const patch = r.patches.find((p) => (p.number ?? 0) === n);
      let cell: Html;
      if (!patch) cell = html`<td class="same">—</td>`;
      else {
        const [cls, word] = i === 0 || before === undefined ? ['added', i === 0 ? 'first' : 'new'] : patch.diff_hash !== null && patch.diff_hash === before ? ['same', 'unchanged'] : ['changed', 'changed'];
        cell = html`<td><a href="${urls.submission(view.project, 'patch', patch.msgid)}" class="${cls}">${word}</a></td>`;
      }
      before = patch ? patch.diff_hash : undefined;
      return cell;
    });
    return html`<tr><th scope="row">${n || '—'}</th>${cells}</tr>`;
  });
  return html`<div class="scroll"><table class="list revisions"><caption class="meta">Each patch's diff against the revision before (by diff hash)</caption>
<thead><tr><th scope="col">Patch</th>${header}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function seriesPage(ctx: WebContext, data: SeriesPageData): string {
  const { view, revisions, trailers, cover } = data;
  const s = view.series;
  const project = view.project;
  const title = s.name ?? `series ${s.id}`;
  const state = revisionState(s);
  const timeline = revisions.length > 1
    ? html`<nav aria-label="Revisions"><ol class="timeline">${revisions.map((r) => r.series.id === s.id
      ? html`<li class="current" aria-current="page">${versionText(r.series)}</li>`
      : html`<li><a href="${urls.series(project, r.series.id)}">${versionText(r.series)}</a> <span class="meta">${shortDate(r.series.date)}</span></li>`)}</ol></nav>`
    : html`<p class="meta">Only revision.</p>`;
  const patches = view.patches.map((p) => html`<li value="${p.number ?? 0}" data-nav><a href="${urls.submission(project, 'patch', p.msgid)}">${p.name}</a>
${trailerList(project, trailers.get(p.id) ?? [])}</li>`);
  const missing = s.total - view.patches.length;
  const main = html`<h1>${title}</h1>
<p class="meta">Series ${s.id} · ${versionText(s)} · ${s.received_total}/${s.total} patches · ${personText(view.submitter)} · ${shortDate(s.date)} UTC ·
<span class="state-${state === 'open' ? 'new' : 'superseded'}">${state}</span>
${project ? html` · <a href="${urls.list(project)}">${project.link_name}</a>` : ''}
 · <a href="${urls.message(project, s.key_msgid)}">thread</a></p>
<h2>Revisions</h2>
${timeline}
${revisionTable(data)}
<h2>Take it</h2>
${commandBlock(seriesCommands(ctx, view))}
<p>Download: <a href="${urls.seriesMbox(s.id)}">series mbox</a>${view.cover ? html` · <a href="${urls.submission(project, 'cover', view.cover.msgid)}mbox/">cover mbox</a>` : ''}</p>
${cover ? html`<h2>Cover letter</h2>
<p class="meta"><a href="${urls.submission(project, 'cover', cover.submission.msgid)}">${cover.submission.name ?? cover.submission.subject ?? ''}</a> · ${personName(cover.submission.submitter)}</p>
${mailText(cover.submission.body)}` : ''}
<h2>Patches</h2>
${missing > 0 ? html`<p class="meta">${missing} of ${s.total} not received.</p>` : ''}
<ol class="patches">
${patches}
</ol>`;
  return htmlDocument({ title, project, main });
}
