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
 * `x` with four hex digits any other character. A Received field folded twice with a line feed
 * and a tab is, say, `8nt,12nt`; `Name:value` is `0` (gap 0 is empty).
 *
 * Written by hand: this is the inverse of this project's own unfolding (header-block.ts), which
 * no library knows.
 */

const LETTER: Record<string, string> = { ' ': 's', '\t': 't', '\n': 'n', '\r': 'r' };
const CHAR: Record<string, string> = { s: ' ', t: '\t', n: '\n', r: '\r' };

function spell(run: string): string {
  let out = '';
  for (const c of run) out += LETTER[c] ?? `x${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return out;
}

function unspell(letters: string): string {
  let out = '';
  for (let i = 0; i < letters.length; i++) {
    const c = letters[i];
    if (c === 'x') {
      out += String.fromCharCode(parseInt(letters.slice(i + 1, i + 5), 16));
      i += 4;
    } else {
      out += CHAR[c] ?? '';
    }
  }
  return out;
}

const WORDS = /\S+/g;

/**
 * The folding of a field written `name` + `sep` + `raw` (`sep`: the blanks, colon and blanks
 * between name and raw text, as the parser cut them), whose row keeps `storedRaw` (raw, or null
 * when the row keeps only value). Null when the row, so kept, cannot give the field back: value
 * is not raw's words joined by single spaces; the caller then keeps raw.
 */
export function foldingOf(sep: string, raw: string, value: string, storedRaw: string | null): string | null {
  // Most fields: `Name: ` and raw kept, or raw already one line of single spaces.
  if (sep === ': ' && (storedRaw !== null || raw === value)) return '';
  const colon = sep.indexOf(':');
  const out: string[] = [];
  if (colon > 0) out.push(`c${spell(sep.slice(0, colon))}`);
  const lead = sep.slice(colon + 1);
  if (storedRaw !== null) {
    // raw is T: its own white space is written in it; only gap 0 can differ.
    if (lead !== ' ') out.push(`0${spell(lead)}`);
    return out.join(',');
  }
  // T is value: raw's words, each run of white space between them written as one space.
  const words: string[] = [];
  const runs: string[] = [];
  let last = 0;
  for (const match of raw.matchAll(WORDS)) {
    runs.push(raw.slice(last, match.index));
    words.push(match[0]);
    last = match.index + match[0].length;
  }
  runs.push(raw.slice(last));
  if (words.join(' ') !== value) return null;
  runs[0] = lead + runs[0];
  // runs[k] is gap k; with no words at all, the one run is gap 0 (and gap 1 is empty).
  runs.forEach((run, k) => {
    const usual = k > 0 && k === runs.length - 1 ? '' : ' ';
    if (run !== usual) out.push(`${k}${spell(run)}`);
  });
  return out.join(',');
}

/** The field as written, with its line feed, from its `headers` row (see the top of this file). */
export function rebuildField(name: string, value: string, raw: string | null, folding: string): string {
  if (folding === '') return `${name}: ${raw ?? value}\n`;
  const pieces = (raw ?? value).split(' ');
  let before = '';
  const gaps = new Map<number, string>();
  if (folding !== '') {
    for (const entry of folding.split(',')) {
      if (entry[0] === 'c') {
        before = unspell(entry.slice(1));
        continue;
      }
      let i = 0;
      while (i < entry.length && entry.charCodeAt(i) >= 0x30 && entry.charCodeAt(i) <= 0x39) i++;
      gaps.set(Number(entry.slice(0, i)), unspell(entry.slice(i)));
    }
  }
  const m = pieces.length;
  let out = `${name}${before}:${gaps.get(0) ?? ' '}`;
  for (let k = 1; k <= m; k++) out += pieces[k - 1] + (gaps.get(k) ?? (k === m ? '' : ' '));
  return `${out}\n`;
}

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
