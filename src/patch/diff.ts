/**
 * Splitting a text/plain body into the diff and the comment around it: our own implementation of
 * Patchwork's `parse_patch` state machine, reproducing its output line for line (quirks included,
 * because the diff feeds the Patchwork hash).
 *
 * The text is cut at `\n` and each line keeps its `\n` (so a text ending in `\n` yields one more
 * empty line, as in Patchwork). Lines that might start a diff wait in `pending` until a hunk proves
 * them part of it; otherwise they go back to the comment.
 *
 * | state          | line                                   | action                                 | next           |
 * |----------------|----------------------------------------|----------------------------------------|----------------|
 * | TEXT           | `diff ` or `Index: `                   | pending += line                        | HEADER         |
 * | TEXT           | `--- `                                 | pending += line                        | OLD_FILE       |
 * | TEXT           | anything else                          | comment += line                        | TEXT           |
 * | HEADER         | `--- `                                 | pending += line                        | OLD_FILE       |
 * | HEADER         | extended git header (`index `, ...)    | pending += line                        | GIT_HEADER     |
 * | HEADER         | anything else                          | pending += line (never back to TEXT)   | HEADER         |
 * | OLD_FILE       | `+++ `                                 | pending += line                        | NEW_FILE       |
 * | OLD_FILE       | other, a hunk already seen             | pending += line                        | HEADER         |
 * | OLD_FILE       | other, no hunk yet                     | comment += pending + line              | TEXT           |
 * | NEW_FILE       | `@@ -a[,b] +c[,d] @@`                  | diff += pending + line; counts = b, d  | HUNK           |
 * | NEW_FILE       | `--- `                                 | diff += pending + line                 | OLD_FILE       |
 * | NEW_FILE       | `\ No newline...`, a hunk already seen | diff += line                           | NEW_FILE       |
 * | NEW_FILE       | other, a hunk already seen             | pending += line                        | HEADER         |
 * | NEW_FILE       | other, no hunk yet                     | comment += pending + line              | TEXT           |
 * | HUNK           | `-` / `+` / `\ No newline` / other     | diff += line; count old / new / - / both | HUNK, or NEW_FILE (hunks + 1) when both counts ≤ 0 |
 * | GIT_HEADER     | extended git header                    | diff += pending + line                 | GIT_HEADER     |
 * | GIT_HEADER     | `--- `                                 | diff += pending + line                 | OLD_FILE       |
 * | GIT_HEADER     | `GIT binary patch`                     | diff += pending + line                 | BINARY         |
 * | GIT_HEADER     | anything else                          | pending += line                        | HEADER         |
 * | BINARY         | starts with `diff`                     | pending += line                        | TEXT           |
 * | BINARY         | anything else                          | diff += line                           | BINARY         |
 * | (end)          |                                        | comment += pending                     |                |
 *
 * Quirks kept on purpose (Patchwork behaves the same):
 * - HEADER never returns to TEXT: after a commit-message line starting with `diff `, the rest of
 *   the message (sign-offs, diffstat) waits in `pending` and lands in the diff once a hunk
 *   follows (issue #462).
 * - After a binary patch, the next `diff --git` line returns to TEXT, so that file's
 *   `new file mode`/`index` lines land in the comment; everything after a binary patch up to the
 *   next `diff` line (a `-- ` signature included) stays in the diff.
 */

export interface SplitPatch {
  /** The diff, or null when there is none. */
  diff: string | null;
  /** Everything else (commit message, notes, diffstat, signature), or null when empty. */
  comment: string | null;
}

const State = {
  Text: 0,
  Header: 1,
  OldFile: 2,
  NewFile: 3,
  Hunk: 4,
  GitHeader: 5,
  Binary: 6,
} as const;
type State = (typeof State)[keyof typeof State];

