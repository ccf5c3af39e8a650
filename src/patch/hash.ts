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
  const text = pyStrip(diff.includes('\r') ? diff.replace(/\r/g, '') : diff) + '\n';
  // Kept lines are hashed in one update: one call into OpenSSL per diff, not per line.
  const kept: string[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const line = normaliseLine(raw);
    if (line !== null) kept.push(line);
  }
  const hash = createHash('sha1');
  if (kept.length > 0) hash.update(kept.join('\n') + '\n', 'utf8');
  return hash.digest('hex');
}

/** A missing hunk count means 1; `int()` semantics otherwise (`007` is 7). */
function count(value: string | undefined): number {
  return value === undefined ? 1 : Number(value);
}

function normaliseLine(line: string): string | null {
  // By first character, so that most lines (context, added, removed) meet no expression.
  const first = line.charCodeAt(0);
  if (first === SPACE) return line;
  if (first === MINUS || first === PLUS) {
    if (!line.startsWith('--- ') && !line.startsWith('+++ ')) return line;
    const file = FILENAME_LINE.exec(line);
    if (!file) return line;
    const side = file[1] === '---' ? 'a/' : 'b/';
    return `${file[1]} ${side}${file[2].split('/').slice(1).join('/')}`;
  }
  if (first !== AT) return null;
  const hunk = HUNK_HEADER.exec(line);
  return hunk ? `@@ -${count(hunk[1])} +${count(hunk[2])} @@` : null;
}
