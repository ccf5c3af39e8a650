/** From, To and Cc: names and addresses. */
import type { Address } from '../types.js';
import { decodeEncodedWords } from './encoded-words.js';

/** Patchwork cuts names and addresses to its 255-character columns. */
export const ADDRESS_MAX_LENGTH = 255;

/** Patchwork's check that an address is usable (reference §1.4). */
const VALID_EMAIL =
  /^[\w!#$%&"*+/=?^`{|}~-]+(?:\.[\w!#$%&"*+/=?^`{|}~-]+)*@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

export function isValidEmail(email: string): boolean {
  return VALID_EMAIL.test(email);
}

/** Patchwork's `split_from_header` patterns, tried in order, each anchored at the start. */
const FROM_ANGLE = /^"?(.*?)"?\s*<([^>]+)>/s;
const FROM_PIPERMAIL = /^(.*?)\sat\s(.*?)\s*\(([^)]+)\)/s;
const FROM_PAREN = /^"?(.*?)"?\s*\(([^)]+)\)/s;
const FROM_MAX_SCAN = 4096;

function finish(name: string | null, email: string): Address {
  const n = name === null ? '' : name.replace(/\s{2,}|[^\S ]/g, ' ').trim().slice(0, ADDRESS_MAX_LENGTH);
  return { name: n === '' ? null : n, email: email.trim().slice(0, ADDRESS_MAX_LENGTH) };
}

/**
 * Splits a decoded From value into name and address with Patchwork's rules: `"Name" <addr>`,
 * pipermail's `user at host (Name)`, `addr (Name)`, else the whole value is the address.
 * Returns null for an empty value.
 */
export function splitFromHeader(value: string): Address | null {
  // The lazy groups below backtrack; a From longer than this is junk and need not be exact.
  const v = value.trim().slice(0, FROM_MAX_SCAN);
  if (v === '') return null;
  let m = v.includes('>') ? FROM_ANGLE.exec(v) : null;
  // Inside <...> whitespace can only come from folding in the middle of the address.
  if (m) return finish(m[1], m[2].replace(/\s+/g, ''));
  const paren = v.includes('(') && v.includes(')');
  m = paren && v.includes(' at ') ? FROM_PIPERMAIL.exec(v) : null;
  if (m) return finish(m[3], `${m[1]}@${m[2]}`);
  m = paren ? FROM_PAREN.exec(v) : null;
  if (m) return finish(m[2], m[1]);
  return finish(null, v);
}

/** Splits an unfolded address list on top-level commas, dropping group names (`team: a, b;`). */
function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  let paren = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      cur += c;
      if (c === '\\' && i + 1 < value.length) cur += value[++i];
      else if (c === '"') quoted = false;
      continue;
    }
    if (paren > 0) {
      cur += c;
      if (c === '\\' && i + 1 < value.length) cur += value[++i];
      else if (c === '(') paren++;
      else if (c === ')') paren--;
      continue;
    }
    switch (c) {
      case '"':
        quoted = true;
        cur += c;
        break;
      case '(':
        paren = 1;
        cur += c;
        break;
      case '<':
        angle++;
        cur += c;
        break;
      case '>':
        if (angle > 0) angle--;
        cur += c;
        break;
      case ',':
      case ';':
        if (angle > 0) cur += c;
        else {
          out.push(cur);
          cur = '';
        }
        break;
      case ':':
        // `group:` starts a group; its name is not an address. Inside <...> a colon is a route.
        if (angle > 0 || cur.includes('@')) cur += c;
        else cur = '';
        break;
      default:
        cur += c;
    }
  }
  out.push(cur);
  return out;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t.replace(/"/g, '');
}

/** The first `(comment)` (nested parentheses allowed) and the text around it. */
function takeComment(s: string): { rest: string; comment: string } | null {
  const open = s.indexOf('(');
  if (open < 0) return null;
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      return { rest: (s.slice(0, open) + ' ' + s.slice(i + 1)).trim(), comment: s.slice(open + 1, i).trim() };
    }
  }
  return { rest: s.slice(0, open).trim(), comment: s.slice(open + 1).trim() };
}

function parseOne(chunk: string): Address | null {
  const s = chunk.replace(/\s{2,}|[^\S ]/g, ' ').trim();
  if (s === '') return null;
  const lt = s.indexOf('<');
  const gt = lt >= 0 ? s.indexOf('>', lt) : -1;
  if (lt >= 0 && gt > lt) {
    // Inside <...> whitespace can only come from folding in the middle of the address.
    const email = s.slice(lt + 1, gt).replace(/\s+/g, '');
    let name = unquote(s.slice(0, lt));
    if (name === '') name = takeComment(s.slice(gt + 1))?.comment ?? '';
    if (email === '' && name === '') return null;
    return finish(name === '' ? null : decodeEncodedWords(name), email);
  }
  const comment = takeComment(s);
  let email = comment === null ? s : comment.rest;
  const name = comment === null ? null : comment.comment;
  const pipermail = /^(\S+) at (\S+)$/.exec(email);
  if (pipermail && !email.includes('@')) email = `${pipermail[1]}@${pipermail[2]}`;
  email = unquote(email);
  if (email === '') return null;
  return finish(name === null || name === '' ? null : decodeEncodedWords(name), email);
}

/** Parses a To or Cc value (raw: unfolded but not RFC 2047-decoded) into addresses. */
export function parseAddressList(raw: string): Address[] {
  const unfolded = raw.includes('\n') ? raw.replace(/\r?\n/g, '') : raw;
  const out: Address[] = [];
  for (const chunk of splitList(unfolded)) {
    const a = parseOne(chunk);
    if (a !== null) out.push(a);
  }
  return out;
}
