/** Patchwork's patch hash (`patchwork/hasher.py`): SHA-1 over a normalised view of the diff. */
import { createHash } from 'node:crypto';
import { PY_NOT_S, pyStrip } from './python-text.js';

export { diffFiles, diffstat, formatDiffstat } from './diff-files.js';
export type { DiffFile, Diffstat } from './diff-files.js';

// `---`/`+++` lines: the path's first component (a/, b/, or a real directory) is normalised away.
const FILENAME_LINE = new RegExp(`^(---|\\+\\+\\+) (${PY_NOT_S}+)`);
// Hunk headers keep only their line counts, so a patch rebased elsewhere keeps its hash.
const HUNK_HEADER = /^@@ -[0-9]+(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@/;
// Lines starting with these are kept (`-`, `+`, space), or may be a hunk header (`@`).
const SPACE = 0x20;
const MINUS = 0x2d;
const PLUS = 0x2b;
const AT = 0x40;

/**
 * The 40-hex SHA-1 Patchwork stores as a patch's `hash`. Kept lines: file names (normalised),
 * hunk headers (counts only), and `-`/`+`/space lines verbatim; everything else (`diff --git`,
 * `index`, binary data) is ignored. Like Patchwork, `\r` is dropped and the diff stripped first
 * (so a trailing context line holding one space vanishes).
 */
export function patchworkHash(diff: string): string {
  const text = pyStrip(diff.includes('\r') ? diff.replace(/\r/g, '') : diff);
  // What is hashed: every kept line followed by `\n`. Most of a diff is kept verbatim, so runs of
  // adjacent verbatim lines are taken as one slice of `text` (with their line breaks) rather
  // than a string per line joined again; only file and hunk header lines are rebuilt. Then one
  // update: one call into OpenSSL per diff, not per line.
  let kept = '';
  let runStart = 0;
  let runEnd = -1;
  const endRun = (): void => {
    if (runEnd < 0) return;
    kept += text.slice(runStart, runEnd);
    // `text` is stripped, so its last line has no line break of its own.
    if (runEnd === text.length) kept += '\n';
    runEnd = -1;
  };
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // Empty lines are never kept (they break a run, as they are not hashed).
    const line = start === end ? null : normaliseLine(text, start, end);
    const next = end + 1;
    if (line === VERBATIM) {
      if (runEnd !== start) {
        endRun();
        runStart = start;
      }
      runEnd = Math.min(next, text.length);
    } else {
      endRun();
      if (line !== null) kept += line + '\n';
    }
    start = next;
  }
  endRun();
  const hash = createHash('sha1');
  if (kept !== '') hash.update(kept, 'utf8');
  return hash.digest('hex');
}

/** A missing hunk count means 1; `int()` semantics otherwise (`007` is 7). */
function count(value: string | undefined): number {
  return value === undefined ? 1 : Number(value);
}

/** normaliseLine's answer for a line hashed as it is. */
const VERBATIM = Symbol('verbatim');

/** What is hashed of the line text[start, end) (not empty): itself, a rewritten line, or nothing. */
function normaliseLine(text: string, start: number, end: number): string | typeof VERBATIM | null {
  // By first character, so that most lines (context, added, removed) meet no expression and
  // need no string of their own.
  const first = text.charCodeAt(start);
  if (first === SPACE) return VERBATIM;
  if (first === MINUS || first === PLUS) {
    if (!text.startsWith('--- ', start) && !text.startsWith('+++ ', start)) return VERBATIM;
    const file = FILENAME_LINE.exec(text.slice(start, end));
    if (!file) return VERBATIM;
    const side = file[1] === '---' ? 'a/' : 'b/';
    return `${file[1]} ${side}${file[2].split('/').slice(1).join('/')}`;
  }
  if (first !== AT) return null;
  const hunk = HUNK_HEADER.exec(text.slice(start, end));
  return hunk ? `@@ -${count(hunk[1])} +${count(hunk[2])} @@` : null;
}
