/**
 * Series reconstruction: Patchwork's algorithm (notes/patchwork-reference.md §1.10–1.11) over
 * in-memory records, with its known faults fixed:
 *  - the version/date check that never fires now fires: a reference into a series of another
 *    version is followed only when the two mails are within SERIES_WINDOW of each other;
 *  - a series sent in reply to another series of a different size is not merged into it
 *    (Patchwork #127): a reference is followed only when the totals agree;
 *  - the same-name cover check is per list, not global;
 *  - a cover whose `N` or version differs from its patches' (`[PATCH v7 00/23]` answered
 *    directly by `[PATCH v7 n/24]` of the same run) keeps them, as Patchwork does: the series
 *    takes the patches' total and version, if they write one (the cover's are kept with it);
 *  - a patch joining a series registers its own Message-Id, so deep-threaded series whose
 *    mails carry only In-Reply-To still join by reference;
 *  - a patch whose reference leads to an older posting (beyond SERIES_WINDOW) joins the series
 *    with a cover that its sender is sending now, found by markers, if there is one: a series sent
 *    in two runs stays one;
 *  - a reference cannot hijack a series: a patch from another sender than the series', or
 *    numbered beyond its total and not sent with it (within SERIES_WINDOW of its first mail, as
 *    Patchwork's `[PATCH 3/2]` fixture is), starts a series of its own;
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
  /**
   * Another copy of a Message-Id stands for it on this list: Patchwork keeps the first only. A
   * message cross-posted to several lists has a copy linked on each (see store/canonical-copies.ts).
   */
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
  patches: PatchSlots;
  /** The name patch 1 gave the series, so that a cover's name can replace it (never the reverse). */
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

const markerKey = (list: number | null, submitter: number | null, version: number, total: number) =>
  `${list}\u0000${submitter}\u0000${version}\u0000${total}`;

/** Patchwork's SERIES_DELAY_INTERVAL: mails of one series are sent within minutes. */
export const SERIES_WINDOW_MS = 20 * 60 * 1000;

const dateMs = (date: string | null) => (date ? Date.parse(date) : NaN);

function withinWindow(a: string | null, b: string | null): boolean {
  const d = Math.abs(dateMs(a) - dateMs(b));
  return Number.isFinite(d) && d <= SERIES_WINDOW_MS;
}

/**
 * Whether a patch found by reference may join a series. Anyone can reply to a cover letter: a
 * patch from another sender, or one numbered beyond the total and sent later (a `[PATCH v9 6/5]`),
 * is not part of the series that was posted, and must not go into its mbox. (Markers only ever
 * match the same sender within the window.)
 */
function mayJoin(s: LinkedSeries, m: LinkMessage, number: number): boolean {
  if (s.submitter !== m.submitter) return false;
  return number <= s.total || withinWindow(s.date, m.date);
}

export function compareForLinking(a: LinkMessage, b: LinkMessage): number {
  const da = a.date ?? '';
  const db = b.date ?? '';
  if (da !== db) return da < db ? -1 : 1;
  if (a.msgid !== b.msgid) return a.msgid < b.msgid ? -1 : 1;
  return a.id - b.id;
}

/** What the linker decided about one message, as it decides it (for callers that store it at once). */
export interface LinkEvents<M extends LinkMessage = LinkMessage> {
  /** Every message that is not a duplicate or ignored, with its parsed subject. */
  subject?(m: M, info: SubjectInfo): void;
  /** A patch, with its place in a series (null for a `0/N` mail with a diff). */
  patch?(m: M, info: SubjectInfo, place: { series: number; number: number } | null): void;
  cover?(m: M, info: SubjectInfo, series: number): void;
  /** A reply resolved (by message id): a comment (with what it answers) or, when nothing known is up its chain, `other`. */
  reply?(id: number, comment: LinkedComment | null): void;
  /** Every message's kind, in the order decided. */
  kind?(id: number, kind: MessageKind): void;
}

