/**
 * What the index stores compactly, given back in full: Patchwork's `content` for mail without a
 * diff (stored only for patches).
 */
import { cleanContent } from '../patch/content.js';
import { pyStrip } from '../patch/python-text.js';
import type { Submission } from '../store/read-model.js';

/** Patchwork's content: stored for patches; for other mail, its text without signature or footer. */
export function patchworkContent(row: Pick<Submission, 'content' | 'body'>): string {
  return row.content ?? cleanContent(pyStrip(row.body) + '\n');
}
