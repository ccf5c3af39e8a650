/**
 * The header block: where it ends, its fields, their raw and decoded values.
 *
 * Written by hand rather than taken from mailparser because this runs on every message and
 * is most of the parsing work for the ~96% of list mail that is a single text part: mailparser
 * builds streams, Maps and address objects for each message (~1 ms), while finding the blank
 * line with Buffer.indexOf and splitting a Latin-1 view of the bytes costs a few microseconds.
 * Latin-1 is used for the split because it maps bytes 1:1 to UTF-16 code units, so string
 * offsets are byte offsets; each field is then re-read as UTF-8 when its bytes are valid UTF-8.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { HeaderField } from '../types.js';
import { decodeEncodedWords } from './encoded-words.js';

export interface HeaderBlock {
  fields: HeaderField[];
  /** Byte offset in the input where the body starts (input length when there is no body). */
  bodyOffset: number;
  warnings: string[];
}

/** A field name character: printable ASCII but the colon (RFC 5322 ftext). */
const isNameChar = (c: number): boolean => c >= 0x21 && c <= 0x7e && c !== 0x3a;

/** End of the field name that starts at `from`. */
function nameEnd(text: string, from: number): number {
  let i = from;
  while (isNameChar(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Where the colon of a field `Name:` starting at `from` is (the name, then optional obsolete
 * blanks before the colon), or -1 when the line there is not a field.
 */
function fieldColon(text: string, from: number, end: number): number {
  const afterName = nameEnd(text, from);
  if (afterName === from || afterName >= end) return -1;
  const colon = skipBlanks(text, afterName, end);
  return colon < end && text.charCodeAt(colon) === 0x3a ? colon : -1;
}

function skipBlanks(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  return i;
}

const HIGH_BYTE = /[\x80-\xff]/;

/** Reads a Latin-1 string (one char per byte) as UTF-8 when the bytes are valid UTF-8. */
export function redecode(latin1: string): string {
  if (!HIGH_BYTE.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : latin1;
}

/** Unfolds, decodes RFC 2047 words, removes NUL, collapses whitespace, trims. */
export function cleanHeaderValue(raw: string): string {
  let v = raw.includes('\n') ? raw.replaceAll('\n', '') : raw;
  if (v.includes('=?')) v = decodeEncodedWords(v);
  if (v.includes('\0')) v = v.replace(/\0/g, '');
  return collapseWhitespace(v);
}

/**
 * Every run of whitespace but a single space becomes one space, and the ends are trimmed. Only
 * runs and non-space whitespace are matched: matching every single space (as /\s+/ would)
 * allocates for nothing. (A hand-written loop over the characters measured slower.)
 */
function collapseWhitespace(v: string, ascii = false): string {
  return v.replace(ascii ? ASCII_WHITESPACE_TO_COLLAPSE : WHITESPACE_TO_COLLAPSE, ' ').trim();
}

// Module-level: a regex literal in the function made a new RegExp each time. (`replace` starts
// a global expression at 0 whatever its lastIndex, so sharing one is safe.)
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;
// The same for ASCII text, where `\s` is only these; a class of two ranges is quicker to test.
const ASCII_WHITESPACE_TO_COLLAPSE = /[\t-\r ]{2,}|[\t-\r]/g;

/**
 * cleanHeaderValue for a raw value as this module slices it: NULs already removed, and every
 * line break followed by a blank (a continuation line). Without encoded words, unfolding and
 * collapsing are then one step, since each break is inside a whitespace run that collapses to
 * one space.
 */
function valueOfRaw(raw: string, ascii: boolean): string {
  return raw.includes('=?') ? cleanHeaderValue(raw) : collapseWhitespace(raw, ascii);
}

const LF_LF = Buffer.from('\n\n');
const LF_CRLF = Buffer.from('\n\r\n');

/** End of the header block: index just past the last header line's `\n`, and where the body starts. */
function findHeaderEnd(bytes: Buffer, start: number): { end: number; body: number } {
  const lf = bytes.indexOf(LF_LF, start);
  // Only a CRLF blank line before the LF one matters: most mail has none, and looking for one
  // in the whole body would read all of it.
  const crlf = (lf < 0 ? bytes : bytes.subarray(0, lf + 1)).indexOf(LF_CRLF, start);
  if (lf < 0 && crlf < 0) return { end: bytes.length, body: bytes.length };
  if (crlf < 0 || (lf >= 0 && lf < crlf)) return { end: lf + 1, body: lf + 2 };
  return { end: crlf + 1, body: crlf + 3 };
}

/**
 * Splits the header block of `bytes`. Returns null when the input does not start with a header
 * field (after an optional mbox `From ` line and blank lines): there is nothing to call a message.
 */
export function parseHeaderBlock(bytes: Buffer, maxHeaderBytes: number): HeaderBlock | null {
  const warnings: string[] = [];
  let start = 0;
  // Blank lines before the headers are a writer's mistake, not an empty header block.
  while (start < bytes.length && (bytes[start] === 0x0a || bytes[start] === 0x0d)) start++;
  if (start > 0) warnings.push('blank lines before the header block skipped');
  // A single-message file (git format-patch output, a saved mbox entry) may keep its From_ line.
  if (bytes.length - start >= 5 && bytes.toString('latin1', start, start + 5) === 'From ') {
    const nl = bytes.indexOf(0x0a, start);
    start = nl < 0 ? bytes.length : nl + 1;
    warnings.push('leading mbox From_ line skipped');
  }
  if (start >= bytes.length) return null;

  const { end, body } = findHeaderEnd(bytes, start);
  let blockEnd = end;
  if (blockEnd - start > maxHeaderBytes) {
    const cut = bytes.lastIndexOf(0x0a, start + maxHeaderBytes);
    blockEnd = cut > start ? cut + 1 : start + maxHeaderBytes;
    warnings.push(`header block larger than ${maxHeaderBytes} bytes: fields after that dropped`);
  }

  const text = bytes.toString('latin1', start, blockEnd);
  // Most header blocks are ASCII: then no field needs reading again as UTF-8.
  const ascii = isAscii(bytes.subarray(start, blockEnd));
  const fields: HeaderField[] = [];
  let bodyOffset = body;
  // The field being read: its name, and where its value starts and (so far) ends in `text`.
  // Its lines are contiguous there, so the raw value is one slice; `foldedCr` says a line break
  // inside it is CRLF, whose CR the raw value does not keep. Slicing fields rather than lines
  // halves the parse worker's allocations for headers (and its garbage collection with them).
  let name: string | null = null;
  let sep = ': ';
  let valueStart = 0;
  let valueEnd = 0;
  let foldedCr = false;

  const flush = (): void => {
    if (name === null) return;
    let raw = text.slice(valueStart, valueEnd);
    if (foldedCr) raw = raw.replace(/\r\n/g, '\n');
    if (raw.includes('\0')) raw = raw.replace(/\0/g, '');
    if (!ascii) raw = redecode(raw);
    fields.push({ name, sep, raw, value: valueOfRaw(raw, ascii) });
    name = null;
  };

  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    // The line is text[lineStart, lineEnd): its line break and one CR before it left out.
    const lineStart = pos;
    const lineEnd = nl > lineStart && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    pos = nl + 1;
    // An empty line cannot be inside the block (findHeaderEnd ends it there) but at its very end.
    if (lineEnd === lineStart) continue;
    let fieldStart = lineStart;
    const c = text.charCodeAt(lineStart);
    if (c === 0x20 || c === 0x09) {
      if (name !== null) {
        foldedCr ||= valueEnd < lineStart - 1;
        valueEnd = lineEnd;
        continue;
      }
      // A continuation with nothing to continue: Python drops it; we keep it if it is a field.
      fieldStart = skipBlanks(text, lineStart, lineEnd);
      if (fieldColon(text, fieldStart, lineEnd) > 0 && fields.length === 0) {
        warnings.push('first header line starts with whitespace');
      } else {
        warnings.push('header continuation line without a field dropped');
        continue;
      }
    }
    const colon = fieldColon(text, fieldStart, lineEnd);
    if (colon < 0) {
      if (fields.length === 0 && name === null) return null;
      // Not a field and not a blank line: the header block ends here and the body starts
      // with this line (what Python's email package does with a missing separator).
      flush();
      bodyOffset = start + lineStart;
      warnings.push('header block ended by a line that is not a header field');
      break;
    }
    flush();
    const afterName = nameEnd(text, fieldStart);
    name = text.slice(fieldStart, afterName);
    valueStart = skipBlanks(text, colon + 1, lineEnd);
    // Nearly every field is `Name: value`: that separator is not sliced again for each.
    sep = afterName === colon && valueStart === colon + 2 && text.charCodeAt(colon + 1) === 0x20 ? ': ' : text.slice(afterName, valueStart);
    valueEnd = lineEnd;
    foldedCr = false;
  }
  flush();
  if (fields.length === 0) return null;
  return { fields, bodyOffset, warnings };
}