export interface LinkerOptions {
  /**
   * Finds the message id of a Message-Id among all the messages to be linked (not duplicates),
   * also those phase 1 has not reached yet, as a message on `list` sees it (see `sameListFirst`);
   * the linker leaves out those it finds to be ignored
   * (`LinkMessage.ignored`). Without it the linker keeps a map of every Message-Id itself; an
   * index on disk answers from SQL instead, which holds nothing in memory. With it, a reply's
   * parents are found as phase 1 passes it, so phase 2 need not be given the reply again.
   */
  idOf?: (msgid: string, list: number | null) => number | undefined;
  /**
   * What an earlier linking of the messages before these decided, looked up as needed instead
   * of held: the linker then goes on from there (linking only new mail) and holds only what the
   * new messages touch. Every message given must come after the earlier ones in linking order.
   */
  earlier?: EarlierLinking;
  /**
   * Where the series references (Patchwork's SeriesReference) are kept, instead of a map of
   * strings in memory that grows with every patch of the index: an index on disk keeps them in
   * SQL (store/series-store.ts). Not with `earlier`.
   */
  references?: ReferenceStore;
  /**
   * Where the linker lets series go once it holds more than `resident` of them, to load them
   * again when a later message reaches them (by a reference): a whole index is linked holding a
   * bounded number of series, not every series of the index. Not with `earlier`.
   */
  spill?: { store: SeriesSpill; resident: number };
}

/** Series a linker let go of, by index (store/series-store.ts keeps them in a temporary table). */
export interface SeriesSpill {
  save(index: number, series: LinkedSeries): void;
  load(index: number): LinkedSeries;
}

/** (list, Message-Id) → series index, kept outside the linker. */
export interface ReferenceStore {
  get(list: number | null, msgid: string): number | undefined;
  /** Registers a Message-Id that has no series yet in the list. */
  add(list: number | null, msgid: string, series: number): void;
}

/** The state an earlier linking left (store/series-store.ts keeps it in SQL). */
export interface EarlierLinking {
  /** How many series it made: new series are numbered on from here. */
  seriesCount: number;
  /** One of its series, as it left it (a fresh object each time). */
  series(index: number): LinkedSeries;
  /** Patchwork's SeriesReference: the series a Message-Id was registered to in a list. */
  reference(list: number | null, msgid: string): number | undefined;
  /** Whether a cover letter of this name was seen in the list. */
  hasCoverName(list: number | null, name: string): boolean;
  /**
   * Its series that a new message could find by markers (dated within SERIES_WINDOW_MS of the
   * first new message, or later; more is harmless), in creation order.
   */
  recentSeries(): number[];
  kindOf(id: number): MessageKind | undefined;
  /** What a comment is on: a patch id, or minus a cover id (see SeriesLinker.resolve). */
  commentTarget(id: number): number | undefined;
}

/**
 * Which copy of a Message-Id a message on `list` refers to, of the copies linked (at most one
 * per list, `copies` as [id, list]): lists do not affect each other, so that each list's series
 * are those it has alone (Patchwork looks up references within the project). A message on a
 * list sees its own list's copy, else a copy that came through no list; a message that came
 * through no list (a personal copy) sees its own kind first, else `canonical()`, the copy that
 * stands for the Message-Id in the index (messages.duplicate_of).
 */
export function sameListFirst(copies: readonly (readonly [number, number | null])[], list: number | null,
  canonical: () => number | undefined): number | undefined {
  if (copies.length === 0) return undefined;
  const own = copies.find((c) => c[1] === list) ?? (list === null ? undefined : copies.find((c) => c[1] === null));
  if (own) return own[0];
  if (list !== null) return undefined;
  return copies.length === 1 ? copies[0][0] : canonical();
}

const KIND_CODES: MessageKind[] = ['patch', 'cover', 'comment', 'other'];

/** Message id → kind, a byte per message (ids are dense row ids); other ids in a map. */
class KindTable {
  private codes = new Uint8Array(1024);
  private readonly sparse = new Map<number, MessageKind>();
  size = 0;

  get(id: number): MessageKind | undefined {
    if (!this.dense(id)) return this.sparse.get(id);
    const code = id < this.codes.length ? this.codes[id] : 0;
    return code === 0 ? undefined : KIND_CODES[code - 1];
  }

  set(id: number, kind: MessageKind): void {
    if (this.get(id) === undefined) this.size++;
    if (!this.dense(id)) {
      this.sparse.set(id, kind);
      return;
    }
    if (id >= this.codes.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.codes.length * 2));
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[id] = KIND_CODES.indexOf(kind) + 1;
  }

  private dense(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < 1 << 28;
  }
}

