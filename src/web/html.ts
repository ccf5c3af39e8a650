/**
 * HTML built from templates whose values are escaped unless they are already `Html`: text from
 * mail (subjects, names, bodies, Message-Ids) can only reach a page through `escapeText`, so no
 * renderer has to remember to escape. Hand-written rather than a template library: the whole
 * job is this one function and a class, and a library would add a dependency for it.
 */

/** Markup that is safe as it is: made by `html` or by a renderer that escaped its text itself. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * Bidirectional formatting controls (embeddings, overrides, isolates, marks). In a subject or
 * a diff they can make text display in another order than it is read ("Trojan Source"), so
 * pages show them as visible code points instead of obeying them.
 */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const SPECIAL = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The one escape function: text (from mail or a request) to HTML, safe in content and in quoted attributes. */
export function escapeText(text: string): string {
  const escaped = text.replace(SPECIAL, (c) => ENTITIES[c]);
  return escaped.replace(BIDI, (c) => `<span class="ctl" title="a bidirectional control character">${escapeBidi(c)}</span>`);
}

/** Bidi controls as visible text (`[U+202E]`), for text that another renderer escapes (diff2html). */
export function escapeBidi(text: string): string {
  return text.replace(BIDI, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

type Value = Html | string | number | null | undefined | false | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeText(String(value));
}

/** A template of trusted markup with escaped values. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup a renderer made itself (diff2html's, which escapes its text). */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** A path segment: percent-encoded, so that a Message-Id with `/`, `?`, `#` or quotes stays one segment. */
export function seg(text: string): string {
  return encodeURIComponent(text);
}

/** A Message-Id without its angle brackets, as URLs and b4 take it. */
export function bareMsgid(msgid: string): string {
  return msgid.replace(/^<|>$/g, '');
}

/** A value for a quoted attribute (a form field's value): escaped, bidi controls made U+FFFD since markup cannot show there. */
export function attr(text: string): Html {
  return new Html(escapeText(text.replace(BIDI, '\uFFFD')));
}
