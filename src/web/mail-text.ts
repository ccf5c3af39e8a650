/**
 * The text of a mail as HTML: quoted runs (`>` lines) folded in <details>, so a thread reads
 * without JavaScript; http(s) addresses as links that give no credit and no opener to the site
 * they name. Nothing else becomes a link: a `javascript:` or `data:` address stays text.
 */
import { Html, attr, escapeText, html } from './html.js';

/** An http(s) address, up to white space, quotes, angle brackets, controls or bidi controls. */
const URL_RE = /\bhttps?:\/\/[^\s<>"'\u0000-\u001f\u007f\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]+/g;
/** Quoted runs shorter than this stay open: two lines are context, not a wall. */
const FOLD_AT = 4;

function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    // Punctuation that ends a sentence is not part of the address.
    const url = m[0].replace(/[).,;:!?\]]+$/, '');
    out += escapeText(text.slice(last, m.index)) + `<a href="${attr(url).text}" rel="nofollow noopener">${escapeText(url)}</a>`;
    last = m.index + url.length;
  }
  return out + escapeText(text.slice(last));
}

export function mailText(body: string): Html {
  const lines = body.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const parts: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const quoted = lines[i].startsWith('>');
    let j = i;
    while (j < lines.length && lines[j].startsWith('>') === quoted) j++;
    const run = lines.slice(i, j).join('\n');
    if (quoted && j - i >= FOLD_AT) {
      parts.push(html`<details class="quote"><summary>${j - i} quoted lines</summary><pre>${new Html(linkify(run))}</pre></details>`.text);
    } else {
      parts.push(html`<pre class="${quoted ? 'quoted' : 'text'}">${new Html(linkify(run))}</pre>`.text);
    }
    i = j;
  }
  return new Html(`<div class="mail">${parts.join('')}</div>`);
}
