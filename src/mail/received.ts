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

/*
 * The tokens of one value, as offsets: token k is value[starts[k], ends[k]) and a comment when
 * comments[k] (its text without the parentheses). Kept in module arrays reused by every call,
 * and read with charCodeAt, because this runs for every Received hop of every message: token
 * objects and one-character strings were most of the parse worker's Received cost. A token's
 * text is sliced only when a clause keeps it.
 */
const starts: number[] = [];
const ends: number[] = [];
const comments: boolean[] = [];

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const OPEN = 0x28;
const CLOSE = 0x29;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const BRACKET = 0x5b;
const ANGLE = 0x3c;

const isBlank = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;

/** Splits `s` into words and `(comments)` (nested) into the arrays above; returns how many. */
function tokenise(s: string): number {
  let count = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === OPEN) {
      let depth = 1;
      let j = i + 1;
      while (j < n && depth > 0) {
        const d = s.charCodeAt(j);
        if (d === BACKSLASH) j++;
        else if (d === OPEN) depth++;
        else if (d === CLOSE) depth--;
        j++;
      }
      starts[count] = i + 1;
      ends[count] = depth === 0 ? j - 1 : Math.min(j, n);
      comments[count++] = true;
      i = j;
      continue;
    }
    let j = i;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (isBlank(d) || d === OPEN) break;
      // A quoted string, a [literal] or an <address> is one word, blanks and all.
      const close = d === QUOTE ? '"' : d === BRACKET ? ']' : d === ANGLE ? '>' : null;
      if (close !== null) {
        const q = s.indexOf(close, j + 1);
        j = q < 0 ? n : q + 1;
        continue;
      }
      j++;
    }
    starts[count] = i;
    ends[count] = j;
    comments[count++] = false;
    i = j;
  }
  return count;
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
// Module-level: a regex literal in the function made a new RegExp for every hop.
const BRACKETED = /\[([^\]]*)\]/g;

function ipInComment(text: string): string | null {
  const re = BRACKETED;
  re.lastIndex = 0;
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

/** The clause keyword (lower case) that the word s[start, end) is, or null. Keywords are 2 to 4
 * letters long, so most words (host names, ids) are ruled out without making a string. */
function keywordAt(s: string, start: number, end: number): string | null {
  const length = end - start;
  if (length < 2 || length > 4) return null;
  const lower = s.slice(start, end).toLowerCase();
  return KEYWORDS.has(lower) ? lower : null;
}

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

  const count = tokenise(clauses);
  const text = (k: number): string => clauses.slice(starts[k], ends[k]);
  let clause: string | null = null;
  let protocolWords: string[] = [];
  for (let i = 0; i < count; i++) {
    if (comments[i]) {
      if (clause === 'from' && result.fromIp === null) result.fromIp = ipInComment(text(i));
      // `with` / `via` end at the first comment: `with esmtps (TLS1.2) (Exim 4.89)`.
      if (clause === 'with' || clause === 'via') clause = null;
      continue;
    }
    const keyword = keywordAt(clauses, starts[i], ends[i]);
    if (keyword !== null && i + 1 < count && !comments[i + 1]) {
      clause = keyword;
      const next = text(++i);
      switch (keyword) {
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
      protocolWords.push(text(i));
      result.protocol = protocolWords.join(' ');
      continue;
    }
    if (clause === 'from' && result.fromIp === null) {
      // `from host [1.2.3.4]` without parentheses.
      const ip = normaliseIp(text(i));
      if (ip !== null) result.fromIp = ip;
    }
  }
  // A hostile value of many thousands of words must not keep the arrays' memory for good.
  if (count > 4096) starts.length = ends.length = comments.length = 0;
  return result;
}
