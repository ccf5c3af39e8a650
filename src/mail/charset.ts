/**
 * Bytes to text: the charset rules shared by headers, single-part bodies and MIME parts.
 *
 * Patchwork's rule (reference §1.7): a declared charset is used when it is known; an unknown
 * charset counts as absent; with no charset, try UTF-8, then windows-1252. We follow it, with two
 * differences: a charset that iconv-lite knows never "fails" (invalid bytes become U+FFFD instead
 * of the part being dropped), and `us-ascii` with 8-bit bytes is treated like no charset at all,
 * because that label is mostly a mail client's default, not a statement about the bytes.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import { decode as libmimeDecode } from 'libmime/lib/charset.js';

/** The result of decoding: the text, and why it may not be what the sender meant. */
export interface DecodedText {
  text: string;
  /** Set when the declared charset was unknown or did not fit the bytes. */
  warning: string | null;
}

/** Labels that promise nothing more than ASCII; 8-bit bytes under them are guessed. */
const ASCII_LABEL = /^(?:us-?ascii|ascii|ansi_x3\.4-1968|iso646-us|us|7bit|8bit|none|unknown|unknown-8bit|x-unknown|default|binary)$/;
const UTF8_LABEL = /^(?:utf-?8|utf8mb4|unicode-1-1-utf-8)$/;
/** A charset name is a token; anything else (NUL, spaces, quotes) is garbage, not a charset. */
const CHARSET_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:+()-]{0,63}$/;
/** UTF-7 can smuggle markup past filters, base64 and hex are transfer encodings: never decode by them. */
const REFUSED = /^(?:utf-?7(?:-imap)?|unicode-1-1-utf-7|csunicode11utf7|base64|hex)$/;
/** Charsets iconv-lite lacks and libmime decodes with encoding-japanese. */
const JAPANESE = /^(?:iso-?2022-?jp(?:-\d)?|jis|csiso2022jp)$/;

const knownCharsets = new Map<string, string | null>();

/**
 * The name iconv-lite (or libmime, for ISO-2022-JP) can decode `label` with, `'utf-8'`, `'ascii'`,
 * or null when the label is not a charset we know.
 */
export function resolveCharset(label: string): string | null {
  let cached = knownCharsets.get(label);
  if (cached !== undefined) return cached;
  cached = resolveUncached(label);
  if (knownCharsets.size < 1000) knownCharsets.set(label, cached);
  return cached;
}

function resolveUncached(label: string): string | null {
  const name = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (name === '' || ASCII_LABEL.test(name)) return 'ascii';
  if (!CHARSET_TOKEN.test(name)) return null;
  if (UTF8_LABEL.test(name)) return 'utf-8';
  if (REFUSED.test(name)) return null;
  if (JAPANESE.test(name)) return 'iso-2022-jp';
  let canonical: string;
  try {
    canonical = libmime.normalizeCharset(name);
  } catch {
    return null;
  }
  if (/^utf-?8$/i.test(canonical)) return 'utf-8';
  if (iconv.encodingExists(canonical)) return canonical;
  if (iconv.encodingExists(name)) return name;
  return null;
}

/** UTF-8 when the bytes are valid UTF-8, else windows-1252 (which maps every byte). */
export function decodeGuess(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  return iconv.decode(bytes, 'windows-1252');
}

/** Decodes a body or part declared as `charset` (null when none was declared). Never throws. */
export function decodeText(bytes: Buffer, charset: string | null): DecodedText {
  if (bytes.length === 0) return { text: '', warning: null };
  const resolved = charset === null ? 'ascii' : resolveCharset(charset);
  if (resolved === null) {
    return { text: decodeGuess(bytes), warning: `unknown charset ${JSON.stringify(charset)}, guessed` };
  }
  if (resolved === 'ascii') return { text: decodeGuess(bytes), warning: null };
  if (resolved === 'utf-8') {
    if (isUtf8(bytes)) return { text: bytes.toString('utf8'), warning: null };
    return { text: bytes.toString('utf8'), warning: 'invalid UTF-8 in a part declared UTF-8' };
  }
  try {
    if (resolved === 'iso-2022-jp') return { text: libmimeDecode(bytes, 'ISO-2022-JP'), warning: null };
    return { text: iconv.decode(bytes, resolved), warning: null };
  } catch {
    return { text: decodeGuess(bytes), warning: `charset ${JSON.stringify(charset)} failed to decode, guessed` };
  }
}
