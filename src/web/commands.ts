/**
 * The shell commands a page offers to copy. A Message-Id is mail's text: it can hold quotes,
 * `$(…)` or `;`, so every word from mail is quoted for a POSIX shell before it is shown.
 */
import type { SeriesView, SubmissionView } from '../store/read-model.js';
import { bareMsgid } from './html.js';
import { urls } from './layout.js';
import type { WebContext } from './layout.js';

/** A word as a POSIX shell reads it back unchanged: bare when only safe characters, else single-quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9._@%+=:,/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function seriesCommands(ctx: WebContext, view: SeriesView): string[] {
  return [
    `git pw series apply ${view.series.id}`,
    `b4 am ${shellWord(bareMsgid(view.series.key_msgid))}`,
    `curl -s ${shellWord(`${ctx.baseUrl}${urls.seriesMbox(view.series.id)}`)} | git am`,
  ];
}

export function patchCommands(ctx: WebContext, view: SubmissionView): string[] {
  return [
    `git pw patch apply ${view.submission.id}`,
    `b4 am -P _ ${shellWord(bareMsgid(view.submission.msgid))}`,
    `curl -s ${shellWord(`${ctx.baseUrl}${urls.submission(view.project, 'patch', view.submission.msgid)}mbox/`)} | git am`,
  ];
}
