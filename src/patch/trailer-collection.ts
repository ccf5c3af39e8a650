/**
 * Which trailers belong to which patch, as b4 collects them (`LoreMailbox.get_series` and
 * `LoreMessage.get_trailers`): a patch's own trailers, then those of every follow-up that answers
 * it (directly or through other follow-ups), then those of follow-ups to its cover letter (the
 * nearest cover letter among its ancestors).
 *
 * Differences from b4, on purpose:
 * - b4 also copies the trailers of intermediate replies while walking up a thread, which lets an
 *   intermediate reply's sender-mismatched trailer through; here every reply's trailers go
 *   through the sender check once.
 * - A reply whose In-Reply-To is unknown falls back to its nearest known References entry
 *   (b4 gives up, or takes the oldest known reference when In-Reply-To is absent).
 * - The name check for a sender whose display name holds a comma requires every comma-separated
 *   part in the trailer's name (b4's check is always true).
 * - Duplicates are dropped by name + value, case-insensitively (b4's trailer equality), so the
 *   same address under two names is kept twice, as b4 does.
 */
import { findTrailers } from './trailers.js';
import type { Trailer, TrailerPerson } from './trailers.js';

export interface TrailerSource {
  msgid: string;
  /** In-Reply-To ids (the first known one is used). */
  inReplyTo: string[];
  /** References, oldest first. */
  references: string[];
  /** A patch (Patchwork: not a reply, and a diff or a pull URL). */
  isPatch: boolean;
  /** `Re:` subject (a `0/N` reply is not a cover letter). */
  isReply?: boolean;
  /** Series counter from the subject (0 for a cover letter), or null. */
  counter: number | null;
  /** The text: for a patch its commit message part is read; for a reply, all of it. */
  body: string;
  /** Sender, for b4's check that a person trailer names whoever sent it. Omit to skip it. */
  from?: TrailerPerson | null;
  /** The trailers of `body` when already found (`messageTrailers`): then `body` is not read. */
  trailers?: Trailer[];
}

/**
 * The trailers written in one message: for a patch, those of its commit message; for any other
 * message, all of its text. What `collectTrailers` reads, computable message by message.
 */
export function messageTrailers(body: string, isPatch: boolean): Trailer[] {
  return isPatch ? findPatchTrailers(body) : findTrailers(body);
}

export interface CollectedTrailer extends Trailer {
  /** Message-Id of the message the trailer was written in. */
  source: string;
  /** `patch`: in the patch itself; `reply`: a follow-up in its thread; `cover`: a follow-up to
   * its cover letter. */
  via: 'patch' | 'reply' | 'cover';
}

export interface CollectOptions {
  /** b4's `--sloppy-trailers`: keep person trailers that name someone other than the sender. */
  sloppy?: boolean;
}

// b4 never takes these from a reply: they are mail headers or commit metadata.
const NOT_FROM_REPLIES = new Set(['from', 'author', 'cc', 'to', 'date', 'subject', 'subscribe', 'unsubscribe', 'base-commit', 'change-id']);
const DIFFSTAT_SEPARATOR = /^---$/m;

type Role = 'patch' | 'cover' | 'followup';
/** The message (patch, cover letter or follow-up) with this Message-Id, if there is one. */
export type TrailerLookup = (msgid: string) => TrailerSource | undefined;

/** Patch msgid → its trailers (own first, then replies, then cover replies; no duplicates). */
export function collectTrailers(messages: TrailerSource[], options: CollectOptions = {}): Map<string, CollectedTrailer[]> {
  const byId = new Map<string, TrailerSource>();
  for (const m of messages) if (!byId.has(m.msgid)) byId.set(m.msgid, m);
  const lookup = (msgid: string) => byId.get(msgid);

  const result = new Map<string, CollectedTrailer[]>();
  for (const m of byId.values()) {
    if (roleOf(m) === 'patch') {
      result.set(m.msgid, (m.trailers ?? findPatchTrailers(m.body)).map((t) => ({ ...t, source: m.msgid, via: 'patch' as const })));
    }
  }

  const coverTrailers = new Map<string, CollectedTrailer[]>();
  const followups = [...byId.values()].filter((m) => roleOf(m) === 'followup');
  for (const { target, reply, trailers } of routeReplyTrailers(followups, lookup, options.sloppy ?? false)) {
    if (roleOf(target) === 'patch') {
      result.get(target.msgid)!.push(...trailers.map((t) => ({ ...t, source: reply.msgid, via: 'reply' as const })));
    } else {
      const list = coverTrailers.get(target.msgid) ?? [];
      list.push(...trailers.map((t) => ({ ...t, source: reply.msgid, via: 'cover' as const })));
      coverTrailers.set(target.msgid, list);
    }
  }

  // A cover letter's follow-up trailers apply to every patch whose nearest cover it is (so a v2
  // with its own cover threaded under v1's does not inherit v1's acks; a partial reroll without
  // a new cover does, as in b4).
  if (coverTrailers.size) {
    for (const m of byId.values()) {
      if (roleOf(m) !== 'patch') continue;
      const cover = nearestCover(m, lookup);
      const trailers = cover && coverTrailers.get(cover.msgid);
      if (trailers) result.get(m.msgid)!.push(...trailers);
    }
  }

  for (const [id, list] of result) result.set(id, dedupeTrailers(list));
  return result;
}

/**
 * A patch's own trailers: the last paragraph of its commit message (the text before a `---` line
 * or the diff), as b4's `get_body_parts` reads them.
 */
