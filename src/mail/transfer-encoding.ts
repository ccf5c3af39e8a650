/**
 * Content-Transfer-Encoding decoders working on bytes (a body is bytes until its charset is known).
 * Written by hand because they sit on the fast path and must accept anything: broken QP keeps the
 * `=` as a literal, broken base64 skips the bad characters, and neither ever throws.
 */

/** The transfer encodings the single-part fast path decodes itself. */
export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'quoted-printable' | 'base64';

/** Normalises a Content-Transfer-Encoding value; null for an encoding we do not know. */
export function normaliseTransferEncoding(value: string | null): TransferEncoding | null {
  if (value === null) return '7bit';
  const v = value.trim().replace(/^["']|["']$/g, '').toLowerCase();
  switch (v) {
    case '':
    case '7bit':
    case '7-bit':
    case 'ascii':
      return '7bit';
    case '8bit':
    case '8-bit':
    case '8bits':
      return '8bit';
    case 'binary':
      return 'binary';
    case 'quoted-printable':
    case 'quoted_printable':
    case 'qp':
      return 'quoted-printable';
    case 'base64':
    case 'base-64':
      return 'base64';
    default:
      return null;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes quoted-printable (RFC 2045 §6.7). `=XX` becomes a byte, `=` before optional trailing
 * whitespace and a line end is a soft break; any other `=` is kept as it is (lenient, like Python).
 */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const eq = input.indexOf(0x3d);
  if (eq < 0) return input;
  const out = Buffer.allocUnsafe(input.length);
  input.copy(out, 0, 0, eq);
  let o = eq;
  const n = input.length;
  for (let i = eq; i < n; i++) {
    const c = input[i];
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    if (i + 2 < n) {
      const h = hexValue(input[i + 1]);
      const l = h < 0 ? -1 : hexValue(input[i + 2]);
      if (h >= 0 && l >= 0) {
        out[o++] = (h << 4) | l;
        i += 2;
        continue;
      }
    }
    // Soft line break: '=' then spaces/tabs then CRLF, LF or the end of the input.
    let j = i + 1;
    while (j < n && (input[j] === 0x20 || input[j] === 0x09)) j++;
    if (j === n) {
      i = j - 1;
      continue;
    }
    if (input[j] === 0x0a) {
      i = j;
      continue;
    }
    if (input[j] === 0x0d && (j + 1 === n || input[j + 1] === 0x0a)) {
      i = j + 1 < n ? j + 1 : j;
      continue;
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}

const BASE64_JUNK = /[^A-Za-z0-9+/=\s]/;

/** Decodes base64; `clean` is false when characters outside the alphabet had to be skipped. */
export function decodeBase64(input: Buffer): { bytes: Buffer; clean: boolean } {
  const text = input.toString('latin1');
  const clean = !BASE64_JUNK.test(text);
  // Buffer.from(..., 'base64') skips anything outside the alphabet but stops at the first '='.
  // Some mailers pad every encoded line, so decode each padded segment on its own.
  const firstPad = text.indexOf('=');
  if (firstPad < 0 || !/[A-Za-z0-9+/]/.test(text.slice(firstPad))) {
    return { bytes: Buffer.from(text, 'base64'), clean };
  }
  const pieces = text.split(/=+/).filter((p) => /[A-Za-z0-9+/]/.test(p));
  return { bytes: Buffer.concat(pieces.map((p) => Buffer.from(p, 'base64'))), clean };
}
