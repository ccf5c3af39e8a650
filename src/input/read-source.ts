import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { ListindexError } from '../errors.js';
import type { RawMessage } from '../types.js';
import { DEFAULT_MAX_MESSAGE_BYTES, OVERSIZED_HEAD_BYTES, splitMbox } from './mbox-splitter.js';
import type { SourceSpec } from './sources.js';
import { gunzipMembers } from './gunzip.js';
import type { TrailingBytes } from './gunzip.js';

export interface ReadOptions {
  /** Larger messages are yielded as an `oversized` head only (default 64 MiB). */
  maxMessageBytes?: number;
  /** How `From ` lines of an mbox body were escaped (default mboxrd, as lore/public-inbox write). */
  escaping?: 'mboxrd' | 'mboxo';
  /**
   * Start reading an mbox here (an offset in the decompressed data where a message's `From `
   * line starts, as a previous read reported it): incremental imports read only the new tail.
   * A plain file is opened at that offset; gzip cannot seek, so it is decompressed and skipped.
   */
  startOffset?: number;
  /** Hears of what was read around rather than failed on: bytes after the end of gzip data. */
  onWarning?: (warning: ListindexError) => void;
}

/** A message as read from a source, with the splitter's flags. */
export type SourceMessage = RawMessage & {
  /** Bigger than maxMessageBytes: `raw` is only its head, `rawSize` its real size. */
  oversized?: boolean;
  rawSize?: number;
  /** The source broke (corrupt gzip, read error) inside this last message: `raw` is cut short. */
  truncated?: boolean;
};

/** Big reads: fewer chunks to stitch, and the splitter's native searches run on long buffers. */
const READ_CHUNK = 1024 * 1024;

/**
 * Read the messages of one source. gzip is recognised by its magic bytes and decompressed as a
 * stream; a stream starting (after blank lines) with `From ` is split as an mbox, anything else
 * is one message. An empty source yields nothing. Errors are thrown after every message read
 * before them was yielded: INPUT_UNREADABLE for I/O, INPUT_CORRUPT for bad compressed data.
 */
export async function* readSource(spec: SourceSpec, options: ReadOptions = {}): AsyncGenerator<SourceMessage> {
  const file = spec.path;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const start = options.startOffset ?? 0;
  const counter = { bytes: start }; // decompressed bytes handed on so far: where an error happened
  let index = 0;
  try {
    const isStdin = spec.kind === 'stdin' || file === '-';
    const seekable = start > 0 && !isStdin && !(await isGzipFile(file));
    const input: AsyncIterable<Buffer> = isStdin
      ? process.stdin
      : createReadStream(file, { highWaterMark: READ_CHUNK, start: seekable ? start : 0 });
    const gzip = {
      seen: false,
      onTrailing: (t: TrailingBytes) => options.onWarning?.(new ListindexError('INPUT_CORRUPT',
        `${t.bytes} bytes after the end of the gzip data (from byte ${t.offset} of the file) are not gzip; ignored`, { file })),
    };
    const inflated = decompressed(input, gzip);
    const afterStart = start > 0 && !seekable ? skipBytes(inflated, start) : inflated;
    const { isMbox, chunks } = await sniff(afterStart);
    const data = counted(chunks, counter);
    if (isMbox) {
      const escaping = options.escaping ?? 'mboxrd';
      for await (const part of splitMbox(data, { maxMessageBytes })) {
        yield { source: file, index: index++, escaping, ...part, offset: part.offset + start };
      }
    } else {
      const whole = await readWhole(data, maxMessageBytes);
      // Past the size limit reading stops: a source that never yields a `From ` line (a device
      // such as /dev/zero, an endless pipe) is one message that would never end. A plain file
      // knows its size; for anything else, what was read is all that is known, and it is said.
      const plainFile = !isStdin && spec.size !== null && !gzip.seen;
      if (whole.oversized && plainFile) whole.rawSize = spec.size!;
      if (whole.raw.length || whole.rawSize) {
        const { error: _error, ...message } = whole;
        yield { source: file, offset: 0, fromLine: null, escaping: 'none', index: index++, ...message };
      }
      if (whole.error !== undefined) throw whole.error;
      if (whole.oversized && !plainFile) {
        throw new ListindexError('LIMIT_EXCEEDED', `no \`From \` line in the first ${maxMessageBytes} bytes, so it is one message ` +
          `larger than the size limit: its head is kept in rejects and the rest was not read (raise --max-message-size to read more)`,
        { file, byteOffset: whole.rawSize });
      }
    }
  } catch (err) {
    throw asInputError(err, file, counter.bytes);
  }
}

