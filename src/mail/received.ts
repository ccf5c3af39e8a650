/**
 * One `Received:` header into its clauses (RFC 5321 §4.4 and what MTAs really write).
 *
 * The value is tokenised at the top level: words, `(comments)` (nested), `"quoted strings"`
 * and `[literals]`. The clause keywords `from`, `by`, `via`, `with`, `id`, `for` are then read
 * in whatever order they come, since Exim, Postfix, sendmail, qmail, Microsoft and Google all
 * order and decorate them differently. The date is the text after the last `;`.
 */
import type { ReceivedHop } from '../types.js';
import { formatUtc, parseMailDate } from './date.js';

type Token = { kind: 'word' | 'comment'; text: string };

function tokenise(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(') {
      let depth = 1;
      let j = i + 1;
      while (j < n && depth > 0) {
        const d = s[j];
        if (d === '\\') j++;
        else if (d === '(') depth++;
        else if (d === ')') depth--;
        j++;
      }
      out.push({ kind: 'comment', text: s.slice(i + 1, depth === 0 ? j - 1 : j) });
      i = j;
      continue;
    }
    let j = i;
    while (j < n) {
      const d = s[j];
      if (d === ' ' || d === '\t' || d === '\n' || d === '\r' || d === '(') break;
      if (d === '"') {
        const q = s.indexOf('"', j + 1);
        j = q < 0 ? n : q + 1;
        continue;
      }
      if (d === '[') {
        const q = s.indexOf(']', j + 1);
        j = q < 0 ? n : q + 1;
        continue;
      }
      if (d === '<') {
        const q = s.indexOf('>', j + 1);
        j = q < 0 ? n : q + 1;
        continue;
      }
      j++;
    }
    out.push({ kind: 'word', text: s.slice(i, j) });
    i = j;
  }
  return out;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:(?:\d{1,3}\.){3}\d{1,3})?(?:%[\w.-]+)?$/;

/** The IP address in `1.2.3.4`, `[1.2.3.4]`, `[IPv6:2001:db8::1]`, `[1.2.3.4]:25`, or null. */
export function normaliseIp(text: string): string | null {
  let t = text.trim();
  if (t.startsWith('[')) {
    const end = t.indexOf(']');
    if (end < 0) return null;
    t = t.slice(1, end);
  }
  if (/^ipv6:/i.test(t)) t = t.slice(5);
  if (IPV4.test(t)) return t;
  if (t.length >= 2 && IPV6.test(t) && (t.match(/:/g)?.length ?? 0) >= 2) return t.toLowerCase();
  return null;
}

/** The first IP address in a comment such as `(host [1.2.3.4])`, `([1.2.3.4]:5 "EHLO x")` or `(10.1.2.3)`. */
function ipInComment(text: string): string | null {
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const ip = normaliseIp(m[1]);
    if (ip !== null) return ip;
  }
  for (const word of text.split(/[\s,;]+/)) {
    const ip = normaliseIp(word.replace(/^[(]|[)]$/g, ''));
    if (ip !== null) return ip;
  }
  return null;
}

const KEYWORDS = new Set(['from', 'by', 'via', 'with', 'id', 'for']);

function stripAngles(s: string): string {
  return s.replace(/^<|>$/g, '').replace(/[;,]$/, '');
}

/** Finds where the date starts: after the last `;`, else a trailing RFC 5322-looking date. */
function splitDate(value: string): { clauses: string; date: string | null } {
  const semi = value.lastIndexOf(';');
  if (semi >= 0) return { clauses: value.slice(0, semi), date: value.slice(semi + 1).trim() };
  const m = /(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?\d{1,2}\s+[A-Za-z]{3,9}\s+\d{2,4}\s+\d{1,2}:\d{2}.*$/.exec(value);
  if (m) return { clauses: value.slice(0, m.index), date: m[0] };
  return { clauses: value, date: null };
}

/** Parses one Received value (unfolded, decoded) into a hop. Never throws. */
export function parseReceived(value: string, hop: number): ReceivedHop {
  const result: ReceivedHop = {
    hop,
    fromHost: null,
    fromIp: null,
    byHost: null,
    protocol: null,
    id: null,
    for: null,
    date: null,
    raw: value,
  };
  const { clauses, date } = splitDate(value);
  if (date !== null) {
    const parsed = parseMailDate(date);
    if (parsed !== null) result.date = formatUtc(parsed.time);
  }

  const tokens = tokenise(clauses);
  let clause: string | null = null;
  let protocolWords: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'comment') {
      if (clause === 'from' && result.fromIp === null) result.fromIp = ipInComment(t.text);
      // `with` / `via` end at the first comment: `with esmtps (TLS1.2) (Exim 4.89)`.
      if (clause === 'with' || clause === 'via') clause = null;
      continue;
    }
    const lower = t.text.toLowerCase();
    if (KEYWORDS.has(lower) && i + 1 < tokens.length && tokens[i + 1].kind === 'word') {
      clause = lower;
      const next = tokens[++i].text;
      switch (lower) {
        case 'from':
          if (result.fromHost === null) {
            result.fromHost = next;
            const ip = normaliseIp(next);
            if (ip !== null && result.fromIp === null) result.fromIp = ip;
          }
          break;
        case 'by':
          if (result.byHost === null) result.byHost = next;
          break;
        case 'with':
          // `with Microsoft SMTP Server`: the following plain words belong to it (see below).
          if (result.protocol === null) {
            protocolWords = [next];
            result.protocol = next;
          } else clause = null;
          break;
        case 'id':
          if (result.id === null) result.id = next.replace(/[;,]$/, '');
          break;
        case 'for':
          if (result.for === null) result.for = stripAngles(next);
          break;
      }
      continue;
    }
    if (clause === 'with' && protocolWords.length > 0 && protocolWords.length < 4) {
      protocolWords.push(t.text);
      result.protocol = protocolWords.join(' ');
      continue;
    }
    if (clause === 'from' && result.fromIp === null) {
      // `from host [1.2.3.4]` without parentheses.
      const ip = normaliseIp(t.text);
      if (ip !== null) result.fromIp = ip;
    }
  }
  return result;
}
