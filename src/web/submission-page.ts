/**
 * A patch (commit message, trailers, coloured diff, files, discussion) or a cover letter
 * (text, its series, discussion). The diff is drawn by diff2html, which escapes what it shows.
 */
import { html as diffHtml } from 'diff2html';
import type { ColorSchemeType } from 'diff2html/lib/types.js';
import { patchworkContent } from '../api/content.js';
import type { PatchFile, SubmissionView } from '../store/read-model.js';
import { escapeBidi, html, trusted } from './html.js';
import { patchCommands } from './commands.js';
import type { Html } from './html.js';
import { htmlDocument, personName, personText, shortDate, urls } from './layout.js';
import type { WebContext } from './layout.js';
import { mailText } from './mail-text.js';
import { commandBlock } from './series-page.js';
import { trailerList } from './trailers.js';

export interface SubmissionPageData {
  view: SubmissionView;
  files: PatchFile[];
  comments: SubmissionView[];
}

/**
 * Diffs larger than this are shown as plain text: diff2html's markup is about ten times the
 * diff, and a page that size helps no reader (the raw diff is one link away).
 */
const MAX_COLOURED_DIFF = 400_000;

function diffBlock(diff: string): Html {
  if (diff.length > MAX_COLOURED_DIFF) return html`<pre class="diff">${diff}</pre>`;
  // diff2html escapes markup but obeys bidi controls: they are made visible first.
  return trusted(diffHtml(escapeBidi(diff), { drawFileList: false, outputFormat: 'line-by-line', matching: 'none', colorScheme: 'auto' as ColorSchemeType }));
}

function discussion(view: SubmissionView, comments: SubmissionView[]): Html {
  if (!comments.length) return html`<h2>Discussion</h2><p class="meta">No replies.</p>`;
  return html`<h2>Discussion (${comments.length})</h2>
${comments.map((c) => html`<article class="message" data-nav id="m${c.submission.id}">
<header><a href="${urls.message(view.project, c.submission.msgid)}">${c.submission.subject ?? '(no subject)'}</a><br>
<span class="meta">${personText(c.submission.submitter)} · ${shortDate(c.submission.date)} UTC</span></header>
${mailText(c.submission.body)}
</article>`)}`;
}

export function submissionPage(ctx: WebContext, data: SubmissionPageData): string {
  const { view, files, comments } = data;
  const s = view.submission;
  const project = view.project;
  const kind = s.kind === 'cover' ? 'cover' : 'patch';
  const title = s.name ?? s.subject ?? s.msgid;
  const seriesLine = view.series
    ? html` · <a href="${urls.series(project, view.series.id)}">series ${view.series.id} (v${view.series.version}${s.number !== null ? html`, patch ${s.number}/${view.series.total}` : ''})</a>`
    : '';
  const meta = html`<p class="meta">${kind === 'patch' ? 'Patch' : 'Cover letter'} ${s.id} · ${personText(s.submitter)} · ${shortDate(s.date)} UTC${s.state ? html` · ${s.state}` : ''}${seriesLine}
 · <a href="${urls.message(project, s.msgid)}">thread</a></p>
<p class="meta">Message-Id: <code>${s.msgid}</code></p>`;
  let main: Html;
  if (kind === 'patch') {
    const mbox = `${urls.submission(project, 'patch', s.msgid)}mbox/`;
    const filesTable = files.length
      ? html`<h2>Files (${files.length})</h2><div class="scroll"><table class="list files"><thead><tr><th scope="col">File</th><th scope="col" class="num">Added</th><th scope="col" class="num">Removed</th></tr></thead><tbody>
${files.map((f) => html`<tr><td><code>${f.path}</code>${f.binary ? ' (binary)' : ''}</td><td class="num added">+${f.added}</td><td class="num changed">−${f.removed}</td></tr>`)}
</tbody></table></div>`
      : '';
    main = html`<h1>${title}</h1>
${meta}
<h2>Take it</h2>
${commandBlock(patchCommands(ctx, view))}
<p>Download: <a href="${mbox}">patch mbox</a> · <a href="${urls.submission(project, 'patch', s.msgid)}raw/">diff</a>${view.series ? html` · <a href="${mbox}?series=${view.series.id}">mbox with the series' patches before it</a>` : ''}</p>
<h2>Commit message</h2>
${mailText(patchworkContent(s))}
<h2>Trailers</h2>
${view.trailers.length ? trailerList(project, view.trailers) : html`<p class="meta">None.</p>`}
${filesTable}
<h2>Diff</h2>
${s.diff ? diffBlock(s.diff) : s.pull_url ? html`<p>Pull request: <code>${s.pull_url}</code></p>` : html`<p class="meta">No diff.</p>`}
${discussion(view, comments)}`;
  } else {
    main = html`<h1>${title}</h1>
${meta}
<p>Download: <a href="${urls.submission(project, 'cover', s.msgid)}mbox/">cover mbox</a>${view.series ? html` · <a href="${urls.seriesMbox(view.series.id)}">series mbox</a>` : ''}</p>
${mailText(s.body)}
${discussion(view, comments)}`;
  }
  return htmlDocument({ title: `${title} (${personName(s.submitter)})`, project, main, diff: kind === 'patch' });
}
