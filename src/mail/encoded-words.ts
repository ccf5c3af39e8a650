/**
 * RFC 2047 encoded words (`=?charset?Q|B?text?=`), decoded with libmime behind a guard.
 *
 * libmime joins adjacent words of one charset before decoding (so a UTF-8 character split over
 * two words survives) and drops the whitespace between words, as RFC 2047 §6.2 says. What it
 * does badly is a charset it does not know: it decodes the bytes as UTF-8 and produces U+FFFD,
 * and a charset name with a NUL or other junk in it leaves the word undecoded. Patchwork in the
 * same situations re-reads the bytes as "unknown-8bit". We rewrite such words first, naming
 * UTF-8 when their bytes are valid UTF-8 and windows-1252 otherwise, then let libmime decode.
 */
import { isUtf8 } from 'node:buffer';
import libmime from 'libmime';
import { resolveCharset } from './charset.js';

const ENCODED_WORD = /=\?([^?\s]*)\?([QqBb])\?([^?\s]*)\?=/g;
/** What libmime's own encoded-word pattern accepts as a charset. */
const LIBMIME_CHARSET = /^[\w\-*]+$/;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding === 'B' || encoding === 'b') return Buffer.from(text, 'base64');
  const s = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  return Buffer.from(s, 'latin1');
}

function sanitiseWord(word: string, charset: string, encoding: string, text: string): string {
  const star = charset.indexOf('*');
  const label = star >= 0 ? charset.slice(0, star) : charset;
  const resolved = resolveCharset(label);
  if (resolved !== null && resolved !== 'ascii') {
    return LIBMIME_CHARSET.test(charset) ? word : `=?${resolved}?${encoding}?${text}?=`;
  }
  const guess = isUtf8(wordBytes(encoding, text)) ? 'utf-8' : 'windows-1252';
  return `=?${guess}?${encoding}?${text}?=`;
}

/**
 * Values decoded lately. List mail repeats the same encoded names (a thread's From, To and Cc)
 * message after message, and decoding a value through libmime costs tens of microseconds.
 * Decoding is a pure function of the value, so a repeat gets the same string. Only values of
 * header size are kept, and the map is emptied when full: a few MB at most, whatever the mail.
 */
const decoded = new Map<string, string>();
const MAX_DECODED = 1024;
const MAX_DECODED_LENGTH = 2048;

/** Decodes every encoded word in an (unfolded) header value. Never throws. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const known = decoded.get(value);
  if (known !== undefined) return known;
  let result: string;
  try {
    const sanitised = value.replace(ENCODED_WORD, sanitiseWord);
    result = libmime.decodeWords(sanitised);
  } catch {
    result = value;
  }
  if (value.length <= MAX_DECODED_LENGTH) {
    if (decoded.size >= MAX_DECODED) decoded.clear();
    decoded.set(value, result);
  }
  return result;
}