// Patchwork's EXTENDED_HEADER_LINES (git's extended header lines).
const EXTENDED_HEADERS = [
  'old mode ', 'new mode ', 'deleted file mode ', 'new file mode ', 'copy from ', 'copy to ',
  'rename from ', 'rename to ', 'similarity index ', 'dissimilarity index ', 'index ',
];
const HUNK_HEADER = /^@@ -[0-9]+(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@/;
const NO_NEWLINE = '\\ No newline at end of file';

function isExtendedHeader(line: string): boolean {
  return EXTENDED_HEADERS.some((h) => line.startsWith(h));
}

/** A missing hunk count means 1 line. */
function hunkCount(value: string | undefined): number {
  return value ? Number(value) : 1;
}

function moveAll(from: string[], to: string[]): void {
  // A loop, not push(...from): spreading a huge array overflows the stack.
  for (const line of from) to.push(line);
  from.length = 0;
}

/** Splits a text/plain payload into diff and comment, exactly as Patchwork's `parse_patch`. */
export function splitPatch(text: string): SplitPatch {
  const diff: string[] = [];
  const comment: string[] = [];
  const pending: string[] = [];
  let state: State = State.Text;
  let hunks = 0;
  let oldLeft = 0;
  let newLeft = 0;
  // A `---`/`+++` pair not followed by what a diff needs: after a hunk it is the suspected
  // header of the next file; before any hunk it was text all along.
  const notAFileHeader = (line: string) => {
    if (hunks > 0) {
      pending.push(line);
      state = State.Header;
    } else {
      moveAll(pending, comment);
      comment.push(line);
      state = State.Text;
    }
  };

  for (const raw of text.split('\n')) {
    const line = raw + '\n';
    switch (state) {
      case State.Text:
        if (line.startsWith('diff ') || line.startsWith('Index: ')) {
          pending.push(line);
          state = State.Header;
        } else if (line.startsWith('--- ')) {
          pending.push(line);
          state = State.OldFile;
        } else {
          comment.push(line);
        }
        break;
      case State.Header:
        pending.push(line);
        if (line.startsWith('--- ')) state = State.OldFile;
        else if (isExtendedHeader(line)) state = State.GitHeader;
        break;
      case State.OldFile:
        if (line.startsWith('+++ ')) {
          pending.push(line);
          state = State.NewFile;
        } else {
          notAFileHeader(line);
        }
        break;
      case State.NewFile: {
        const hunk = HUNK_HEADER.exec(line);
        if (hunk) {
          oldLeft = hunkCount(hunk[1]);
          newLeft = hunkCount(hunk[2]);
          moveAll(pending, diff);
          diff.push(line);
          state = State.Hunk;
        } else if (line.startsWith('--- ')) {
          moveAll(pending, diff);
          diff.push(line);
          state = State.OldFile;
        } else if (hunks > 0 && line.startsWith(NO_NEWLINE)) {
          diff.push(line);
        } else {
          notAFileHeader(line);
        }
        break;
      }
      case State.Hunk:
        if (line.startsWith('-')) oldLeft--;
        else if (line.startsWith('+')) newLeft--;
        else if (!line.startsWith(NO_NEWLINE)) {
          oldLeft--;
          newLeft--;
        }
        diff.push(line);
        if (oldLeft <= 0 && newLeft <= 0) {
          hunks++;
          state = State.NewFile;
        }
        break;
      case State.GitHeader:
        if (isExtendedHeader(line)) {
          moveAll(pending, diff);
          diff.push(line);
        } else if (line.startsWith('--- ')) {
          moveAll(pending, diff);
          diff.push(line);
          state = State.OldFile;
        } else if (line.startsWith('GIT binary patch')) {
          moveAll(pending, diff);
          diff.push(line);
          state = State.Binary;
        } else {
          pending.push(line);
          state = State.Header;
        }
        break;
      case State.Binary:
        if (line.startsWith('diff')) {
          pending.push(line);
          state = State.Text;
        } else {
          diff.push(line);
        }
        break;
    }
  }
  moveAll(pending, comment);

  const diffText = diff.join('');
  const commentText = comment.join('');
  return { diff: diffText === '' ? null : diffText, comment: commentText === '' ? null : commentText };
}
