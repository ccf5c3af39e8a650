import type { MboxEscaping, ParsedMessage } from '../types.js';
import type { Trailer } from '../patch/trailers.js';
import type { RawCompression } from './raw-codec.js';

/** What the reader hands to a parse worker: one message cut out of its source. */
export interface MessageInput {
  source: string;
  offset: number;
  fromLine: string | null;
  raw: Uint8Array;
  escaping: MboxEscaping;
  index: number;
  /** Set when the reader stopped buffering at the size limit: raw holds only the head. */
  oversized?: boolean;
  /** The real size of an oversized message. */
  rawSize?: number;
}

interface PreparedBase {
  source: string;
  offset: number;
  fromLine: string | null;
  /** SHA-1 hex of the raw bytes after the From_ line: the identity of "the same content". */
  contentHash: string;
  /** The CR and LF bytes this copy ends with, which contentHash leaves out: kept with its
   * occurrence, so that each copy is rebuilt exactly. Null for an oversized message (only its
   * head is kept). */
  lineEnds: string | null;
  /** Size of the message in bytes (as found, before compression). */
  size: number;
  /** Raw bytes after the From_ line, compressed (store/raw-codec.ts): all of them, or for
   * 'brotli-head' those before the body, the rest being the body's bytes (texts.body); none
   * for 'rebuilt' (the header block is the headers rows). */
  compressed: Uint8Array;
  /** What `compressed` holds: the value of the row's `raw_compression`. */
  rawCompression: RawCompression;
}

/** What the message carries as a patch: Patchwork's content split, computed in the worker. */
export interface PatchFacts {
  /** Patchwork's content: the text without the diff and the signature. */
  content: string;
  diff: string | null;
  /** Where the diff is in the body (1-based, in characters, as SQLite's substr counts them),
   * when it is a stretch of it: then only these are stored, not the diff's text again. */
  diffStart: number | null;
  diffLength: number | null;
  /** Patchwork's normalised diff hash. */
  hash: string | null;
  pullUrl: string | null;
  files: { path: string; added: number; removed: number; binary: boolean }[];
  /** Trailers written in this message (b4's rules), as linking will read them. */
  trailers: Trailer[];
  /** b4's `change-id:` line, if any. */
  changeId: string | null;
  /** The kind this message most likely has, judged from itself alone; series linking corrects
   * the few it gets wrong (an orphan reply, a 0/N reusing a cover's name), rewriting only those. */
  provisionalKind: 'patch' | 'cover' | 'comment' | 'other';
}

/** The large texts, as UTF-8 bytes: the main thread binds them to SQL as is (no JS strings). */
export interface MessageTexts {
  body: Uint8Array;
  content: Uint8Array | null;
  /** The diff's text, only when it is not a stretch of the body (see PatchFacts.diffStart). */
  diff: Uint8Array | null;
}

/**
 * What the writer stores of a parsed message, shaped to cross from a worker cheaply: header
 * fields and Received hops as flat arrays, one per message instead of ~35 small objects, which
 * cuts the structured clone each way by 40% (88 -> 53 ms per 2,000 linux-watchdog messages).
 */
export interface StoredMessage extends Pick<ParsedMessage,
  'msgid' | 'msgidSynthetic' | 'inReplyTo' | 'references' | 'subject' | 'from' | 'date' | 'dateRaw' | 'dateSource' |
  'listId' | 'listName' | 'attachments' | 'warnings'> {
  /** X-Patchwork-Hint, trimmed and lower case, or null. */
  patchworkHint: string | null;
  /** The `headers` rows, HEADER_ROW_WIDTH values each, as the table's columns: message id (0
   * until the writer knows it), position, name, value, raw text or null where raw differs
   * from value only by folding, and the folding (mail/folding.ts; null when not known). */
  headerRows: (string | number | null)[];
  /** The `received` rows, RECEIVED_ROW_WIDTH values each: message id (0 until known), hop, from
   * host, from ip, by host, protocol, id, for, date, and the position of its Received field. */
  receivedRows: (string | number | null)[];
}

/** Columns of a `headers` row and of a `received` row; the first is the message id. */
export const HEADER_ROW_WIDTH = 6;
export const RECEIVED_ROW_WIDTH = 10;

export interface PreparedMessage extends PreparedBase {
  type: 'message';
  message: StoredMessage;
  patch: PatchFacts;
  texts: MessageTexts;
}

export interface PreparedReject extends PreparedBase {
  type: 'reject';
  reason: string;
}

export type PreparedRecord = PreparedMessage | PreparedReject;

export interface PrepareOptions {
  listId?: string;
  /** Leave `contentHash` and `compressed` empty: the caller hashes and compresses the raw
   * bytes itself, as `rawCompression` says (see pipeline.ts prepareSharing). */
  rawDoneByCaller?: boolean;
}
