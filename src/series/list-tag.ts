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
  return decideListTags(countSubjectTags(subjects));
}

/** Per list: how many subjects it has, and how many open with each candidate tag (lower case). */
export type SubjectTagCounts = Map<number, { total: number; tags: Map<string, number> }>;

/** The counts detectListTags decides on; counts of more mail are their sum (addSubjectTags). */
export function countSubjectTags(subjects: Iterable<{ list: number | null; subject: string | null }>, counts: SubjectTagCounts = new Map()): SubjectTagCounts {
  for (const { list, subject } of subjects) {
    if (list === null || subject === null) continue;
    const entry = counts.get(list) ?? { total: 0, tags: new Map<string, number>() };
    counts.set(list, entry);
    entry.total++;
    const m = FIRST_GROUP.exec(subject.replace(LEADING_REPLY, ''));
    if (m && !NOT_A_TAG.test(m[1])) entry.tags.set(m[1].toLowerCase(), (entry.tags.get(m[1].toLowerCase()) ?? 0) + 1);
  }
  return counts;
}

export function decideListTags(counts: SubjectTagCounts): Map<number, string | null> {
  const result = new Map<number, string | null>();
  for (const [list, { total, tags }] of counts) {
    let best: string | null = null;
    let bestCount = 0;
    for (const [tag, n] of [...tags].sort()) if (n > bestCount) [best, bestCount] = [tag, n];
    result.set(list, total >= MIN_MESSAGES && bestCount / total >= LIST_TAG_SHARE ? best : null);
  }
  return result;
}
