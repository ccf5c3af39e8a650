/** Content-Type and Content-Disposition values: the media type and its parameters. */
import libmime from 'libmime';
import { decodeEncodedWords } from './encoded-words.js';

export interface MediaType {
  /** `text/plain`, lower case. */
  mime: string;
  type: string;
  subtype: string;
  /** Parameters by lower-case name, RFC 2231 and RFC 2047 decoded. */
  params: Record<string, string>;
  /** Set when the header was there but unusable and the RFC 2045 default was assumed. */
  invalid: boolean;
}

const MEDIA_TYPE = /^([a-z0-9!#$&^_.+-]+)\/([a-z0-9!#$&^_.+-]+)$/;

/** Splits `value; a=b; c="d"` into its first token and parameters. Never throws. */
export function parseParams(raw: string): { value: string; params: Record<string, string> } {
  const unfolded = raw.includes('\n') ? raw.replace(/\r?\n/g, '') : raw;
  if (!unfolded.includes(';')) return { value: unfolded.trim(), params: {} };
  try {
    const parsed = libmime.parseHeaderValue(unfolded, { stripComments: true });
    const decoded = new Set(parsed.decodedParams);
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(parsed.params)) {
      const s = String(v);
      params[k] = decoded.has(k) ? s : decodeEncodedWords(s);
    }
    return { value: parsed.value.trim(), params };
  } catch {
    return { value: unfolded.split(';')[0].trim(), params: {} };
  }
}

/**
 * Parses a Content-Type value (raw, as in the file). A missing header is text/plain (RFC 2045
 * §5.2); so is an unparsable one, flagged `invalid`; a bare `text` is read as text/plain.
 */
export function parseContentType(raw: string | null): MediaType {
  if (raw === null) return { mime: 'text/plain', type: 'text', subtype: 'plain', params: {}, invalid: false };
  const { value, params } = parseParams(raw);
  const lower = value.toLowerCase().replace(/\s+/g, '');
  const m = MEDIA_TYPE.exec(lower);
  if (m) return { mime: lower, type: m[1], subtype: m[2], params, invalid: false };
  return { mime: 'text/plain', type: 'text', subtype: 'plain', params, invalid: lower !== 'text' };
}
