/**
 * After messages are stored: classify them, rebuild series, versions and trailers from
 * everything in the index (so the result does not depend on import order), and store it all in
 * one transaction.
 *
 * Messages are read a page at a time in linking order (link_facts), again by id only for
 * follow-ups with trailers, and what is decided goes to temporary tables at once (LinkStore).
 * Held in memory is only the linker's own state, which grows with the series and replies of the
 * index but not with its mail: series references, the series, a byte of kind per message and
 * each reply's parents (ids); Message-Ids are found in SQL.
 */
import type { SqliteDatabase } from '../store/database.js';
import { addDropPrefixes, linkedUpTo, LinkStore, loadSettings, parseOwnTrailers } from '../store/series-store.js';
import { chooseCanonicalCopies } from '../store/canonical-copies.js';
import type { LinkedTrailer, MessageFacts, SeriesRow } from '../store/series-store.js';
import { IdNumbers, SeriesLinker, sameListFirst } from '../series/link.js';
import { linkVersions, normaliseTitle } from '../series/versions.js';
import type { VersionCandidate } from '../series/versions.js';
import { detectListTags } from '../series/list-tag.js';
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
}

// Review trailers carry over to the next version of an unchanged patch; a Signed-off-by does not.
const CARRIED_TRAILERS = new Set(['Reviewed-by', 'Acked-by', 'Tested-by']);

export function relinkSeries(db: SqliteDatabase, options: { dropPrefixes?: string[] } = {}): LinkSummary {
  const started = performance.now();
  let summary: Omit<LinkSummary, 'seconds'> | undefined;
  db.transaction(() => {
    addDropPrefixes(db, options.dropPrefixes ?? []);
    const store = new LinkStore(db);
    try {
      const { refilled } = store.catchUpFacts();
      // Which copy of a repeated Message-Id is the message decides what is linked; a new copy
      // can take the place of one stored before (by a rule, not by import order). link_facts
      // filled again has every copy's choice to make again.
      const canonicalChanges = chooseCanonicalCopies(db, refilled ? 0 : linkedUpTo(db));
      summary = linkIndex(db, store);
      summary.changedRows += canonicalChanges;
    } finally {
      store.close();
    }
  }).immediate();
  return { ...summary!, seconds: (performance.now() - started) / 1000 };
}

function linkIndex(db: SqliteDatabase, store: LinkStore): Omit<LinkSummary, 'seconds'> {
  const { dropPrefixes } = loadSettings(db);
  const tags = detectListTags(store.listSubjects());
  // One prefix list per list, not one per message.
  const dropByList = new Map<number | null, string[]>();
  const dropFor = (list: number | null) => {
    let drop = dropByList.get(list);
    if (drop === undefined) {
      const tag = list === null ? null : tags.get(list);
      dropByList.set(list, (drop = tag ? [...dropPrefixes, tag] : dropPrefixes));
    }
    return drop;
  };

  // Patches in linking order (their trailers are collected in it); replies with trailers of
  // their own, in the order they were resolved (the order b4 would read them in).
  let patches = 0;
  let covers = 0;
  const trailerReplies: number[] = [];
  // What a series' versions are linked by, from its lead (its cover, else its lowest patch),
  // kept as the lead goes by rather than read again.
  const coverLeads = new Map<number, SeriesLead>();
  const patchLeads = new Map<number, SeriesLead & { number: number }>();
  const leadOf = (m: MessageFacts, title: string) => ({
    msgid: m.msgid, changeId: m.changeId, title: normaliseTitle(title), threadRefs: [...m.inReplyTo, ...m.references],
  });
  // Messages with trailers of their own (patches' are read with them; replies' are collected
  // after phase 2), a bit per message id.
  const hasOwnTrailers = new IdBits();
  const linker = new SeriesLinker<MessageFacts>(dropFor, {
    patch: (m, info, place) => {
      // A patch's own trailers come first in its list (see collectTrailers).
      const own = parseOwnTrailers(m.ownTrailers).map((t) => asLinked(t, m.id, 'patch'));
      store.addPatch(m.id, place?.series ?? null, place?.number ?? null, info.name, info.prefixes, patches, m.diffHash, dedupeTrailers(own));
      patches++;
      // A series' lead is its cover if it has one (then no patch lead is kept), else its lowest patch.
      const known = place ? patchLeads.get(place.series) : undefined;
      if (place && !coverLeads.has(place.series) && (known === undefined || place.number < known.number)) {
        patchLeads.set(place.series, { number: place.number, ...leadOf(m, info.title) });
      }
    },
    cover: (m, info, series) => {
      store.addCover(m.id, series, info.name, info.total, info.version);
      coverLeads.set(series, leadOf(m, info.title));
      patchLeads.delete(series);
      covers++;
    },
    reply: (id, comment) => {
      if (comment === null) return;
      store.addComment(id, comment.parent, comment.patch, comment.cover);
      if (hasOwnTrailers.has(id)) trailerReplies.push(id);
    },
    // Message-Ids are found in SQL (the linker leaves ignored messages out of threads).
  }, { idOf: (msgid, list) => sameListFirst(store.linkedCopies(msgid), list, () => store.canonicalCopy(msgid)) });
  for (const facts of store.factsInLinkingOrder()) {
    const id = facts.id;
    if (facts.ownTrailers !== null) hasOwnTrailers.add(id);
    linker.add(facts);
  }
  linker.resolveReplies();

  const series = buildSeriesRows(linker, (index) => coverLeads.get(index) ?? patchLeads.get(index) ?? null);
  coverLeads.clear();
  patchLeads.clear();
  collectReplyTrailers(linker, store, trailerReplies);
  carryTrailers(linker, store, series);
  const changedRows = store.commit((id) => linker.kindOf(id), tags, series);
  return { series: series.length, patches, covers, comments: linker.comments, changedRows };
}

