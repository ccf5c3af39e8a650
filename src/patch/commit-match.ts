/**
 * How alike a commit and a patch are, and which messages a commit names: the pure part of
 * finding which patches were committed (`listindex commits`). Patchwork only compares diff
 * hashes, which misses every patch the maintainer touched on the way in; PaStA ("The list is
 * the process", 2019) compares the changed lines instead. This scores a pair on what survives
 * such edits: the changed lines, the files, the title and the author.
 */
import { diffFiles } from './diff-files.js';
import { findBracketed } from '../mail/message-id.js';

/** What a diff changes: its files and its added and removed lines (as a multiset). */
export interface ChangeFacts {
  files: Set<string>;
  /** `+line` / `-line`, blanks collapsed, with how often each occurs. */
  lines: Map<string, number>;
  /** Changed lines in all. */
  lineTotal: number;
}

export interface MatchSide {
  authorName: string | null;
  authorEmail: string | null;
  /** The title: a commit's subject, or a patch's name without its `[...]` prefixes. */
  title: string;
  change: ChangeFacts;
}

export interface Similarity {
  /** Weighted sum of the parts below, 0..1. */
  score: number;
  /** Dice coefficient of the changed lines (as multisets). */
  lines: number;
  /** Jaccard index of the files touched. */
  files: number;
  /** Dice coefficient of the title's words. */
  title: number;
  /** 1 when the author's address (or, failing that, name) is the same, else 0. */
  author: number;
}

/**
 * Weights of the parts. The changed lines weigh most: they are what was committed. A title or
 * author alone never reaches the threshold, so an unrelated patch of the same author with the
 * same title ("io_uring: fix leak") is not taken for the commit. Chosen on liburing against the
 * io-uring archive (docs/commits.md).
 */
export const WEIGHTS = { lines: 0.55, files: 0.1, title: 0.2, author: 0.15 } as const;

/** A pair scoring at least this is "similar" (see docs/commits.md for how it was chosen). */
export const SIMILAR_THRESHOLD = 0.6;

const HUNK_HEADER = /^@@ -[0-9]+(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@/;
const BLANKS = /\s+/g;

/** Files and changed lines of a diff. Lines are read inside hunks only (by the hunk's counts). */
export function changeFacts(diff: string): ChangeFacts {
  const files = new Set(diffFiles(diff).map((f) => f.path));
  const lines = new Map<string, number>();
  let lineTotal = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (let start = 0, next = 0; start < diff.length; start = next) {
    let end = diff.indexOf('\n', start);
    if (end < 0) end = diff.length;
    next = end + 1;
    const first = diff.charCodeAt(start);
    if (oldLeft > 0 || newLeft > 0) {
      if (first === 0x2d /* - */ || first === 0x2b /* + */) {
        if (first === 0x2d) oldLeft--;
        else newLeft--;
        const key = diff.slice(start, end).replace(BLANKS, ' ').trim();
        lines.set(key, (lines.get(key) ?? 0) + 1);
        lineTotal++;
      } else if (first !== 0x5c /* \ No newline */) {
        oldLeft--;
        newLeft--;
      }
      continue;
    }
    if (first !== 0x40 /* @ */) continue;
    const hunk = HUNK_HEADER.exec(diff.slice(start, end));
    if (hunk) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
    }
  }
  return { files, lines, lineTotal };
}

/** A commit message's subject as git prints it (`%s`): its first paragraph on one line. */
export function commitSubject(message: string): string {
  const paragraph = message.replace(/^\s+/, '').split(/\n[ \t]*\n/)[0] ?? '';
  return paragraph.replace(/\s*\n\s*/g, ' ').trim();
}

/** A patch name without its leading `[...]` groups (`[v2,3/9] io_uring: fix` → `io_uring: fix`). */
export function stripPrefixGroups(name: string): string {
  return name.replace(/^(?:\s*\[[^\]]*\])+\s*/, '');
}

