/**
 * Message-Id, In-Reply-To and References, by Patchwork's rules (reference §1.3): the first
 * `<...>` wins and keeps its brackets, which drops comments such as `(message from ...)`.
 * Unlike Patchwork (a 255-character column), ids are kept whole: two ids that share their first
 * 255 characters are different messages. SQLite indexes long text as it is.
 */
import { createHash } from 'node:crypto';

/**
 * The first `<...>` (Patchwork's `<[^>]+>`) at or after `from`, as [start, end) or null. A loop
 * of indexOf rather than the regex: on `<<<<...` without `>` the regex rescans to the end from
 * every `<`, which is quadratic on hostile headers.
 */
export function findBracketed(value: string, from = 0): [number, number] | null {
  let lt = value.indexOf('<', from);
  while (lt >= 0) {
    const gt = value.indexOf('>', lt + 1);
    if (gt < 0) return null;
    if (gt > lt + 1) return [lt, gt + 1];
    lt = value.indexOf('<', gt + 1);
  }
  return null;
}

/** The message id in a decoded Message-Id value, or null when the value is empty. */
export function findMessageId(value: string): string | null {
  const m = findBracketed(value);
  const id = m ? value.slice(m[0], m[1]) : value.trim();
  return id === '' ? null : id;
}

/** The id an In-Reply-To value points to: its first `<...>`, else a bare `local@domain`. */
export function findInReplyTo(value: string): string | null {
  const m = findBracketed(value);
  if (m) return value.slice(m[0], m[1]);
  const v = value.trim();
  if (v !== '' && !/\s/.test(v) && v.includes('@')) return v;
  return null;
}

/** Every `<...>` of a References value, in order. */
export function findReferences(value: string): string[] {
  const ids: string[] = [];
  let m = findBracketed(value);
  while (m !== null) {
    ids.push(value.slice(m[0], m[1]));
    m = findBracketed(value, m[1]);
  }
  return ids;
}

/**
 * A stable id for a message without one: `<sha1@listindex.invalid>` over its bytes with CRLF
 * turned into LF and trailing line ends dropped, so the same message read from an mbox (with
 * its blank separator line) or from a CRLF `.eml` file gets the same id.
 */
export function syntheticMessageId(bytes: Buffer): string {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  const hash = createHash('sha1');
  let start = 0;
  for (;;) {
    const cr = bytes.indexOf('\r\n', start);
    if (cr < 0 || cr >= end) break;
    hash.update(bytes.subarray(start, cr));
    start = cr + 1;
  }
  hash.update(bytes.subarray(start, end));
  return `<${hash.digest('hex')}@listindex.invalid>`;
}
