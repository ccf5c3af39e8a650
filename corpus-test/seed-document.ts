/**
 * The two seed documents (shared/seeds/cover-*.txt): Patchwork's `GET /api/covers/<id>/` output
 * for two DPDK cover letters, redacted. They are not JSON: every closing brace and bracket (and
 * the opening brace of an array element) is gone, and email addresses, host names, IP addresses
 * and URLs were cut out. This module reads them back tolerantly and applies the same redaction to
 * our own output, so the two can be compared field by field.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { corpusDir } from './corpus-path.js';

export type SeedValue = string | number | boolean | null | SeedValue[] | { [key: string]: SeedValue };
export type SeedObject = { [key: string]: SeedValue };

export interface SeedDocument {
  file: string;
  /** The top-level object, without the values that could not be read. */
  fields: SeedObject;
  /** Dotted paths (`headers.Cc`) of values that are not valid JSON literals after redaction. */
  unreadable: string[];
}

/** shared/seeds, beside the corpus. Missing seeds are an error, never a reason to skip. */
export function seedsDir(): string {
  const dir = resolve(corpusDir(), '../seeds');
  if (!existsSync(dir)) throw new Error(`seed documents not found at ${dir}`);
  return dir;
}

export function seedFile(id: number): string {
  const dir = seedsDir();
  const name = readdirSync(dir).find((f) => f.startsWith(`cover-${id}-`) && f.endsWith('.txt'));
  if (!name) throw new Error(`seed document for cover ${id} missing in ${dir}`);
  return join(dir, name);
}

// `    "key": value` (value: a JSON literal, `{` or `[`, maybe followed by a comma) or `    "string",`
// as an array item. The HTTP preamble (`GET ...`, `Content-Type: ...`) is not indented.
const KEYED = /^( +)"((?:[^"\\]|\\.)*)": (.*)$/;
const BARE = /^( +)(".*)$/;

function literal(text: string): { ok: true; value: SeedValue } | { ok: false } {
  for (const candidate of text.endsWith(',') ? [text, text.slice(0, -1)] : [text]) {
    try {
      return { ok: true, value: JSON.parse(candidate) as SeedValue };
    } catch {
      // try without the trailing comma, else unreadable
    }
  }
  return { ok: false };
}

/**
 * Rebuilds the nesting from indentation: a container opened on a line of indent n holds the
 * following lines indented more than n. An array whose items are `key: value` lines holds
 * objects (their `{` was removed with the braces).
 */
export function parseSeed(text: string, file = '<seed>'): SeedDocument {
  const root: SeedObject = {};
  const unreadable: string[] = [];
  const stack: { indent: number; container: SeedObject | SeedValue[]; path: string }[] = [{ indent: -1, container: root, path: '' }];
  for (const line of text.split('\n')) {
    const keyed = KEYED.exec(line);
    const bare = keyed ? null : BARE.exec(line);
    if (!keyed && !bare) {
      // Only the HTTP preamble and blank lines are not fields; an indented line must be one.
      if (/^ +\S/.test(line)) throw new Error(`${file}: unreadable line: ${line}`);
      continue;
    }
    const indent = (keyed ?? bare)![1].length;
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) stack.pop();
    const top = stack[stack.length - 1];
    if (bare) {
      if (!Array.isArray(top.container)) throw new Error(`${file}: unexpected array item: ${line}`);
      const v = literal(bare[2]);
      if (v.ok) top.container.push(v.value);
      else unreadable.push(`${top.path}[${top.container.length}]`);
      continue;
    }
    const key = JSON.parse(`"${keyed![2]}"`) as string;
    const rawValue = keyed![3].trim();
    let target: SeedObject;
    let path: string;
    if (Array.isArray(top.container)) {
      // An array of objects: a repeated key starts the next element.
      let last = top.container[top.container.length - 1];
      if (last === undefined || typeof last !== 'object' || last === null || Array.isArray(last) || key in last) {
        last = {};
        top.container.push(last);
      }
      target = last as SeedObject;
      path = `${top.path}[${top.container.length - 1}].${key}`;
    } else {
      target = top.container;
      path = top.path ? `${top.path}.${key}` : key;
    }
    if (rawValue === '{' || rawValue === '[') {
      const container: SeedObject | SeedValue[] = rawValue === '{' ? {} : [];
      target[key] = container;
      stack.push({ indent, container, path });
      continue;
    }
    const v = literal(rawValue);
    if (v.ok) target[key] = v.value;
    else unreadable.push(path);
  }
  return { file, fields: root, unreadable };
}

export function readSeed(id: number): SeedDocument {
  const file = seedFile(id);
  return parseSeed(readFileSync(file, 'utf8'), file);
}

/*
 * The redaction, worked out by setting seed values beside what the original mail must have said:
 *   `by dpdk.org (Postfix)`                → `by (Postfix)`          host cut with the blank before it
 *   `from mga04.intel.com (mga04.intel.com [192.55.52.120])` → `from ( [])`
 *   `for dev@dpdk.org; Mon, ...`           → `for; Mon, ...`         address cut with the blank before it
 *   `for <dev@dpdk.org>;`                  → `for <>;`
 *   `<mailto:dev-request@dpdk.org?subject=help>`, `<http://mails.dpdk.org/archives/dev/>` → `<>`
 *   `DPDK patches and discussions <dev.dpdk.org>` → `DPDK patches and discussions <>`
 *   `lib/librte_eal/rte_eal_version.map          |` → `lib/librte_eal/          |`   (`.map` looks like a TLD)
 * Kept: `aburakov@localhost` and `localhost` (no dot), `8.14.3/8.13.6`, `2.1.15`, `5.51,211,...`
 * (not four-part addresses), `eal_common_fbarray.c` (one-letter suffix).
 */
const BLANKS = '[ \\t]*';
const LABEL = '[A-Za-z0-9_-]+';
const HOST = `${LABEL}(?:\\.${LABEL})*\\.[A-Za-z]{2,}(?![A-Za-z0-9_-])`;
const URL = new RegExp(`${BLANKS}\\b(?:https?|ftp|mailto):[^\\s<>"]*`, 'g');
const EMAIL = new RegExp(`${BLANKS}[A-Za-z0-9._%+=-]+@${HOST}`, 'g');
const IPV4 = new RegExp(`${BLANKS}(?<![\\d.])\\d{1,3}(?:\\.\\d{1,3}){3}(?![\\d.])`, 'g');
const HOSTNAME = new RegExp(`${BLANKS}(?<![A-Za-z0-9_.-])${HOST}`, 'g');

export function redact(text: string): string {
  return text.replace(URL, '').replace(EMAIL, '').replace(IPV4, '').replace(HOSTNAME, '');
}

/** `redact` through strings, arrays and objects. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
