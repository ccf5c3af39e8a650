/**
 * A header field's folding: the white space around its words as written, in a compact form, so
 * that the field is rebuilt exactly from its `headers` row (name, value, raw, folding) and the
 * message need not keep its header block's bytes (store/raw-codec.ts, 'rebuilt').
 *
 * The text of a field is T = raw ?? value. T is cut at each of its single spaces into m pieces.
 * The field as written is: name, the blanks before the colon (usually none), ':', then gap 0,
 * piece 1, gap 1, piece 2, ..., piece m, gap m, and a line feed. A gap is written as one space
 * (gap 0 and the gaps between pieces) or as nothing (gap m, after the last piece), unless the
 * folding says otherwise. The folding is a comma-separated list of exceptions, '' when there
 * are none: `<k><run>` for gap k, `c<run>` for the blanks before the colon, where a run spells
 * its white space one letter a character: s space, t tab, n line feed, r carriage return, and
 * `x` with four hex digits any other character, a letter followed by a number standing for that
 * many of its character. A Received field folded twice with a line feed and a tab is, say,
 * `8nt,12nt`; one folded with a line feed and eight spaces `4ns8`; `Name:value` is `0`.
 *
 * Written by hand: this is the inverse of this project's own unfolding (header-block.ts), which
 * no library knows.
 */

const CHAR: Record<string, string> = { s: ' ', t: '\t', n: '\n', r: '\r' };

/** The letter of a white space character, by its code. */
function letterOf(c: number): string {
  if (c === 0x20) return 's';
  if (c === 0x09) return 't';
  if (c === 0x0a) return 'n';
  if (c === 0x0d) return 'r';
  return `x${c.toString(16).padStart(4, '0')}`;
}

/** The spelling of the run of white space text[from, to) (by default all of text). */
function spell(text: string, from = 0, to = text.length): string {
  let out = '';
  for (let i = from; i < to; ) {
    const c = text.charCodeAt(i);
    let n = 1;
    while (i + n < to && text.charCodeAt(i + n) === c) n++;
    const letter = letterOf(c);
    // A run of three or more of one character (an indent of spaces) is the letter and a count.
    out += n >= 3 ? `${letter}${n}` : n === 2 ? letter + letter : letter;
    i += n;
  }
  return out;
}

function unspell(letters: string): string {
  let out = '';
  for (let i = 0; i < letters.length; ) {
    let c: string;
    if (letters[i] === 'x') {
      c = String.fromCharCode(parseInt(letters.slice(i + 1, i + 5), 16));
      i += 5;
    } else {
      c = CHAR[letters[i]] ?? '';
      i++;
    }
    let d = i;
    while (d < letters.length && letters.charCodeAt(d) >= 0x30 && letters.charCodeAt(d) <= 0x39) d++;
    out += d > i ? c.repeat(Number(letters.slice(i, d))) : c;
    i = d;
  }
  return out;
}

/** The runs of white space that are not one space: what header-block.ts collapses. */
const UNUSUAL_RUN = /\s{2,}|[^\S ]/g;

/**
 * The folding of a field written `name` + `sep` + `raw` (`sep`: the blanks, colon and blanks
 * between name and raw text, as the parser cut them), whose row keeps `storedRaw` (raw, or null
 * when the row keeps only value, which is then raw with each run of white space made one space
 * and the ends trimmed: header-block.ts valueOfRaw, and prepare.ts onlyFolding for encoded words).
 *
 * This runs on every field of every message in the parse workers, so it finds the unusual runs
 * with the same native regex that collapsed them, and counts the single spaces between them
 * with indexOf, rather than walk the text a character at a time (which doubled the workers'
 * time on linux-watchdog). The caller checks the result (import/prepare.ts).
 */
export function foldingOf(sep: string, raw: string, value: string, storedRaw: string | null): string {
  // Most fields: `Name: ` and raw kept, or raw already one line of single spaces.
  if (sep === ': ' && (storedRaw !== null || raw === value)) return '';
  const colon = sep.indexOf(':');
  let out = colon > 0 ? `c${spell(sep.slice(0, colon))}` : '';
  const add = (entry: string): void => {
    out = out === '' ? entry : `${out},${entry}`;
  };
  const lead = sep.slice(colon + 1);
  if (storedRaw !== null) {
    // raw is T: its own white space is written in it; only gap 0 can differ.
    if (lead !== ' ') add(`0${spell(lead)}`);
    return out;
  }
  // T is value. Gap k is the run of white space after raw's k-th word (gap 0 before the first,
  // with the lead); each gap but the last is one space of value. A run is found with `test`,
  // which makes no match array: it ends at lastIndex and starts after the last character before
  // it that is not white space (the expression matches whole runs, as it cannot start inside one).
  UNUSUAL_RUN.lastIndex = 0;
  let runEnd = UNUSUAL_RUN.test(raw) ? UNUSUAL_RUN.lastIndex : -1;
  let k = 1; // the gap of the next run
  let from = 0; // where counting single spaces resumes
  let end = 0; // where the last unusual run ended
  if (runEnd >= 0 && runStart(raw, runEnd) === 0) {
    // White space at the start of raw (a first line left empty): gap 0, with the lead.
    add(`0${spell(lead + raw.slice(0, runEnd))}`);
    if (runEnd === raw.length) return out; // no words at all
    from = end = runEnd;
    runEnd = UNUSUAL_RUN.test(raw) ? UNUSUAL_RUN.lastIndex : -1;
  } else if (lead !== ' ') {
    add(`0${spell(lead)}`);
  }
  for (; runEnd >= 0; runEnd = UNUSUAL_RUN.test(raw) ? UNUSUAL_RUN.lastIndex : -1) {
    const start = runStart(raw, runEnd);
    // Single spaces between the last unusual run and this one are gaps of their own.
    for (let space = raw.indexOf(' ', from); space >= 0 && space < start; space = raw.indexOf(' ', space + 1)) k++;
    end = runEnd;
    // At the end of raw, the run is the last gap, written as nothing when usual.
    add(`${k}${spell(raw, start, end)}`);
    k++;
    from = end;
  }
  if (raw.length > 0 && raw.charCodeAt(raw.length - 1) === 0x20 && end !== raw.length) {
    // One space at the very end: the last gap, which is usually nothing.
    for (let space = raw.indexOf(' ', from); space >= 0 && space < raw.length - 1; space = raw.indexOf(' ', space + 1)) k++;
    add(`${k}s`);
  }
  return out;
}

