/**
 * The documented hot queries use indexes (EXPLAIN QUERY PLAN), so they stay fast on large
 * indexes: open series of a submitter, series missing a review, full-text search.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { HOT_QUERIES } from '../../src/tools/hot-queries.js';

let db: SqliteDatabase;
const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'listindex-plan-'));
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

  it('series missing a review: patches by series index, trailers by patch key', () => {
    const p = plan(HOT_QUERIES.seriesMissingReview);
    expect(p).toMatch(/SEARCH p USING (COVERING )?INDEX patches_series \(series_id=\?\)/);
    expect(p).toMatch(/SEARCH t USING (COVERING )?(PRIMARY KEY|INDEX \w+) \((name=\? AND )?patch_id=\?/);
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

  it('the hot queries run and return rows on a generated list', () => {
    expect((db.prepare(HOT_QUERIES.openSeriesOfSubmitter).all() as unknown[]).length).toBeGreaterThan(0);
    expect((db.prepare(HOT_QUERIES.seriesMissingReview).all() as unknown[]).length).toBeGreaterThan(0);
  });
});
