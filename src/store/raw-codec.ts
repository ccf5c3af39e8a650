/**
 * How a message's raw bytes are kept in `messages.raw` and `rejects.raw`. Each row says which
 * compression it holds (`raw_compression`), so an index built by an older release, whose rows
 * are deflate, reads on.
 *
 * New rows are Brotli at quality 0, built into Node's zlib: on linux-watchdog it compresses in
 * 0.57 s against deflate level 1's 1.30 s, for 70 MB against 66 MB. The importer's SQLite thread
 * does this for every message, and it bounded the import.
 */
import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';

export type RawCompression = 'brotli' | 'deflate';

/** What new rows are written with; also the SQL literal the writer stores beside them. */
export const RAW_COMPRESSION: RawCompression = 'brotli';

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

/** The original bytes of a `raw` column, given its row's `raw_compression`. */
export function decompressRaw(stored: Uint8Array, compression: string): Buffer {
  switch (compression) {
    case 'brotli':
      return brotliDecompressSync(stored);
    case 'deflate':
      return inflateRawSync(stored);
    default:
      throw new Error(`unknown raw_compression '${compression}'`);
  }
}
