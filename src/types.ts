/**
 * The data model shared by every stage: input → mail → patch → series → store.
 * Stages exchange plain objects (structured-cloneable, so they cross worker threads).
 */

/** How `>From ` lines in an mbox body were escaped by whoever wrote the file. */
export type MboxEscaping =
  /** mboxrd: every `>*From ` got one more `>`; reading removes exactly one. */
  | 'mboxrd'
  /** mboxo: `From ` became `>From `, but `>From ` stayed as is: not reversible, nothing removed. */
  | 'mboxo'
  /** a single message file (.eml, .patch, Maildir entry): no escaping at all. */
  | 'none';

/** One message as cut out of its source, before any parsing. */
export interface RawMessage {
  /** Path of the file it came from (`-` for standard input). */
  source: string;
  /** Byte offset of the message's first byte (its `From ` line, if any) in the source; for
   * compressed sources, the offset in the decompressed stream. */
  offset: number;
  /** The mbox `From ` separator line without its line ending, or null for single-message files. */
  fromLine: string | null;
  /** The message bytes exactly as they stand in the file after the `From ` line (escaping,
   * CRLF and the trailing blank separator line included), so an mbox can be rebuilt byte for byte. */
  raw: Buffer;
  /** How to un-escape `raw` before parsing it. */
  escaping: MboxEscaping;
  /** Position of this message in its source (0-based), for error messages. */
  index: number;
}

/** One header field, in file order; repeated fields appear once per occurrence. */
export interface HeaderField {
  /** Field name as written (case kept), e.g. `Received`. */
  name: string;
  /** What is written between the name and the raw value: blanks, the colon, blanks (usually
   * `': '`); absent means `': '`. */
  sep?: string;
  /** Value as in the file: folding kept (`\n\t`), no RFC 2047 decoding; bytes read as UTF-8
   * when valid, else as Latin-1. NUL bytes removed. */
  raw: string;
  /** Value unfolded, RFC 2047 words decoded, whitespace runs collapsed. */
  value: string;
}

export interface Address {
  name: string | null;
  /** Lower-case is NOT applied: the address as written; people are matched case-insensitively. */
  email: string;
}

/** One `Received:` hop. Hop 0 is the topmost header (the last relay, nearest the archive). */
export interface ReceivedHop {
  hop: number;
  fromHost: string | null;
  fromIp: string | null;
  byHost: string | null;
  /** The `with` clause, e.g. `ESMTP`, `ESMTPS`, `LMTP`. */
  protocol: string | null;
  /** The `id` clause. */
  id: string | null;
  /** The `for` clause, angle brackets removed. */
  for: string | null;
  /** The timestamp after the last `;`, as UTC ISO-8601 (`2018-07-06T13:17:38Z`), or null. */
  date: string | null;
  /** The unfolded header value, for anything the fields above do not capture. */
  raw: string;
}

export interface TextPart {
  /** MIME subtype, lower case: `plain`, `x-patch`, `x-diff`, `html`... */
  subtype: string;
  text: string;
  filename: string | null;
}

export interface Attachment {
  filename: string | null;
  contentType: string;
  size: number;
  /** `attachment` or `inline` (or null when the part had no Content-Disposition). */
  disposition: string | null;
}

/** Where the message's date came from. */
export type DateSource = 'date' | 'received' | 'none';

/** A message fully parsed: everything the store needs, nothing that needs the database. */
export interface ParsedMessage {
  /** First `<...>` of Message-Id, brackets kept, whole; synthetic when missing. */
  msgid: string;
  msgidSynthetic: boolean;
  /** First `<...>` of each In-Reply-To header (raw stripped value as a fallback). */
  inReplyTo: string[];
  /** All `<...>` of the References headers, in header order (oldest ancestor first). */
  references: string[];
  /** Decoded, unfolded Subject, or null if the message has none. */
  subject: string | null;
  from: Address | null;
  /** All addresses in To and Cc. */
  to: Address[];
  cc: Address[];
  /** UTC ISO-8601 `YYYY-MM-DDTHH:MM:SSZ`; from Date, else the first Received date. */
  date: string | null;
  dateRaw: string | null;
  dateSource: DateSource;
  /** List identifier: `<...>` part of List-Id, else X-Mailing-List / X-list; null if none. */
  listId: string | null;
  /** Display name from List-Id (`DPDK patches and discussions`), if any. */
  listName: string | null;
  headers: HeaderField[];
  received: ReceivedHop[];
  /** Where the body starts in the bytes parsed: past the header block and its blank line. */
  bodyOffset: number;
  /** Text of the body: text/plain parts decoded to UTF-8 and joined (HTML-only mail: the HTML
   * converted to text). */
  body: string;
  /** Every text part in MIME order (plain, x-patch, x-diff, html...), decoded to UTF-8: what
   * patch detection reads (an attached `text/x-patch` counts as the diff, as in Patchwork). */
  textParts: TextPart[];
  attachments: Attachment[];
  /** Non-fatal problems met while parsing (bad charset, unparsable date...), for the record. */
  warnings: string[];
}

/** Parsing a message either succeeds or fails with a reason; failures are kept, never dropped. */
export type ParseOutcome =
  | { ok: true; message: ParsedMessage }
  | { ok: false; reason: string };
