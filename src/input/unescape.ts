import type { MboxEscaping } from '../types.js';

const GT_FROM = Buffer.from('>From ');
const GT = 0x3e;
const LF = 0x0a;

/**
 * Undo mbox `From ` escaping in a message's raw bytes.
 * mboxrd: every line matching `^>+From ` loses exactly one `>`. mboxo is not reversible (a
 * `>From ` may have been written by the sender) and 'none' has nothing to undo: both unchanged.
 * Returns `raw` itself (no copy) when nothing changes, which is the common case.
 */
export function unescapeFromLines(raw: Buffer, escaping: MboxEscaping): Buffer {
  if (escaping !== 'mboxrd') return raw;
  let hit = raw.indexOf(GT_FROM);
  if (hit === -1) return raw;
  const cuts: number[] = []; // positions of the `>` to drop
  while (hit !== -1) {
    let start = hit; // walk back over the `>` run to see whether it starts the line
    while (start > 0 && raw[start - 1] === GT) start--;
    if (start === 0 || raw[start - 1] === LF) cuts.push(start);
    hit = raw.indexOf(GT_FROM, hit + GT_FROM.length);
  }
  if (cuts.length === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length - cuts.length);
  let from = 0;
  let at = 0;
  for (const cut of cuts) {
    at += raw.copy(out, at, from, cut);
    from = cut + 1;
  }
  raw.copy(out, at, from);
  return out;
}
