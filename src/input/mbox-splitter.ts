/**
 * Streaming mbox splitter (mboxrd, mboxo, mboxcl, mboxcl2).
 *
 * Hand-written because no npm library splits all mbox flavours as a stream, on bytes, with
 * byte offsets, fast enough for 150 MB archives: we search `\nFrom ` with Buffer.indexOf (native
 * memchr-based search) and only look at the few lines around each hit in JS.
 *
 * Output contract (what lets the store rebuild the file byte for byte):
 *   file = leadingWhitespace + Σ (fromLine + '\n' + raw)            (fromLine null: just raw)
 * `fromLine` is decoded as Latin-1 (one char per byte, so it round-trips) and keeps a trailing
 * `\r` when the file is CRLF; `raw` starts right after the From line's `\n` and runs to the next
 * separator, trailing blank line included. Only whitespace before the first `From ` line is
 * dropped (the first message's offset still counts it).
 */

export interface MboxPart {
  /** Byte offset of the message's first byte (its From line) in the stream. */
  offset: number;
  /** The From line without its `\n` (a CRLF file keeps the `\r`), or null for data that came
   * before any separator / a file without separators. */
  fromLine: string | null;
  /** Bytes after the From line up to the next separator, as in the file; only a head of it when
   * `oversized`. Each raw owns its own ArrayBuffer, so cloning it to a worker copies only it. */
  raw: Buffer;
  /** The message exceeded maxMessageBytes: `raw` is only its first bytes, the rest was skipped. */
  oversized?: boolean;
  /** With `oversized`: the real length of the raw part in the file. */
  rawSize?: number;
  /** The stream failed inside this (last) message: `raw` stops where the data stopped. */
  truncated?: boolean;
}

export interface SplitOptions {
  /** Largest raw message kept in memory; bigger ones are yielded as an oversized head. */
  maxMessageBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Head kept of an oversized message: enough for its headers, so the pipeline can say which. */
export const OVERSIZED_HEAD_BYTES = 64 * 1024;

/** Split an mbox stream into messages. Memory stays bounded by the largest message kept. */
export async function* splitMbox(
  chunks: AsyncIterable<Buffer>,
  options: SplitOptions = {},
): AsyncGenerator<MboxPart> {
  const splitter = new MboxSplitter(options);
  try {
    for await (const chunk of chunks) yield* splitter.push(chunk);
  } catch (err) {
    // Hand out what was read before the failure (the last message as far as it goes), then fail.
    const rest = splitter.end();
    const last = rest[rest.length - 1];
    if (last) last.truncated = true;
    yield* rest;
    throw err;
  }
  yield* splitter.end();
}

const NL_FROM = Buffer.from('\nFrom ');
const FROM_ = Buffer.from('From ');
const LF = 0x0a;
const CR = 0x0d;
/** A From_ line is short; a longer "line" is prose or binary junk. */
const MAX_FROM_LINE = 4096;
/** Longest header field name we accept when checking the line after a From_ line. */
const MAX_FIELD_NAME = 256;
/** `From <sender> <date>`: lenient, the date only needs a year or a hh:mm time (pipermail puts
 * `user at host` with spaces as sender, git uses `Mon Sep 17 00:00:00 2001`). */
const FROM_LINE_RE = /^From \S+\s.*?(?:\b\d{4}\b|\b\d{1,2}:\d{2})/;
const CONTENT_LENGTH_RE = /^content-length[ \t]*:[ \t]*(\d{1,15})[ \t]*\r?$/im;

type Check = 'yes' | 'no' | 'more';

/**
 * The synchronous core: push chunks in, get finished messages out. All positions are absolute
 * stream offsets; `buf[0]` is at offset `base`.
 */
export class MboxSplitter {
  private readonly max: number;
  private buf: Buffer = Buffer.allocUnsafe(0);
  private base = 0;
  private len = 0; // bytes used in buf
  private eof = false;
  private phase: 'start' | 'message' | 'done' = 'start';
  // Current message
  private cur = 0; // offset of its From line (or of the junk)
  private fromLine: string | null = null;
  private body = 0; // offset of its raw part
  private scan = 0; // no separator candidate starts before this
  private skipHead: Buffer | null = null; // set while skipping an oversized message

