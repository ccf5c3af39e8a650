/**
 * HTML to plain text, crudely: enough to index an HTML-only mail and to read it, nothing more.
 * (mailparser's html-to-text is accurate but costs milliseconds per message and recurses.)
 * Kept linear in the input: a hostile HTML part must not be able to stall the import.
 */

const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', bull: '•',
};

function decodeEntity(match: string, body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return match;
    return String.fromCodePoint(code);
  }
  return ENTITIES[body.toLowerCase()] ?? match;
}

/** Lower-cases ASCII only, so that indexes in the result are indexes in the input. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const BLOCK_TAGS = /^\/?(?:br|p|div|li|tr|h[1-6]|pre|blockquote|table)\b/;

/**
 * One pass with indexOf: comments and `<script|style|head|title>` blocks are dropped, block
 * tags become line breaks, other tags vanish. (Lazy or `[^>]*` regexes would rescan to the end
 * for every unclosed `<`, which is quadratic on hostile input.)
 */
function stripTags(html: string): string {
  const lower = asciiLower(html);
  const parts: string[] = [];
  let pos = 0;
  for (;;) {
    const lt = lower.indexOf('<', pos);
    if (lt < 0) break;
    parts.push(html.slice(pos, lt));
    if (lower.startsWith('<!--', lt)) {
      const end = lower.indexOf('-->', lt + 4);
      if (end < 0) return parts.join('');
      pos = end + 3;
      continue;
    }
    const gt = lower.indexOf('>', lt + 1);
    if (gt < 0) {
      pos = lt;
      break;
    }
    const tag = lower.slice(lt + 1, Math.min(gt, lt + 12));
    const hidden = /^(script|style|head|title)\b/.exec(tag);
    if (hidden) {
      const close = lower.indexOf(`</${hidden[1]}`, gt + 1);
      if (close < 0) return parts.join('');
      const closeGt = lower.indexOf('>', close);
      pos = closeGt < 0 ? html.length : closeGt + 1;
      continue;
    }
    if (BLOCK_TAGS.test(tag)) parts.push('\n');
    pos = gt + 1;
  }
  parts.push(html.slice(pos));
  return parts.join('');
}

export function htmlToText(html: string): string {
  return stripTags(html)
    .replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});/g, decodeEntity)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