const WORD = /[\p{L}\p{N}_]+/gu;

function words(title: string): Set<string> {
  return new Set(title.toLowerCase().match(WORD) ?? []);
}

function dice<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return (2 * common) / (a.size + b.size);
}

function jaccard<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

function lineDice(a: ChangeFacts, b: ChangeFacts): number {
  if (a.lineTotal === 0 && b.lineTotal === 0) return 1;
  const [small, large] = a.lines.size <= b.lines.size ? [a.lines, b.lines] : [b.lines, a.lines];
  let common = 0;
  for (const [line, count] of small) common += Math.min(count, large.get(line) ?? 0);
  return (2 * common) / (a.lineTotal + b.lineTotal);
}

const normalName = (name: string | null) => (name ?? '').toLowerCase().replace(BLANKS, ' ').trim();

/** A side's title words and normalised author, made once per side: a commit meets many patches. */
interface Derived {
  words: Set<string>;
  email: string;
  name: string;
}
const derivedOf = new WeakMap<MatchSide, Derived>();

function derived(side: MatchSide): Derived {
  let d = derivedOf.get(side);
  if (d === undefined) {
    d = { words: words(side.title), email: (side.authorEmail ?? '').toLowerCase(), name: normalName(side.authorName) };
    derivedOf.set(side, d);
  }
  return d;
}

function sameAuthor(a: Derived, b: Derived): number {
  if (a.email !== '' && a.email === b.email) return 1;
  return a.name !== '' && a.name === b.name ? 1 : 0;
}

/** The score without the changed lines, and the most the lines can add: pairs that cannot reach
 * the threshold are dropped before their lines are compared. */
export function partialSimilarity(commit: MatchSide, patch: MatchSide): Omit<Similarity, 'lines' | 'score'> & { bound: number } {
  const files = jaccard(commit.change.files, patch.change.files);
  const c = derived(commit);
  const p = derived(patch);
  const title = dice(c.words, p.words);
  const author = sameAuthor(c, p);
  return { files, title, author, bound: WEIGHTS.files * files + WEIGHTS.title * title + WEIGHTS.author * author + WEIGHTS.lines };
}

export function similarity(commit: MatchSide, patch: MatchSide): Similarity {
  const { files, title, author, bound } = partialSimilarity(commit, patch);
  const lines = lineDice(commit.change, patch.change);
  return { score: bound - WEIGHTS.lines + WEIGHTS.lines * lines, lines, files, title, author };
}

const STATED = /^[ \t]*(Link|Message-Id)[ \t]*:[ \t]*(\S.*)$/gim;

/**
 * The Message-Ids a commit message names in `Link:` trailers (b4 writes
 * `Link: https://lore.kernel.org/r/<msgid>`; public-inbox and patch.msgid.link URLs work alike)
 * and `Message-Id:` trailers, brackets added, in order of appearance.
 */
export function statedMessageIds(message: string): string[] {
  const found: string[] = [];
  for (const m of message.matchAll(STATED)) {
    const value = m[2].trim();
    if (m[1].toLowerCase() === 'message-id') {
      const bracketed = findBracketed(value);
      if (bracketed) found.push(value.slice(bracketed[0], bracketed[1]));
      else if (value.includes('@') && !/\s/.test(value)) found.push(`<${value}>`);
      continue;
    }
    const url = /^<?(https?:\/\/[^\s>]+)/i.exec(value);
    if (!url) continue;
    // The Message-Id is the path segment holding an `@`: /r/<id>, /<list>/<id>/, /<id>/raw.
    const path = url[1].replace(/^https?:\/\/[^/]+/i, '').replace(/[?#].*$/, '');
    for (const segment of path.split('/')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        decoded = segment;
      }
      if (decoded.includes('@')) {
        found.push(`<${decoded.replace(/^<|>$/g, '')}>`);
        break;
      }
    }
  }
  return [...new Set(found)];
}