  constructor(options: SplitOptions = {}) {
    this.max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  push(chunk: Buffer): MboxPart[] {
    if (chunk.length === 0 || this.phase === 'done') return [];
    this.append(chunk);
    return this.run();
  }

  end(): MboxPart[] {
    if (this.phase === 'done') return [];
    this.eof = true;
    const out = this.run();
    this.phase = 'done';
    return out;
  }

  private get top(): number {
    return this.base + this.len;
  }

  private byte(abs: number): number {
    return this.buf[abs - this.base];
  }

  /** The bytes in use (searching `buf` itself would run into stale bytes past `len`). */
  private data(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Append a chunk, first dropping bytes nobody needs any more (before the current message,
   * or everything but a small tail while skipping an oversized one). */
  private append(chunk: Buffer): void {
    const keep = this.phase === 'start' ? this.base : this.skipHead ? Math.max(this.base, this.scan - 2) : this.cur;
    const keepLen = this.top - keep;
    if (this.len + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.len);
      this.len += chunk.length;
      return;
    }
    const from = keep - this.base;
    if (keepLen + chunk.length <= this.buf.length) {
      this.buf.copy(this.buf, 0, from, this.len); // compact in place (copy is a memmove)
    } else {
      const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, keepLen + chunk.length, 1 << 20));
      this.buf.copy(next, 0, from, this.len);
      this.buf = next;
    }
    this.base = keep;
    this.len = keepLen;
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  private run(): MboxPart[] {
    const out: MboxPart[] = [];
    if (this.phase === 'start' && !this.begin()) return out;
    for (;;) {
      const end = this.findEnd();
      if (end === null) return out; // need more data
      if (end === -1) {
        // EOF: the current message runs to the end of the data.
        const last = this.emit(this.top);
        if (last) out.push(last);
        return out;
      }
      const part = this.emit(end);
      if (part) out.push(part);
      this.startMessage(end);
    }
  }

  /** Decide how the stream starts: a From line (after optional whitespace) or junk. */
  private begin(): boolean {
    let w = 0;
    while (w < this.len && isSpace(this.buf[w])) w++;
    if (w === this.len && !this.eof) return false;
    if (this.len - w < FROM_.length && !this.eof) return false;
    const startsWithFrom = this.data().subarray(w, w + FROM_.length).equals(FROM_) && (w === 0 || this.buf[w - 1] === LF);
    if (startsWithFrom) {
      // The first line of an mbox is a separator whatever it holds (e.g. a bare `From `).
      if (this.data().indexOf(LF, w) === -1 && !this.eof) return false;
      this.phase = 'message';
      this.startMessage(this.base + w);
    } else {
      if (w === this.len) {
        this.phase = 'done'; // empty or whitespace only: nothing to yield
        return false;
      }
      this.phase = 'message';
      this.cur = this.body = this.scan = this.base;
      this.fromLine = null;
    }
    return true;
  }

  /** Start a message at `at` (a From line already validated as complete, or the last line). */
  private startMessage(at: number): void {
    const i = at - this.base;
    let nl = this.data().indexOf(LF, i);
    if (nl === -1) nl = this.len; // From line at EOF without newline
    this.cur = at;
    this.fromLine = this.buf.toString('latin1', i, nl);
    this.body = Math.min(this.base + nl + 1, this.top);
    this.scan = Math.max(this.scan, this.body); // candidates already rejected stay rejected
    this.skipHead = null;
  }

  /** Offset where the current message ends (next From line), -1 for EOF, null if more data is needed. */
  private findEnd(): number | null {
    for (;;) {
      const i = this.data().indexOf(NL_FROM, this.scan - this.base);
      if (i === -1) {
        if (this.eof) {
          const cl = this.contentLengthEnd(this.top);
          return typeof cl === 'number' && cl < this.top ? cl : -1;
        }
        this.scan = Math.max(this.scan, this.body, this.top - (NL_FROM.length - 1));
        return this.waitOrSkip();
      }
      const nl = this.base + i; // the `\n` before `From `
      if (!this.blankLineBefore(nl)) {
        this.scan = nl + 1;
        continue;
      }
      const check = this.checkSeparator(nl + 1);
      if (check === 'no') {
        this.scan = nl + 1;
        continue;
      }
      this.scan = nl;
      if (check === 'more') return this.waitOrSkip();
      const cl = this.contentLengthEnd(nl + 1);
      if (cl === 'more') return this.waitOrSkip();
      if (cl === null) return nl + 1;
      return cl < this.top ? cl : -1; // a body running to EOF
    }
  }

  /** Out of data: wait, unless the message is already known to be too big, then skip it. */
  private waitOrSkip(): null {
    if (!this.skipHead && this.scan - this.body > this.max) {
      const i = this.body - this.base;
      this.skipHead = copyOf(this.buf.subarray(i, i + Math.min(this.max, OVERSIZED_HEAD_BYTES)));
    }
    return null;
  }

  /** Is the line ending at `nl` (a `\n`) empty? Only bytes of the current message count. */
  private blankLineBefore(nl: number): boolean {
    if (nl - 1 < this.cur) return false;
    const b = this.byte(nl - 1);
    if (b === LF) return true;
    return b === CR && nl - 2 >= this.cur && this.byte(nl - 2) === LF;
  }

