/**
 * The documented hot queries (src/tools/hot-queries.ts, the examples of docs/schema.md that read
 * the large tables) use indexes (EXPLAIN QUERY PLAN), so they stay fast on large indexes: a query
 * that loses its index fails here, not in a timing.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { HOT_QUERIES, onGeneratedArchive } from '../../src/tools/hot-queries.js';
import { MISSING_NUMBERS_MAX } from '../../src/store/schema.js';
import { LIST_STATS_READS } from '../../src/store/reader.js';
import { tempDir } from '../helpers/temp-dir.js';

let db: SqliteDatabase;
const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');

beforeAll(async () => {
  const dir = tempDir('listindex-plan-');
  writeFileSync(join(dir, 'a.mbox'), Buffer.concat([...generateArchive({ count: 400, seed: 5 })].map(toMboxrd)));
  db = openDatabase(join(dir, 'plan.db'));
  await importPaths(db, [join(dir, 'a.mbox')], { workers: 0 });
  db.exec('ANALYZE');
});

/** Reads every SQL example of docs/schema.md, whitespace collapsed, each ending with its `;`. */
function documentedExamples(): string[] {
  const text = readFileSync(resolve(import.meta.dirname, '../../docs/schema.md'), 'utf8');
  return [...text.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((block) => block[1]
    .split('\n').filter((line) => !line.startsWith('--')).join('\n')
    .split(/;\s*(?:\n|$)/).map((sql) => sql.replace(/\s+/g, ' ').trim()).filter(Boolean));
}

/**
 * What each hot query may read whole: the lists (a handful of rows), the rows a view or CTE made,
 * and, in the queries that stop at their LIMIT, the index they walk in order. Anything else
 * that SQLite reads whole (`SCAN messages`, `SCAN r USING COVERING INDEX ...`) grows with the index.
 */
const ALLOWED_SCANS: RegExp[] = [/^SCAN l USING COVERING INDEX sqlite_autoindex_lists_1( LEFT-JOIN)?$/, /^SCAN CONSTANT ROW$/,
  /^SCAN (numbers|n|ghost_references)$/, /^SCAN f VIRTUAL TABLE INDEX/];
const LIMIT_WALKS: Partial<Record<keyof typeof HOT_QUERIES, RegExp>> = {
  seriesMissingReview: /^SCAN s USING INDEX series_date$/,
  largestAttachments: /^SCAN a USING INDEX attachments_size$/,
  newestSeries: /^SCAN s USING INDEX series_date$/,
};

/** The index each hot query must start from (and the ones it must look up through). */
const EXPECTED_PLANS: Record<keyof typeof HOT_QUERIES, RegExp[]> = {
  messageById: [/SEARCH messages USING INDEX messages_msgid \(msgid=\?\)/],
  messagesPerMonth: [/SEARCH m USING COVERING INDEX messages_list \(list_id=\? AND date>\?\)/],
  foldedFields: [/SEARCH m USING COVERING INDEX messages_date \(date>\?\)/, /SEARCH h USING INDEX headers_message \(message_id=\?\)/],
  patchMailers: [/SEARCH m USING COVERING INDEX messages_kind \(kind=\? AND date>\?\)/, /SEARCH h USING INDEX headers_message \(message_id=\?\)/],
  relays: [/SEARCH m USING COVERING INDEX messages_date \(date>\?\)/, /SEARCH r USING PRIMARY KEY \(message_id=\?\)/],
  repliesTo: [/SEARCH r USING (COVERING )?INDEX message_references_msgid \(msgid=\?\)/],
  largestAttachments: [/SCAN a USING INDEX attachments_size/, /SEARCH m USING INTEGER PRIMARY KEY/],
  openSeriesOfSubmitter: [/SEARCH p USING (COVERING )?INDEX sqlite_autoindex_people_1 \(email=\?\)/,
    /SEARCH s USING INDEX series_submitter \(submitter_id=\?\)/],
  crossPosted: [/SEARCH s USING INDEX series_date \(date>\?\)/],
  seriesMissingReview: [/SCAN s USING INDEX series_date/, /SEARCH p USING COVERING INDEX patches_series \(series_id=\?\)/,
    /SEARCH t USING (COVERING INDEX trailers_name \(name=\? AND patch_id=\?\)|PRIMARY KEY \(patch_id=\?\))/],
  patchesOfSeries: [/SEARCH p USING INDEX patches_series \(series_id=\?\)/, /SEARCH m USING INTEGER PRIMARY KEY/],
  discussionOfPatch: [/SEARCH messages USING (COVERING )?INDEX messages_msgid \(msgid=\?\)/, /SEARCH c USING (COVERING )?INDEX comments_patch \(patch_id=\?\)/],
  patchesTouchingFile: [/SEARCH f USING COVERING INDEX patch_files_path \(path=\?\)/, /SEARCH m USING INTEGER PRIMARY KEY/],
  newestSeries: [/SCAN s USING INDEX series_date/, /SEARCH p USING INTEGER PRIMARY KEY/],
  messagesInSeveralFiles: [/SEARCH m USING INDEX messages_date \(date>\?\)/, /SEARCH o USING COVERING INDEX occurrences_message \(message_id=\?\)/],
  fullTextFunction: [/SCAN f VIRTUAL TABLE INDEX/, /SEARCH m USING INTEGER PRIMARY KEY/],
  newestOfList: [/SEARCH m USING INDEX messages_list \(list_id=\?\)/],
  missingParent: [/SEARCH r USING COVERING INDEX message_references_msgid \(msgid=\?\)/],
  missingParents: [/SEARCH m USING COVERING INDEX messages_date \(date>\?\)/, /SEARCH r USING PRIMARY KEY \(message_id=\?\)/,
    /SEARCH x USING COVERING INDEX messages_msgid \(msgid=\?\)/],
  slowestRelays: [/SEARCH messages USING COVERING INDEX messages_date \(date>\?\)/, /SEARCH a USING PRIMARY KEY \(message_id=\?\)/],
  partlyApplied: [/SEARCH s USING INDEX series_date \(date>\?\)/, /SEARCH p USING (COVERING )?INDEX patches_series \(series_id=\?\)/],
  missingPatches: [/SEARCH s USING INDEX series_date \(date>\?\)/, /SEARCH series USING COVERING INDEX series_total/,
    /SEARCH p USING COVERING INDEX patches_series \(series_id=\? AND number=\?\)/],
};

describe('query plans of the documented hot queries', () => {
  it('the hot queries are the documented examples, word for word', () => {
    const examples = new Set(documentedExamples());
    for (const [name, sql] of Object.entries(HOT_QUERIES)) expect(examples.has(sql.replace(/\s+/g, ' ').trim()), name).toBe(true);
  });

  for (const [name, patterns] of Object.entries(EXPECTED_PLANS) as [keyof typeof HOT_QUERIES, RegExp[]][]) {
    it(`${name}: starts from its index and reads nothing whole`, () => {
      const p = plan(onGeneratedArchive(HOT_QUERIES[name], '<x@example.org>'));
      for (const pattern of patterns) expect(p).toMatch(pattern);
      const allowed = [...ALLOWED_SCANS, ...(LIMIT_WALKS[name] ? [LIMIT_WALKS[name]] : [])];
      const scans = p.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('SCAN '));
      for (const scan of scans) expect(allowed.some((ok) => ok.test(scan)), `${name}: ${scan}`).toBe(true);
      expect(p, name).not.toMatch(/AUTOMATIC/);
    });
  }

  it('series missing a review: the newest 50 of the plain NOT IN form of the question', () => {
    const all = `SELECT s.id, s.date FROM series s WHERE s.latest_id = s.id AND s.id NOT IN (
      SELECT p.series_id FROM trailers t JOIN patches p ON p.message_id = t.patch_id
      WHERE t.name IN ('Reviewed-by', 'Acked-by') AND p.series_id IS NOT NULL) ORDER BY s.date DESC`;
    const reviewed = db.prepare(`SELECT count(DISTINCT p.series_id) FROM trailers t JOIN patches p ON p.message_id = t.patch_id
      WHERE t.name IN ('Reviewed-by', 'Acked-by')`).pluck().get() as number;
    expect(reviewed).toBeGreaterThan(0);
    const newest = db.prepare(HOT_QUERIES.seriesMissingReview).all() as { id: number; date: string }[];
    const unreviewed = db.prepare(all).all() as { id: number; date: string }[];
    expect(newest).toHaveLength(50);
    // Series of the same date may come in either order: the same dates, and each one unreviewed.
    expect(newest.map((r) => r.date)).toEqual(unreviewed.slice(0, 50).map((r) => r.date));
    const ids = new Set(unreviewed.map((r) => r.id));
    expect(newest.every((r) => ids.has(r.id))).toBe(true);
  });

  it('series_state and series_missing, read per series, give what their GROUP BY forms gave', () => {
    const before = {
      state: `SELECT s.id AS series_id, count(p.message_id) AS patches, count(p.commit_ref) AS accepted,
        CASE WHEN count(p.commit_ref) = 0 THEN NULL WHEN count(p.commit_ref) = count(p.message_id) THEN 'accepted'
        ELSE 'partly accepted' END AS state FROM series s LEFT JOIN patches p ON p.series_id = s.id GROUP BY s.id`,
      missing: `WITH RECURSIVE expected(series_id, number, total) AS (
        SELECT id, 1, total FROM series WHERE total >= 1 UNION ALL SELECT series_id, number + 1, total FROM expected WHERE number < total)
        SELECT e.series_id AS series_id, e.number AS number FROM expected e
        WHERE NOT EXISTS (SELECT 1 FROM patches p WHERE p.series_id = e.series_id AND p.number = e.number)`,
    };
    db.exec('SAVEPOINT views');
    try {
      // Some patches accepted, some series missing their patch 2: every state and missing numbers.
      db.exec(`UPDATE patches SET commit_ref = 'c' || message_id WHERE message_id % 3 = 0;
        DELETE FROM patches WHERE number = 2 AND message_id % 2 = 0`);
      const rows = (sql: string) => db.prepare(`SELECT * FROM (${sql}) ORDER BY 1, 2`).all();
      const states = rows('SELECT * FROM series_state');
      expect(new Set(states.map((r) => (r as { state: string | null }).state))).toEqual(new Set([null, 'accepted', 'partly accepted']));
      expect(states).toEqual(rows(before.state));
      const missing = rows('SELECT * FROM series_missing');
      expect(missing.length).toBeGreaterThan(0);
      expect(missing).toEqual(rows(before.missing));
    } finally {
      db.exec('ROLLBACK TO views; RELEASE views');
    }
  });

  it('series_missing stops at MISSING_NUMBERS_MAX whatever total a subject claims', () => {
    db.exec('SAVEPOINT bogus');
    try {
      const series = db.prepare('SELECT s.id, (SELECT count(*) FROM patches p WHERE p.series_id = s.id AND p.number BETWEEN 1 AND s.total) AS present FROM series s WHERE s.total >= 1 LIMIT 1').get() as { id: number; present: number };
      // As "[PATCH 1/99999999999]" makes it: left as it was, the view counted to there at every query.
      db.prepare('UPDATE series SET total = 99999999999 WHERE id = ?').run(series.id);
      const missing = db.prepare(HOT_QUERIES.missingPatches.replace(/FROM series s WHERE .*$/s, 'FROM series s WHERE s.id = ?')).get(series.id) as { missing: string };
      const numbers = missing.missing.split(',').map(Number);
      expect(numbers.length).toBe(MISSING_NUMBERS_MAX - series.present);
      expect(Math.max(...numbers)).toBe(MISSING_NUMBERS_MAX);
    } finally {
      db.exec('ROLLBACK TO bogus; RELEASE bogus');
    }
  });

  it('every example of docs/schema.md runs on an index', () => {
    const examples = documentedExamples();
    expect(examples.length).toBeGreaterThan(40);
    for (const sql of examples) expect(() => db.prepare(sql).all(), sql).not.toThrow();
  });

  it('the hot queries run, and those about the generated archive\'s mail return rows', () => {
    for (const [name, sql] of Object.entries(HOT_QUERIES)) {
      const rows = db.prepare(onGeneratedArchive(sql, '<x@example.org>')).all();
      if (['openSeriesOfSubmitter', 'seriesMissingReview', 'messagesPerMonth', 'foldedFields', 'relays', 'largestAttachments',
        'fullTextFunction', 'newestOfList', 'slowestRelays', 'patchesOfSeries', 'patchesTouchingFile', 'newestSeries'].includes(name)) expect(rows.length, name).toBeGreaterThan(0);
    }
  });

  it('per-list stats start from the list\'s index entries, never a scan', () => {
    const p = (sql: string) => plan(sql.replace(/@list/g, '1'));
    expect(p(LIST_STATS_READS.messages)).toMatch(/SEARCH messages USING (COVERING )?INDEX messages_list \(list_id=\?\)/);
    expect(p(LIST_STATS_READS.dates)).toMatch(/SEARCH messages USING COVERING INDEX messages_list \(list_id=\?\)/);
    expect(p(LIST_STATS_READS.series)).toMatch(/SEARCH s USING (COVERING )?INDEX series_list \(list_id=\?\)/);
    expect(p(LIST_STATS_READS.series)).toMatch(/SEARCH p USING COVERING INDEX patches_series \(series_id=\?\)/);
    for (const sql of Object.values(LIST_STATS_READS)) expect(p(sql)).not.toMatch(/\bSCAN (?!CONSTANT ROW)/);
  });
});
