/**
 * After messages are stored: classify them, and link series, versions and trailers as linking
 * the whole index in linking order gives them (so the result does not depend on import order),
 * storing it all in one transaction. A full relink (linkIndex) reads every message; an import
 * links only its new mail and what that touches (linkNew), going on from the state the last
 * linking left in SQL, when that gives the same result.
 *
 * Messages are read a page at a time in linking order (link_facts), again by id only for
 * follow-ups with trailers, and what is decided goes to temporary tables at once (LinkStore).
 * Held in memory is only the linker's own state, which grows with the series and replies linked
 * but not with their mail: series references, the series, a byte of kind per message and each
 * reply's parents (ids); Message-Ids are found in SQL.
 */
import type { SqliteDatabase } from '../store/database.js';
import {
  addDropPrefixes, EarlierLinkState, linkedPosition, linkedUpTo, LinkStore, loadSettings, parseOwnTrailers, storedListTags,
  tagCountsWithNew, whyNotLinkable,
} from '../store/series-store.js';
import { chooseCanonicalCopies } from '../store/canonical-copies.js';
import type { LinkedPosition, LinkedTrailer, MessageFacts, LinkedSeriesRow, StoredKind } from '../store/series-store.js';
import { SeriesLinker, sameListFirst } from '../series/link.js';
import type { LinkedSeries } from '../series/link.js';
import { linkVersions, normaliseTitle } from '../series/versions.js';
import type { VersionCandidate } from '../series/versions.js';
import { countSubjectTags, decideListTags } from '../series/list-tag.js';
import { parseSubject } from '../patch/subject.js';
import { ancestorIds, dedupeTrailers, roleOf, routeReplyTrailers } from '../patch/trailer-collection.js';
import type { TrailerSource } from '../patch/trailer-collection.js';
import type { Trailer } from '../patch/trailers.js';

export interface LinkSummary {
  series: number;
  patches: number;
  covers: number;
  comments: number;
  /** Rows of the index that linking wrote (kinds, series, patches, covers, comments, trailers, people): few after a small import. */
  changedRows: number;
  seconds: number;
  /** `new`: only the mail stored since the last linking was linked (and what it touches); `all`: the whole index. */
  linked: 'new' | 'all';
  /** Why the whole index was linked when only new mail was asked for. */
  reason?: string;
}

// Review trailers carry over to the next version of an unchanged patch; a Signed-off-by does not.
const CARRIED_TRAILERS = new Set(['Reviewed-by', 'Acked-by', 'Tested-by']);

/**
 * The series a full relink holds at once; the others wait in SQL (LinkStore.seriesSpill) until a
 * message reaches them again. Far more than a busy list starts within a linking window.
 */
const RESIDENT_SERIES = 4096;

/**
 * Links the index. By default the whole index (the reference result); with `onlyNew`, only the
 * mail stored since the last linking and what it touches, going on from the state that linking
 * left in SQL (linkNew), when that gives the same result: else (mail sorting before the last
 * message linked, a repeated Message-Id, mail linked before naming the new mail, a list's
 * subject tag changing, new prefixes to drop, deleted messages) the whole index.
 */
export function relinkSeries(db: SqliteDatabase,
  options: { dropPrefixes?: string[]; onlyNew?: boolean; /** Series a full relink holds at once (tests make it small). */ residentSeries?: number } = {}): LinkSummary {
  const started = performance.now();
  let summary: Omit<LinkSummary, 'seconds'> | undefined;
  db.transaction(() => {
    const newPrefixes = addDropPrefixes(db, options.dropPrefixes ?? []);
    const store = new LinkStore(db);
    try {
      const { refilled } = store.catchUpFacts();
      let reason: string | undefined;
      const at = options.onlyNew ? linkedPosition(db) : null;
      if (options.onlyNew) {
        reason = at === null ? (linkedUpTo(db) === 0 ? 'the index was never linked' : 'the index was linked by an older version')
          : refilled ? 'link_facts was filled again'
          : newPrefixes ? 'new prefixes to drop'
          : whyNotLinkable(db, at) ?? undefined;
      }
      if (at !== null && reason === undefined) {
        const canonicalChanges = chooseCanonicalCopies(db, at.upTo);
        const linked = linkNew(db, store, at);
        if (typeof linked === 'string') reason = linked;
        else summary = { ...linked, changedRows: linked.changedRows + canonicalChanges };
      }
      if (summary === undefined) {
        // Which copy of a repeated Message-Id is the message decides what is linked; a new copy
        // can take the place of one stored before (by a rule, not by import order). link_facts
        // filled again has every copy's choice to make again.
        const canonicalChanges = chooseCanonicalCopies(db, refilled ? 0 : linkedUpTo(db));
        const linked = linkIndex(db, store, options.residentSeries ?? RESIDENT_SERIES);
        summary = { ...linked, changedRows: linked.changedRows + canonicalChanges, ...(reason === undefined ? {} : { reason }) };
      }
    } finally {
      store.close();
    }
  }).immediate();
  return { ...summary!, seconds: (performance.now() - started) / 1000 };
}

