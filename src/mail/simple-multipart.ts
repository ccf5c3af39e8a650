/**
 * The common multipart message, split by hand: one level of leaf parts (a signed patch, a text
 * with a signature or a small attachment), read exactly as mailparser reads it (mime.ts).
 *
 * Written by hand because mailparser costs far more per message than everything else the parse
 * worker does to it (streams, events and a timer for each part), and a few percent of list mail
 * is multipart (mostly PGP-signed). Identical results are proved, not hoped for: only a strict
 * shape is taken (below), for which the code mirrors mailsplit's splitting and the same libmime
 * calls mailparser makes on the part headers, and corpus-test/simple-multipart.test.ts compares
 * the leaves with mailparser's on every multipart message of the shared corpus. Anything else
 * returns null and goes to mailparser.
 *
 * The shape: LF line ends only (no CR anywhere in the body); every line starting with the
 * delimiter is exactly `--boundary` or `--boundary--`, the first one a delimiter, one closing
 * delimiter, none after it; each part has an ASCII header block without encoded words, RFC 2231
 * parameters or comments, exactly one Content-Type (not multipart or message), at most one
 * Content-Transfer-Encoding (none, 7bit, 8bit, binary, quoted-printable, or base64 written
 * plainly: plainBase64) and at most one
 * Content-Disposition, then a blank line and a body that is not empty.
 */
import libmime from 'libmime';
import type { LeafPart } from './body.js';
import { parseContentType } from './content-type.js';

/**
 * RFC 2046 bchars but the space: a boundary that mailsplit (which reads the root header unfolded
 * with its folds made spaces) and parseContentType (folds removed) read alike, whatever the
 * folding of the header around it.
 */
const PLAIN_BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The leaves of a multipart body (the bytes after the root header block) whose root Content-Type
 * is `contentType` (raw) with `boundary`, and root Content-Transfer-Encoding `transferEncoding`
 * (raw), as parseMultipart would give them; null when the message is not of the shape above.
 */
