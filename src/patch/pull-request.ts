/** Patchwork's `parse_pull_request`: the repository and branch of a `git request-pull` mail. */
import { PY_S, PY_SPACE, PY_W, normaliseSpace } from './python-text.js';

const WORD = PY_W.slice(1, -1);

/*
 * Patchwork's regex (DOTALL | MULTILINE | IGNORECASE):
 *   ^The following changes since commit.*
 *   ^are available in the git repository at:\s*\n
 *   ^\s*([\w+-]+(?:://|@)[\w/.@:~-]+[\s\\]*[\w/._-]*)\s*$
 * It is run in two steps with the same result: the greedy `.*` means "the first intro line, then
 * the last `are available` line after it that is followed by a URL line". One regex would
 * rescan the whole text for every intro line, which is quadratic on long quoted threads.
 */
// Searched as a plain phrase, then checked for a line start: with a `(?<=\n)` lookbehind V8
// tries every position of every mail (6x slower on linux-watchdog).
const INTRO = /The following changes since commit/gi;
const AVAILABLE = /(?:^|(?<=\n))are available in the git repository at:/gi;
// From an `are available` line on (sticky). Python's `$` (MULTILINE) is "before \n or at the end";
// JavaScript's `m` flag would also break at \r, U+2028 and U+2029, so line edges are spelled out.
const URL_LINES = new RegExp(
  `are available in the git repository at:${PY_S}*\\n(?:^|(?<=\\n))${PY_S}*` +
    `([${WORD}+-]+(?::\\/\\/|@)[${WORD}/.@:~-]+[${PY_SPACE}\\\\]*[${WORD}/._-]*)${PY_S}*(?=\\n|$)`,
  'iuy',
);

/** The pull URL with its whitespace collapsed (`git://host/repo.git branch`), or null. */
export function parsePullRequest(content: string): string | null {
  const intro = firstAtLineStart(INTRO, content);
  if (!intro) return null;
  const from = intro.index + intro[0].length;
  const candidates: number[] = [];
  for (const m of content.matchAll(AVAILABLE)) if (m.index >= from) candidates.push(m.index);
  for (let i = candidates.length - 1; i >= 0; i--) {
    URL_LINES.lastIndex = candidates[i];
    const m = URL_LINES.exec(content);
    if (m) return normaliseSpace(m[1]);
  }
  return null;
}

/** The first match of the global `pattern` that starts a line. */
function firstAtLineStart(pattern: RegExp, text: string): RegExpExecArray | null {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index === 0 || text.charCodeAt(m.index - 1) === 0x0a) return m;
  }
  return null;
}
