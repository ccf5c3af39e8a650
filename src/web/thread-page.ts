/**
 * A thread as public-inbox shows it: each message under the one it replies to, quotes folded,
 * each with its permalink (`/<list>/<msgid>/`), the asked-for message marked.
 */
import type { MessageBody, Project, ThreadMessage, ThreadView } from '../store/read-model.js';
import { html } from './html.js';
import type { Html } from './html.js';
import { htmlDocument, shortDate, urls } from './layout.js';
import { mailText } from './mail-text.js';

export interface ThreadPageData {
  thread: ThreadView;
  /** The messages shown (at most MAX_THREAD_PAGE of the thread's) with their bodies. */
  bodies: Map<number, MessageBody>;
  /** The message the URL names. */
  focus: number;
  /** The list of the URL (`/<list>/…`), or null for `/all/`. */
  project: Project | null;
}

/** A page shows this many messages of a thread; the rest are in its t.mbox.gz. */
export const MAX_THREAD_PAGE = 300;
/** Replies deeper than this are shown at this depth: a phone has room for a few levels only. */
const MAX_DEPTH = 12;

/** The messages a thread page shows: the asked-for one, then the oldest, up to MAX_THREAD_PAGE. */
export function threadPageMessages(thread: ThreadView, focus: number): ThreadMessage[] {
  if (thread.messages.length <= MAX_THREAD_PAGE) return thread.messages;
  const chosen = new Set([focus, ...thread.messages.slice(0, MAX_THREAD_PAGE - 1).map((m) => m.id)]);
  return thread.messages.filter((m) => chosen.has(m.id));
}

export function threadPage(data: ThreadPageData): string {
  const { thread, bodies, focus, project } = data;
  const shown = threadPageMessages(thread, focus);
  const byMsgid = new Map<string, ThreadMessage>();
  for (const m of shown) if (!byMsgid.has(m.msgid)) byMsgid.set(m.msgid, m);
  const children = new Map<number, ThreadMessage[]>();
  const roots: ThreadMessage[] = [];
  for (const m of shown) {
    const parent = m.in_reply_to ? byMsgid.get(m.in_reply_to) : undefined;
    if (parent && parent.id !== m.id) {
      let list = children.get(parent.id);
      if (!list) children.set(parent.id, (list = []));
      list.push(m);
    } else roots.push(m);
  }
  const focused = shown.find((m) => m.id === focus);
  // Recursive: its depth is bounded by the MAX_THREAD_PAGE messages shown.
  const item = (m: ThreadMessage, depth: number): Html => {
    const body = bodies.get(m.id);
    const kids = children.get(m.id) ?? [];
    const below = kids.map((k) => item(k, depth + 1));
    const nested = depth < MAX_DEPTH ? html`<ul class="thread">${below.map((b) => html`<li>${b}</li>`)}</ul>` : html`${below}`;
    return html`<article class="message${m.id === focus ? ' focus' : ''}" id="m${m.id}" data-nav>
<header><a href="${urls.message(project, m.msgid)}">${m.subject ?? '(no subject)'}</a><br>
<span class="meta">${body?.name ? `${body.name} <${body.email ?? ''}>` : m.sender ?? 'unknown'} · ${shortDate(m.date)} UTC · <a href="${urls.message(project, m.msgid)}raw">raw</a></span></header>
${mailText(body?.body ?? '')}
</article>${kids.length ? nested : ''}`;
  };
  const title = focused?.subject ?? thread.rootMsgid;
  const main = html`<h1>${title}</h1>
<p class="meta">Thread of ${thread.messages.length} message${thread.messages.length === 1 ? '' : 's'}${shown.length < thread.messages.length ? html`, ${shown.length} shown` : ''}${thread.truncated ? ' (cut: the thread is larger still)' : ''} ·
<a href="${urls.message(project, focused?.msgid ?? thread.rootMsgid)}t.mbox.gz">t.mbox.gz</a> · keys: j/k move, q folds quotes</p>
<ul class="thread">${roots.map((r) => html`<li>${item(r, 0)}</li>`)}</ul>`;
  return htmlDocument({ title, project, main });
}
