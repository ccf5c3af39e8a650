/**
 * One message's bytes into a `ParsedMessage`: the `mail` stage of the pipeline.
 *
 * Speed is the design constraint (the importer must pass 3,000 messages/s on two cores with
 * the SQLite writes), so the common case never touches mailparser: the header block is split
 * by hand (header-block.ts) and a single-part body is decoded here. Multipart bodies and
 * embedded messages go through mailparser (mime.ts), after a linear pre-scan that enforces the
 * part and depth limits, unless they have the common simple shape that simple-multipart.ts splits
 * as mailparser would. Nothing in here throws on bad input: what had to be guessed goes to `warnings`.
 */
import type { Address, DateSource, HeaderField, ParseOutcome, ParsedMessage, ReceivedHop } from '../types.js';
import { parseAddressList, isValidEmail, splitFromHeader } from './address.js';
import { assembleBody, decodeTransferEncoding, rawBodyContent } from './body.js';
import type { BodyContent } from './body.js';
import { parseContentType, parseParams } from './content-type.js';
import { formatUtc, parseMailDate } from './date.js';
import { parseHeaderBlock } from './header-block.js';
import { findListId } from './list-id.js';
import { findInReplyTo, findMessageId, findReferences, syntheticMessageId } from './message-id.js';
import { measureMime, parseMultipart } from './mime.js';
import { parseReceived } from './received.js';
import { simpleMultipartLeaves } from './simple-multipart.js';

export { syntheticMessageId } from './message-id.js';

export interface ParseOptions {
  /** Forces the list identifier (the `--list-id` of an import), whatever the headers say. */
  listId?: string;
  /** Header block size beyond which fields are dropped. */
  maxHeaderBytes?: number;
  /** Most MIME parts a message may have before its body is kept as raw text. */
  maxParts?: number;
  /** Deepest multipart nesting allowed before the body is kept as raw text. */
  maxDepth?: number;
  /** Parse To and Cc into addresses (default true); the importer, which does not store them apart, says no. */
  recipients?: boolean;
}

/**
 * 1 MiB: ten times Postfix's default header_size_limit (100 KiB), so no real mail is cut, while
 * a message that is all header (millions of fields) cannot make millions of HeaderField rows.
 */
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;
/** Same as mailparser's own maxChildNodes; real mail has a handful of parts. */
export const DEFAULT_MAX_PARTS = 1000;
/** Real mail nests 3 or 4 deep; much deeper is an attack on recursive MIME walkers. */
export const DEFAULT_MAX_DEPTH = 50;

/** A Date more than this after the first Received date (or now) is not believed. */
const DATE_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * Headers of which at least one must be present for the input to count as a mail message:
 * without any of them, a file that happens to start with `word:` is not a message.
 */
const MAIL_HEADERS = new Set([
  'from', 'sender', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references',
  'received', 'return-path', 'delivered-to', 'reply-to', 'content-type', 'mime-version', 'list-id',
  'x-mailing-list',
]);

type Index = Map<string, HeaderField[]>;

function indexHeaders(fields: HeaderField[]): Index {
  const index: Index = new Map();
  for (const f of fields) {
    const key = f.name.toLowerCase();
    const list = index.get(key);
    if (list === undefined) index.set(key, [f]);
    else list.push(f);
  }
  return index;
}

function first(index: Index, name: string): HeaderField | null {
  const list = index.get(name);
  return list === undefined ? null : list[0];
}

function unique(ids: string[]): string[] {
  return ids.length < 2 ? ids : [...new Set(ids)];
}

interface DateResult {
  date: string | null;
  dateSource: DateSource;
}

/**
 * Date header, unless absurd (unparsable, before 1970, or more than a day after the first
 * Received date, or after now when there is none), then the first sane Received date.
 */