export function findPatchTrailers(body: string): Trailer[] {
  let message = body.replace(/\r/g, '');
  const separator = DIFFSTAT_SEPARATOR.exec(message);
  if (separator) message = message.slice(0, separator.index);
  else {
    for (const marker of ['\ndiff ', '\n--- a/']) {
      const at = message.indexOf(marker);
      if (at >= 0) {
        message = message.slice(0, at);
        break;
      }
    }
  }
  const paragraphs = message.replace(/^\n+|\n+$/g, '').split('\n\n');
  return findTrailers(paragraphs[paragraphs.length - 1]);
}

/** A follow-up's trailers and the patch or cover letter they go to. */
export interface RoutedTrailers<T extends TrailerSource> {
  reply: T;
  target: TrailerSource;
  trailers: Trailer[];
}

/**
 * Each follow-up's trailers (as replyTrailers keeps them) with the patch or cover letter it
 * answers, in the order given; follow-ups without trailers, or answering nothing known, are left
 * out. Shared by collectTrailers (all messages in memory) and the import's link step (which
 * reads from the index only the follow-ups that have trailers, and what they answer).
 */
export function* routeReplyTrailers<T extends TrailerSource>(followups: Iterable<T>, lookup: TrailerLookup, sloppy: boolean): Generator<RoutedTrailers<T>> {
  const answered = new Map<string, TrailerSource | null>();
  for (const reply of followups) {
    const trailers = replyTrailers(reply, sloppy);
    if (!trailers.length) continue;
    const target = answeredMessage(reply, lookup, answered);
    if (target) yield { reply, target, trailers };
  }
}

/** How a message takes part in trailer collection: as a patch, a cover letter, or a follow-up. */
export function roleOf(m: TrailerSource): Role {
  if (m.isPatch) return 'patch';
  if (m.counter === 0 && !m.isReply) return 'cover';
  return 'followup';
}

/** The trailers a follow-up gives: not mail headers, and (unless sloppy) only about its sender. */
function replyTrailers(m: TrailerSource, sloppy: boolean): Trailer[] {
  return (m.trailers ?? findTrailers(m.body)).filter(
    (t) => !NOT_FROM_REPLIES.has(t.name.toLowerCase()) && (sloppy || !t.person || !m.from || sentBy(t.person, m.from)),
  );
}

/**
 * Walks up the thread to the patch or cover letter a follow-up answers. `memo` remembers the
 * answer for every follow-up passed on the way, so long reply chains are walked once.
 */
function answeredMessage(m: TrailerSource, lookup: TrailerLookup, memo: Map<string, TrailerSource | null>): TrailerSource | null {
  const path = new Set([m.msgid]);
  let answer: TrailerSource | null = null;
  let current = parentOf(m, lookup);
  while (current) {
    if (roleOf(current) !== 'followup') {
      answer = current;
      break;
    }
    const known = memo.get(current.msgid);
    if (known !== undefined) {
      answer = known;
      break;
    }
    if (path.has(current.msgid)) break;
    path.add(current.msgid);
    current = parentOf(current, lookup);
  }
  for (const id of path) memo.set(id, answer);
  return answer;
}

/** In-Reply-To, then References from the nearest ancestor to the oldest. */
export function ancestorIds(m: Pick<TrailerSource, 'msgid' | 'inReplyTo' | 'references'>): string[] {
  return [...m.inReplyTo, ...[...m.references].reverse()].filter((id) => id !== m.msgid);
}

/** The nearest cover letter among a patch's ancestors, whose follow-ups' trailers it takes. */
function nearestCover(m: TrailerSource, lookup: TrailerLookup): TrailerSource | undefined {
  for (const id of ancestorIds(m)) {
    const ancestor = lookup(id);
    if (ancestor !== undefined && roleOf(ancestor) === 'cover') return ancestor;
  }
  return undefined;
}

function parentOf(m: TrailerSource, lookup: TrailerLookup): TrailerSource | null {
  for (const id of ancestorIds(m)) {
    const parent = lookup(id);
    if (parent) return parent;
  }
  return null;
}

/** b4's check that a person trailer is about its sender: same address (fuzzily), or same name. */
function sentBy(person: TrailerPerson, from: TrailerPerson): boolean {
  if (sameAddress(person.email, from.email)) return true;
  const trailerName = person.name.toLowerCase();
  const senderName = (from.name || from.email).toLowerCase();
  if (trailerName === senderName) return true;
  if (senderName.indexOf(',') > 0) {
    return senderName.split(',').every((part) => trailerName.includes(part.trim()));
  }
  return false;
}

/** b4's `email_eq`: equal, or equal without `+tag`, or same local part on a parent/child domain. */
export function sameAddress(a: string, b: string): boolean {
  let ours = a.toLowerCase();
  let theirs = b.toLowerCase();
  if (ours === theirs) return true;
  if (!ours.includes('@') || !theirs.includes('@')) return false;
  ours = ours.replace(/\+[^@]+@/, '@');
  theirs = theirs.replace(/\+[^@]+@/, '@');
  if (ours === theirs) return true;
  const [oLocal, oDomain] = splitAddress(ours);
  const [tLocal, tDomain] = splitAddress(theirs);
  if (oLocal !== tLocal) return false;
  const dots = (s: string) => s.split('.').length - 1;
  return Math.abs(dots(oDomain) - dots(tDomain)) === 1 && (oDomain.endsWith(`.${tDomain}`) || tDomain.endsWith(`.${oDomain}`));
}

function splitAddress(address: string): [string, string] {
  const at = address.indexOf('@');
  return [address.slice(0, at), address.slice(at + 1)];
}

/** Duplicates dropped by name + value, case-insensitively; the first one is kept. */
export function dedupeTrailers<T extends { name: string; value: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const key = `${t.name.toLowerCase()}: ${t.value.toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
