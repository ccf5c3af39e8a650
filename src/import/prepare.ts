import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { HEAD_COMPRESSION, RAW_COMPRESSION, REBUILT, compressRaw, headerFieldsOfRows } from '../store/raw-codec.js';
import { foldingOf, rebuildField, rebuildHeaderBlock, rebuiltFieldEnd } from '../mail/folding.js';
import { unescapeFromLines } from '../input/unescape.js';
import { parseMessage } from '../mail/parse-message.js';
import { parseSubject } from '../patch/subject.js';
import { extractPatchContent } from '../patch/content.js';
import { patchworkHash, diffFiles } from '../patch/hash.js';
import { messageTrailers } from '../patch/trailer-collection.js';
import { classifyMessage } from '../patch/classify.js';
import type { ParsedMessage } from '../types.js';
import { HEADER_ROW_WIDTH, type MessageInput, type PatchFacts, type PrepareOptions, type PreparedRecord, type StoredMessage } from '../store/records.js';

/**
 * The identity of "the same content": SHA-1 of the bytes after the From_ line, trailing line
 * breaks left out, so the last message of a growing mbox (read once without its separator
 * line, later with it) is recognised as the same message.
 */
export function contentHash(raw: Uint8Array): string {
  return createHash('sha1').update(raw.subarray(0, lineEndsStart(raw))).digest('hex');
}

/** The trailing CR and LF bytes that contentHash leaves out, as a string (one char per byte). */
export function lineEnds(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset + lineEndsStart(raw), raw.length - lineEndsStart(raw)).toString('latin1');
}

function lineEndsStart(raw: Uint8Array): number {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  return end;
}

const NOT_COMPRESSED = new Uint8Array(0);

/**
 * Everything done to one message before it reaches the database: hashing and compressing
 * (unless the caller does), parsing.
 * Pure CPU work, so it runs in worker threads; the single writer only inserts the result.
 */
export async function prepareMessage(input: MessageInput, options: PrepareOptions = {}): Promise<PreparedRecord> {
  const raw = Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength);
  const contentHashOf = options.rawDoneByCaller ? '' : contentHash(raw);
  const ends = input.oversized ? null : lineEnds(raw);
  const size = input.oversized && input.rawSize ? input.rawSize : raw.length;
  // Records are written out field by field rather than spread from shared parts: every record
  // then has one shape, which keeps building them (and cloning them to the main thread) cheap.
  // A reject keeps the whole message, compressed.
  const reject = (reason: string): PreparedRecord => ({
    source: input.source, offset: input.offset, fromLine: input.fromLine, contentHash: contentHashOf, lineEnds: ends, size,
    rawCompression: RAW_COMPRESSION, compressed: options.rawDoneByCaller ? NOT_COMPRESSED : compressRaw(raw),
    type: 'reject', reason,
  });
  if (input.oversized) {
    return reject(`message of ${size} bytes is larger than the size limit; only its first ${raw.length} bytes are kept`);
  }
  try {
    const unescaped = unescapeFromLines(raw, input.escaping);
    const outcome = await parseMessage(unescaped, { listId: options.listId, recipients: false });
    if (!outcome.ok) return reject(outcome.reason);
    const patch = patchFacts(outcome.message);
    const isPatch = patch.diff !== null || patch.pullUrl !== null;
    // The main thread runs SQLite and is the bottleneck: it gets the big texts as UTF-8 bytes,
    // which cross threads as a copy and bind to SQL without a conversion.
    const texts = {
      body: utf8(outcome.message.body),
      content: isPatch ? utf8(patch.content) : null,
      diff: patch.diff === null || patch.diffStart !== null ? null : utf8(patch.diff),
    };
    // The texts travel as bytes only: the facts' own copies are dropped (patchFacts made them
    // for this record alone).
    patch.content = '';
    patch.diff = null;
    // Un-escaping changed nothing, so the parsed bytes are the raw bytes, and bodyOffset is theirs.
    const headOnly = unescaped === raw && isRawTail(raw, outcome.message.bodyOffset, texts.body);
    const message = storedMessage(outcome.message);
    const rebuilt = headOnly && isRebuiltHead(raw.subarray(0, outcome.message.bodyOffset), message.headerRows);
    // The byte check proved every folding of a rebuilt message; the others are checked here.
    if (!rebuilt) checkFoldings(outcome.message.headers, message.headerRows);
    const rawCompression = rebuilt ? REBUILT : headOnly ? HEAD_COMPRESSION : RAW_COMPRESSION;
    const compressed = rebuilt || options.rawDoneByCaller ? NOT_COMPRESSED : compressRaw(headOnly ? raw.subarray(0, outcome.message.bodyOffset) : raw);
    return {
      source: input.source, offset: input.offset, fromLine: input.fromLine, contentHash: contentHashOf, lineEnds: ends, size,
      rawCompression, compressed,
      type: 'message', message, patch, texts,
    };
  } catch (error) {
    // parseMessage promises never to throw on bad input; if it does, that is a bug, but the
    // message is still kept, with the reason, rather than lost.
    return reject(`BUG: parser failed: ${(error as Error).message}`);
  }
}

