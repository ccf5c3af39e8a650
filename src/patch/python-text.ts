/**
 * Character classes and helpers that behave like Python's `str` methods and `re` classes, so the
 * ports of Patchwork's and b4's regexes split, strip and match exactly where Python does.
 * JavaScript's `\s` and `\w` differ: `\s` lacks \x1c-\x1f and \x85 but has \ufeff; `\w` is ASCII.
 */

/** Body of a character class matching what Python's `str.isspace()` (and `re`'s `\s`) accept. */
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Python's `\s` as a class (use with the `u` flag or without; both accept these escapes). */
export const PY_S = `[${PY_SPACE}]`;

/** Python's `\S`. */
export const PY_NOT_S = `[^${PY_SPACE}]`;

/** Python's `\w` for str patterns: letters, numbers, underscore (needs the `u` flag). */
export const PY_W = '[\\p{L}\\p{N}_]';

const SPACE_RUNS = new RegExp(`${PY_S}+`, 'g');

/** Whether a UTF-16 code unit is Python whitespace (PY_SPACE; all of them are in the BMP). */
export function isPySpaceCode(c: number): boolean {
  if (c <= 0x20) return c >= 0x1c || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
    || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Python's `str.strip()` with no argument. A loop, not a `\s+$` regex, which is quadratic on
 * long inner runs of spaces. */
export function pyStrip(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isPySpaceCode(value.charCodeAt(start))) start++;
  while (end > start && isPySpaceCode(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Patchwork's `normalise_space`: every whitespace run becomes one space, then strip. */
export function normaliseSpace(value: string): string {
  return isNormalSpaced(value) ? value : pyStrip(value.replace(SPACE_RUNS, ' '));
}

/** No whitespace but single spaces between words: what most subjects already are. */
function isNormalSpaced(value: string): boolean {
  let afterSpace = true; // the start counts as one: a leading space is not normal
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!isPySpaceCode(c)) afterSpace = false;
    else if (c !== 0x20 || afterSpace) return false;
    else afterSpace = true;
  }
  return !afterSpace || value.length === 0;
}