/** Where the run of white space that ends at `end` (and is not empty) starts in `text`. */
function runStart(text: string, end: number): number {
  let start = end - 1;
  while (start > 0 && isJsSpace(text.charCodeAt(start - 1))) start--;
  return start;
}

/** Is the UTF-16 code unit `c` white space as a JavaScript expression's `\s` has it? */
export function isJsSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f
    || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The field as written, with its line feed, from its `headers` row (see the top of this file). */
export function rebuildField(name: string, value: string, raw: string | null, folding: string): string {
  const text = raw ?? value;
  if (folding === '') return `${name}: ${text}\n`;
  let before = '';
  let lead = ' ';
  // The gaps after 0, in the order the folding lists them (increasing k).
  const ks: number[] = [];
  const runs: string[] = [];
  for (const entry of folding.split(',')) {
    if (entry[0] === 'c') {
      before = unspell(entry.slice(1));
      continue;
    }
    let d = 0;
    while (d < entry.length && entry.charCodeAt(d) >= 0x30 && entry.charCodeAt(d) <= 0x39) d++;
    const k = Number(entry.slice(0, d));
    if (k === 0) lead = unspell(entry.slice(d));
    else {
      ks.push(k);
      runs.push(unspell(entry.slice(d)));
    }
  }
  let out = `${name}${before}:${lead}`;
  // Gap k (0 < k < m) is T's k-th space; gap m, after the last piece, is past its last space.
  let from = 0;
  let space = -1;
  let count = 0;
  for (let e = 0; e < ks.length; e++) {
    while (count < ks[e] && space < text.length) {
      space = text.indexOf(' ', space + 1);
      if (space < 0) space = text.length;
      count++;
    }
    out += text.slice(from, space) + runs[e];
    from = Math.min(space + 1, text.length);
  }
  return `${out}${text.slice(from)}\n`;
}

/**
 * Where the field that rebuildField gives ends in `text`, if `text` has it at `at`; else -1.
 * This checks every field of nearly every message (import/prepare.ts isRebuiltHead), so the
 * field is compared in place, piece by piece, rather than built as a string, with its folding
 * read where it is. A folding not in the form foldingOf writes (its entries in order, the
 * letters s, t, n and r) is left to rebuildField.
 */
export function rebuiltFieldEnd(text: string, at: number, name: string, value: string, raw: string | null, folding: string): number {
  if (at < 0 || !isAt(text, at, name)) return -1;
  const written = raw ?? value;
  let p = at + name.length;
  if (folding === '') {
    if (text.charCodeAt(p) !== 0x3a || text.charCodeAt(p + 1) !== 0x20 || !isAt(text, p + 2, written)) return -1;
    p += 2 + written.length;
    return text.charCodeAt(p) === 0x0a ? p + 1 : -1;
  }
  if (!isUsualFolding(folding)) {
    const field = rebuildField(name, value, raw, folding);
    return isAt(text, at, field) ? at + field.length : -1;
  }
  // As rebuildField, in the folding's order: the blanks before the colon, the colon, gap 0, then
  // each piece of the written text and the gap after it (gap k after its k-th space), the rest.
  let e = 0; // where the folding's next entry starts
  let entryEnd = entryEndOf(folding, e);
  if (folding.charCodeAt(0) === 0x63 /* c */) {
    p = spelledEnd(text, p, folding, 1, entryEnd);
    e = entryEnd + 1;
    entryEnd = entryEndOf(folding, e);
  }
  if (p < 0 || text.charCodeAt(p++) !== 0x3a) return -1;
  if (e <= folding.length && gapOf(folding, e, entryEnd) === 0) {
    p = spelledEnd(text, p, folding, e + digitsOf(folding, e, entryEnd), entryEnd);
    e = entryEnd + 1;
    entryEnd = entryEndOf(folding, e);
  } else if (text.charCodeAt(p++) !== 0x20) {
    return -1;
  }
  let from = 0;
  let space = -1;
  let count = 0;
  for (; e <= folding.length && p >= 0; e = entryEnd + 1, entryEnd = entryEndOf(folding, e)) {
    const k = gapOf(folding, e, entryEnd);
    while (count < k && space < written.length) {
      space = written.indexOf(' ', space + 1);
      if (space < 0) space = written.length;
      count++;
    }
    p = regionEnd(text, p, written, from, space);
    if (p >= 0) p = spelledEnd(text, p, folding, e + digitsOf(folding, e, entryEnd), entryEnd);
    from = Math.min(space + 1, written.length);
  }
  if (p >= 0) p = regionEnd(text, p, written, from, written.length);
  return p >= 0 && text.charCodeAt(p) === 0x0a ? p + 1 : -1;
}