/**
 * Message id → a number, for one entry per reply of an index of millions of messages: a Map
 * takes ~40 bytes an entry, this a slot of 8 bytes per row id (row ids are dense). Ids far
 * beyond the entries held (a hand-made index) go to a Map, so memory stays in proportion.
 */
export class IdNumbers {
  private dense = new Float64Array(0);
  private readonly sparse = new Map<number, number>();
  private size = 0;

  get(id: number): number | undefined {
    if (this.inDense(id)) {
      const value = this.dense[id];
      if (!Number.isNaN(value)) return value;
    }
    return this.sparse.size === 0 ? undefined : this.sparse.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, value: number): void {
    if (Number.isNaN(value)) throw new Error('IdNumbers holds numbers, not NaN');
    if (this.sparse.has(id)) {
      this.sparse.set(id, value);
      return;
    }
    if (!this.inDense(id) && Number.isInteger(id) && id >= 0 && id < 4 * (this.size + 1) + 65536) {
      const grown = new Float64Array(Math.max(id + 1, 2 * this.dense.length)).fill(NaN);
      grown.set(this.dense);
      this.dense = grown;
    }
    if (this.inDense(id)) {
      if (Number.isNaN(this.dense[id])) this.size++;
      this.dense[id] = value;
    } else {
      this.sparse.set(id, value);
      this.size++;
    }
  }

  clear(): void {
    this.dense = new Float64Array(0);
    this.sparse.clear();
    this.size = 0;
  }

  private inDense(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.dense.length;
  }
}

/**
 * A series' patches by number (message ids), in the order they joined. Most series have a few
 * patches, and a linker holds every series of the index: a Map per series took ~450 bytes (18 MB
 * of a 163,650-message index's 58 MB in linking), pairs in one array take ~100. A series that
 * grows large (a hostile `[PATCH n/100000]`) moves to a Map, so lookups stay constant time.
 */
export class PatchSlots {
  private static readonly MAX_PAIRS = 32;
  /** number, id, number, id, ... while small. */
  private pairs: number[] | null = [];
  private map: Map<number, number> | null = null;

  /** From `toPairs()`: the same patches, in the same order. */
  static fromPairs(pairs: number[]): PatchSlots {
    const slots = new PatchSlots();
    for (let i = 0; i < pairs.length; i += 2) slots.set(pairs[i], pairs[i + 1]);
    return slots;
  }

  /** number, id, number, id, ... in the order they joined. */
  toPairs(): number[] {
    if (this.pairs) return [...this.pairs];
    const pairs: number[] = [];
    for (const [number, id] of this.map!) pairs.push(number, id);
    return pairs;
  }

  get size(): number {
    return this.pairs ? this.pairs.length >> 1 : this.map!.size;
  }

  has(number: number): boolean {
    return this.slot(number) >= 0 || (this.map?.has(number) ?? false);
  }

  get(number: number): number | undefined {
    const at = this.slot(number);
    return at >= 0 ? this.pairs![at + 1] : this.map?.get(number);
  }

  set(number: number, id: number): void {
    const at = this.slot(number);
    if (at >= 0) {
      this.pairs![at + 1] = id;
    } else if (this.pairs && this.pairs.length < 2 * PatchSlots.MAX_PAIRS) {
      this.pairs.push(number, id);
    } else {
      if (this.pairs) {
        this.map = new Map();
        for (let i = 0; i < this.pairs.length; i += 2) this.map.set(this.pairs[i], this.pairs[i + 1]);
        this.pairs = null;
      }
      this.map!.set(number, id);
    }
  }

  /** [number, message id] of each patch, in the order they joined (as a Map iterates). */
  *entries(): IterableIterator<[number, number]> {
    if (this.map) {
      yield* this.map.entries();
      return;
    }
    for (let i = 0; i < this.pairs!.length; i += 2) yield [this.pairs![i], this.pairs![i + 1]];
  }

  [Symbol.iterator](): IterableIterator<[number, number]> {
    return this.entries();
  }

  /** The patches' message ids, in the order they joined. */
  *values(): IterableIterator<number> {
    if (this.map) {
      yield* this.map.values();
      return;
    }
    for (let i = 1; i < this.pairs!.length; i += 2) yield this.pairs![i];
  }

  private slot(number: number): number {
    const pairs = this.pairs;
    if (pairs === null) return -1;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === number) return i;
    return -1;
  }
}

