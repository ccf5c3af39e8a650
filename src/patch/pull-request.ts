/** Patchwork's `parse_pull_request`: the repository and branch of a `git request-pull` mail. */
import { PY_S, PY_SPACE, PY_W, normaliseSpace } from './python-text.js';

// Python's MULTILINE `^`/`$` only know `\n`; JavaScript's `m` flag also breaks at `\r`, U+2028
// and U+2029, so line edges are spelled out.
const BOL = '(?:^|(?<=\\n))';
const EOL = '(?=\\n|$)';
const WORD = PY_W.slice(1, -1);

// Patchwork's regex (DOTALL, MULTILINE, IGNORECASE), with Python's \s and \w.
const PULL_REQUEST = new RegExp(
  `${BOL}The following changes since commit[\\s\\S]*` +
    `${BOL}are available in the git repository at:${PY_S}*\\n` +
    `${BOL}${PY_S}*([${WORD}+-]+(?::\\/\\/|@)[${WORD}/.@:~-]+[${PY_SPACE}\\\\]*[${WORD}/._-]*)${PY_S}*${EOL}`,
  'iu',
);
// Cheap test first: most mails are not pull requests.
const INTRO = /the following changes since commit/i;

/** The pull URL with its whitespace collapsed (`git://host/repo.git branch`), or null. */
export function parsePullRequest(content: string): string | null {
  if (!INTRO.test(content)) return null;
  const m = PULL_REQUEST.exec(content);
  return m ? normaliseSpace(m[1]) : null;
}
