/**
 * A list's own subject tag (Mailman's subject prefix, e.g. `[dpdk-dev]`): the bracketed word
 * that opens most of the list's subjects, replies included. It is left out of patch names, as
 * patches.dpdk.org does (`[dpdk-dev] [PATCH 0/9] mem: ...` is named `[0/9] mem: ...`).
 */

// Words that open subjects on their own merit, never a list tag.
const NOT_A_TAG = /^(patch\S*|rfc\S*|resend|v\d+(\.\d+)?|\d+\/\d+|\d+ of \d+|git pull|pull|announce)$/i;
const LEADING_REPLY = /^\s*((re|fwd?|aw|sv)\s*:\s*)+/i;
const FIRST_GROUP = /^\[([^\]\s,]+)\]/;
/** Share of a list's subjects that must open with the tag. Mailman adds it to every message. */
export const LIST_TAG_SHARE = 0.5;
/** Too few messages say nothing about a list's habits. */
const MIN_MESSAGES = 2;

export function detectListTags(subjects: Iterable<{ list: number | null; subject: string | null }>): Map<number, string | null> {
  const counter = new ListTagCounter();
  for (const { list, subject } of subjects) counter.add(list, subject);
  return counter.tags();
}

/** detectListTags one subject at a time, for callers that read subjects along with something else. */
export class ListTagCounter {
  private readonly counts = new Map<number, { total: number; tags: Map<string, number> }>();

  add(list: number | null, subject: string | null): void {
    if (list === null || subject === null) return;
    let entry = this.counts.get(list);
    if (entry === undefined) this.counts.set(list, (entry = { total: 0, tags: new Map<string, number>() }));
    entry.total++;
    const m = FIRST_GROUP.exec(subject.replace(LEADING_REPLY, ''));
    if (m && !NOT_A_TAG.test(m[1])) {
      const tag = m[1].toLowerCase();
      entry.tags.set(tag, (entry.tags.get(tag) ?? 0) + 1);
    }
  }

  /** Each list's tag, or null when no word opens enough of its subjects. */
  tags(): Map<number, string | null> {
    const result = new Map<number, string | null>();
    for (const [list, { total, tags }] of this.counts) {
      let best: string | null = null;
      let bestCount = 0;
      for (const [tag, n] of [...tags].sort()) if (n > bestCount) [best, bestCount] = [tag, n];
      result.set(list, total >= MIN_MESSAGES && bestCount / total >= LIST_TAG_SHARE ? best : null);
    }
    return result;
  }
}