/**
 * Each reply's parents (message ids), found in phase 1 and kept until phase 2, in one flat
 * typed array: an array object per reply would cost more than the ids themselves in an index of
 * millions of messages, and reading the reply again from SQL costs more still.
 */
class ReplyParents {
  // Per reply: its parent count, then the parents. Row ids can pass 2^31.
  private flat = new Float64Array(4096);
  private used = 0;
  /** Reply id → where its entry starts in `flat`. */
  private readonly at = new IdNumbers();

  add(id: number, parents: number[]): void {
    if (this.used + 1 + parents.length > this.flat.length) {
      const grown = new Float64Array(Math.max(this.flat.length * 2, this.used + 1 + parents.length));
      grown.set(this.flat.subarray(0, this.used));
      this.flat = grown;
    }
    this.at.set(id, this.used);
    this.flat[this.used++] = parents.length;
    for (const p of parents) this.flat[this.used++] = p;
  }

  has(id: number): boolean {
    return this.at.has(id);
  }

  of(id: number): number[] {
    const start = this.at.get(id);
    if (start === undefined) throw new Error(`no parents kept for reply ${id}`);
    return Array.from(this.flat.subarray(start + 1, start + 1 + this.flat[start]));
  }

  clear(): void {
    this.flat = new Float64Array(0);
    this.used = 0;
    this.at.clear();
  }
}

/**
 * The linking algorithm as a state machine, so that an index of any size can be linked without
 * holding its messages: phase 1 takes every message in linking order (`compareForLinking`) and
 * keeps only what later messages may need (Message-Ids, the references of series, the series);
 * phase 2 resolves the replies, asking the caller for each one again by id.
 */
export class SeriesLinker<M extends LinkMessage = LinkMessage> {
  /**
   * By index (creation order). With options.earlier, the earlier ones are holes until seriesAt
   * loads them; with options.spill, those let go are `undefined` until loaded again.
   */
  readonly series: (LinkedSeries | undefined)[] = [];
  /** With options.spill: the series held, least recently used first. */
  private readonly resident = new Map<number, true>();
  private readonly kindTable = new KindTable();
  /** Comment id → the patch and the cover it is on, for replies further down its thread. */
  private readonly commentTargets = new IdNumbers();
  private phaseOneDone = false;
  /** Replies found to be comments so far. */
  comments = 0;
  // (list, msgid) → series index: Patchwork's SeriesReference. One map per list, so that no
  // key string is made per reference (there are several for every patch of the index).
  private readonly referencesByList = new Map<number | null, Map<string, number>>();
  private readonly coverNames = new Set<string>();
  /**
   * Series by what findByMarkers compares (list, submitter, version, total), in creation order:
   * a patch looks only at its own kind of series, not at every series of the last 20 minutes
   * (thousands, in a busy archive). Series older than the window are dropped as phase 1 passes.
   */
  private readonly seriesByMarkers = new Map<string, number[]>();
  /** Message-Id → its linked copies, [id, list], for every message in series or threads (unless options.idOf). */
  private readonly byMsgid = new Map<string, [number, number | null][]>();
  private readonly lookupMsgid: (msgid: string, list: number | null) => number | undefined;
  /** Replies (neither patch nor cover) waiting for phase 2, in linking order. */
  private readonly candidates: number[] = [];
  /** Messages with `ignored` set: out of series and out of threads. Few. */
  private readonly ignored = new Set<number>();
  /** With options.idOf: each candidate's parents, found in phase 1 (see ReplyParents). */
  private readonly replyParents: ReplyParents | null;

  private readonly earlier: EarlierLinking | null;

  constructor(
    private readonly dropPrefixes: (list: number | null) => string[],
    private readonly events: LinkEvents<M> = {},
    private readonly options: LinkerOptions = {},
  ) {
    this.earlier = options.earlier ?? null;
    if (options.earlier && options.spill) throw new Error('a linker going on from an earlier linking does not let series go');
    if (this.earlier) {
      // Earlier series are indexes below seriesCount, loaded when reached (holes until then).
      this.series.length = this.earlier.seriesCount;
      for (const index of this.earlier.recentSeries()) this.fileByMarkers(index);
    }
    const idOf = options.idOf;
    this.lookupMsgid = idOf
      ? (msgid, list) => {
          const id = idOf(msgid, list);
          return id === undefined || this.ignored.has(id) ? undefined : id;
        }
      // In memory the first copy added stands for the Message-Id.
      : (msgid, list) => {
          const copies = this.byMsgid.get(msgid);
          return copies && sameListFirst(copies, list, () => copies[0][0]);
        };
    this.replyParents = options.idOf ? new ReplyParents() : null;
  }