/** Read the first chunk(s) (up to a non-blank byte + 5) to tell an mbox from a single message. */
async function sniff(input: AsyncIterable<Buffer>): Promise<{ isMbox: boolean; chunks: AsyncIterable<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let done = false;
  let isMbox = false;
  for (;;) {
    const next = await it.next();
    if (next.done) done = true;
    else head.push(next.value);
    const joined = head.length === 1 ? head[0] : Buffer.concat(head);
    const w = firstNonBlank(joined);
    if (w !== -1 && (joined.length - w >= 5 || done)) {
      // Same rule as the splitter: `From ` at the start of a line, only blank lines before it.
      isMbox = joined.toString('latin1', w, w + 5) === 'From ' && (w === 0 || joined[w - 1] === 0x0a);
      break;
    }
    if (done) break;
  }
  return { isMbox, chunks: replay(head, done ? null : it) };
}

/** Peeked chunks, then the rest of the iterator (closed if the reader stops early). */
async function* replay(head: Buffer[], it: AsyncIterator<Buffer> | null): AsyncGenerator<Buffer> {
  let finished = it === null;
  try {
    yield* head;
    if (!it) return;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    finished = true;
  } finally {
    if (!finished) await it?.return?.();
  }
}

/** Pass chunks through gunzip when they start with the gzip magic bytes 1f 8b (not by name). */
async function* decompressed(
  input: AsyncIterable<Buffer>, gzip: { seen: boolean; onTrailing: (t: TrailingBytes) => void },
): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < 2) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const all = replay(head, done ? null : it);
  const first = head.length === 1 ? head[0] : Buffer.concat(head);
  if (!(first[0] === 0x1f && first[1] === 0x8b)) {
    yield* all;
    return;
  }
  gzip.seen = true;
  // Decompress as a stream (never to disk); concatenated gzip members are read on, as gzip does,
  // and bytes after the last one are reported, not thrown (input/gunzip.ts).
  yield* gunzipMembers(all, gzip.onTrailing);
}

async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Drops the first `count` bytes of a stream of chunks. */
async function* skipBytes(chunks: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

function counted(chunks: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<Buffer> {
  return (async function* () {
    for await (const chunk of chunks) {
      counter.bytes += chunk.length;
      yield chunk;
    }
  })();
}

interface Whole {
  raw: Buffer;
  oversized?: boolean;
  rawSize?: number;
  truncated?: boolean;
  /** The source failed: what came before is in `raw`, marked `truncated`. */
  error?: unknown;
}

/** A single-message source, kept whole unless it is larger than the limit: then read no further. */
async function readWhole(chunks: AsyncIterable<Buffer>, max: number): Promise<Whole> {
  const parts: Buffer[] = [];
  let size = 0;
  let kept = 0;
  let error: unknown;
  try {
    for await (const chunk of chunks) {
      size += chunk.length;
      parts.push(chunk);
      kept += chunk.length;
      if (size > max) break; // too big: the caller knows the size, or says that reading stopped here
    }
  } catch (err) {
    error = err;
  }
  const raw = Buffer.concat(parts, kept); // a fresh buffer, not a view of a 1 MiB read buffer
  const out: Whole =
    size > max ? { raw: Buffer.from(raw.subarray(0, Math.min(max, OVERSIZED_HEAD_BYTES))), oversized: true, rawSize: size } : { raw };
  if (error !== undefined) {
    out.error = error;
    if (size) out.truncated = true;
  }
  return out;
}

function firstNonBlank(b: Buffer): number {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}

function asInputError(err: unknown, file: string, byteOffset: number): ListindexError {
  if (err instanceof ListindexError) return err;
  const e = err as NodeJS.ErrnoException;
  // zlib errors carry Z_* codes (Z_DATA_ERROR, Z_BUF_ERROR for a truncated stream...).
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    const what = e.code === 'Z_BUF_ERROR' ? 'truncated' : 'corrupt';
    // The offset counts decompressed bytes, like RawMessage.offset.
    return new ListindexError('INPUT_CORRUPT', `${what} gzip data: ${e.message} (offset in the decompressed data)`, {
      file,
      byteOffset,
      cause: err,
    });
  }
  const why = e?.code === 'ENOENT' ? 'no such file' : e?.code === 'EISDIR' ? 'is a directory' : (e?.message ?? String(err));
  return new ListindexError('INPUT_UNREADABLE', `cannot read: ${why}`, { file, byteOffset: byteOffset || undefined, cause: err });
}