function chooseDate(dateRaw: string | null, received: ReceivedHop[], now: number, warnings: string[]): DateResult {
  let receivedTime: number | null = null;
  for (const hop of received) {
    if (hop.date === null) continue;
    const t = Date.parse(hop.date);
    if (t >= 0 && t <= now + DATE_SLACK_MS) {
      receivedTime = t;
      break;
    }
  }
  let problem: string;
  if (dateRaw === null) problem = 'no Date header';
  else {
    const parsed = parseMailDate(dateRaw);
    const ceiling = (receivedTime ?? now) + DATE_SLACK_MS;
    if (parsed === null) problem = `unparsable Date ${JSON.stringify(dateRaw)}`;
    else if (parsed.time < 0) problem = `Date before 1970: ${JSON.stringify(dateRaw)}`;
    else if (parsed.time > ceiling) {
      problem = `Date in the future ${receivedTime === null ? 'of the import' : 'of its Received date'}: ${JSON.stringify(dateRaw)}`;
    } else {
      if (parsed.warning !== null) warnings.push(parsed.warning);
      return { date: formatUtc(parsed.time), dateSource: 'date' };
    }
  }
  if (receivedTime !== null) {
    warnings.push(`${problem}; using the Received date`);
    return { date: formatUtc(receivedTime), dateSource: 'received' };
  }
  warnings.push(`${problem}; no Received date either`);
  return { date: null, dateSource: 'none' };
}

function parseFrom(index: Index, warnings: string[]): Address | null {
  const field = first(index, 'from');
  if (field === null) {
    warnings.push('no From header');
    return null;
  }
  const from = splitFromHeader(field.value);
  if (from === null) warnings.push('empty From header');
  else if (!isValidEmail(from.email)) warnings.push(`From address is not a valid address: ${JSON.stringify(from.email)}`);
  return from;
}

function addresses(index: Index, name: string): Address[] {
  const list = index.get(name);
  if (list === undefined) return [];
  const out: Address[] = [];
  // Loops rather than push(...spread): a hostile header with 200k addresses would overflow the stack.
  for (const f of list) for (const a of parseAddressList(f.raw)) out.push(a);
  return out;
}

async function parseBody(
  bytes: Buffer,
  bodyOffset: number,
  index: Index,
  options: Required<Pick<ParseOptions, 'maxParts' | 'maxDepth'>>,
  warnings: string[],
): Promise<BodyContent> {
  const raw = bytes.subarray(bodyOffset);
  const ctField = first(index, 'content-type');
  const cteField = first(index, 'content-transfer-encoding');
  const ct = parseContentType(ctField === null ? null : ctField.raw);
  if (ct.invalid) warnings.push(`unusable Content-Type ${JSON.stringify(ctField?.value)}, taken as text/plain`);

  // Multipart and embedded messages go to mailparser (the simple shapes to simple-multipart.ts);
  // everything else is one part.
  const embedded = ct.mime === 'message/rfc822' || ct.mime === 'message/global';
  if (ct.type === 'multipart' || embedded) {
    const boundary = ct.params.boundary;
    if (!embedded && (boundary === undefined || boundary === '')) {
      warnings.push('multipart without a boundary: body kept as plain text');
      return rawBodyContent(raw);
    }
    // An embedded message has no boundary of its own; NUL never matches a delimiter line.
    const shape = measureMime(raw, embedded ? '\0' : boundary!, options);
    if (shape.parts > options.maxParts || shape.depth > options.maxDepth) {
      warnings.push(
        `MIME structure over the limits (${shape.parts} parts, depth ${shape.depth}; ` +
          `limits ${options.maxParts} and ${options.maxDepth}): body kept as raw text`,
      );
      return rawBodyContent(raw);
    }
    // The common shapes are split here, exactly as mailparser would (simple-multipart.ts).
    const simple = embedded ? null : simpleMultipartLeaves(ctField!.raw, boundary!, cteField === null ? null : cteField.raw, raw);
    if (simple !== null) return assembleBody(simple, warnings);
    try {
      const leaves = await parseMultipart(ctField!.raw, cteField === null ? null : cteField.raw, raw, options.maxParts);
      if (leaves.length === 0) {
        warnings.push(`${ct.mime} body without any part: body kept as plain text`);
        return rawBodyContent(raw);
      }
      return assembleBody(leaves, warnings);
    } catch (err) {
      warnings.push(`MIME parsing failed (${(err as Error).message}): body kept as plain text`);
      return rawBodyContent(raw);
    }
  }

  // The fast path: one part, decoded here.
  const dispositionField = first(index, 'content-disposition');
  const disposition = dispositionField === null ? null : parseParams(dispositionField.raw);
  const filename = disposition?.params.filename ?? ct.params.name ?? null;
  const decoded = decodeTransferEncoding(raw, cteField === null ? null : cteField.value, warnings);
  return assembleBody(
    [
      {
        contentType: ct,
        disposition: disposition === null || disposition.value === '' ? null : disposition.value.toLowerCase(),
        filename: filename === '' ? null : filename,
        bytes: decoded,
      },
    ],
    warnings,
  );
}