/** The subject prefixes to drop for a message of each list: the settings' and the list's own tag, one array per list. */
function prefixesToDrop(dropPrefixes: string[], tags: Map<number, string | null>): (list: number | null) => string[] {
  const dropByList = new Map<number | null, string[]>();
  return (list) => {
    let drop = dropByList.get(list);
    if (drop === undefined) {
      const tag = list === null ? null : tags.get(list);
      dropByList.set(list, (drop = tag ? [...dropPrefixes, tag] : dropPrefixes));
    }
    return drop;
  };
}

function linkIndex(db: SqliteDatabase, store: LinkStore, residentSeries: number): Omit<LinkSummary, 'seconds'> {
  const { dropPrefixes } = loadSettings(db);
  const tagCounts = countSubjectTags(store.listSubjects());
  const tags = decideListTags(tagCounts);
  const dropFor = prefixesToDrop(dropPrefixes, tags);

  // Patches in linking order (their trailers are collected in it); replies with trailers of
  // their own, in the order they were resolved (the order b4 would read them in).
  let patches = 0;
  let covers = 0;
  const trailerReplies: number[] = [];
  // Messages with trailers of their own (patches' are read with them; replies' are collected
  // after phase 2), a bit per message id.
  const hasOwnTrailers = new IdBits();
  const linker = new SeriesLinker<MessageFacts>(dropFor, {
    patch: (m, info, place) => {
      // A patch's own trailers come first in its list (see collectTrailers).
      const own = parseOwnTrailers(m.ownTrailers).map((t) => asLinked(t, m.id, 'patch'));
      store.addPatch(m.id, place?.series ?? null, place?.number ?? null, info.name, info.prefixes, patches, m.diffHash, dedupeTrailers(own));
      patches++;
    },
    cover: (m, info, series) => {
      store.addCover(m.id, series, info.name, info.total, info.version);
      covers++;
    },
    reply: (id, comment) => {
      if (comment === null) return;
      store.addComment(id, comment.parent, comment.patch, comment.cover);
      if (hasOwnTrailers.has(id)) trailerReplies.push(id);
    },
    // Message-Ids are found in SQL (the linker leaves ignored messages out of threads), and
    // series references are kept there.
  }, {
    idOf: (msgid, list) => sameListFirst(store.linkedCopies(msgid), list, () => store.canonicalCopy(msgid)),
    references: store.referenceStore(),
    spill: { store: store.seriesSpill(), resident: residentSeries },
  });
  for (const facts of store.factsInLinkingOrder()) {
    const id = facts.id;
    if (facts.ownTrailers !== null) hasOwnTrailers.add(id);
    linker.add(facts);
  }
  linker.resolveReplies();

  // What a series' versions are linked by, from its lead (its cover, else its lowest patch),
  // read again rather than held for every series through phase 1.
  stageSeriesRows(linker, store, (index) => seriesLead(linker.seriesAt(index), store, dropFor));
  const routed = collectReplyTrailers(linker, store, trailerReplies);
  for (const id of routed.patches()) {
    const mine = store.trailers(id);
    store.appendTrailers(id, routed.merge(id, mine).slice(mine.length), mine.length);
  }
  carryTrailers(linker, store);
  const changedRows = store.commit((id) => linker.kindOf(id), tags, { tagCounts });
  return { series: linker.seriesCount, patches, covers, comments: linker.comments, changedRows, linked: 'all' };
}