  /** The kind decided for a message, once decided. */
  kindOf(id: number): MessageKind | undefined {
    return this.kindTable.get(id) ?? this.earlier?.kindOf(id);
  }

  /** A series by index; one of an earlier linking is loaded when first asked for. */
  seriesAt(index: number): LinkedSeries {
    let s = this.series[index];
    if (this.options.spill) {
      if (!(index >= 0 && index < this.series.length)) throw new Error(`no series ${index}`);
      if (s === undefined) this.series[index] = s = this.options.spill.store.load(index);
      this.resident.delete(index);
      this.resident.set(index, true);
      // Phase 1 lets series go between messages only (see add); after it, series no longer
      // change, and a caller may read any number of them in turn.
      if (this.phaseOneDone) this.letGo();
      return s;
    }
    if (s === undefined) {
      if (!this.earlier || index >= this.earlier.seriesCount) throw new Error(`no series ${index}`);
      this.series[index] = s = this.earlier.series(index);
    }
    return s;
  }

  /** How many series there are (also those let go or not loaded yet). */
  get seriesCount(): number {
    return this.series.length;
  }

  /**
   * With options.spill: lets the least recently used series go down to three quarters of the
   * bound (in phase 1 saving them first: they may have changed since they were loaded).
   */
  private letGo(): void {
    const spill = this.options.spill!;
    if (this.resident.size <= spill.resident) return;
    let excess = this.resident.size - Math.floor(spill.resident * 0.75);
    for (const index of this.resident.keys()) {
      if (excess-- <= 0) break;
      if (!this.phaseOneDone) spill.store.save(index, this.series[index]!);
      this.series[index] = undefined;
      this.resident.delete(index);
    }
  }

  /** The (list, Message-Id) → series references registered by this linker (not the earlier ones). */
  *newReferences(): IterableIterator<[number | null, string, number]> {
    for (const [list, map] of this.referencesByList) for (const [msgid, index] of map) yield [list, msgid, index];
  }

  private setKind(id: number, kind: MessageKind): void {
    this.kindTable.set(id, kind);
    this.events.kind?.(id, kind);
  }

  /** Phase 1: one message; messages must come in linking order. */
  add(m: M): void {
    // Comment targets are stored signed (see resolve): ids are row ids, always positive.
    if (!(m.id > 0)) throw new Error(`message id ${m.id} is not positive`);
    if (this.phaseOneDone) throw new Error('all messages must be added before replies are resolved');
    // Between messages, so that no series a message is working on is let go under it.
    if (this.options.spill) this.letGo();
    if (m.ignored) this.ignored.add(m.id);
    if (m.duplicate || m.ignored) {
      this.setKind(m.id, 'other');
      return;
    }
    if (!this.options.idOf) {
      const copies = this.byMsgid.get(m.msgid);
      if (copies === undefined) this.byMsgid.set(m.msgid, [[m.id, m.list]]);
      else copies.push([m.id, m.list]);
    }
    const info = parseSubject(m.subject ?? '', this.dropPrefixes(m.list));
    this.events.subject?.(m, info);
    const isPatch = !info.isReply && (m.hasDiff || m.pullUrl !== null);
    if (isPatch) {
      this.setKind(m.id, 'patch');
      this.linkPatch(m, info);
      return;
    }
    const coverName = `${m.list}\u0000${info.name}`;
    const isCover = info.counter === 0 && !info.isReply && (m.refs.length === 0
      || !(this.coverNames.has(coverName) || (this.earlier?.hasCoverName(m.list, info.name) ?? false)));
    if (isCover) {
      this.setKind(m.id, 'cover');
      this.coverNames.add(coverName);
      this.linkCover(m, info);
      return;
    }
    this.candidates.push(m.id);
    this.replyParents?.add(m.id, this.parentsOf(m));
  }

