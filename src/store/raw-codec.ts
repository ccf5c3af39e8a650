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
 */
import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';

export type RawCompression = 'brotli' | 'brotli-head' | 'deflate';

/** The whole message, Brotli: what new rows are written with unless they are head-only. */
export const RAW_COMPRESSION: RawCompression = 'brotli';
/** The header block (and its blank line), Brotli; the rest of the message is `body`'s UTF-8 bytes. */
export const HEAD_COMPRESSION: RawCompression = 'brotli-head';

/**
 * The SQL expression a reader of `messages.raw` selects beside `raw` and `raw_compression`: the
 * body as UTF-8 bytes for a head-only row (NULL otherwise, so whole rows cost nothing more).
 * `table` is the alias of `messages` in the statement, if it has one.
 */
export function rawBodySql(table = ''): string {
  const t = table ? `${table}.` : '';
  return `CASE WHEN ${t}raw_compression = '${HEAD_COMPRESSION}' THEN CAST(${t}body AS BLOB) END`;
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
 * 'brotli-head' row, its `body` (as UTF-8 bytes, `rawBodySql()`, or as the text SQLite returns).
 * Every reader of `raw` goes through here.
 */
export function decompressRaw(stored: Uint8Array, compression: string, body: Uint8Array | string | null): Buffer {
  switch (compression) {
    case 'brotli':
      return brotliDecompressSync(stored);
    case 'brotli-head': {
      if (body === null) throw new Error(`raw_compression '${compression}' needs the row's body: the message is its header block followed by the body`);
      const tail = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      return Buffer.concat([brotliDecompressSync(stored), tail]);
    }
    case 'deflate':
      return inflateRawSync(stored);
    default:
      throw new Error(`unknown raw_compression '${compression}'`);
  }
}
