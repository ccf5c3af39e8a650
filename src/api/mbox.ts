/**
 * Mbox renderers, pure functions of the read model's views:
 * - a patch for `git am` (Patchwork's `patch_to_mbox`), with the trailers reviewers gave in
 *   replies (or on the cover letter, or on the unchanged previous version) added to the commit
 *   message, as b4 and Patchwork do; built from the stored content and diff;
 * - a series: its patches in order, without the cover (like Patchwork's series mbox);
 * - a cover letter as Patchwork serves it;
 * - messages as public-inbox serves them (mboxrd, stored bytes, `From mboxrd@z` lines).
 */
import type { SubmissionView } from '../store/read-model.js';
import { patchworkContent } from './content.js';

// The headers git am reads (as b4 am keeps them); the rest is noise in an mbox meant for git.
const KEPT_HEADERS = new Set(['from', 'date', 'subject', 'message-id']);
// Patchwork splits the content at the first `---` (or `--`) line: commit message, then notes.
const NOTES_SEPARATOR = /^-{2,3} ?$/m;
const FROM_LINE = 'From listindex Mon Sep 17 00:00:00 2001';

/** Patches in order: the series mbox (or, with Patchwork's `?series=`, a patch and the ones before it). */
export function seriesMbox(patches: SubmissionView[]): string {
  return patches.map(patchMbox).join('\n');
}

export function patchMbox(view: SubmissionView): string {
  const { submission: patch } = view;
  // As Patchwork's _submission_to_mbox: commit message, added trailers, '---' notes, then diff.
  const content = patchworkContent(patch).trim() + '\n';
  const split = NOTES_SEPARATOR.exec(content);
  let body = split ? content.slice(0, split.index).trim() + '\n' : content;
  const notes = split ? content.slice(split.index + split[0].length).trimEnd() : '';
  const present = new Set(body.split('\n').map((l) => l.trim().toLowerCase()));
  const added = [...new Set(view.trailers
    .filter((t) => t.origin !== 'patch')
    .map((t) => `${t.name}: ${t.value}`)
    .filter((line) => !present.has(line.toLowerCase())))];
  if (added.length) body += added.join('\n') + '\n';
  if (notes) body += `---${notes.startsWith('\n') ? '' : '\n'}${notes}\n`;
  if (patch.diff) body += `${notes ? '' : '---\n'}\n${patch.diff}`;
  return message(view, body);
}

/** A cover letter as one message (Patchwork's cover mbox): its headers and its text. */
export function coverMbox(view: SubmissionView): string {
  return message(view, patchworkContent(view.submission).trim() + '\n');
}

function message(view: SubmissionView, body: string): string {
  const headers = view.headers
    .filter((h) => KEPT_HEADERS.has(h.name.toLowerCase()))
    .map((h) => `${h.name}: ${h.text}`);
  const submitter = view.submission.submitter;
  const text = [
    FROM_LINE,
    ...headers,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: 8bit',
    ...(submitter ? [`X-Patchwork-Submitter: ${submitter.name ? `${submitter.name} <${submitter.email}>` : submitter.email}`] : []),
    `X-Patchwork-Id: ${view.submission.id}`,
    '',
    body.replace(/\n*$/, '\n'),
  ].join('\n');
  // mboxrd: body lines that would look like a From_ separator get one more '>'.
  return text.replace(/\n(>*From )/g, '\n>$1');
}

/** public-inbox's From_ line for every message of its mboxrd downloads. */
export const MBOXRD_FROM_LINE = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';

/**
 * Stored messages as mboxrd, as public-inbox writes them (`t.mbox.gz`, `raw`): a From_ line,
 * the bytes with `>*From ` lines quoted once more, and a blank line after each message.
 */
export function mboxrd(raws: Iterable<Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const raw of raws) {
    parts.push(Buffer.from(MBOXRD_FROM_LINE, 'latin1'));
    let text = raw.toString('latin1').replace(/\r\n/g, '\n');
    text = text.replace(/(^|\n)(>*From )/g, '$1>$2');
    // A message stored from an mbox keeps the blank line that separated it from the next one:
    // that line is the separator here too. Others get one.
    if (!text.endsWith('\n')) text += '\n';
    if (!text.endsWith('\n\n')) text += '\n';
    parts.push(Buffer.from(text, 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Patchwork's download file name: the name with anything but letters, digits, '.', '_' and '-' as '-'. */
export function downloadName(name: string | null, fallback: string): string {
  const cleaned = (name ?? '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return cleaned || fallback;
}
