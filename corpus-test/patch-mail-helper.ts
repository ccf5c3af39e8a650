/**
 * Mail input for the patch conformance tests: an mbox splitter that cuts like Python's
 * `mailbox.mbox`, and two readers giving the same `CrudeMail` shape: the project's parser
 * (src/mail/parse-message.ts, the default) and a deliberately crude MIME reader kept so that
 * src/patch can be checked on its own (`LISTINDEX_PATCH_CRUDE_MAIL=1`).
 */
import { corpusDir as sharedCorpusDir, corpusFile } from './corpus-path.js';
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parseMessage } from '../src/mail/parse-message.js';
import type { TextPart } from '../src/types.js';


/** The shared corpus, or a loud failure: these tests must never be skipped silently. */
/** A folder of the shared corpus (see corpus-path.ts), failing loudly when it is missing. */
export function corpusDir(...parts: string[]): string {
  return parts.length ? corpusFile(...parts) : sharedCorpusDir();
}

export interface CrudeMail {
  subject: string | null;
  msgid: string | null;
  inReplyTo: string[];
  references: string[];
  from: { name: string; email: string } | null;
  textParts: TextPart[];
}

/**
 * Splits an mbox like Python's `mailbox.mbox` (which Patchwork's parsearchive uses): every line
 * starting with `From ` starts a message, and the blank line before it is not part of the
 * previous one. No `>From ` un-escaping (mboxo).
 */
export function splitMbox(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  const starts: number[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (text.startsWith('From ', pos)) starts.push(pos);
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    pos = nl + 1;
  }
  return starts.map((start, i) => {
    let end = i + 1 < starts.length ? starts[i + 1] : text.length;
    if (i + 1 < starts.length && text.slice(end - 2, end) === '\n\n') end -= 1;
    const bodyStart = text.indexOf('\n', start) + 1;
    return data.subarray(bodyStart, end);
  });
}

/** Reads one message with src/mail's parser (or the crude reader when asked to). */
export async function readMail(raw: Buffer): Promise<CrudeMail> {
  if (process.env.LISTINDEX_PATCH_CRUDE_MAIL === '1') return parseCrudeMail(raw);
  const outcome = await parseMessage(raw);
  if (!outcome.ok) throw new Error(`mail parser rejected a message: ${outcome.reason}`);
  const m = outcome.message;
  return {
    subject: m.subject,
    msgid: m.msgidSynthetic ? null : m.msgid,
    inReplyTo: m.inReplyTo.slice(0, 1),
    references: m.references,
    from: m.from ? { name: m.from.name ?? '', email: m.from.email } : null,
    textParts: m.textParts,
  };
}

export function parseCrudeMail(raw: Buffer): CrudeMail {
  const { headers, body } = splitHeaders(raw);
  const get = (name: string) => headers.filter((h) => h.name === name).map((h) => h.value);
  const ids = (values: string[]) => values.flatMap((v) => v.match(/<[^>]+>/g) ?? []);
  const subject = get('subject')[0];
  const fromHeader = get('from')[0];
  return {
    subject: subject === undefined ? null : decodeWords(subject),
    msgid: ids(get('message-id'))[0] ?? null,
    inReplyTo: ids(get('in-reply-to')).slice(0, 1),
    references: ids(get('references')),
    from: fromHeader === undefined ? null : parseFrom(decodeWords(fromHeader)),
    textParts: textParts(headers, body),
  };
}

interface Header {
  name: string;
  value: string;
}

function splitHeaders(raw: Buffer): { headers: Header[]; body: Buffer } {
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  const headEnd = m ? m.index : text.length;
  const bodyStart = m ? m.index + m[0].length : text.length;
  const headers: Header[] = [];
  for (const line of text.slice(0, headEnd).split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].value += ' ' + line.trim();
    else {
      const colon = line.indexOf(':');
      if (colon > 0) headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
  }
  // Header bytes are read as latin1 above; re-read raw 8-bit headers as UTF-8 when valid.
  for (const h of headers) {
    const bytes = Buffer.from(h.value, 'latin1');
    const utf8 = bytes.toString('utf8');
    if (!utf8.includes('\ufffd')) h.value = utf8;
  }
  return { headers, body: raw.subarray(Buffer.byteLength(text.slice(0, bodyStart), 'latin1')) };
}

function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : null;
}

function textParts(headers: Header[], body: Buffer): TextPart[] {
  const type = headers.find((h) => h.name === 'content-type')?.value ?? 'text/plain';
  const [main, sub] = (type.split(';')[0].trim().toLowerCase() || 'text/plain').split('/');
  if (main === 'multipart') {
    const boundary = param(type, 'boundary');
    if (!boundary) return [];
    return splitMultipart(body, boundary).flatMap((part) => {
      const parsed = splitHeaders(part);
      return textParts(parsed.headers, parsed.body);
    });
  }
  if (main !== 'text') return [];
  const cte = (headers.find((h) => h.name === 'content-transfer-encoding')?.value ?? '').toLowerCase().trim();
  const bytes = cte === 'base64' ? Buffer.from(body.toString('latin1'), 'base64') : cte === 'quoted-printable' ? decodeQp(body) : body;
  const disposition = headers.find((h) => h.name === 'content-disposition')?.value ?? '';
  return [{ subtype: sub ?? 'plain', text: decodeCharset(bytes, param(type, 'charset')), filename: param(disposition, 'filename') }];
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const lines = text.split('\n');
  const parts: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const l = line.replace(/\r$/, '');
    if (l === `--${boundary}--`) break;
    if (l === `--${boundary}`) {
      current = [];
      parts.push(current);
    } else if (current) current.push(line);
  }
  return parts.map((p) => Buffer.from(p.join('\n'), 'latin1'));
}

function decodeQp(body: Buffer): Buffer {
  const text = body.toString('latin1').replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** Patchwork's order: the declared charset if known, else UTF-8, then windows-1252. */
function decodeCharset(bytes: Buffer, charset: string | null): string {
  const label = charset?.toLowerCase();
  if (label && label !== 'us-ascii' && iconv.encodingExists(label)) return iconv.decode(bytes, label);
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\ufffd') ? iconv.decode(bytes, 'windows-1252') : utf8;
}

function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_all, charset: string, enc: string, data: string) => {
      const bytes = enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64') : decodeQp(Buffer.from(data.replace(/_/g, ' '), 'latin1'));
      return decodeCharset(bytes, charset.split('*')[0]);
    });
}

function parseFrom(value: string): { name: string; email: string } | null {
  const angle = /^\s*"?(.*?)"?\s*<([^>]+)>/.exec(value);
  if (angle) return { name: angle[1].trim(), email: angle[2].trim() };
  const bare = /\S+@\S+/.exec(value);
  return bare ? { name: '', email: bare[0] } : null;
}

/** A patch as Patchwork's expected-output JSON describes it (corpus/patchwork/expected/README.md). */
export interface ExpectedPatch {
  msgid: string;
  name: string;
  hash: string | null;
  diff_sha1: string | null;
  pull_url: string | null;
}
