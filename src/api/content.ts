/**
 * What the index stores compactly, given back in full: Patchwork's `content` for mail without a
 * diff (stored only for patches) and headers with their original folding (kept in the raw message).
 */
import { cleanContent } from '../patch/content.js';
import { pyStrip } from '../patch/python-text.js';
import { parseHeaderBlock } from '../mail/header-block.js';
import type { HeaderRow, SeriesReader, SubmissionRow } from '../store/series-reader.js';

/** Patchwork's content: stored for patches; for other mail, its text without signature or footer. */
export function patchworkContent(row: Pick<SubmissionRow, 'content' | 'body'>): string {
  return row.content ?? cleanContent(pyStrip(row.body) + '\n');
}

/** The message's headers as written, folding included (what Patchwork's `headers` shows). */
export function foldedHeaders(reader: SeriesReader, messageId: number): HeaderRow[] {
  const rows = reader.headers(messageId);
  if (!rows.some((r) => r.unfolded)) return rows;
  const block = parseHeaderBlock(reader.raw(messageId), Number.POSITIVE_INFINITY);
  // The stored rows came from this same parser, so positions correspond one to one.
  if (!block || block.fields.length !== rows.length) return rows;
  return rows.map((r, i) => (r.unfolded ? { ...r, text: block.fields[i].raw, unfolded: false } : r));
}
