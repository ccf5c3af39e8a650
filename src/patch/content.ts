/**
 * What Patchwork keeps of a mail's text parts: `find_patch_content` (patches) or
 * `find_comment_content` (replies), `clean_content`, then `parse_pull_request`.
 */
import type { TextPart } from '../types.js';
import { splitPatch } from './diff.js';
import { parsePullRequest } from './pull-request.js';
import { pyStrip } from './python-text.js';

export interface PatchContent {
  /** The diff (inline, or the last text/x-patch or text/x-diff part), or null. */
  diff: string | null;
  /** The cleaned text: commit message, notes and diffstat for a patch; the reply text otherwise. */
  content: string;
  /** `url branch` of a pull request, or null. */
  pullUrl: string | null;
}

// Attachments of these subtypes are the diff, whatever the inline text says.
const DIFF_SUBTYPES = new Set(['x-patch', 'x-diff']);
// `clean_content`: from the first `-- ` signature line or `___` list-footer line to the end.
// Written as "start or a newline, then the line" rather than with a lookbehind, with which V8
// tries the pattern at every position: 6x slower on linux-watchdog, and this runs on every mail.
const SIGNATURE_OR_FOOTER_LINE = /(?:^|\n)(?:-- |_+)\n/;
const NUL = /\0/g;

/** Patchwork's `clean_content`: drops the signature or list footer, strips, removes NUL. */
export function cleanContent(text: string): string {
  const line = SIGNATURE_OR_FOOTER_LINE.exec(text);
  // A match on its newline keeps that newline: the line itself starts one further.
  const kept = line === null ? text : text.slice(0, text.charCodeAt(line.index) === 0x0a ? line.index + 1 : line.index);
  return pyStrip(kept).replace(NUL, '');
}

/**
 * Extracts diff, content and pull URL from a message's text parts. `isReply` (a `Re:` subject)
 * selects Patchwork's comment path, which never looks for a diff (issue #389). HTML parts are
 * ignored on both paths.
 */
export function extractPatchContent(parts: TextPart[], isReply: boolean): PatchContent {
  const { diff, text } = isReply ? { diff: null, text: commentText(parts) } : patchText(parts);
  const content = cleanContent(text);
  return { diff, content, pullUrl: parsePullRequest(content) };
}

function commentText(parts: TextPart[]): string {
  let text = '';
  for (const part of parts) {
    if (part.subtype === 'plain' && part.text) text += pyStrip(part.text) + '\n';
  }
  return text;
}

function patchText(parts: TextPart[]): { diff: string | null; text: string } {
  let diff: string | null = null;
  let text = '';
  for (const part of parts) {
    if (DIFF_SUBTYPES.has(part.subtype)) {
      // The last attachment wins, over an inline diff too.
      diff = part.text;
    } else if (part.subtype === 'plain') {
      let comment: string | null = part.text;
      // Once a diff is known, later plain parts are all comment.
      if (!diff) ({ diff, comment } = splitPatch(part.text));
      if (comment !== null) text += pyStrip(comment) + '\n';
    }
  }
  const cleaned = diff === null ? null : diff.replace(NUL, '');
  return { diff: cleaned ? cleaned : null, text };
}
