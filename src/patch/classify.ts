/**
 * The part of Patchwork's classification (parser.py `parse_mail`, see the reference notes §1.10)
 * that needs no database. What is left for the series stage:
 * - a `cover-candidate` with References is a cover only if no cover anywhere has the same name;
 *   otherwise, and for any `comment-candidate`, Patchwork looks for a parent patch (then a cover)
 *   up the References, and drops the mail when none is known.
 */
import type { SubjectInfo } from './subject.js';

export type MessageKind =
  /** Stored as a patch (or pull request), numbered or not. */
  | 'patch'
  /** A `0/N` mail without a diff: a cover letter, subject to the uniqueness check. */
  | 'cover-candidate'
  /** A reply or any other mail with content: a comment if its thread holds a patch or cover. */
  | 'comment-candidate'
  /** Nothing Patchwork would keep: no subject, or neither diff nor text. */
  | 'other';

export interface ClassifyInput {
  /** Parsed subject, or null when the mail has none (Patchwork rejects those). */
  subject: SubjectInfo | null;
  diff: string | null;
  /** Cleaned content (see `extractPatchContent`). */
  content: string;
  pullUrl: string | null;
}

export function classifyMessage({ subject, diff, content, pullUrl }: ClassifyInput): MessageKind {
  if (subject === null) return 'other';
  if (!diff && !content) return 'other';
  // A reply is always a comment, even with a diff (Patchwork issue #389).
  if (!subject.isReply && (diff || pullUrl)) return 'patch';
  if (subject.counter === 0 && !subject.isReply) return 'cover-candidate';
  return 'comment-candidate';
}
