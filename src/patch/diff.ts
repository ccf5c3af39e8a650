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
// Sticky: tried at a line's start within the whole text (it cannot match across a `\n`).
const HUNK_HEADER = /@@ -[0-9]+(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@/y;
const MINUS = 0x2d;
const PLUS = 0x2b;
const NO_NEWLINE = '\\ No newline at end of file';

function isExtendedHeader(text: string, at: number): boolean {
  return EXTENDED_HEADERS.some((h) => text.startsWith(h, at));
}

/** A missing hunk count means 1 line. */
function hunkCount(value: string | undefined): number {
  return value ? Number(value) : 1;
}

/**
 * Lines of one text, kept as [start, end) offsets into it, adjacent ones merged: a diff is
 * thousands of lines but a few runs, so the result is a few slices rather than a string per
 * line joined again (which made a patch's text four times over in garbage).
 */
class Lines {
  private readonly spans: number[] = [];

  add(start: number, end: number): void {
    const n = this.spans.length;
    if (n && this.spans[n - 1] === start) this.spans[n - 1] = end;
    else this.spans.push(start, end);
  }

  /** Appends all of `from`'s lines, in order, and empties it. */
  takeAll(from: Lines): void {
    for (let i = 0; i < from.spans.length; i += 2) this.add(from.spans[i], from.spans[i + 1]);
    from.spans.length = 0;
  }

  /** The lines' text; a span reaching one past the end of `of` stands for `of` plus a `\n`. */
  text(of: string): string | null {
    if (!this.spans.length) return null;
    let out = '';
    for (let i = 0; i < this.spans.length; i += 2) {
      const end = this.spans[i + 1];
      out += end > of.length ? of.slice(this.spans[i]) + '\n' : of.slice(this.spans[i], end);
    }
    return out;
  }
}

/** Splits a text/plain payload into diff and comment, exactly as Patchwork's `parse_patch`. */
export function splitPatch(body: string): SplitPatch {
  // Every line keeps its `\n`, the last one too: cut at `\n`, a text ending in `\n` has one
  // more, empty, line (see the header). The lines are those of `body + '\n'`, read from `body`
  // itself (that `\n` is one past its end, see Lines.text): a copy of the body saved per mail.
  const text = body;
  const length = body.length + 1;
  const diff = new Lines();
  const comment = new Lines();
  const pending = new Lines();
  let state: State = State.Text;
  let hunks = 0;
  let oldLeft = 0;
  let newLeft = 0;
  // A `---`/`+++` pair not followed by what a diff needs: after a hunk it is the suspected
  // header of the next file; before any hunk it was text all along.
  const notAFileHeader = (start: number, end: number) => {
    if (hunks > 0) {
      pending.add(start, end);
      state = State.Header;
    } else {
      comment.takeAll(pending);
      comment.add(start, end);
      state = State.Text;
    }
  };

  let start = 0;
  let end = 0;
  const is = (prefix: string) => text.startsWith(prefix, start);
  for (; start < length; start = end) {
    const lineBreak = text.indexOf('\n', start);
    end = lineBreak < 0 ? length : lineBreak + 1;
    switch (state) {
      case State.Text:
        if (is('diff ') || is('Index: ')) {
          pending.add(start, end);
          state = State.Header;
        } else if (is('--- ')) {
          pending.add(start, end);
          state = State.OldFile;
        } else {
          comment.add(start, end);
        }
        break;
      case State.Header:
        pending.add(start, end);
        if (is('--- ')) state = State.OldFile;
        else if (isExtendedHeader(text, start)) state = State.GitHeader;
        break;
      case State.OldFile:
        if (is('+++ ')) {
          pending.add(start, end);
          state = State.NewFile;
        } else {
          notAFileHeader(start, end);
        }
        break;
      case State.NewFile: {
        HUNK_HEADER.lastIndex = start;
        const hunk = HUNK_HEADER.exec(text);
        if (hunk) {
          oldLeft = hunkCount(hunk[1]);
          newLeft = hunkCount(hunk[2]);
          diff.takeAll(pending);
          diff.add(start, end);
          state = State.Hunk;
        } else if (is('--- ')) {
          diff.takeAll(pending);
          diff.add(start, end);
          state = State.OldFile;
        } else if (hunks > 0 && is(NO_NEWLINE)) {
          diff.add(start, end);
        } else {
          notAFileHeader(start, end);
        }
        break;
      }
      case State.Hunk: {
        const first = text.charCodeAt(start);
        if (first === MINUS) oldLeft--;
        else if (first === PLUS) newLeft--;
        else if (!is(NO_NEWLINE)) {
          oldLeft--;
          newLeft--;
        }
        diff.add(start, end);
        if (oldLeft <= 0 && newLeft <= 0) {
          hunks++;
          state = State.NewFile;
        }
        break;
      }
      case State.GitHeader:
        if (isExtendedHeader(text, start)) {
          diff.takeAll(pending);
          diff.add(start, end);
        } else if (is('--- ')) {
          diff.takeAll(pending);
          diff.add(start, end);
          state = State.OldFile;
        } else if (is('GIT binary patch')) {
          diff.takeAll(pending);
          diff.add(start, end);
          state = State.Binary;
        } else {
          pending.add(start, end);
          state = State.Header;
        }
        break;
      case State.Binary:
        if (is('diff')) {
          pending.add(start, end);
          state = State.Text;
        } else {
          diff.add(start, end);
        }
        break;
    }
  }
  comment.takeAll(pending);
  return { diff: diff.text(text), comment: comment.text(text) };
}