/**
 * Links only the mail stored since the last linking, going on from the state that linking left
 * (EarlierLinkState, read from SQL as needed): phase 1 over the new messages, phase 2 over their
 * replies, then what they touch: the series they join, every series whose version links can
 * change (those sharing a change-id or title group with a touched one, or threaded to or from
 * one, with their previous and next versions: version links are decided within such a group
 * alone), the patches their replies give trailers to, and the carried trailers down the version
 * chains from all of these. The caller checked that the result is the one a full relink gives
 * (whyNotLinkable); returns why not when a list's subject tag would change.
 */
function linkNew(db: SqliteDatabase, store: LinkStore, at: LinkedPosition): Omit<LinkSummary, 'seconds'> | string {
  const { dropPrefixes } = loadSettings(db);
  const { counts: tagCounts, stored: storedTags, hadMail } = tagCountsWithNew(db, at.upTo, (counts, subjects) => countSubjectTags(subjects, counts));
  const tags = storedListTags(db);
  const newTags = new Map<number, string | null>();
  for (const [list, tag] of decideListTags(tagCounts)) {
    if (tag !== (storedTags.get(list) ?? null) && hadMail.has(list)) return 'a list\'s subject tag changes';
    tags.set(list, tag);
    newTags.set(list, tag);
  }
  const dropFor = prefixesToDrop(dropPrefixes, tags);

  const firstDate = store.firstDateAfter(at.last);
  const earlier = new EarlierLinkState(db, firstDate ?? null);
  const base = earlier.seriesCount;
  /** Earlier series that new mail joined. */
  const touched = new Set<number>();
  /** New patches and covers → their series. */
  const seriesOfNew = new Map<number, number>();
  const kinds: [number, StoredKind][] = [];
  const newPatches: number[] = [];
  const trailerReplies: number[] = [];
  const hasOwnTrailers = new Set<number>();
  let ord = 0;
  const linker = new SeriesLinker<MessageFacts>(dropFor, {
    kind: (id, kind) => kinds.push([id, kind]),
    patch: (m, info, place) => {
      const own = parseOwnTrailers(m.ownTrailers).map((t) => asLinked(t, m.id, 'patch'));
      store.addPatch(m.id, place?.series ?? null, place?.number ?? null, info.name, info.prefixes, ord++, m.diffHash, dedupeTrailers(own));
      newPatches.push(m.id);
      if (place === null) return;
      seriesOfNew.set(m.id, place.series);
      if (place.series < base) touched.add(place.series);
    },
    cover: (m, info, series) => {
      store.addCover(m.id, series, info.name, info.total, info.version);
      seriesOfNew.set(m.id, series);
      if (series < base) touched.add(series);
    },
    reply: (id, comment) => {
      if (comment === null) return;
      store.addComment(id, comment.parent, comment.patch, comment.cover);
      if (hasOwnTrailers.has(id)) trailerReplies.push(id);
    },
  }, { idOf: (msgid, list) => sameListFirst(store.linkableCopies(msgid), list, () => store.canonicalCopy(msgid)), earlier });
  for (const facts of store.factsInLinkingOrder(at.last)) {
    if (facts.ownTrailers !== null) hasOwnTrailers.add(facts.id);
    linker.add(facts);
  }
  const references = [...linker.newReferences()];
  linker.resolveReplies();
  const end = linker.series.length;

  // Each series' lead (its cover, else its lowest patch) and what version linking reads of it.
  const candidates = new Map<number, VersionCandidate & { lead: SeriesLead | null }>();
  const seriesOf = (id: number) => seriesOfNew.get(id) ?? (id > at.upTo ? undefined : earlier.seriesOfMessage(id));
  const candidate = (index: number) => {
    let c = candidates.get(index);
    if (c) return c;
    const s = linker.seriesAt(index);
    const lead = seriesLead(s, store, dropFor);
    const threadedTo: number[] = [];
    for (const msgid of lead?.threadRefs ?? []) {
      const id = linker.idOf(msgid, s.list);
      const other = id === undefined ? undefined : seriesOf(id);
      if (other !== undefined && other !== index) threadedTo.push(other);
    }
    c = { index, list: s.list, submitter: s.submitter, version: s.version, date: s.date, title: lead?.title ?? '', changeId: lead?.changeId ?? null, threadedTo, lead };
    candidates.set(index, c);
    return c;
  };

  // The series whose version links can change: closed under the groups version linking decides in.
  const component = new Set<number>();
  const queue: number[] = [];
  const add = (index: number | null) => {
    if (index !== null && !component.has(index)) {
      component.add(index);
      queue.push(index);
    }
  };
  for (let index = base; index < end; index++) add(index);
  for (const index of touched) add(index);
  while (queue.length) {
    const index = queue.pop()!;
    const c = candidate(index);
    const groups = [{ list: c.list, submitter: c.submitter, changeId: c.changeId, title: c.title }];
    if (index < base) {
      const stored = earlier.stored(index);
      add(stored.previous);
      add(stored.next);
      groups.push(stored);
    }
    for (const g of groups) {
      if (g.changeId) for (const other of earlier.withChangeId(g.list, g.submitter, g.changeId)) add(other);
      if (g.title) for (const other of earlier.withTitle(g.list, g.submitter, g.title)) add(other);
    }
    for (const other of c.threadedTo) add(other);
    // Series threaded to this one: whose mail names one of its patches or its cover. Mail
    // linked before names no new mail (whyNotLinkable), so a new series has only new ones.
    if (index >= base) continue;
    const s = linker.seriesAt(index);
    for (const id of s.cover === null ? s.patches.values() : [s.cover, ...s.patches.values()]) {
      for (const from of store.referencingMsgid(store.facts(id).msgid)) {
        const other = seriesOf(from);
        if (other !== undefined) add(other);
      }
    }
  }
  const versions = linkVersions([...component].map((index) => candidate(index)));
  const rows = new Map<number, LinkedSeriesRow & { title: string }>();
  const earlierIds = new Map<number, number>();
  for (const index of component) {
    const s = linker.seriesAt(index);
    const c = candidate(index);
    if (index < base) earlierIds.set(index, earlier.stored(index).id);
    rows.set(index, {
      keyMsgid: c.lead?.msgid ?? `<series-${index}@listindex.invalid>`, title: c.title,
      list: s.list, name: s.name, date: s.date, submitter: s.submitter, version: s.version, versionText: s.versionText,
      total: s.total, receivedTotal: s.patches.size, receivedAll: s.total <= s.patches.size, rfc: s.rfc, cover: s.cover,
      changeId: c.changeId, previous: versions.previous.get(index) ?? null, next: versions.next.get(index) ?? null,
      latest: versions.latest.get(index) ?? index,
    });
  }
  candidates.clear();
  // Patches and covers linked before, in series whose id can change.
  for (const index of touched) {
    const s = linker.seriesAt(index);
    for (const id of s.cover === null ? s.patches.values() : [s.cover, ...s.patches.values()]) if (id <= at.upTo) store.keepEarlierMember(id, index);
  }

  // Trailers: a patch linked before keeps those given so far, the new follow-ups' go after
  // those of its own follow-ups and before those of its cover's (as a full relink orders them).
  const materialised = new Set<number>(newPatches);
  const routed = collectReplyTrailers(linker, store, trailerReplies);
  const changedTrailers = routed.patches();
  for (const id of changedTrailers) {
    if (id > at.upTo) {
      const mine = store.trailers(id);
      store.appendTrailers(id, routed.merge(id, mine).slice(mine.length), mine.length);
      continue;
    }
    const stored = store.storedTrailers(id);
    store.setTrailers(id, routed.merge(id, stored.filter((t) => t.origin === 'patch' || t.origin === 'reply'),
      stored.filter((t) => t.origin === 'cover')), -1);
    materialised.add(id);
  }
  // Carried trailers: every series whose previous version or whose patches' trailers changed,
  // and the versions after them.
  const previousOf = (index: number) => (component.has(index) ? rows.get(index)!.previous : earlier.stored(index).previous);
  const nextOf = (index: number) => (component.has(index) ? rows.get(index)!.next : earlier.stored(index).next);
  const carried = new Set<number>(component);
  for (const id of changedTrailers) {
    const index = seriesOf(id);
    if (index !== undefined) carried.add(index);
  }
  // Back to the first version (what their patches carry on is worked out again, to the same),
  // then on to the last.
  for (const start of [...carried]) {
    for (let v = previousOf(start); v !== null && !carried.has(v); v = previousOf(v)) carried.add(v);
  }
  for (const start of [...carried]) {
    for (let v = nextOf(start); v !== null && !carried.has(v); v = nextOf(v)) carried.add(v);
  }
  for (const index of carried) {
    for (const id of linker.seriesAt(index).patches.values()) {
      if (materialised.has(id)) continue;
      store.setTrailers(id, store.storedTrailers(id).filter((t) => t.origin !== 'previous-version'), -1);
      materialised.add(id);
    }
  }
  carryTrailersOf(store, [...carried].map((index) => ({ index, date: linker.seriesAt(index).date, previous: previousOf(index) })),
    (index) => linker.seriesAt(index).patches.values(), (id) => store.factsDiffHash(id));

  const changedRows = store.commitNew(at.upTo, kinds, newTags, rows, earlierIds, [...materialised], tagCounts, references);
  return { ...store.linkedCounts(), changedRows, linked: 'new' };
}

