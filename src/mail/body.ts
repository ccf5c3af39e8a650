/**
 * From decoded MIME leaves to what the store needs: `textParts`, `attachments` and `body`.
 * Also the single-part fast path: a text body decoded here without mailparser.
 */
import type { Attachment, TextPart } from '../types.js';
import { decodeGuess, decodeText } from './charset.js';
import type { MediaType } from './content-type.js';
import { decodeBase64, decodeQuotedPrintable, normaliseTransferEncoding } from './transfer-encoding.js';
import { htmlToText } from './html-text.js';

/** One leaf of the MIME tree with its transfer encoding already undone. */
export interface LeafPart {
  contentType: MediaType;
  /** Content-Disposition value lower-cased (`attachment`, `inline`...), null when absent. */
  disposition: string | null;
  filename: string | null;
  bytes: Buffer;
}

export interface BodyContent {
  body: string;
  textParts: TextPart[];
  attachments: Attachment[];
}

/** Text as the rest of listindex wants it: LF line ends, no NUL. */
export function normaliseText(text: string): string {
  let t = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  if (t.includes('\0')) t = t.replace(/\0/g, '');
  return t;
}

/** Undoes a Content-Transfer-Encoding; unknown encodings pass the bytes through (with a warning). */
export function decodeTransferEncoding(raw: Buffer, cte: string | null, warnings: string[]): Buffer {
  const encoding = normaliseTransferEncoding(cte);
  if (encoding === null) {
    warnings.push(`unknown Content-Transfer-Encoding ${JSON.stringify(cte)}, body taken as is`);
    return raw;
  }
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(raw);
  if (encoding === 'base64') {
    const { bytes, clean } = decodeBase64(raw);
    if (!clean) warnings.push('invalid characters in base64 body skipped');
    return bytes;
  }
  return raw;
}

/** The whole body as one plain text part: the fallback when the MIME structure cannot be used. */
export function rawBodyContent(raw: Buffer): BodyContent {
  const text = normaliseText(decodeGuess(raw));
  if (text.trim() === '') return { body: '', textParts: [], attachments: [] };
  return { body: text, textParts: [{ subtype: 'plain', text, filename: null }], attachments: [] };
}

/**
 * Builds the body from the leaves in MIME order. Every text/* leaf is a text part; a leaf that
 * is not text, or is a text attachment (disposition `attachment` or a file name), is also listed
 * as an attachment. `body` joins the inline text/plain parts; without any, the inline HTML
 * converted to text; without that, the text/plain attachments.
 */
export function assembleBody(parts: LeafPart[], warnings: string[]): BodyContent {
  const textParts: TextPart[] = [];
  const attachments: Attachment[] = [];
  const inlinePlain: string[] = [];
  const inlineHtml: string[] = [];
  const attachedPlain: string[] = [];
  for (const part of parts) {
    const ct = part.contentType;
    const isAttachment = part.disposition === 'attachment' || part.filename !== null;
    if (ct.type === 'text') {
      const decoded = decodeText(part.bytes, ct.params.charset ?? null);
      if (decoded.warning !== null) warnings.push(decoded.warning);
      const text = normaliseText(decoded.text);
      textParts.push({ subtype: ct.subtype, text, filename: part.filename });
      if (ct.subtype === 'plain') (part.disposition === 'attachment' ? attachedPlain : inlinePlain).push(text);
      else if (ct.subtype === 'html' && part.disposition !== 'attachment') inlineHtml.push(text);
    }
    if (ct.type !== 'text' || isAttachment) {
      attachments.push({
        filename: part.filename,
        contentType: ct.mime,
        size: part.bytes.length,
        disposition: part.disposition,
      });
    }
  }
  let body: string;
  if (inlinePlain.length > 0) body = inlinePlain.join('\n');
  else if (inlineHtml.length > 0) body = inlineHtml.map(htmlToText).join('\n');
  else body = attachedPlain.join('\n');
  return { body, textParts, attachments };
}