  /** The messages a reply names (In-Reply-To, References) that are known, in Patchwork's order. */
  private parentsOf(m: LinkMessage): number[] {
    const ids: number[] = [];
    for (const ref of m.refs) {
      const id = this.lookupMsgid(ref, m.list);
      if (id !== undefined && id !== m.id) ids.push(id);
    }
    return ids;
  }

  /**
   * Phase 2: with every patch and cover known, attach each reply to the patch (or else the
   * cover) up its reference chain. Patchwork looks for a patch first, through every reference
   * and the comments on patches, then for a cover the same way. A reply is resolved after the
   * replies it references, whatever their dates (clocks disagree); an explicit stack, not
   * recursion, because thread depth is user data. `reply(id)` gives back a message of phase 1;
   * it is not called when the parents were found in phase 1 (options.idOf).
   */
  resolveReplies(reply?: (id: number) => M): void {
    // Series references and cover names only serve phase 1: let them go before replies.
    // Series change no more: those held are saved, and are from now on let go without saving.
    const spill = this.options.spill;
    if (spill) for (const index of this.resident.keys()) spill.store.save(index, this.series[index]!);
    this.phaseOneDone = true;
    this.referencesByList.clear();
    this.seriesByMarkers.clear();
    this.coverNames.clear();
    const known = this.replyParents;
    // A reply is pending until resolve() gives it a kind. Which ids are replies: those with
    // parents kept, else (the in-memory linker, which has few) a set of them.
    const candidates = known ?? new Set(this.candidates);
    // (Messages of an earlier linking are never pending: they are not candidates.)
    const pending = (id: number) => candidates.has(id) && this.kindTable.get(id) === undefined;
    if (known === null && reply === undefined) throw new Error('resolveReplies needs the replies again (no options.idOf)');
    // Each stack entry keeps its parents: they do not change while phase 2 runs. Those found in
    // phase 1 may name an ignored message that came later in linking order.
    const entry = (id: number) => ({
      id, parents: known ? known.of(id).filter((p) => !this.ignored.has(p)) : this.parentsOf(reply!(id)),
    });
    for (const first of this.candidates) {
      if (!pending(first)) continue;
      const stack = [entry(first)];
      const onStack = new Set([first]);
      while (stack.length) {
        const { id, parents } = stack[stack.length - 1];
        const waitingFor = parents.find((p) => pending(p) && !onStack.has(p));
        if (waitingFor !== undefined) {
          stack.push(entry(waitingFor));
          onStack.add(waitingFor);
          continue;
        }
        this.resolve(id, parents);
        stack.pop();
        onStack.delete(id);
      }
    }
    this.candidates.length = 0;
    known?.clear();
  }

  /** The message id of a Message-Id seen in phase 1 (not a duplicate, not ignored), as a message on `list` sees it. */
  idOf(msgid: string, list: number | null): number | undefined {
    return this.lookupMsgid(msgid, list);
  }

  private referencesOf(list: number | null): Map<string, number> {
    let map = this.referencesByList.get(list);
    if (map === undefined) this.referencesByList.set(list, (map = new Map()));
    return map;
  }

  /** The series a Message-Id is registered to in a list, by this linker or an earlier one. */
  private reference(list: number | null, msgid: string): number | undefined {
    const store = this.options.references;
    if (store) return store.get(list, msgid);
    return this.referencesOf(list).get(msgid) ?? this.earlier?.reference(list, msgid);
  }

  private register(list: number | null, ids: string[], series: number): void {
    const store = this.options.references;
    const references = store ? null : this.referencesOf(list);
    for (const id of ids) {
      // get_or_create: an id already registered keeps its series, so a reply to an older
      // version does not steal that version's references.
      if (this.reference(list, id) !== undefined) continue;
      if (store) store.add(list, id, series);
      else references!.set(id, series);
    }
  }

  private newSeries(m: LinkMessage, info: SubjectInfo, total: number): number {
    this.series.push({
      list: m.list, name: null, date: m.date, submitter: m.submitter, version: info.version, versionText: info.versionText,
      total, rfc: info.rfc, cover: null, patches: new PatchSlots(), firstPatchName: null,
    });
    const index = this.series.length - 1;
    if (this.options.spill) this.resident.set(index, true);
    this.fileByMarkers(index);
    return index;
  }