/** A series' lead: its cover, else its lowest patch; null when it has neither (a `0/N` patch alone). */
function seriesLead(s: LinkedSeries, store: LinkStore, dropFor: (list: number | null) => string[]): SeriesLead | null {
  let leadId = s.cover;
  if (leadId === null) {
    let lowest = Infinity;
    for (const [number, id] of s.patches) if (number < lowest) [lowest, leadId] = [number, id];
  }
  if (leadId === null) return null;
  const m = store.facts(leadId);
  return {
    msgid: m.msgid, changeId: m.changeId, title: normaliseTitle(parseSubject(m.subject ?? '', dropFor(m.list)).title),
    threadRefs: [...m.inReplyTo, ...m.references],
  };
}

interface SeriesLead {
  msgid: string;
  changeId: string | null;
  /** Normalised title of the lead's subject. */
  title: string;
  /** In-Reply-To, then References oldest first. */
  threadRefs: string[];
}

/**
 * Stages each series' row (LinkStore.stageSeries), then links their versions a component at a
 * time: version links are only ever made within one list and sender's series (change-id, title)
 * or along threading, so the senders' groups joined by threading between them are linked apart
 * from each other, with the result of linking all at once (linkVersions keeps the (date, index)
 * order within each). What is held is a number per group of senders and the largest component,
 * not every series of the index.
 */
