/**
 * Request parameters read the way Patchwork's API and public-inbox read them. Pure functions:
 * a bad value never throws, it matches nothing (Patchwork answers `200 []` to an unknown
 * filter value) or is ignored where Patchwork ignores it (`per_page` past 250).
 */
import { storedDate } from '../store/read-model.js';
import type { EventCategory, ListFilter, PatchState, SearchTerm } from '../store/read-model.js';

/** The values of a parameter, repeated ones included, empty ones left out (`project=` is no filter). */
export function values(params: URLSearchParams, name: string): string[] {
  return params.getAll(name).map((v) => v.trim()).filter((v) => v !== '');
}

/** A positive whole number, or undefined when absent or not one. */
export function positiveInt(text: string | null): number | undefined {
  if (text === null || !/^\d{1,9}$/.test(text.trim())) return undefined;
  const n = Number(text);
  return n >= 1 ? n : undefined;
}

/** Patchwork's booleans: true/false/True/False/1/0; anything else is no filter. */
export function bool(text: string | null): boolean | undefined {
  if (text === null) return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1' || t === 'yes' || t === 'on') return true;
  if (t === 'false' || t === '0' || t === 'no' || t === 'off') return false;
  return undefined;
}

/** Patchwork's state slugs and ids (patchwork/fixtures/default_states.xml). */
const STATES: Record<string, string> = {
  1: 'new', 2: 'under-review', 3: 'accepted', 4: 'rejected', 5: 'rfc', 6: 'not-applicable', 7: 'changes-requested',
  8: 'awaiting-upstream', 9: 'superseded', 10: 'deferred',
};
const INFERRED: readonly string[] = ['new', 'superseded', 'accepted'];

/**
 * What a list request asks for. `matchesNothing` is set when a filter names something that
 * cannot exist (a date that does not parse, a state listindex never gives, archived=true).
 */
export interface ParsedListQuery {
  filter: ListFilter;
  matchesNothing: boolean;
}

export function listQuery(params: URLSearchParams, resolveProjects: (refs: string[]) => number[] | null): ParsedListQuery {
  let matchesNothing = false;
  const filter: ListFilter = {
    page: positiveInt(params.get('page')) ?? 1,
    perPage: positiveInt(params.get('per_page')),
    order: params.get('order')?.trim() || undefined,
  };
  const projects = values(params, 'project');
  if (projects.length) filter.projects = resolveProjects(projects);
  const submitters = values(params, 'submitter');
  // The API matches a submitter by id or address only; fragments are the CLI's.
  if (submitters.length) {
    filter.submitters = submitters.filter((s) => /^\d+$/.test(s) || s.includes('@'));
    if (!filter.submitters.length) matchesNothing = true;
  }
  const q = params.get('q')?.trim();
  if (q) filter.q = q.split(/\s+/);
  for (const [name, key] of [['since', 'since'], ['before', 'before']] as const) {
    const text = params.get(name)?.trim();
    if (!text) continue;
    const date = storedDate(text);
    if (date === null) matchesNothing = true;
    else filter[key] = date;
  }
  const series = values(params, 'series');
  if (series.length) {
    filter.series = series.filter((s) => /^\d{1,15}$/.test(s)).map(Number);
    if (!filter.series.length) matchesNothing = true;
  }
  const states = values(params, 'state').map((s) => STATES[s] ?? s.toLowerCase());
  if (states.length) {
    filter.states = states.filter((s): s is PatchState => INFERRED.includes(s));
    // under-review is what Patchwork's clients ask along with new (git pw patch list): no patch
    // of listindex is in that state, and asking only for it matches nothing.
    if (!filter.states.length) matchesNothing = true;
  }
  if (bool(params.get('archived')) === true) matchesNothing = true;
  // No patch has a delegate here: a delegate filter matches nothing.
  if (values(params, 'delegate').length) matchesNothing = true;
  const hashes = values(params, 'hash');
  if (hashes.length) filter.hashes = hashes.map((h) => h.toLowerCase());
  const msgids = values(params, 'msgid');
  if (msgids.length) filter.msgids = msgids;
  if (bool(params.get('open')) === true) filter.open = true;
  return { filter, matchesNothing };
}

export const EVENT_CATEGORIES: readonly EventCategory[] = ['cover-created', 'patch-created', 'series-created', 'series-completed',
  'patch-completed', 'cover-comment-created', 'patch-comment-created'];

/**
 * public-inbox's search language, the forms b4 sends: `s:"subject"`, `f:addr`, `d:YYYYMMDD..`
 * (or `A..B`), `m:msgid`, `patchid:X`, `"change-id: X"`, words; AND (or juxtaposition) binds
 * tighter than OR; parentheses group. Gives alternatives (OR) of conditions (AND). A term
 * listindex cannot answer (`patchid:`: no patch-ids are stored) matches nothing.
 */
export function parseSearch(query: string): SearchTerm[][] {
  const tokens = tokenize(query);
  const alternatives: SearchTerm[][] = [[]];
  for (const token of tokens) {
    if (token === 'OR') alternatives.push([]);
    else if (token === 'AND' || token === '(' || token === ')') continue;
    else alternatives[alternatives.length - 1].push(...term(token));
  }
  return alternatives.filter((a) => a.length > 0);
}

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\(|\)|(?:[a-z]+:)?"(?:[^"]|"")*"|[^\s()]+)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query)) !== null) tokens.push(m[1]);
  return tokens.slice(0, 200);
}

const unquote = (text: string) => (text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1).replace(/""/g, '"') : text);

function yyyymmdd(text: string): string | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  return m ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : null;
}

function term(token: string): SearchTerm[] {
  const m = /^([a-z]+):(.*)$/s.exec(token);
  if (!m) {
    const text = unquote(token);
    const changeId = /^change-id:\s*(\S+)$/i.exec(text);
    if (changeId) return [{ kind: 'change-id', value: changeId[1] }];
    return text ? [{ kind: 'phrase', value: text }] : [];
  }
  const [, prefix, rest] = m;
  const value = unquote(rest);
  switch (prefix) {
    case 's': return [{ kind: 'subject', value }];
    case 'f': return [{ kind: 'from', value }];
    case 'm': return [{ kind: 'msgid', value }];
    case 'd': {
      const [from, to] = value.split('..');
      const out: SearchTerm[] = [];
      const since = from ? yyyymmdd(from) : null;
      const until = to ? yyyymmdd(to) : null;
      if ((from && !since) || (to && !until)) return [{ kind: 'none', value }];
      if (since) out.push({ kind: 'since', value: since });
      // public-inbox's d:A..B includes day B.
      if (until) out.push({ kind: 'until', value: new Date(Date.parse(until) + 86_400_000).toISOString().slice(0, 19) + 'Z' });
      return out;
    }
    case 'b': case 'bs': case 'nq': case 'q': return [{ kind: 'phrase', value }];
    default: return [{ kind: 'none', value }];
  }
}
