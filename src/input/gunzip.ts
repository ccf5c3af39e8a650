/**
 * gzip decompression as a stream, one member after the other, that ends cleanly at bytes which
 * are not gzip.
 *
 * Written here around zlib's raw inflate because zlib's own Gunzip (Node's, and so every
 * wrapper of it) reads concatenated members but fails with "incorrect header check" on anything
 * else after the last one, and drops the data it had just decompressed: 23 of 412 messages of an
 * archive with a line appended were lost. Here the header and trailer of each member are read by
 * hand (RFC 1952), its deflate data inflated raw, the trailer's CRC-32 and length checked, and
 * bytes after the last member reported to the caller instead of thrown. Errors carry zlib's Z_*
 * codes, as Gunzip's do.
 */
import { createInflateRaw, crc32 } from 'node:zlib';

export interface TrailingBytes {
  /** Offset of the first byte after the last gzip member, in the compressed input. */
  offset: number;
  /** How many bytes follow it. */
  bytes: number;
}

// Compressed bytes handed to inflate at a time: fewer, larger steps cost the main thread fewer
// callbacks.
const PIECE = 128 * 1024;
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** Decompresses `input`, which starts with a gzip member; `onTrailing` hears of bytes after the last one. */
export async function* gunzipMembers(input: AsyncIterable<Buffer>, onTrailing: (t: TrailingBytes) => void): AsyncGenerator<Buffer> {
  const reader = new ByteReader(input[Symbol.asyncIterator]());
  try {
    for (let members = 0; ; members++) {
      // Zero bytes after a member are padding (tape blocks): gzip and zlib skip them too.
      if (!(await reader.skipZeros())) return;
      const start = reader.offset;
      if (!(await reader.fill(2)) || reader.peek(0) !== 0x1f || reader.peek(1) !== 0x8b) {
        if (members === 0) throw zlibError('Z_DATA_ERROR', 'incorrect header check');
        onTrailing({ offset: start, bytes: await reader.skipRest() });
        return;
      }
      await readHeader(reader);
      yield* inflateMember(reader);
    }
  } finally {
    await reader.close();
  }
}

async function readHeader(reader: ByteReader): Promise<void> {
  if (!(await reader.fill(10))) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
  if (reader.peek(2) !== 8) throw zlibError('Z_DATA_ERROR', 'unknown compression method');
  const flags = reader.peek(3);
  let length = 10;
  if (flags & FEXTRA) {
    if (!(await reader.fill(length + 2))) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
    length += 2 + (reader.peek(length) | (reader.peek(length + 1) << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    // A zero-terminated string.
    for (;;) {
      if (!(await reader.fill(length + 1))) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
      if (reader.peek(length++) === 0) break;
    }
  }
  if (flags & FHCRC) length += 2;
  if (!(await reader.fill(length))) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
  reader.take(length);
}

/** Inflates one member's deflate data, then checks its trailer (CRC-32, length modulo 2^32). */
async function* inflateMember(reader: ByteReader): AsyncGenerator<Buffer> {
  // Paused mode: zlib stops inflating while its output waits to be read, so memory stays at a
  // chunk or two even for a "zip bomb".
  const inflater = createInflateRaw({ chunkSize: 256 * 1024 });
  let wake = () => {};
  let failure: Error | null = null;
  inflater.on('readable', () => wake());
  inflater.on('error', (error: Error) => {
    failure ??= error;
    wake();
  });
  let crc = 0;
  let size = 0;
  try {
    for (let fed = 0; ; ) {
      const piece = await reader.takeUpTo(PIECE);
      if (piece === null) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
      let written = false;
      inflater.write(piece, () => {
        written = true;
        wake();
      });
      for (;;) {
        for (let chunk: Buffer | null; (chunk = inflater.read() as Buffer | null) !== null; ) {
          crc = crc32(chunk, crc);
          size += chunk.length;
          yield chunk;
        }
        if (failure) throw failure;
        if (written && inflater.readableLength === 0) break;
        await new Promise<void>((done) => (wake = done));
      }
      fed += piece.length;
      // bytesWritten counts the input inflate consumed: less than was fed means the deflate
      // data ended inside this piece, and the rest belongs to the trailer and what follows.
      const unused = fed - inflater.bytesWritten;
      if (unused > 0) {
        reader.giveBack(piece.subarray(piece.length - unused));
        break;
      }
    }
  } finally {
    inflater.destroy();
  }
  if (!(await reader.fill(8))) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
  const trailer = reader.take(8);
  if (trailer.readUInt32LE(0) !== crc >>> 0) throw zlibError('Z_DATA_ERROR', 'incorrect data check');
  if (trailer.readUInt32LE(4) !== size % 2 ** 32) throw zlibError('Z_DATA_ERROR', 'incorrect length check');
}

function zlibError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Compressed input as a queue of bytes: look ahead, take, give back. */
class ByteReader {
  private pending: Buffer = Buffer.alloc(0);
  private done = false;
  /** Offset of `pending[0]` in the input. */
  offset = 0;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  /** At least `n` bytes pending; false at the end of the input before that. */
  async fill(n: number): Promise<boolean> {
    while (this.pending.length < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else this.pending = this.pending.length ? Buffer.concat([this.pending, next.value]) : next.value;
    }
    return this.pending.length >= n;
  }

  peek(i: number): number {
    return this.pending[i];
  }

  take(n: number): Buffer {
    const head = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    this.offset += n;
    return head;
  }

  async takeUpTo(n: number): Promise<Buffer | null> {
    if (!(await this.fill(1))) return null;
    return this.take(Math.min(n, this.pending.length));
  }

  giveBack(bytes: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([bytes, this.pending]) : bytes;
    this.offset -= bytes.length;
  }

  /** Drops zero bytes; false when the input ends. */
  async skipZeros(): Promise<boolean> {
    for (;;) {
      if (!(await this.fill(1))) return false;
      let i = 0;
      while (i < this.pending.length && this.pending[i] === 0) i++;
      if (i < this.pending.length) {
        this.take(i);
        return true;
      }
      this.take(i);
    }
  }

  /** Reads to the end, keeping nothing; returns how many bytes there were. */
  async skipRest(): Promise<number> {
    let count = 0;
    while (await this.fill(1)) count += this.take(this.pending.length).length;
    return count;
  }

  async close(): Promise<void> {
    if (!this.done) await this.it.return?.();
  }
}