function stageSeriesRows(linker: SeriesLinker, store: LinkStore, leadOf: (index: number) => SeriesLead | null): void {
  const groups = new Map<string, number>();
  const groupOfSeries: number[] = [];
  const components = new UnionFind();
  // Threading to a series created later: joined once every series has its group.
  const laterThreads: [number, number][] = [];
  for (let index = 0; index < linker.seriesCount; index++) {
    const s = linker.seriesAt(index);
    const lead = leadOf(index);
    const threadedTo: number[] = [];
    for (const msgid of lead?.threadRefs ?? []) {
      const id = linker.idOf(msgid, s.list);
      const other = id === undefined ? undefined : store.seriesIndexOf(id);
      if (other !== undefined && other !== index) threadedTo.push(other);
    }
    const key = `${s.list}\u0000${s.submitter}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = groups.size));
    groupOfSeries.push(group);
    const candidate: VersionCandidate = { index, list: s.list, submitter: s.submitter, version: s.version, date: s.date,
      title: lead?.title ?? '', changeId: lead?.changeId ?? null, threadedTo };
    store.stageSeries(index, {
      keyMsgid: lead?.msgid ?? `<series-${index}@listindex.invalid>`,
      list: s.list, name: s.name, date: s.date, submitter: s.submitter, version: s.version, versionText: s.versionText,
      total: s.total, receivedTotal: s.patches.size, receivedAll: s.total <= s.patches.size, rfc: s.rfc, cover: s.cover,
      changeId: candidate.changeId,
    }, candidate, group);
    for (const other of threadedTo) {
      if (other < index) components.union(group, groupOfSeries[other]);
      else laterThreads.push([index, other]);
    }
  }
  for (const [index, other] of laterThreads) components.union(groupOfSeries[index], groupOfSeries[other]);
  const componentOf = new Map<number, number>();
  for (let group = 0; group < groups.size; group++) componentOf.set(group, components.find(group));
  groups.clear();
  for (const candidates of store.stagedVersionComponents(componentOf)) {
    const versions = linkVersions(candidates);
    for (const { index } of candidates) {
      const previous = versions.previous.get(index) ?? null;
      const next = versions.next.get(index) ?? null;
      const latest = versions.latest.get(index) ?? index;
      if (previous !== null || next !== null || latest !== index) store.setVersions(index, previous, next, latest);
    }
  }
}

/**
 * Adds to each patch's own trailers (stored in phase 1) those of the follow-ups that answer it,
 * then those of follow-ups to its nearest cover letter, as b4 collects them (see
 * patch/trailer-collection.ts). Only follow-ups with trailers of their own are walked up their
 * thread, and only the patches they reach are read again.
 */
function collectReplyTrailers(linker: SeriesLinker, store: LinkStore, trailerReplies: number[]): RoutedTrailers {
  type Source = TrailerSource & { id: number; list?: number | null };
  const sources = new Map<number, Source>();
  const sourceOf = (id: number, msgid?: string): Source | undefined => {
    const kind = linker.kindOf(id);
    if (kind === undefined || kind === 'other') return undefined;
    // A patch or a cover ends a walk up the thread: its role and Message-Id are all it takes.
    if (kind !== 'comment' && msgid !== undefined) {
      return { id, msgid, inReplyTo: [], references: [], isPatch: kind === 'patch', isReply: false, counter: kind === 'cover' ? 0 : null, body: '' };
    }
    const known = sources.get(id);
    if (known) return known;
    const f = store.facts(id);
    const source: Source = {
      id, list: f.list, msgid: f.msgid, inReplyTo: f.inReplyTo, references: f.references, isPatch: kind === 'patch', isReply: kind === 'comment',
      counter: kind === 'cover' ? 0 : null, body: '',
      trailers: parseOwnTrailers(f.ownTrailers).map((t) => ({ ...t, comment: null, line: `${t.name}: ${t.value}` })),
      from: f.from ? { name: f.from.name ?? '', email: f.from.email } : null,
    };
    // Only follow-ups are read again (walking up threads); patches and covers end a walk.
    if (kind === 'comment') sources.set(id, source);
    return source;
  };
  // Each list's replies walk up that list's copies of their thread (a reply cross-posted to
  // two lists gives its trailers to each list's patch), so they are routed a list at a time,
  // then taken in their order.
  const repliesByList = new Map<number | null, { at: number; reply: Source }[]>();
  trailerReplies.forEach((id, at) => {
    const reply = sourceOf(id)!;
    const list = reply.list ?? null;
    let replies = repliesByList.get(list);
    if (replies === undefined) repliesByList.set(list, (replies = []));
    replies.push({ at, reply });
  });
  const routed: { at: number; reply: Source; target: TrailerSource; trailers: Trailer[] }[] = [];
  for (const [list, replies] of repliesByList) {
    const lookup = (msgid: string) => {
      const id = linker.idOf(msgid, list);
      return id === undefined ? undefined : sourceOf(id, msgid);
    };
    const at = new Map(replies.map((r) => [r.reply.id, r.at]));
    for (const r of routeReplyTrailers(replies.map((x) => x.reply), lookup, false)) routed.push({ ...r, at: at.get(r.reply.id)! });
  }
  repliesByList.clear();
  routed.sort((a, b) => a.at - b.at);

  const fromReplies = new Map<number, LinkedTrailer[]>();
  const fromCoverReplies = new Map<number, LinkedTrailer[]>();
  for (const { reply, target, trailers } of routed) {
    const targetId = (target as Source).id;
    const into = roleOf(target) === 'patch' ? fromReplies : fromCoverReplies;
    const list = into.get(targetId) ?? [];
    for (const t of trailers) list.push(asLinked(t, reply.id, into === fromReplies ? 'reply' : 'cover'));
    into.set(targetId, list);
  }
  sources.clear();

  // A cover letter's follow-up trailers go to every patch whose nearest cover it is (a v2 with
  // its own cover does not inherit v1's acks): the patches that reference the cover, checked.
  const fromCover = new Map<number, number>();
  for (const cover of fromCoverReplies.keys()) {
    for (const id of store.referencing(cover)) {
      if (linker.kindOf(id) !== 'patch' || fromCover.has(id)) continue;
      const facts = store.facts(id);
      for (const msgid of ancestorIds(facts)) {
        const ancestor = linker.idOf(msgid, facts.list);
        if (ancestor === undefined || linker.kindOf(ancestor) !== 'cover') continue;
        if (fromCoverReplies.has(ancestor)) fromCover.set(id, ancestor);
        break;
      }
    }
  }
  return {
    patches: () => new Set([...fromReplies.keys(), ...fromCover.keys()]),
    merge: (id, given, givenFromCover = []) => {
      const cover = fromCover.get(id);
      return dedupeTrailers([...given, ...(fromReplies.get(id) ?? []), ...givenFromCover, ...(cover === undefined ? [] : fromCoverReplies.get(cover)!)]);
    },
  };
}

/** Trailers of follow-ups, by the patch they go to. */
interface RoutedTrailers {
  /** The patches that get trailers from follow-ups. */
  patches(): Set<number>;
  /**
   * A patch's trailers: those given (own, and from follow-ups linked before), then those of
   * follow-ups that answer it, then those of its cover's follow-ups (linked before, then these),
   * without duplicates.
   */
  merge(id: number, given: LinkedTrailer[], givenFromCover?: LinkedTrailer[]): LinkedTrailer[];
}

function asLinked(t: { name: string; value: string; person: { name: string; email: string } | null }, givenIn: number, origin: string): LinkedTrailer {
  return { name: t.name, value: t.value, email: t.person?.email ?? null, personName: t.person?.name ?? null, givenIn, origin };
}

/**
 * Carries review trailers to the next version of a patch whose diff did not change, oldest
 * series first so that v3 inherits what v2 inherited from v1.
 */
function carryTrailers(linker: SeriesLinker, store: LinkStore): void {
  // Only series with a previous version carry trailers; they come in carryTrailersOf's order.
  const series = store.stagedPreviousVersions().map(([index, previous, date]) => ({ index, date, previous }));
  carryTrailersOf(store, series, (index) => linker.seriesAt(index).patches.values(), (id) => store.diffHash(id));
}

/** carryTrailers over some series (all those whose carried trailers can change), in the same order. */
function carryTrailersOf(store: LinkStore, series: { index: number; date: string | null; previous: number | null }[],
  patchesOf: (index: number) => Iterable<number>, diffHash: (id: number) => string | null): void {
  const order = [...series].sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.index - b.index);
  for (const { index, previous } of order) {
    if (previous === null) continue;
    const oldByHash = new Map<string, number>();
    for (const id of patchesOf(previous)) {
      const hash = diffHash(id);
      if (hash) oldByHash.set(hash, id);
    }
    for (const id of patchesOf(index)) {
      const hash = diffHash(id);
      const old = hash ? oldByHash.get(hash) : undefined;
      if (old === undefined) continue;
      const mine = store.trailers(id);
      const had = mine.length;
      for (const t of store.trailers(old)) {
        if (!CARRIED_TRAILERS.has(t.name)) continue;
        if (mine.some((m) => m.name === t.name && (m.email ?? m.value).toLowerCase() === (t.email ?? t.value).toLowerCase())) continue;
        mine.push({ ...t, origin: 'previous-version' });
      }
      store.appendTrailers(id, mine.slice(had), had);
    }
  }
}

/** Union-find over dense numbers 0, 1, 2...: which groups of series are joined. */
class UnionFind {
  private readonly parent: number[] = [];

  find(x: number): number {
    while (x < this.parent.length && this.parent[x] !== x) {
      const up = this.parent[x];
      this.parent[x] = this.parent[up] ?? up;
      x = up;
    }
    return x;
  }

  union(a: number, b: number): void {
    this.grow(Math.max(a, b));
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  private grow(to: number): void {
    for (let x = this.parent.length; x <= to; x++) this.parent.push(x);
  }
}

/** A set of message ids as bits (row ids are dense): a byte per eight messages. */
class IdBits {
  private bits = new Uint8Array(1024);
  private readonly sparse = new Set<number>();

  add(id: number): void {
    if (!IdBits.dense(id)) {
      this.sparse.add(id);
      return;
    }
    if (id >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max((id >> 3) + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[id >> 3] |= 1 << (id & 7);
  }

  has(id: number): boolean {
    if (!IdBits.dense(id)) return this.sparse.has(id);
    return id >> 3 < this.bits.length && (this.bits[id >> 3] & (1 << (id & 7))) !== 0;
  }

  private static dense(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < 2 ** 30;
  }
}