interface SeriesLead {
  msgid: string;
  changeId: string | null;
  /** Normalised title of the lead's subject. */
  title: string;
  /** In-Reply-To, then References oldest first. */
  threadRefs: string[];
}

function buildSeriesRows(linker: SeriesLinker, leadOf: (index: number) => SeriesLead | null): SeriesRow[] {
  // Message id of each patch (in a series) and cover → its series, for the threading evidence.
  const seriesOfId = new IdNumbers();
  linker.series.forEach((s, index) => {
    for (const id of s.patches.values()) seriesOfId.set(id, index);
    if (s.cover !== null) seriesOfId.set(s.cover, index);
  });
  const candidates: VersionCandidate[] = [];
  const rows: SeriesRow[] = linker.series.map((s, index) => {
    const lead = leadOf(index);
    const changeId = lead?.changeId ?? null;
    const title = lead?.title ?? '';
    const threadedTo: number[] = [];
    for (const msgid of lead?.threadRefs ?? []) {
      const id = linker.idOf(msgid, s.list);
      const other = id === undefined ? undefined : seriesOfId.get(id);
      if (other !== undefined && other !== index) threadedTo.push(other);
    }
    candidates.push({ index, list: s.list, submitter: s.submitter, version: s.version, date: s.date, title, changeId, threadedTo });
    return {
      keyMsgid: lead?.msgid ?? `<series-${index}@listindex.invalid>`,
      list: s.list, name: s.name, date: s.date, submitter: s.submitter, version: s.version, versionText: s.versionText,
      total: s.total, receivedTotal: s.patches.size, receivedAll: s.total <= s.patches.size, rfc: s.rfc, cover: s.cover,
      changeId, previous: null, next: null, latest: null,
    };
  });
  const versions = linkVersions(candidates);
  for (const [i, row] of rows.entries()) {
    row.previous = versions.previous.get(i) ?? null;
    row.next = versions.next.get(i) ?? null;
    row.latest = versions.latest.get(i) ?? i;
  }
  return rows;
}

/**
 * Adds to each patch's own trailers (stored in phase 1) those of the follow-ups that answer it,
 * then those of follow-ups to its nearest cover letter, as b4 collects them (see
 * patch/trailer-collection.ts). Only follow-ups with trailers of their own are walked up their
 * thread, and only the patches they reach are read again.
 */
function collectReplyTrailers(linker: SeriesLinker, store: LinkStore, trailerReplies: number[]): void {
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
  for (const id of new Set([...fromReplies.keys(), ...fromCover.keys()])) {
    const mine = store.trailers(id);
    const cover = fromCover.get(id);
    const all = dedupeTrailers([...mine, ...(fromReplies.get(id) ?? []), ...(cover === undefined ? [] : fromCoverReplies.get(cover)!)]);
    store.appendTrailers(id, all.slice(mine.length), mine.length);
  }
}

function asLinked(t: { name: string; value: string; person: { name: string; email: string } | null }, givenIn: number, origin: string): LinkedTrailer {
  return { name: t.name, value: t.value, email: t.person?.email ?? null, personName: t.person?.name ?? null, givenIn, origin };
}

/**
 * Carries review trailers to the next version of a patch whose diff did not change, oldest
 * series first so that v3 inherits what v2 inherited from v1.
 */
function carryTrailers(linker: SeriesLinker, store: LinkStore, series: SeriesRow[]): void {
  const order = series.map((_, i) => i).sort((a, b) => (series[a].date ?? '').localeCompare(series[b].date ?? '') || a - b);
  for (const index of order) {
    const previous = series[index].previous;
    if (previous === null) continue;
    const oldByHash = new Map<string, number>();
    for (const id of linker.series[previous].patches.values()) {
      const hash = store.diffHash(id);
      if (hash) oldByHash.set(hash, id);
    }
    for (const id of linker.series[index].patches.values()) {
      const hash = store.diffHash(id);
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