/**
 * A limit option: missing, NaN, zero or negative means the default. A limit must never be
 * switched off by accident (`NaN > x` is always false); `Infinity` switches it off on purpose.
 */
function limit(value: number | undefined, fallback: number): number {
  return value === undefined || Number.isNaN(value) || value < 1 ? fallback : value;
}

async function parseUnchecked(bytes: Buffer, options: ParseOptions): Promise<ParseOutcome> {
  if (bytes.length === 0) return { ok: false, reason: 'empty input' };
  const block = parseHeaderBlock(bytes, limit(options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES));
  if (block === null) return { ok: false, reason: 'no header block: the input does not start with a header field' };
  const { fields, bodyOffset } = block;
  const index = indexHeaders(fields);
  if (![...index.keys()].some((k) => MAIL_HEADERS.has(k))) {
    return { ok: false, reason: 'no mail header fields (From, Date, Subject, Message-Id, Received...)' };
  }
  const warnings = block.warnings;

  let msgid: string | null = null;
  for (const f of index.get('message-id') ?? []) {
    msgid = findMessageId(f.value);
    if (msgid !== null) break;
  }
  const msgidSynthetic = msgid === null;
  if (msgid === null) {
    msgid = syntheticMessageId(bytes);
    warnings.push('no Message-Id: synthetic id from the content');
  }

  const inReplyTo: string[] = [];
  for (const f of index.get('in-reply-to') ?? []) {
    const id = findInReplyTo(f.value);
    if (id !== null) inReplyTo.push(id);
  }
  const references: string[] = [];
  for (const f of index.get('references') ?? []) for (const id of findReferences(f.value)) references.push(id);

  const received = (index.get('received') ?? []).map((f, i) => parseReceived(f.value, i));
  const dateField = first(index, 'date');
  const dateRaw = dateField === null ? null : dateField.value;
  const { date, dateSource } = chooseDate(dateRaw, received, Date.now(), warnings);

  const list = findListId((name) => first(index, name));
  let listId = list.listId;
  let listName = list.listName;
  if (options.listId !== undefined) {
    if (options.listId !== listId) listName = null;
    listId = options.listId;
  }

  const subjectField = first(index, 'subject');
  const from = parseFrom(index, warnings);
  const content = await parseBody(
    bytes,
    bodyOffset,
    index,
    { maxParts: limit(options.maxParts, DEFAULT_MAX_PARTS), maxDepth: limit(options.maxDepth, DEFAULT_MAX_DEPTH) },
    warnings,
  );

  const message: ParsedMessage = {
    msgid,
    msgidSynthetic,
    inReplyTo: unique(inReplyTo),
    references: unique(references),
    subject: subjectField === null ? null : subjectField.value,
    from,
    to: options.recipients === false ? [] : addresses(index, 'to'),
    cc: options.recipients === false ? [] : addresses(index, 'cc'),
    date,
    dateRaw,
    dateSource,
    listId,
    listName,
    headers: fields,
    received,
    bodyOffset,
    body: content.body,
    textParts: content.textParts,
    attachments: content.attachments,
    warnings,
  };
  return { ok: true, message };
}

/**
 * Parses one message (cut out of its mbox and un-escaped). Never throws and never rejects:
 * `{ok: false}` only when there is nothing that can be called a message (empty input, no
 * header block, no mail header at all); otherwise the message, with `warnings` for every guess.
 */
export async function parseMessage(bytes: Buffer, options: ParseOptions = {}): Promise<ParseOutcome> {
  try {
    return await parseUnchecked(bytes, options);
  } catch (err) {
    return { ok: false, reason: `BUG: parser failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
