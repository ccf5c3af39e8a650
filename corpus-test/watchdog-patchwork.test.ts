/**
 * The whole linux-watchdog archive against what Patchwork v3.1.3 made of it
 * (lists/linux-watchdog.patchwork.json): for every message Patchwork processed, the same kind
 * (patch, cover, comment; Patchwork's dropped, duplicate or error ⇔ our `other`) and, for patches
 * and covers, a series with exactly the same members. Every difference is sorted into the kinds
 * docs/patchwork-differences.md explains. Plus the b4 golden series and its trailers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../src/import/pipeline.js';
import type { ImportSummary } from '../src/import/pipeline.js';
import { openDatabase } from '../src/store/database.js';
import type { SqliteDatabase } from '../src/store/database.js';
import { patchworkContent } from '../src/api/content.js';
import { corpusFile } from './corpus-path.js';
import { groupKey, seriesView } from './series-view.js';

interface PatchworkOutput {
  series: { version: number; total: number; cover_msgid: string | null; patches: { msgid: string; number: number }[] }[];
  patches_without_series: { msgid: string }[];
  messages: Record<string, 'patch' | 'cover' | 'comment'>;
  comments: Record<string, { on: 'patch' | 'cover'; parent_msgid: string }[]>;
  not_stored: { i: number; msgid_hdr: string; result: 'dropped' | 'duplicate' | 'error' }[];
  counts: { db: Record<string, number> };
}

interface OurMessage {
  id: number;
  msgid: string;
  kind: string;
  source_offset: number;
  content: string | null;
  body: string;
}

/** Every message as both tools saw it, in archive order. */
interface Compared {
  msgid: string;
  patchwork: string;
  ours: string;
  same: boolean;
  why: string;
}

const REQUIRED_AGREEMENT = 0.97;
const GOLDEN_COVER = '<20250410082616.1855860-1-daniel.lezcano@linaro.org>';
const REVIEW_TRAILERS = ['Reviewed-by', 'Acked-by', 'Tested-by'];

let dir: string;
let db: SqliteDatabase;
let summary: ImportSummary;
let expected: PatchworkOutput;
let compared: Compared[];