/**
 * A folding as foldingOf writes it: a `c` entry first if any, then gap entries in increasing
 * order (gap 0 first if any), each run of white space spelled with s, t, n and r and counts of
 * at most 6 digits. rebuiltFieldEnd reads those in order; any other is left to rebuildField.
 */
function isUsualFolding(folding: string): boolean {
  let last = -1; // the gap of the previous entry
  for (let e = 0; e <= folding.length; ) {
    const end = entryEndOf(folding, e);
    let run = e + 1;
    if (e > 0 || folding.charCodeAt(0) !== 0x63 /* c */) {
      const k = gapOf(folding, e, end);
      if (k <= last) return false;
      last = k;
      run = e + digitsOf(folding, e, end);
    }
    for (let i = run; i < end; ) {
      if (SPELLED[folding.charCodeAt(i++)] === undefined) return false;
      const digits = i;
      while (i < end && isDigit(folding.charCodeAt(i))) i++;
      if (i - digits > 6) return false;
    }
    e = end + 1;
  }
  return true;
}

function entryEndOf(folding: string, e: number): number {
  const comma = folding.indexOf(',', e);
  return comma < 0 ? folding.length : comma;
}

/** How many digits the entry [e, end) starts with, up to 10. */
function digitsOf(folding: string, e: number, end: number): number {
  let d = e;
  while (d < end && d - e < 10 && isDigit(folding.charCodeAt(d))) d++;
  return d - e;
}

/** The gap number the entry [e, end) starts with; -1 when it has none or one of 10 digits or more. */
function gapOf(folding: string, e: number, end: number): number {
  const digits = digitsOf(folding, e, end);
  if (digits === 0 || digits === 10) return -1;
  let k = 0;
  for (let d = e; d < e + digits; d++) k = k * 10 + folding.charCodeAt(d) - 0x30;
  return k;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Where `written`[from, to) ends if `text` has it at `at`, else -1. */
function regionEnd(text: string, at: number, written: string, from: number, to: number): number {
  if (to <= from) return at;
  return isAt(text, at, written.slice(from, to)) ? at + to - from : -1;
}

/**
 * Does `text` have `part` at `at`? As `text.startsWith(part, at)`, but a slice compared with
 * `===`, which V8 does as one native comparison (a slice of 13 or more characters is a view, not
 * a copy): measured faster than startsWith or a loop over the characters.
 */
function isAt(text: string, at: number, part: string): boolean {
  return text.slice(at, at + part.length) === part;
}

/** Where the white space spelled in folding[i, end) (as unspell reads it) ends if `text` has it
 * at `at`, else -1. The spelling is a usual one (isUsualFolding). */
function spelledEnd(text: string, at: number, folding: string, i: number, end: number): number {
  let p = at;
  while (i < end) {
    const c = SPELLED[folding.charCodeAt(i++)];
    const digits = i;
    let n = 0;
    while (i < end && isDigit(folding.charCodeAt(i))) n = n * 10 + folding.charCodeAt(i++) - 0x30;
    if (i === digits) n = 1;
    for (; n > 0; n--) if (text.charCodeAt(p++) !== c) return -1;
  }
  return p;
}

/** The character codes of CHAR's letters, by letter code. */
const SPELLED: number[] = [];
for (const [letter, char] of Object.entries(CHAR)) SPELLED[letter.charCodeAt(0)] = char.charCodeAt(0);

/** A header field as stored: name, value, raw (or null), folding. */
export type StoredField = readonly [name: string, value: string, raw: string | null, folding: string];

/** The header block as written, with the blank line that ends it, from its fields in order. */
export function rebuildHeaderBlock(fields: Iterable<StoredField>): string {
  let out = '';
  for (const [name, value, raw, folding] of fields) out += rebuildField(name, value, raw, folding);
  return `${out}\n`;
}

/** The field's text as written after its colon and the blanks after it, without its line feed:
 * what the header-block parser keeps as the field's raw text (HeaderField.raw). */
export function writtenText(name: string, value: string, raw: string | null, folding: string): string {
  const field = rebuildField(name, value, raw, folding);
  return field.slice(field.indexOf(':', name.length) + 1, -1).replace(/^[ \t]+/, '');
}