  /** Files a series under its markers, in creation (date) order: findByMarkers lets old ones go by it. */
  private fileByMarkers(index: number): void {
    const key = this.markersOf(index);
    const same = this.seriesByMarkers.get(key);
    if (same === undefined) {
      this.seriesByMarkers.set(key, [index]);
      return;
    }
    let at = same.length;
    while (at > 0 && same[at - 1] > index) at--;
    same.splice(at, 0, index);
  }

  private markersOf(index: number): string {
    const s = this.seriesAt(index);
    return markerKey(s.list, s.submitter, s.version, s.total);
  }

  /**
   * Whether a patch whose total or version differs from the series it references may still join
   * it, the series then taking the patch's: only a series that is so far its cover alone, that
   * the patch answers directly (its In-Reply-To), from the same sender in the same run. A cover
   * miscounted by hand (`00/23` for 24 patches, `0/9` before a `v2 n/8`) is then kept with its
   * patches, while a new revision sent in reply to an old cover still starts its own series.
   */
  private adoptsCounts(index: number, m: LinkMessage, ref: string): boolean {
    const s = this.seriesAt(index);
    return s.cover !== null && s.patches.size === 0 && ref === m.refs[0] && s.submitter === m.submitter
      && withinWindow(s.date, m.date) && this.lookupMsgid(ref, m.list) === s.cover;
  }

  /** Gives a cover-only series its patches' total and version; findByMarkers finds it under those. */
  private adoptCounts(index: number, info: SubjectInfo, total: number): void {
    const s = this.seriesAt(index);
    const old = this.seriesByMarkers.get(this.markersOf(index)) ?? [];
    if (old.includes(index)) old.splice(old.indexOf(index), 1);
    s.total = total;
    // Patches without a version keep the cover's (Patchwork's base-different-versions).
    if (info.versionText !== null) {
      s.version = info.version;
      s.versionText = info.versionText;
    }
    this.fileByMarkers(index);
  }

  private findByReferences(m: LinkMessage, info: SubjectInfo, total: number, number: number): number | null {
    for (const ref of [m.msgid, ...m.refs]) {
      const index = this.reference(m.list, ref);
      if (index === undefined) continue;
      const s = this.seriesAt(index);
      if ((s.total !== total || (info.versionText !== null && s.version !== info.version)) && this.adoptsCounts(index, m, ref)) {
        this.adoptCounts(index, info, total);
        return index;
      }
      if (s.version !== info.version && !withinWindow(s.date, m.date)) continue;
      if (s.total !== total) continue;
      if (!mayJoin(s, m, number)) continue;
      return index;
    }
    return null;
  }

  private findByMarkers(m: LinkMessage, info: SubjectInfo, total: number, number: number): number | null {
    const candidates = this.seriesByMarkers.get(markerKey(m.list, m.submitter, info.version, total));
    if (candidates === undefined) return null;
    let found: number | null = null;
    // Newest first: with several candidates, Patchwork ends up taking the newest one that does
    // not have this patch number yet.
    const earliest = dateMs(m.date) - SERIES_WINDOW_MS;
    for (let at = candidates.length - 1; at >= 0; at--) {
      const i = candidates[at];
      const s = this.seriesAt(i);
      // Series are created in date order: once one is older than the window, all before it are,
      // also for every message still to come (they come in date order): they are let go.
      if (dateMs(s.date) < earliest) {
        candidates.splice(0, at + 1);
        break;
      }
      if (!withinWindow(s.date, m.date)) continue;
      if (!s.patches.has(number)) return i;
      found ??= i;
    }
    return found;
  }

  /**
   * Whether a series found by markers (this sender, version and total, within the window) is the
   * one a patch belongs to rather than the older series its references lead to: a series sent in
   * two `git send-email` runs, the cover and some patches first and the rest minutes later
   * threaded elsewhere, stays one series with its cover. Only a series with a cover letter and
   * without this patch number: a patch sent days later in reply to its own series still joins it.
   */
  private sameRun(index: number, number: number): boolean {
    const s = this.seriesAt(index);
    return s.cover !== null && !s.patches.has(number);
  }

