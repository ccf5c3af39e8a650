/**
 * Series reconstruction: Patchwork's algorithm (notes/patchwork-reference.md §1.10–1.11) over
 * in-memory records, with its known faults fixed:
 *  - the version/date check that never fires now fires: a reference into a series of another
 *    version is followed only when the two mails are within SERIES_WINDOW of each other;
 *  - a series sent in reply to another series of a different size is not merged into it
 *    (Patchwork #127): a reference is followed only when the totals agree;
 *  - the same-name cover check is per list, not global;
 *  - a patch joining a series registers its own Message-Id, so deep-threaded series whose
 *    mails carry only In-Reply-To still join by reference;
 *  - replies whose parent is unknown are kept (kind `other`), and replies are linked after
 *    every patch and cover is known, so a parent arriving later still gets its replies.
 * Messages are processed in (date, Message-Id) order, so the result does not depend on the
 * order in which files or messages were imported.
 */
import { parseSubject } from '../patch/subject.js';
import type { SubjectInfo } from '../patch/subject.js';

export type MessageKind = 'patch' | 'cover' | 'comment' | 'other';

export interface LinkMessage {
  id: number;
  msgid: string;
  /** The list (project) the message belongs to; series never span lists. */
  list: number | null;
  date: string | null;
  submitter: number | null;
  subject: string | null;
  /** Patchwork's reference order: In-Reply-To first, then References newest → oldest, no repeats. */
  refs: string[];
  hasDiff: boolean;
  pullUrl: string | null;
  /** A later copy of an already-seen Message-Id: Patchwork keeps the first only. */
  duplicate: boolean;
  /** `X-Patchwork-Hint: ignore`: left out of series and threads, as Patchwork does. */
  ignored?: boolean;
}

export interface LinkedSeries {
  list: number | null;
  /** Name: the cover's name without its prefix group; else patch 1's name; else null. */
  name: string | null;
  date: string | null;
  submitter: number | null;
  version: number;
  versionText: string | null;
  total: number;
  rfc: boolean;
  cover: number | null;
  /** Patches by number (message ids). */
  patches: Map<number, number>;
  /** Messages whose ids were registered as belonging to this series. */
  firstPatchName: string | null;
}

export interface LinkedComment {
  /** The patch or cover (or comment) it directly answers, by message id. */
  parent: number;
  /** The patch it is a comment on, if any (a patch up the chain wins over a cover). */
  patch: number | null;
  /** The cover letter it is a comment on, when no patch is up the chain. */
  cover: number | null;
}

export interface LinkResult {
  kinds: Map<number, MessageKind>;
  subjects: Map<number, SubjectInfo>;
  series: LinkedSeries[];
  /** message id of a patch → [series index, number]; a 0/N patch with a diff has none. */
  patchSeries: Map<number, { series: number; number: number }>;
  coverSeries: Map<number, number>;
  comments: Map<number, LinkedComment>;
}

/** Patchwork's SERIES_DELAY_INTERVAL: mails of one series are sent within minutes. */
export const SERIES_WINDOW_MS = 20 * 60 * 1000;

const dateMs = (date: string | null) => (date ? Date.parse(date) : NaN);

function withinWindow(a: string | null, b: string | null): boolean {
  const d = Math.abs(dateMs(a) - dateMs(b));
  return Number.isFinite(d) && d <= SERIES_WINDOW_MS;
}

export function compareForLinking(a: LinkMessage, b: LinkMessage): number {
  const da = a.date ?? '';
  const db = b.date ?? '';
  if (da !== db) return da < db ? -1 : 1;
  if (a.msgid !== b.msgid) return a.msgid < b.msgid ? -1 : 1;
  return a.id - b.id;
}

