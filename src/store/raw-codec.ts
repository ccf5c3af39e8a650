/**
 * How a message's raw bytes are kept in `messages.raw` and `rejects.raw`. Each row says which
 * compression it holds (`raw_compression`), so an index built by an older release, whose rows
 * are deflate, reads on.
 *
 * New rows are Brotli at quality 0, built into Node's zlib: on linux-watchdog it compresses in
 * 0.57 s against deflate level 1's 1.30 s, for 70 MB against 66 MB. The importer's SQLite thread
 * does this for every message, and it bounded the import.
 *
 * Most list mail is one text/plain part in UTF-8 or US-ASCII, 7bit or 8bit: its bytes after the
 * header block ARE the `body` column's UTF-8 bytes. Such a message keeps only its header block
 * (with the blank line) in `raw`, as 'brotli-head', and is rebuilt from `raw` and `body`
 * (decompressRaw), so the body is not stored twice. The parse worker decides, by comparing the
 * bytes (import/prepare.ts); anything else keeps the whole message.
 *
 * The header block is stored a second time as `headers` rows. When those rows (with their
 * `folding`, mail/folding.ts) give the header block back byte for byte, `raw` is empty: the
 * message is 'rebuilt' from its `headers` rows and its `body`. A reader selects the rows with
 * the message, in the same statement (rawHeadSql), so a view costs no more statements.
 */
import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';
import { rebuildHeaderBlock, type StoredField } from '../mail/folding.js';
import { HEADER_ROW_WIDTH } from './records.js';

export type RawCompression = 'brotli' | 'brotli-head' | 'rebuilt' | 'deflate';

/** The whole message, Brotli: what new rows are written with unless they are head-only. */
export const RAW_COMPRESSION: RawCompression = 'brotli';
/** The header block (and its blank line), Brotli; the rest of the message is `body`'s UTF-8 bytes. */
export const HEAD_COMPRESSION: RawCompression = 'brotli-head';

/** Nothing in raw: the header block is rebuilt from the `headers` rows, the rest is `body`'s UTF-8 bytes. */
export const REBUILT: RawCompression = 'rebuilt';

/**
 * The SQL expression a reader of `messages.raw` selects beside rawBodySql: for a 'rebuilt' row,
 * its header fields as a JSON array of [name, value, raw, folding] in order (NULL otherwise).
 * One correlated subquery on the headers_message index, so the rows come with the message.
 */
export function rawHeadSql(table = 'messages'): string {
  return `CASE WHEN ${table}.raw_compression = '${REBUILT}' THEN (SELECT json_group_array(json_array(h.name, h.value, h.raw, h.folding) ORDER BY h.position)
    FROM headers h WHERE h.message_id = ${table}.id) END`;
}

/** rawHeadSql of `messages`, without the CASE: what a user selects as `head` for `query --decompress`. */
export const HEAD_SQL = '(SELECT json_group_array(json_array(name, value, raw, folding) ORDER BY position) FROM headers h WHERE h.message_id = messages.id)';

/** The fields of flat `headers` rows (StoredMessage.headerRows), as rebuildHeaderBlock takes them. */
export function* headerFieldsOfRows(rows: readonly (string | number | null)[]): Generator<StoredField> {
  for (let at = 0; at < rows.length; at += HEADER_ROW_WIDTH) {
    yield [rows[at + 2] as string, rows[at + 3] as string, rows[at + 4] as string | null, rows[at + 5] as string];
  }
}

/**
 * The SQL expression a reader of `messages.raw` selects beside `raw` and `raw_compression`: the
 * body as UTF-8 bytes for a head-only row (NULL otherwise, so whole rows cost nothing more).
 * `table` is the alias of `messages` in the statement, if it has one.
 */
export function rawBodySql(table = ''): string {
  const t = table ? `${table}.` : '';
  return `CASE WHEN ${t}raw_compression IN ('${HEAD_COMPRESSION}', '${REBUILT}') THEN CAST(${t}body AS BLOB) END`;
}

export function compressRaw(raw: Uint8Array): Buffer {
  return brotliCompressSync(raw, {
    // One output chunk about the size of the result (mail compresses to about half), rather
    // than zlib's default 16 KB chunks joined by a copy: the writer held 269 MB of buffers
    // behind linux-watchdog's 70 MB of compressed mail until they were collected, now 121 MB.
    chunkSize: Math.max(constants.Z_MIN_CHUNK, (raw.byteLength >>> 1) + 1024),
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 0,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.byteLength,
    },
  });
}

/**
 * The original bytes of a message (or reject) from its row: `raw`, `raw_compression` and, for a
 * 'brotli-head' or 'rebuilt' row, its `body` (as UTF-8 bytes, `rawBodySql()`, or as the text
 * SQLite returns), and for a 'rebuilt' row its header fields (`rawHeadSql()`'s JSON, or the
 * fields). Every reader of `raw` goes through here.
 */
export function decompressRaw(stored: Uint8Array, compression: string, body: Uint8Array | string | null,
  head: string | Iterable<StoredField> | null = null): Buffer {
  switch (compression) {
    case 'brotli':
      return brotliDecompressSync(stored);
    case 'brotli-head': {
      if (body === null) throw new Error(`raw_compression '${compression}' needs the row's body: the message is its header block followed by the body`);
      const tail = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      return Buffer.concat([brotliDecompressSync(stored), tail]);
    }
    case 'rebuilt': {
      if (body === null || head === null) throw new Error(`raw_compression '${compression}' needs the row's body and header fields: the message is its header block rebuilt from its headers rows, followed by the body`);
      const fields = typeof head === 'string' ? JSON.parse(head) as StoredField[] : head;
      const tail = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      return Buffer.concat([Buffer.from(rebuildHeaderBlock(fields), 'utf8'), tail]);
    }
    case 'deflate':
      return inflateRawSync(stored);
    default:
      throw new Error(`unknown raw_compression '${compression}'`);
  }
}