  private linkPatch(m: M, info: SubjectInfo): void {
    const hasMarker = info.counter !== null && info.total !== null;
    const number = hasMarker ? info.counter! : 1;
    const total = hasMarker ? info.total! : 1;
    let index = hasMarker ? this.findByReferences(m, info, total, number) : null;
    if (hasMarker && (index === null || !withinWindow(this.seriesAt(index).date, m.date))) {
      // No reference, or one to an older posting (a thread root passed to --in-reply-to again):
      // a series this sender is sending now, with its cover, comes first (see sameRun).
      const run = this.findByMarkers(m, info, total, number);
      if (index === null || (run !== null && this.sameRun(run, number))) index = run;
    }
    if (index === null || this.seriesAt(index).patches.has(number)) {
      index = this.newSeries(m, info, total);
      this.register(m.list, [...m.refs, m.msgid], index);
    } else {
      this.register(m.list, [m.msgid], index);
    }
    // A `0/N` mail with a diff is a patch, but not part of the series (Patchwork: no number).
    if (number === 0) {
      this.events.patch?.(m, info, null);
      return;
    }
    const s = this.seriesAt(index);
    s.patches.set(number, m.id);
    this.events.patch?.(m, info, { series: index, number });
    if (number === 1 && s.name === null) {
      s.name = info.name;
      s.firstPatchName = info.name;
    }
  }

  private linkCover(m: M, info: SubjectInfo): void {
    let index = this.reference(m.list, m.msgid);
    if (index === undefined || this.seriesAt(index).cover !== null) {
      index = this.newSeries(m, info, info.total ?? 0);
      this.register(m.list, [m.msgid], index);
    }
    const s = this.seriesAt(index);
    s.cover = m.id;
    this.events.cover?.(m, info, index);
    // Names are upgraded, never downgraded: a cover's name beats patch 1's.
    if (s.name === null || s.name === s.firstPatchName) s.name = coverSeriesName(info);
  }

  private resolve(id: number, parentIds: number[]): void {
    const patch = this.findUp(parentIds, 'patch');
    const cover = patch === null ? this.findUp(parentIds, 'cover') : null;
    if (patch === null && cover === null) {
      this.setKind(id, 'other');
      this.events.reply?.(id, null);
      return;
    }
    const comment = { parent: parentIds[0] ?? (patch ?? cover)!, patch, cover };
    this.setKind(id, 'comment');
    this.comments++;
    // Only a comment on something is looked up again; one number holds both ids (sign: cover).
    if (patch !== null) this.commentTargets.set(id, patch);
    else if (cover !== null) this.commentTargets.set(id, -cover);
    this.events.reply?.(id, comment);
  }

  private findUp(parentIds: number[], kind: 'patch' | 'cover'): number | null {
    for (const id of parentIds) {
      if (this.kindOf(id) === kind) return id;
      // A reference to a comment counts as a reference to what that comment is on.
      const target = this.commentTargets.get(id) ?? this.earlier?.commentTarget(id);
      if (target === undefined) continue;
      if (kind === 'patch' && target > 0) return target;
      if (kind === 'cover' && target < 0) return -target;
    }
    return null;
  }
}

/** Links messages held in memory (any order): the whole result, in maps. */
export function linkSeries(messages: LinkMessage[], dropPrefixes: (list: number | null) => string[]): LinkResult {
  const subjects = new Map<number, SubjectInfo>();
  const patchSeries = new Map<number, { series: number; number: number }>();
  const coverSeries = new Map<number, number>();
  const kinds = new Map<number, MessageKind>();
  const comments = new Map<number, LinkedComment>();
  const linker = new SeriesLinker(dropPrefixes, {
    kind: (id, kind) => kinds.set(id, kind),
    reply: (id, comment) => comment && comments.set(id, comment),
    subject: (m, info) => subjects.set(m.id, info),
    patch: (m, _info, place) => place && patchSeries.set(m.id, place),
    cover: (m, _info, series) => coverSeries.set(m.id, series),
  });
  const ordered = [...messages].sort(compareForLinking);
  for (const m of ordered) linker.add(m);
  const byId = new Map(ordered.map((m) => [m.id, m]));
  linker.resolveReplies((id) => byId.get(id)!);
  // Without options.spill every series is held.
  return { kinds, subjects, series: linker.series as LinkedSeries[], patchSeries, coverSeries, comments };
}

/** Patchwork's Series._format_name: the cover's name without its leading `[...]` group. */
export function coverSeriesName(info: SubjectInfo): string {
  return info.name.replace(/^\[[^\]]*\]\s*/, '');
}
