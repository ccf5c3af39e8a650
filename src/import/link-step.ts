/**
 * After messages are stored: classify them, rebuild series, versions and trailers from
 * everything in the index (so the result does not depend on import order), and store it all in
 * one transaction.
 */
import type { SqliteDatabase } from '../store/database.js';
import { addDropPrefixes, loadMessageFacts, loadPeople, loadSettings, parseOwnTrailers, writeLinkResult } from '../store/series-store.js';
import type { LinkedRows, MessageFacts, SeriesRow } from '../store/series-store.js';
import { linkSeries } from '../series/link.js';
import type { LinkResult } from '../series/link.js';
import { linkVersions, normaliseTitle } from '../series/versions.js';
import type { VersionCandidate } from '../series/versions.js';
import { detectListTags } from '../series/list-tag.js';
import { collectTrailers } from '../patch/trailer-collection.js';
import type { TrailerSource } from '../patch/trailer-collection.js';

export interface LinkSummary {
  series: number;
  patches: number;
  covers: number;
  comments: number;
  seconds: number;
}

// Review trailers carry over to the next version of an unchanged patch; a Signed-off-by does not.
const CARRIED_TRAILERS = new Set(['Reviewed-by', 'Acked-by', 'Tested-by']);

export function relinkSeries(db: SqliteDatabase, options: { dropPrefixes?: string[] } = {}): LinkSummary {
  const started = performance.now();
  addDropPrefixes(db, options.dropPrefixes ?? []);
  const { dropPrefixes } = loadSettings(db);
  const facts = loadMessageFacts(db);
  const tags = detectListTags(facts);
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
  // The facts are the linker's messages as they are (they carry `refs`): no copy of each.
  const link = linkSeries(facts, dropFor);
  const byId = new Map(facts.map((f) => [f.id, f]));
  const series = buildSeriesRows(link, byId);
  const rows: LinkedRows = {
    kinds: link.kinds,
    listTags: tags,
    series,
    patches: [...link.kinds].filter(([, k]) => k === 'patch').map(([id]) => {
      const place = link.patchSeries.get(id);
      const info = link.subjects.get(id)!;
      return { messageId: id, series: place?.series ?? null, number: place?.number ?? null, name: info.name, prefixes: info.prefixes };
    }),
    covers: [...link.coverSeries].map(([id, s]) => ({ messageId: id, series: s, name: link.subjects.get(id)!.name })),
    comments: [...link.comments].map(([id, c]) => ({ messageId: id, parent: c.parent, patch: c.patch, cover: c.cover })),
    trailers: buildTrailers(link, byId, series, loadPeople(db)),
  };
  writeLinkResult(db, rows);
  return {
    series: series.length, patches: rows.patches.length, covers: rows.covers.length, comments: rows.comments.length,
    seconds: (performance.now() - started) / 1000,
  };
}

function buildSeriesRows(link: LinkResult, byId: Map<number, MessageFacts>): SeriesRow[] {
  const seriesOfMsgid = new Map<string, number>();
  for (const [id, place] of link.patchSeries) seriesOfMsgid.set(byId.get(id)!.msgid, place.series);
  for (const [id, s] of link.coverSeries) seriesOfMsgid.set(byId.get(id)!.msgid, s);

  const candidates: VersionCandidate[] = [];
  const rows: SeriesRow[] = link.series.map((s, index) => {
    const numbers = [...s.patches.keys()].sort((a, b) => a - b);
    const lead = s.cover ?? (numbers.length ? s.patches.get(numbers[0])! : null);
    const leadFacts = lead === null ? null : byId.get(lead)!;
    const changeId = leadFacts?.changeId ?? null;
    const title = lead === null ? '' : normaliseTitle(link.subjects.get(lead)!.title);
    const threadedTo = leadFacts
      ? [...leadFacts.inReplyTo, ...leadFacts.references].map((m) => seriesOfMsgid.get(m)).filter((i): i is number => i !== undefined && i !== index)
      : [];
    candidates.push({ index, list: s.list, submitter: s.submitter, version: s.version, date: s.date, title, changeId, threadedTo });
    return {
      keyMsgid: leadFacts?.msgid ?? `<series-${index}@listindex.invalid>`,
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

function buildTrailers(
  link: LinkResult, byId: Map<number, MessageFacts>, series: SeriesRow[], people: Map<number, { name: string | null; email: string }>,
): LinkedRows['trailers'] {
  const sources: TrailerSource[] = [];
  const idOfMsgid = new Map<string, number>();
  for (const [id, kind] of link.kinds) {
    if (kind === 'other') continue;
    const f = byId.get(id)!;
    const info = link.subjects.get(id)!;
    const sender = f.submitter === null ? undefined : people.get(f.submitter);
    idOfMsgid.set(f.msgid, id);
    sources.push({
      msgid: f.msgid, inReplyTo: f.inReplyTo, references: f.references, isPatch: kind === 'patch', isReply: info.isReply,
      counter: kind === 'cover' ? 0 : info.counter === 0 ? null : info.counter, body: '',
      trailers: parseOwnTrailers(f.ownTrailers).map((t) => ({ ...t, comment: null, line: `${t.name}: ${t.value}` })),
      from: sender ? { name: sender.name ?? '', email: sender.email } : null,
    });
  }
  const collected = collectTrailers(sources);
  const out: LinkedRows['trailers'] = [];
  const byPatch = new Map<number, LinkedRows['trailers']>();
  for (const [msgid, trailers] of collected) {
    const patchId = idOfMsgid.get(msgid)!;
    const list = trailers.map((t) => ({
      patchId, name: t.name, value: t.value, email: t.person?.email ?? null, personName: t.person?.name ?? null,
      givenIn: idOfMsgid.get(t.source) ?? patchId, origin: t.via,
    }));
    byPatch.set(patchId, list);
  }
  // Carry review trailers to the next version of a patch whose diff did not change, oldest
  // series first so that v3 inherits what v2 inherited from v1.
  const order = series.map((_, i) => i).sort((a, b) => (series[a].date ?? '').localeCompare(series[b].date ?? '') || a - b);
  for (const index of order) {
    const previous = series[index].previous;
    if (previous === null) continue;
    const oldByHash = new Map<string, number>();
    for (const id of link.series[previous].patches.values()) {
      const hash = byId.get(id)!.diffHash;
      if (hash) oldByHash.set(hash, id);
    }
    for (const id of link.series[index].patches.values()) {
      const hash = byId.get(id)!.diffHash;
      const old = hash ? oldByHash.get(hash) : undefined;
      if (old === undefined) continue;
      const mine = byPatch.get(id) ?? [];
      for (const t of byPatch.get(old) ?? []) {
        if (!CARRIED_TRAILERS.has(t.name)) continue;
        if (mine.some((m) => m.name === t.name && (m.email ?? m.value).toLowerCase() === (t.email ?? t.value).toLowerCase())) continue;
        mine.push({ ...t, patchId: id, origin: 'previous-version' });
      }
      byPatch.set(id, mine);
    }
  }
  for (const list of byPatch.values()) out.push(...list);
  return out;
}