/**
 * Are the raw bytes from `bodyOffset` on exactly `body` (the body column's UTF-8 bytes)? Then the
 * message is stored head-only (store/raw-codec.ts). Byte for byte, so anything the parser
 * decoded or normalised (a transfer encoding, another charset, MIME parts, CRLF, a NUL) fails it.
 * An empty body keeps the whole message: there is nothing to save.
 */
export function isRawTail(raw: Uint8Array, bodyOffset: number, body: Uint8Array): boolean {
  return body.byteLength > 0 && raw.byteLength - bodyOffset === body.byteLength && Buffer.compare(raw.subarray(bodyOffset), body) === 0;
}

/**
 * Are the bytes of the header block (with its blank line) exactly what its `headers` rows
 * rebuild? Then the message keeps no raw bytes at all ('rebuilt', store/raw-codec.ts). Byte for
 * byte, so CRLF, 8-bit bytes that are not UTF-8, a NUL, a field the parser dropped or a block
 * without its blank line fail it, and the message keeps its header block compressed.
 */
export function isRebuiltHead(head: Uint8Array, headerRows: (string | number | null)[]): boolean {
  // Most header blocks are ASCII: then the rows' UTF-8 bytes are the block's bytes exactly when
  // their text is the block read as Latin-1 (a character past U+007F encodes to bytes the block
  // does not have), so each field is compared in place, without building the block's text and
  // its UTF-8 copy only to compare them (which made most of the worker's garbage for headers).
  if (isAscii(head)) return isRebuiltText(Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1'), headerRows);
  const text = rebuildHeaderBlock(headerFieldsOfRows(headerRows));
  // The UTF-8 length of a string is at least its length: a longer one cannot be equal.
  if (text.length > head.byteLength) return false;
  return Buffer.compare(Buffer.from(text, 'utf8'), head) === 0;
}

/** Is `text` what the rows rebuild (rebuildHeaderBlock), field after field, then the blank line? */
function isRebuiltText(text: string, rows: (string | number | null)[]): boolean {
  let at = 0;
  for (let r = 0; r < rows.length && at >= 0; r += HEADER_ROW_WIDTH) {
    at = rebuiltFieldEnd(text, at, rows[r + 2] as string, rows[r + 3] as string, rows[r + 4] as string | null, rows[r + 5] as string);
  }
  return at === text.length - 1 && text.charCodeAt(at) === 0x0a;
}

/**
 * Leaves in the rows only foldings that give their field back as the parser read it (name,
 * separator, raw text): any other becomes NULL ("not known"), and readers take the folded text
 * from the raw message, as for rows written before foldings were kept.
 */
function checkFoldings(fields: ParsedMessage['headers'], rows: (string | number | null)[]): void {
  fields.forEach((h, i) => {
    const at = i * HEADER_ROW_WIDTH;
    const folding = rows[at + 5] as string;
    const raw = rows[at + 4] as string | null;
    const sep = h.sep ?? ': ';
    // With no folding the field rebuilds as `name: text` (rebuildField): compared without making it.
    if (folding === '' && sep === ': ') {
      if ((raw ?? h.value) !== h.raw) rows[at + 5] = null;
    } else if (rebuildField(h.name, h.value, raw, folding) !== `${h.name}${sep}${h.raw}\n`) rows[at + 5] = null;
  });
}

export async function prepareBatch(inputs: MessageInput[], options: PrepareOptions = {}): Promise<PreparedRecord[]> {
  const out: PreparedRecord[] = [];
  for (const input of inputs) out.push(await prepareMessage(input, options));
  return out;
}

/** Patchwork's message-local classification, plus: a reply with no known parent yet is `other`. */
function provisionalKind(kind: ReturnType<typeof classifyMessage>, message: ParsedMessage): PatchFacts['provisionalKind'] {
  if (kind === 'patch') return 'patch';
  if (kind === 'cover-candidate') return 'cover';
  return message.inReplyTo.length > 0 || message.references.length > 0 ? 'comment' : 'other';
}

// b4 writes `change-id: 20240410-s32-watchdog-1a2b3c4d` in cover letters.
const CHANGE_ID = /^change-id:\s*(\S+)\s*$/im;

/** The per-message half of patch detection; classification into series needs the whole index. */
export function patchFacts(message: ParsedMessage): PatchFacts {
  const subject = parseSubject(message.subject ?? '');
  const { diff, content, pullUrl } = extractPatchContent(message.textParts, subject.isReply);
  const at = diff === null ? -1 : message.body.indexOf(diff);
  const isPatch = !subject.isReply && (diff !== null || pullUrl !== null);
  return {
    provisionalKind: provisionalKind(classifyMessage({ subject, diff, content, pullUrl }), message),
    trailers: messageTrailers(content, isPatch),
    changeId: CHANGE_ID.exec(content)?.[1] ?? null,
    content,
    diff,
    diffStart: at < 0 ? null : characters(message.body, 0, at) + 1,
    diffLength: at < 0 ? null : characters(diff!, 0, diff!.length),
    hash: diff ? patchworkHash(diff) : null,
    pullUrl,
    files: diff ? diffFiles(diff).map((f) => ({ path: f.path, added: f.added, removed: f.removed, binary: f.binary })) : [],
  };
}

/**
 * What the writer stores, and nothing else, before the record is copied to the main thread: no
 * text parts (the body again), To/Cc lists or Received raw text. The main thread runs SQLite and
 * bounds the import, so every object it does not have to rebuild counts.
 */
function storedMessage(m: ParsedMessage): StoredMessage {
  const headerRows: (string | number | null)[] = [];
  const receivedRows: (string | number | null)[] = [];
  let hop = 0;
  let patchworkHint: string | null = null;
  m.headers.forEach((h, position) => {
    // Raw header text that differs from the value only by folding is not stored: the folding
    // gives the field back (mail/folding.ts).
    const raw = onlyFolding(h.raw, h.value) ? null : h.raw;
    headerRows.push(0, position, h.name, h.value, raw, foldingOf(h.sep ?? ': ', h.raw, h.value, raw));
    const lower = h.name.length === 8 || h.name.length === 16 ? h.name.toLowerCase() : '';
    // Received hops are the Received headers in order: hop n is the n-th one.
    if (lower === 'received') {
      const r = m.received[hop++];
      if (r) receivedRows.push(0, r.hop, r.fromHost, r.fromIp, r.byHost, r.protocol, r.id, r.for, r.date, position);
    } else if (lower === 'x-patchwork-hint' && patchworkHint === null) {
      patchworkHint = h.value.trim().toLowerCase();
    }
  });
  return {
    msgid: m.msgid, msgidSynthetic: m.msgidSynthetic, inReplyTo: m.inReplyTo, references: m.references, subject: m.subject,
    from: m.from, date: m.date, dateRaw: m.dateRaw, dateSource: m.dateSource, listId: m.listId, listName: m.listName,
    attachments: m.attachments, warnings: m.warnings, patchworkHint, headerRows, receivedRows,
  };
}

/**
 * Characters of text[from, to) as SQLite counts them in UTF-8 text (code points): a JS string
 * counts a character outside the BMP as two. A lone surrogate becomes U+FFFD in UTF-8, one
 * character, as the iteration below counts it.
 */
function characters(text: string, from: number, to: number): number {
  const part = text.slice(from, to);
  if (!/[\uD800-\uDFFF]/.test(part)) return part.length;
  let count = 0;
  for (const _ of part) count++;
  return count;
}

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);

/**
 * True when `value` is `raw` with only its line folding and runs of white space undone. Without
 * encoded words that holds by construction (header-block.ts cleanHeaderValue removes NULs and
 * only unfolds and collapses white space), so the comparison is only made for the ~3% of fields
 * that have `=?`.
 */
function onlyFolding(raw: string, value: string): boolean {
  if (raw === value || !raw.includes('=?')) return true;
  return raw.replace(/\s+/g, ' ').trim() === value;
}