export function simpleMultipartLeaves(contentType: string, boundary: string, transferEncoding: string | null, body: Buffer): LeafPart[] | null {
  // The root's own header must read the same here and in mailsplit: no comment, nothing
  // encoded; its transfer encoding one that leaves a multipart body as it is.
  if (/[(*]|=\?/.test(contentType) || !PLAIN_BOUNDARY.test(boundary)) return null;
  if (transferEncoding !== null && !/^\s*(?:7bit|8bit|binary)?\s*$/i.test(transferEncoding)) return null;
  if (body.indexOf(CR) >= 0) return null;
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const lineDelimiter = Buffer.from(`\n--${boundary}`, 'latin1');
  // Where each delimiter line starts: every line that starts with the delimiter must be one.
  const starts: number[] = [];
  let closed = false;
  for (let at = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : firstAfterLf(body, lineDelimiter, 0); at >= 0; at = firstAfterLf(body, lineDelimiter, at)) {
    if (closed) return null;
    let end = body.indexOf(LF, at);
    if (end < 0) end = body.length;
    const length = end - at;
    if (length === delimiter.length + 2 && body[at + length - 1] === 0x2d && body[at + length - 2] === 0x2d) {
      if (starts.length === 0) return null;
      closed = true;
    } else if (length !== delimiter.length || end === body.length) {
      return null;
    }
    starts.push(at);
  }
  if (!closed) return null;
  const leaves: LeafPart[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    const partStart = body.indexOf(LF, starts[i]) + 1;
    // The line break before the next delimiter line belongs to it (RFC 2046).
    const partEnd = starts[i + 1] - 1;
    const leaf = leafOf(body, partStart, partEnd);
    if (leaf === null) return null;
    leaves.push(leaf);
  }
  return leaves;
}

/** The position just after the LF of the next `\n--boundary` at or after `from`, or -1. */
function firstAfterLf(body: Buffer, lineDelimiter: Buffer, from: number): number {
  const at = body.indexOf(lineDelimiter, from);
  return at < 0 ? -1 : at + 1;
}

/** The part body[start, end): its header block, a blank line, a body. */
function leafOf(body: Buffer, start: number, end: number): LeafPart | null {
  // A part that starts with a blank (a continuation with nothing to continue) or a blank line is left to mailsplit.
  if (start >= end || body[start] === LF || body[start] === 0x20 || body[start] === 0x09) return null;
  const blank = body.indexOf('\n\n', start);
  // The body starts after the blank line and is not empty.
  if (blank < 0 || blank + 2 >= end) return null;
  for (let i = start; i < blank; i++) if (body[i] >= 0x80) return null;
  const head = body.toString('latin1', start, blank);
  if (head.includes('=?') || head.includes('*') || head.includes('(')) return null;
  // mailsplit's header lines (headers.js): a line starting with a blank continues the one
  // before it, joined with CRLF; every other line must have its colon.
  const fields = new Map<string, string[]>();
  let key = '';
  let line = '';
  const flush = (): void => {
    if (line === '') return;
    const list = fields.get(key);
    if (list === undefined) fields.set(key, [line]);
    else list.push(line);
  };
  for (const text of head.split('\n')) {
    if (text.startsWith(' ') || text.startsWith('\t')) {
      line += `\r\n${text}`;
      continue;
    }
    flush();
    const colon = text.indexOf(':');
    if (colon < 0 || /^(?:From|POST) /i.test(text)) return null;
    key = text.slice(0, colon).toLowerCase().trim();
    line = text;
  }
  flush();
  const contentTypeLines = fields.get('content-type');
  const encodingLines = fields.get('content-transfer-encoding') ?? [];
  const dispositionLines = fields.get('content-disposition') ?? [];
  if (contentTypeLines?.length !== 1 || encodingLines.length > 1 || dispositionLines.length > 1) return null;

  // mailsplit's MimeNode.parseHeaders: type, transfer encoding, disposition, file name.
  const first = (lines: string[]): string => (lines.length === 0 ? '' : String(libmime.decodeHeader(lines[0]).value ?? '').trim());
  const contentType = libmime.parseHeaderValue(first(contentTypeLines), { stripComments: true });
  const disposition = libmime.parseHeaderValue(first(dispositionLines), { stripComments: true });
  const mime = (contentType.value || '').toLowerCase().trim();
  if (mime.startsWith('multipart/') || mime.startsWith('message/')) return null;
  const encoding = first(encodingLines).toLowerCase().trim();
  if (encoding !== '' && encoding !== '7bit' && encoding !== '8bit' && encoding !== 'binary' && encoding !== 'quoted-printable' && encoding !== 'base64') return null;
  let dispositionValue: string | false = (disposition.value || '').toLowerCase().trim() || false;
  if (dispositionValue) dispositionValue = libmime.decodeWords(dispositionValue);
  let filename: string | false = disposition.params.filename || contentType.params.name || false;
  if (filename) filename = libmime.decodeWords(filename);

  // mailparser's processHeaders and mime.ts leafContentType: the type as mailparser keeps it.
  const declared = libmime.parseHeaderValue(first(contentTypeLines), { stripComments: true });
  if (declared.value) declared.value = libmime.decodeWords(declared.value);
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared.params)) params[name] = String(libmime.decodeWords(value));
  let bytes = body.subarray(blank + 2, end);
  if (encoding === 'quoted-printable') bytes = decodeQuotedPrintableAsLibqp(bytes);
  else if (encoding === 'base64') {
    const decoded = plainBase64(bytes);
    if (decoded === null) return null;
    bytes = decoded;
  }
  return {
    contentType: { ...parseContentType(declared.value), params },
    disposition: dispositionValue ? dispositionValue.trim().toLowerCase() : null,
    filename: filename || null,
    bytes,
  };
}

/**
 * A base64 body as mail programs write it (lines of the alphabet, padding only at the very end,
 * whole quartets) decoded; null for any other. For such a body libbase64's streaming decoder,
 * which mailsplit runs, gives the same bytes however the body is cut into chunks; for others
 * (padding inside, stray characters) the cuts may matter, and mailparser reads them.
 */
function plainBase64(bytes: Buffer): Buffer | null {
  const text = bytes.toString('latin1').replaceAll('\n', '');
  if (text.length === 0 || text.length % 4 !== 0 || !PLAIN_BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

const PLAIN_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * libqp's decode (3.x), which mailsplit's quoted-printable decoder runs on a part's whole body:
 * blanks at line ends dropped, soft line breaks removed, then `=XX` decoded, any other `=` kept.
 * Not mail/transfer-encoding.ts decodeQuotedPrintable, which keeps blanks at line ends.
 */
function decodeQuotedPrintableAsLibqp(bytes: Buffer): Buffer {
  const input = bytes
    .toString('latin1')
    .replace(/(^|[^ \t])[ \t]+(?=[\n\r\u2028\u2029]|$)/g, '$1')
    .replace(/[=](?:\r?\n|$)/g, '');
  const out = Buffer.alloc(input.length);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (code === 0x3d && i < input.length - 2) {
      const hi = hexValue(input.charCodeAt(i + 1));
      const lo = hexValue(input.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[o++] = code;
  }
  return out.subarray(0, o);
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}
