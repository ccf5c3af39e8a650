/** Trailers with where each came from (the patch, a reply, the cover's thread, an earlier revision). */
import type { Project, TrailerRow } from '../store/read-model.js';
import { html } from './html.js';
import type { Html } from './html.js';
import { urls } from './layout.js';

const ORIGIN: Record<string, string> = {
  patch: 'in the patch',
  reply: 'from a reply',
  cover: 'from the cover letter\'s thread',
  'previous-version': 'from an earlier revision',
};

export function trailerList(project: Project | null, trailers: TrailerRow[]): Html {
  if (!trailers.length) return html``;
  return html`<ul class="trailers">${trailers.map((t) => html`<li><code>${t.name}: ${t.value}</code> <span class="origin">(<a href="${urls.message(project, t.given_in_msgid)}">${ORIGIN[t.origin] ?? t.origin}</a>)</span></li>`)}</ul>`;
}