beforeAll(async () => {
  const archive = corpusFile('lists', 'linux-watchdog.mboxrd.gz');
  expected = JSON.parse(readFileSync(corpusFile('lists', 'linux-watchdog.patchwork.json'), 'utf8')) as PatchworkOutput;
  dir = mkdtempSync(join(tmpdir(), 'listindex-watchdog-pw-'));
  const dbPath = join(dir, 'watchdog.db');
  summary = await importPaths(dbPath, [archive]);
  db = openDatabase(dbPath, { readonly: true });
  compared = compare();
});

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function compare(): Compared[] {
  // Archive order: Patchwork's not_stored entries are numbered by position in the file.
  const messages = db.prepare(`SELECT id, msgid, kind, source_offset, content, body FROM messages ORDER BY source_offset`).all() as OurMessage[];
  const byId = new Map(messages.map((m) => [m.id, m]));
  const notStored = new Map(expected.not_stored.map((n) => [n.i, n]));

  // Series membership on both sides: message-id → its group (cover + patch msgids), or 'none'.
  const patchworkGroup = new Map<string, string>();
  for (const s of expected.series) {
    const key = groupKey(s);
    for (const msgid of [s.cover_msgid, ...s.patches.map((p) => p.msgid)]) if (msgid) patchworkGroup.set(msgid, key);
  }
  for (const p of expected.patches_without_series) patchworkGroup.set(p.msgid, 'none');
  const ourGroup = new Map<string, string>();
  for (const s of seriesView(db)) {
    const key = groupKey(s);
    for (const msgid of [s.cover_msgid, ...s.patches.map((p) => p.msgid)]) if (msgid) ourGroup.set(msgid, key);
  }
  for (const msgid of db.prepare(`SELECT m.msgid FROM patches p JOIN messages m ON m.id = p.message_id WHERE p.series_id IS NULL`).pluck().all() as string[]) {
    ourGroup.set(msgid, 'none');
  }

  // What the explanations need.
  const ignoreHint = new Set(db.prepare(`SELECT message_id FROM headers WHERE name = 'X-Patchwork-Hint' COLLATE NOCASE
    AND lower(trim(value)) = 'ignore'`).pluck().all() as number[]);
  const parentOf = new Map(db.prepare('SELECT message_id, parent_id FROM comments').raw().all() as [number, number][]);
  const revisionOf = new Map((db.prepare(`SELECT m.msgid, s.version, s.total FROM patches p JOIN messages m ON m.id = p.message_id
    JOIN series s ON s.id = p.series_id`).raw().all() as [string, number, number][]).map(([msgid, v, t]) => [msgid, `v${v} of ${t}`]));

  // Patchwork groups that span postings more than a day apart (a later run of a series that went
  // into an older posting of the same revision by reference), and the messages they hold.
  const dateOf = new Map(db.prepare('SELECT msgid, date FROM messages').raw().all() as [string, string][]);
  const members = (key: string | undefined) => (key && key !== 'none' ? (JSON.parse(key) as [string | null, string[]])[1] : []);
  const spanning = new Set([...new Set(patchworkGroup.values())].filter((key) => {
    const times = members(key).map((msgid) => Date.parse(dateOf.get(msgid) ?? '')).filter(Number.isFinite);
    return times.length > 1 && Math.max(...times) - Math.min(...times) > 86400_000;
  }));
  const inSpanning = (msgid: string) => spanning.has(patchworkGroup.get(msgid)!);

  const repeated = new Set(db.prepare('SELECT msgid FROM messages WHERE duplicate_of IS NOT NULL').pluck().all() as string[]);

  const explain = (m: OurMessage, patchwork: string): string => {
    if (repeated.has(m.msgid)) return 'repeated Message-Id: Patchwork keeps the first copy in the file, listindex the first to reach the archive';
    if (ignoreHint.has(m.id)) return 'X-Patchwork-Hint: ignore (Patchwork drops the mail, listindex ignores the hint)';
    if (patchwork === 'dropped' && m.kind === 'comment') {
      if (patchworkContent(m) === '') return 'reply with no text left once quoted footer is cut (Patchwork drops empty mail)';
      const parent = byId.get(parentOf.get(m.id)!);
      if (parent && parent.source_offset > m.source_offset) return 'reply archived before its parent (Patchwork drops it as an orphan)';
    }
    if (patchwork === m.kind) {
      const revisions = new Set([...members(patchworkGroup.get(m.msgid)), ...members(ourGroup.get(m.msgid))].map((p) => revisionOf.get(p)));
      if (revisions.size > 1) return 'Patchwork merged another revision into the series by reference';
      if (inSpanning(m.msgid) || members(ourGroup.get(m.msgid)).some(inSpanning)) {
        return 'series sent in two runs: Patchwork put part of it into an older posting by reference, listindex keeps it with its cover';
      }
      return 'patches of one revision sent one by one, grouped differently';
    }
    return `unexplained: Patchwork ${patchwork}, listindex ${m.kind}`;
  };

  return messages.map((m, i) => {
    const dropped = notStored.get(i);
    if (dropped && dropped.msgid_hdr.trim() !== m.msgid) throw new Error(`archive position ${i}: Patchwork read ${dropped.msgid_hdr}, we ${m.msgid}`);
    const patchwork = dropped ? dropped.result : expected.messages[m.msgid];
    if (patchwork === undefined) throw new Error(`archive position ${i}: ${m.msgid} unknown to Patchwork`);
    const sameKind = dropped ? m.kind === 'other' : m.kind === patchwork;
    const sameGroup = !sameKind || (m.kind !== 'patch' && m.kind !== 'cover') || patchworkGroup.get(m.msgid) === ourGroup.get(m.msgid);
    const same = sameKind && sameGroup;
    return { msgid: m.msgid, patchwork, ours: m.kind, same, why: same ? '' : explain(m, patchwork) };
  });
}