export function linkSeries(messages: LinkMessage[], dropPrefixes: (list: number | null) => string[]): LinkResult {
  const result: LinkResult = {
    kinds: new Map(), subjects: new Map(), series: [], patchSeries: new Map(), coverSeries: new Map(), comments: new Map(),
  };
  const ordered = [...messages].sort(compareForLinking);
  // (list, msgid) → series index: Patchwork's SeriesReference. One map per list, so that no
  // key string is made per reference (there are several for every patch of the index).
  const referencesByList = new Map<number | null, Map<string, number>>();
  const referencesOf = (list: number | null) => {
    let map = referencesByList.get(list);
    if (map === undefined) referencesByList.set(list, (map = new Map()));
    return map;
  };
  const coverNames = new Set<string>();
  const byMsgid = new Map<string, number>();
  const candidates: LinkMessage[] = [];

  const register = (list: number | null, ids: string[], series: number) => {
    const references = referencesOf(list);
    for (const id of ids) {
      // get_or_create: an id already registered keeps its series, so a reply to an older
      // version does not steal that version's references.
      if (!references.has(id)) references.set(id, series);
    }
  };
  const newSeries = (m: LinkMessage, info: SubjectInfo, total: number): number => {
    result.series.push({
      list: m.list, name: null, date: m.date, submitter: m.submitter, version: info.version, versionText: info.versionText,
      total, rfc: info.rfc, cover: null, patches: new Map(), firstPatchName: null,
    });
    return result.series.length - 1;
  };

  for (const m of ordered) {
    if (m.duplicate || m.ignored) {
      result.kinds.set(m.id, 'other');
      continue;
    }
    byMsgid.set(m.msgid, m.id);
    const info = parseSubject(m.subject ?? '', dropPrefixes(m.list));
    result.subjects.set(m.id, info);
    const isPatch = !info.isReply && (m.hasDiff || m.pullUrl !== null);
    if (isPatch) {
      result.kinds.set(m.id, 'patch');
      linkPatch(m, info);
      continue;
    }
    const isCover = info.counter === 0 && !info.isReply && (m.refs.length === 0 || !coverNames.has(`${m.list}\u0000${info.name}`));
    if (isCover) {
      result.kinds.set(m.id, 'cover');
      coverNames.add(`${m.list}\u0000${info.name}`);
      linkCover(m, info);
      continue;
    }
    candidates.push(m);
  }

  function findByReferences(m: LinkMessage, info: SubjectInfo, total: number): number | null {
    for (const ref of [m.msgid, ...m.refs]) {
      const index = referencesOf(m.list).get(ref);
      if (index === undefined) continue;
      const s = result.series[index];
      if (s.version !== info.version && !withinWindow(s.date, m.date)) continue;
      if (s.total !== total) continue;
      return index;
    }
    return null;
  }

  function findByMarkers(m: LinkMessage, info: SubjectInfo, total: number, number: number): number | null {
    let found: number | null = null;
    // Newest first: with several candidates, Patchwork ends up taking the newest one that does
    // not have this patch number yet.
    const earliest = dateMs(m.date) - SERIES_WINDOW_MS;
    for (let i = result.series.length - 1; i >= 0; i--) {
      const s = result.series[i];
      // Series are created in date order: once one is older than the window, all before it are.
      if (dateMs(s.date) < earliest) break;
      if (s.list !== m.list || s.submitter !== m.submitter || s.version !== info.version || s.total !== total) continue;
      if (!withinWindow(s.date, m.date)) continue;
      if (!s.patches.has(number)) return i;
      found ??= i;
    }
    return found;
  }

  function linkPatch(m: LinkMessage, info: SubjectInfo): void {
    const hasMarker = info.counter !== null && info.total !== null;
    const number = hasMarker ? info.counter! : 1;
    const total = hasMarker ? info.total! : 1;
    let index = hasMarker ? findByReferences(m, info, total) ?? findByMarkers(m, info, total, number) : null;
    if (index === null || result.series[index].patches.has(number)) {
      index = newSeries(m, info, total);
      register(m.list, [...m.refs, m.msgid], index);
    } else {
      register(m.list, [m.msgid], index);
    }
    // A `0/N` mail with a diff is a patch, but not part of the series (Patchwork: no number).
    if (number === 0) return;
    const s = result.series[index];
    s.patches.set(number, m.id);
    result.patchSeries.set(m.id, { series: index, number });
    if (number === 1 && s.name === null) {
      s.name = info.name;
      s.firstPatchName = info.name;
    }
  }

  function linkCover(m: LinkMessage, info: SubjectInfo): void {
    let index = referencesOf(m.list).get(m.msgid);
    if (index === undefined || result.series[index].cover !== null) {
      index = newSeries(m, info, info.total ?? 0);
      register(m.list, [m.msgid], index);
    }
    const s = result.series[index];
    s.cover = m.id;
    result.coverSeries.set(m.id, index);
    // Names are upgraded, never downgraded: a cover's name beats patch 1's.
    if (s.name === null || s.name === s.firstPatchName) s.name = coverSeriesName(info);
  }

  // Replies: with every patch and cover known, attach each reply to the patch (or else the
  // cover) up its reference chain. Patchwork looks for a patch first, through every reference
  // and the comments on patches, then for a cover the same way. A reply is resolved after the
  // replies it references, whatever their dates (clocks disagree); an explicit stack, not
  // recursion, because thread depth is user data.
  const pending = new Map(candidates.map((m) => [m.id, m]));
  const parentsOf = (m: LinkMessage) => m.refs.map((ref) => byMsgid.get(ref)).filter((id): id is number => id !== undefined && id !== m.id);
  const resolve = (m: LinkMessage) => {
    const parentIds = parentsOf(m);
    const patch = findUp(parentIds, 'patch');
    const cover = patch === null ? findUp(parentIds, 'cover') : null;
    pending.delete(m.id);
    if (patch === null && cover === null) {
      result.kinds.set(m.id, 'other');
      return;
    }
    result.kinds.set(m.id, 'comment');
    result.comments.set(m.id, { parent: parentIds[0] ?? (patch ?? cover)!, patch, cover });
  };
  for (const first of candidates) {
    if (!pending.has(first.id)) continue;
    const stack = [first];
    const onStack = new Set([first.id]);
    while (stack.length) {
      const m = stack[stack.length - 1];
      const waitingFor = parentsOf(m).find((id) => pending.has(id) && !onStack.has(id));
      if (waitingFor !== undefined) {
        stack.push(pending.get(waitingFor)!);
        onStack.add(waitingFor);
        continue;
      }
      resolve(m);
      stack.pop();
      onStack.delete(m.id);
    }
  }

  function findUp(parentIds: number[], kind: 'patch' | 'cover'): number | null {
    for (const id of parentIds) {
      if (result.kinds.get(id) === kind) return id;
      // A reference to a comment counts as a reference to what that comment is on.
      const comment = result.comments.get(id);
      const target = comment ? (kind === 'patch' ? comment.patch : comment.cover) : null;
      if (target !== null) return target;
    }
    return null;
  }

  return result;
}

/** Patchwork's Series._format_name: the cover's name without its leading `[...]` group. */
export function coverSeriesName(info: SubjectInfo): string {
  return info.name.replace(/^\[[^\]]*\]\s*/, '');
}
