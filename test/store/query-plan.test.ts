/**
 * The documented hot queries use indexes (EXPLAIN QUERY PLAN), so they stay fast on large
 * indexes: open series of a submitter, series missing a review, full-text search.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { HOT_QUERIES } from '../../src/tools/hot-queries.js';
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

describe('query plans of the documented hot queries', () => {
  it('open series of a submitter: people by email, then series by submitter index', () => {
    const p = plan(HOT_QUERIES.openSeriesOfSubmitter);
    expect(p).toMatch(/SEARCH p USING (COVERING )?INDEX sqlite_autoindex_people_1 \(email=\?\)/);
    expect(p).toMatch(/SEARCH s USING INDEX series_submitter \(submitter_id=\?\)/);
  });

  it('series missing a review: the review trailers by name index, once, then their patches by key', () => {
    const p = plan(HOT_QUERIES.seriesMissingReview);
    expect(p).toMatch(/LIST SUBQUERY/);
    expect(p).not.toMatch(/CORRELATED/);
    expect(p).toMatch(/SEARCH t USING (COVERING )?INDEX trailers_name \(name=\?\)/);
    expect(p).toMatch(/SEARCH p USING INTEGER PRIMARY KEY/);
  });

  it('full-text search goes through the FTS5 index', () => {
    const p = plan(HOT_QUERIES.fullTextFunction);
    expect(p).toMatch(/SCAN f VIRTUAL TABLE INDEX/);
    expect(p).toMatch(/SEARCH m USING INTEGER PRIMARY KEY/);
  });

  it('message by Message-Id and replies to a message use indexes', () => {
    expect(plan(HOT_QUERIES.messageById)).toMatch(/SEARCH messages USING INDEX messages_msgid/);
    expect(plan(HOT_QUERIES.repliesTo)).toMatch(/SEARCH r USING (COVERING )?INDEX message_references_msgid/);
  });

  it('series missing a review: the same series as the plain NOT EXISTS form of the question', () => {
    const plain = `SELECT s.id, s.name FROM series s WHERE s.latest_id = s.id AND NOT EXISTS (
      SELECT 1 FROM patches p JOIN trailers t ON t.patch_id = p.message_id
      WHERE p.series_id = s.id AND t.name IN ('Reviewed-by', 'Acked-by'))`;
    const sorted = (sql: string) => (db.prepare(sql).all() as { id: number }[]).map((r) => r.id).sort((a, b) => a - b);
    const reviewed = db.prepare(`SELECT count(DISTINCT p.series_id) FROM trailers t JOIN patches p ON p.message_id = t.patch_id
      WHERE t.name IN ('Reviewed-by', 'Acked-by')`).pluck().get() as number;
    expect(reviewed).toBeGreaterThan(0);
    expect(sorted(HOT_QUERIES.seriesMissingReview)).toEqual(sorted(plain));
  });

  it('the hot queries run and return rows on a generated list', () => {
    expect((db.prepare(HOT_QUERIES.openSeriesOfSubmitter).all() as unknown[]).length).toBeGreaterThan(0);
    expect((db.prepare(HOT_QUERIES.seriesMissingReview).all() as unknown[]).length).toBeGreaterThan(0);
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