describe('linux-watchdog: listindex against Patchwork v3.1.3', () => {
  it('reads the whole archive', () => {
    expect(summary.unreadable).toEqual([]);
    expect(summary.messagesFound).toBe(16365);
    // Every message stored once, so archive positions line up with Patchwork's.
    expect(summary.stored).toBe(16365);
    expect(compared.length).toBe(16365);
  });

  it(`classifies and groups at least ${REQUIRED_AGREEMENT * 100}% of the messages as Patchwork does`, () => {
    const agreeing = compared.filter((c) => c.same).length;
    const kinds = new Map<string, { count: number; example: string }>();
    for (const c of compared.filter((x) => !x.same)) {
      const key = `${c.patchwork} → ${c.ours}: ${c.why}`;
      const entry = kinds.get(key) ?? { count: 0, example: c.msgid };
      entry.count++;
      kinds.set(key, entry);
    }
    const table = [...kinds].sort((a, b) => b[1].count - a[1].count).map(([k, v]) => `${String(v.count).padStart(5)}  ${k}  e.g. ${v.example}`);
    console.log([
      `agreement: ${agreeing} / ${compared.length} = ${((100 * agreeing) / compared.length).toFixed(2)}%`,
      'differences (Patchwork → listindex):',
      ...table,
    ].join('\n'));
    expect(agreeing / compared.length).toBeGreaterThanOrEqual(REQUIRED_AGREEMENT);
  });

  it('attaches comments where Patchwork does (reported, not required)', () => {
    const ours = new Map((db.prepare(`SELECT m.msgid, coalesce(p.msgid, c.msgid) AS target, CASE WHEN k.patch_id IS NULL THEN 'cover' ELSE 'patch' END AS kind
      FROM comments k JOIN messages m ON m.id = k.message_id LEFT JOIN messages p ON p.id = k.patch_id LEFT JOIN messages c ON c.id = k.cover_id
      WHERE m.duplicate_of IS NULL`).raw().all() as [string, string, string][]).map(([msgid, target, kind]) => [msgid, `${kind} ${target}`]));
    const elsewhere = Object.entries(expected.comments)
      .filter(([msgid, [on]]) => ours.has(msgid) && ours.get(msgid) !== `${on.on} ${on.parent_msgid}`)
      .map(([msgid, [on]]) => `${msgid}: Patchwork on ${on.on} ${on.parent_msgid}, listindex on ${ours.get(msgid)}`);
    console.log(`comments Patchwork also stored, attached elsewhere: ${elsewhere.length}\n${elsewhere.join('\n')}`);
    expect(elsewhere.length).toBeLessThan(0.01 * Object.keys(expected.comments).length);
  });

  it('reports the index counts beside Patchwork\'s', () => {
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    const ours = {
      series: count('SELECT count(*) FROM series'),
      covers: count('SELECT count(*) FROM covers'),
      patches: count('SELECT count(*) FROM patches'),
      comments: count('SELECT count(*) FROM comments'),
      other: count(`SELECT count(*) FROM messages WHERE kind = 'other'`),
      complete_series: count('SELECT count(*) FROM series WHERE received_all = 1'),
      series_with_previous_version: count('SELECT count(*) FROM series WHERE previous_id IS NOT NULL'),
    };
    const pw = expected.counts.db;
    console.log(`listindex: ${JSON.stringify(ours)}\nPatchwork: ${JSON.stringify({
      series: pw.series, covers: pw.covers, patches: pw.patches, comments: pw.comments, complete_series: pw.series_received_all,
    })}`);
    expect(ours.covers).toBe(pw.covers);
  });

  it(`b4's golden series ${GOLDEN_COVER}: both patches and their review trailers`, () => {
    const series = db.prepare(`SELECT s.id, s.version, s.total, s.received_total FROM series s JOIN messages c ON c.id = s.cover_id
      WHERE c.msgid = ?`).get(GOLDEN_COVER) as { id: number; version: number; total: number; received_total: number };
    expect(series).toMatchObject({ version: 4, total: 2, received_total: 2 });
    const patches = db.prepare(`SELECT p.message_id, p.number, m.msgid FROM patches p JOIN messages m ON m.id = p.message_id
      WHERE p.series_id = ? ORDER BY p.number`).all(series.id) as { message_id: number; number: number; msgid: string }[];
    expect(patches.map((p) => p.number)).toEqual([1, 2]);

    // What b4 0.12 wrote into each patch (lists/linux-watchdog-b4-golden/*.mbx).
    const golden = new Map<string, { name: string; value: string }[]>();
    const mbx = readFileSync(corpusFile('lists', 'linux-watchdog-b4-golden', 'v4_20250410_daniel_lezcano_add_the_nxp_s32_watchdog.mbx'), 'utf8');
    for (const mail of mbx.split(/^From git@z .*\n/m).filter(Boolean)) {
      const msgid = /^Message-Id: (<[^>]+>)/im.exec(mail)![1];
      golden.set(msgid, [...mail.matchAll(/^(Reviewed-by|Acked-by|Tested-by): (.+)$/gm)].map((t) => ({ name: t[1], value: t[2] })));
    }
    const trailers = db.prepare(`SELECT name, value FROM trailers WHERE patch_id = ? AND name IN (${REVIEW_TRAILERS.map(() => '?').join(',')})
      ORDER BY position`);
    const ours = new Map(patches.map((p) => [p.msgid, trailers.all(p.message_id, ...REVIEW_TRAILERS) as { name: string; value: string }[]]));
    expect(ours).toEqual(golden);
    const names = (n: number) => ours.get(patches[n - 1].msgid)!.map((t) => t.name);
    expect(names(1)).toEqual(['Reviewed-by', 'Reviewed-by']);
    expect(names(2)).toEqual(['Reviewed-by', 'Tested-by']);
  });
});
