/**
 * Multipart bodies: a structural pre-scan that enforces the part and depth limits, then
 * mailparser for the real MIME work (boundaries, nesting, broken structure, RFC 2231 names),
 * unless the message has the simple shape that simple-multipart.ts splits itself.
 *
 * mailparser normally decodes inline text/plain and text/html itself and merges them into one
 * `text`; we need every text part separately, in MIME order, decoded with listindex's charset
 * rules (same as the single-part fast path). So the parser is told that no type is a "text
 * type" (`textTypes`, an internal field of mailparser 3.x, pinned in package.json): every
 * leaf then arrives as an attachment stream carrying its transfer-decoded bytes, in order.
 * If a mailparser upgrade changes that, test/mail/mime.test.ts fails.
 */
import type { AttachmentStream, HeaderValue } from 'mailparser';
import type { LeafPart } from './body.js';
import { parseContentType } from './content-type.js';
import type { MediaType } from './content-type.js';

// mailparser takes ~150 ms to load, most of a command's start-up: it is loaded the first time a
// multipart message comes, so that commands and imports that meet none never wait for it.
let mailparser: Promise<typeof import('mailparser')> | null = null;
const loadMailparser = () => (mailparser ??= import('mailparser'));

/** How long one message may keep mailparser busy before we give up on its structure. */
export const MIME_TIMEOUT_MS = 10_000;

export interface MimeShape {
  /** Boundary delimiter lines seen (an upper bound on the number of parts). */
  parts: number;
  /** Deepest nesting of multipart containers, the root counting as 1. */
  depth: number;
}

const BOUNDARY_PARAM = /boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi;

/**
 * Counts delimiter lines and nesting before mailparser sees the body, so that a hostile message
 * (a million parts, nesting thousands deep) is refused in one linear scan. Boundaries are those
 * declared anywhere in the body plus the root's; a container opens where its boundary is
 * declared and closes at its close delimiter, or when a delimiter of an outer container shows up.
 * The scan stops as soon as `limits` is exceeded (the shape returned is then over the limits).
 */
export function measureMime(
  body: Buffer,
  rootBoundary: string,
  limits: { maxParts: number; maxDepth: number } = { maxParts: Infinity, maxDepth: Infinity },
): MimeShape {
  const text = body.toString('latin1');
  const boundaries = new Set<string>([rootBoundary]);
  const events: { pos: number; boundary: string; kind: 'open' | 'delim' | 'close' }[] = [];
  let m: RegExpExecArray | null;
  const declared = new RegExp(BOUNDARY_PARAM.source, 'gi');
  while ((m = declared.exec(text)) !== null) {
    const b = m[1] ?? m[2];
    boundaries.add(b);
    events.push({ pos: m.index, boundary: b, kind: 'open' });
  }
  let delimiters = 0;
  let pos = text.startsWith('--') ? 0 : text.indexOf('\n--');
  while (pos >= 0) {
    const start = text[pos] === '\n' ? pos + 1 : pos;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start + 2, Math.min(end, start + 260)).trimEnd();
    if (boundaries.has(line)) {
      events.push({ pos: start, boundary: line, kind: 'delim' });
      if (++delimiters > limits.maxParts) return { parts: delimiters, depth: 0 };
    } else if (line.endsWith('--') && boundaries.has(line.slice(0, -2))) {
      events.push({ pos: start, boundary: line.slice(0, -2), kind: 'close' });
    }
    pos = text.indexOf('\n--', end);
  }
  events.sort((a, b) => a.pos - b.pos);
  const stack: string[] = [rootBoundary];
  let depth = 1;
  let parts = 0;
  for (const e of events) {
    if (e.kind === 'open') {
      stack.push(e.boundary);
      if (stack.length > depth) depth = stack.length;
      // Stop here: the stack search below must stay short.
      if (depth > limits.maxDepth) return { parts, depth };
      continue;
    }
    if (e.kind === 'delim') parts++;
    const at = stack.lastIndexOf(e.boundary);
    if (at < 0) continue;
    stack.length = e.kind === 'close' ? at : at + 1;
  }
  return { parts, depth };
}

function headerParams(value: HeaderValue | undefined): { value: string; params: Record<string, string> } | null {
  if (value === undefined || value === null || typeof value !== 'object' || value instanceof Date) return null;
  if (Array.isArray(value)) return headerParams(value[0] as HeaderValue | undefined);
  const v = value as { value?: unknown; params?: unknown };
  if (typeof v.value !== 'string') return null;
  const params: Record<string, string> = {};
  if (v.params !== null && typeof v.params === 'object') {
    for (const [k, p] of Object.entries(v.params as Record<string, unknown>)) params[k] = String(p);
  }
  return { value: v.value, params };
}

function leafContentType(att: AttachmentStream): MediaType {
  const declared = headerParams(att.headers.get('content-type'));
  if (declared === null) return parseContentType(null);
  const ct = parseContentType(declared.value);
  return { ...ct, params: { ...declared.params } };
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/**
 * Runs mailparser over a multipart body and returns its leaves in MIME order. `contentType` and
 * `transferEncoding` are the root's raw header values: only they are handed over, not the whole
 * header block, which we have parsed already. Rejects on a parser error or after `timeoutMs`.
 */
export async function parseMultipart(
  contentType: string,
  transferEncoding: string | null,
  body: Buffer,
  maxParts: number,
  timeoutMs = MIME_TIMEOUT_MS,
): Promise<LeafPart[]> {
  const { MailParser } = await loadMailparser();
  const head =
    `Content-Type: ${contentType.replace(/\r?\n(?![ \t])/g, '\n ')}\n` +
    (transferEncoding === null ? '' : `Content-Transfer-Encoding: ${transferEncoding.replace(/\r?\n/g, ' ')}\n`) +
    '\n';
  return new Promise<LeafPart[]>((resolve, reject) => {
    const parser = new MailParser({
      checksumAlgo: false,
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      keepDeliveryStatus: true,
      defaultInlineEmbedded: true,
      // A backstop only: our pre-scan enforces maxParts; mailparser also counts containers.
      maxChildNodes: 2 * maxParts + 1,
    });
    (parser as unknown as { textTypes: string[] }).textTypes = [];
    const leaves: Promise<LeafPart>[] = [];
    let settled = false;
    const settle = (err: Error | null, result?: LeafPart[]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err !== null) reject(err);
      else resolve(result ?? []);
    };
    // The timer runs until every leaf has been read, not only until mailparser says 'end'.
    const timer = setTimeout(() => {
      settle(new Error(`MIME parsing took longer than ${timeoutMs} ms`));
      parser.destroy();
    }, timeoutMs);
    parser.on('data', (data: { type: string }) => {
      if (data.type !== 'attachment') return;
      const att = data as AttachmentStream;
      const content = readAll(att.content);
      // release() lets mailparser go on to the next part; it must run even if reading failed.
      void content.then(
        () => att.release?.(),
        () => att.release?.(),
      );
      const leaf = content.then(
        (bytes): LeafPart => ({
          contentType: leafContentType(att),
          disposition: att.contentDisposition ? att.contentDisposition.trim().toLowerCase() : null,
          filename: att.filename ?? null,
          bytes,
        }),
      );
      leaf.catch(() => undefined);
      leaves.push(leaf);
    });
    parser.once('error', (err: Error) => settle(err));
    parser.once('end', () => {
      Promise.all(leaves).then(
        (result) => settle(null, result),
        (err: unknown) => settle(err instanceof Error ? err : new Error(String(err))),
      );
    });
    parser.end(Buffer.concat([Buffer.from(head, 'utf8'), body]));
  });
}
