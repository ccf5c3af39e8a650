/**
 * A series as an mbox ready for `git am`: its patches in order, each with the trailers that
 * reviewers gave in replies (or on the cover letter, or on the unchanged previous version)
 * added to the commit message, as b4 does. The cover letter is not included (like Patchwork's
 * series mbox); patches are built from the stored content and diff, as Patchwork's
 * `patch_to_mbox` does.
 */
import type { SeriesReader, SubmissionRow } from '../store/series-reader.js';

// The headers git am reads (as b4 am keeps them); the rest is noise in an mbox meant for git.
const KEPT_HEADERS = new Set(['from', 'date', 'subject', 'message-id']);
// Patchwork splits the content at the first `---` (or `--`) line: commit message, then notes.
const NOTES_SEPARATOR = /^-{2,3} ?$/m;

export function seriesMbox(reader: SeriesReader, seriesId: number): string {
  return reader.seriesPatches(seriesId).map((patch) => patchMbox(reader, patch)).join('\n');
}

export function patchMbox(reader: SeriesReader, patch: SubmissionRow): string {
  // As Patchwork's _submission_to_mbox: commit message, added trailers, '---' notes, then diff.
  const content = (patch.content ?? '').trim() + '\n';
  const split = NOTES_SEPARATOR.exec(content);
  let body = split ? content.slice(0, split.index).trim() + '\n' : content;
  const notes = split ? content.slice(split.index + split[0].length).trimEnd() : '';
  const present = new Set(body.split('\n').map((l) => l.trim().toLowerCase()));
  const added = [...new Set(reader.trailers(patch.id)
    .filter((t) => t.origin !== 'patch')
    .map((t) => `${t.name}: ${t.value}`)
    .filter((line) => !present.has(line.toLowerCase())))];
  if (added.length) body += added.join('\n') + '\n';
  if (notes) body += `---${notes.startsWith('\n') ? '' : '\n'}${notes}\n`;
  if (patch.diff) body += `${notes ? '' : '---\n'}\n${patch.diff}`;
  const headers = reader.headers(patch.id)
    .filter((h) => KEPT_HEADERS.has(h.name.toLowerCase()))
    .map((h) => `${h.name}: ${h.text}`);
  const text = [
    'From listindex Mon Sep 17 00:00:00 2001',
    ...headers,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: 8bit',
    '',
    body.replace(/\n*$/, '\n'),
  ].join('\n');
  // mboxrd: body lines that would look like a From_ separator get one more '>'.
  return text.replace(/\n(>*From )/g, '\n>$1');
}