  /** Does a real From_ line start at `at`: `From <x> <date-ish>`, then a header line? */
  private checkSeparator(at: number): Check {
    const i = at - this.base;
    const limit = Math.min(this.len, i + MAX_FROM_LINE);
    const nl = this.buf.subarray(0, limit).indexOf(LF, i);
    if (nl === -1) return limit < this.len || this.eof ? 'no' : 'more';
    if (!FROM_LINE_RE.test(this.buf.toString('latin1', i, nl))) return 'no';
    // The next line must look like `Name: value` (a printable field name, then a colon).
    let j = nl + 1;
    const end = Math.min(this.len, j + MAX_FIELD_NAME);
    let sawSpace = false;
    for (; j < end; j++) {
      const c = this.buf[j];
      if (c === 0x3a) return j > nl + 1 ? 'yes' : 'no';
      if (c === 0x20 || c === 0x09) {
        if (j === nl + 1) return 'no'; // a continuation line is not enough
        sawSpace = true; // obsolete `Name :` syntax
      } else if (c < 0x21 || c > 0x7e || sawSpace) return 'no';
    }
    return end < this.len || this.eof || j - (nl + 1) >= MAX_FIELD_NAME ? 'no' : 'more';
  }

  /**
   * mboxcl/mboxcl2: if the header block has `Content-Length: N` and the header block + N bytes
   * land on a valid separator (or EOF), that is where the message ends, even if its body holds
   * unescaped `From ` lines. Returns that end, null to ignore Content-Length, 'more' to wait.
   * `candidate` is where plain separator scanning would end the message.
   */
  private contentLengthEnd(candidate: number): number | 'more' | null {
    if (this.skipHead) return null;
    const b = this.body - this.base;
    const msg = this.buf.subarray(b, candidate - this.base);
    if (msg[0] === LF || (msg[0] === CR && msg[1] === LF)) return null; // no header block
    const crlf = this.fromLine?.endsWith('\r') ?? false;
    // Search the likelier blank-line form first, then the other only before it: bounded by the header size.
    const first = msg.indexOf(crlf ? '\n\r\n' : '\n\n');
    const other = msg.subarray(0, first === -1 ? msg.length : first).indexOf(crlf ? '\n\n' : '\n\r\n');
    let headerEnd: number; // offset in msg of the byte after the blank line
    if (other !== -1) headerEnd = other + (crlf ? 2 : 3);
    else if (first !== -1) headerEnd = first + (crlf ? 3 : 2);
    else return null;
    const headers = msg.subarray(0, headerEnd);
    if (headers.indexOf('ength') === -1 && headers.indexOf('ENGTH') === -1) return null;
    const m = CONTENT_LENGTH_RE.exec(headers.toString('latin1'));
    if (!m) return null;
    const e = this.body + headerEnd + Number(m[1]);
    if (e - this.body > this.max) return null;
    if (e === candidate) return null; // agrees with scanning
    if (e + 3 > this.top) {
      if (!this.eof) return 'more';
      // At EOF: accept the body ending at EOF, or followed only by a blank line.
      if (e > this.top) return null;
      const tail = this.buf.toString('latin1', e - this.base, this.len);
      return tail === '' || tail === '\n' || tail === '\r\n' ? this.top : null;
    }
    let next: number;
    if (this.byte(e) === 0x46 && this.byte(e - 1) === LF) next = e;
    else if (this.byte(e) === LF && this.byte(e + 1) === 0x46) next = e + 1;
    else if (this.byte(e) === CR && this.byte(e + 1) === LF && this.byte(e + 2) === 0x46) next = e + 2;
    else return null;
    if (next === candidate) return null; // agrees with scanning
    if (!this.data().subarray(next - this.base, next - this.base + FROM_.length).equals(FROM_)) {
      return next - this.base + FROM_.length > this.len && !this.eof ? 'more' : null;
    }
    const check = this.checkSeparator(next);
    return check === 'yes' ? next : check === 'more' ? 'more' : null;
  }

  /** Cut the current message at `end`; null when it is whitespace-only junk (nothing to keep). */
  private emit(end: number): MboxPart | null {
    const offset = this.cur;
    if (this.skipHead) {
      return { offset, fromLine: this.fromLine, raw: this.skipHead, oversized: true, rawSize: end - this.body };
    }
    const raw = this.buf.subarray(this.body - this.base, end - this.base);
    if (this.fromLine === null && isAllSpace(raw)) return null;
    if (raw.length > this.max) {
      const head = copyOf(raw.subarray(0, Math.min(this.max, OVERSIZED_HEAD_BYTES)));
      return { offset, fromLine: this.fromLine, raw: head, oversized: true, rawSize: raw.length };
    }
    return { offset, fromLine: this.fromLine, raw: copyOf(raw) };
  }
}

/** A copy with its own ArrayBuffer (not a slice of the shared pool or of our work buffer). */
function copyOf(view: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(view.length);
  view.copy(out);
  return out;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === LF || c === CR;
}

function isAllSpace(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (!isSpace(b[i])) return false;
  return true;
}
