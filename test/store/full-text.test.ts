/**
 * The full-text index is written once per batch from the stored rows (writer.ts): it must hold
 * exactly what is stored, for every batch, and pass FTS5's own integrity check.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { tempDir } from '../helpers/temp-dir.js';

let db: SqliteDatabase;

beforeAll(async () => {
  const dir = tempDir('listindex-fts-');
  const mbox = join(dir, 'a.mbox');
  writeFileSync(mbox, Buffer.concat([...generateArchive({ count: 300, seed: 3 })].map(toMboxrd)));
  db = openDatabase(join(dir, 'fts.db'));
  // Small batches, and the same archive twice: batches of only duplicates index nothing.
  await importPaths(db, [mbox], { workers: 0, batchSize: 40 });
  await importPaths(db, [mbox], { workers: 0, batchSize: 40, full: true });
});

describe('full-text index', () => {
  it('passes FTS5 integrity-check against the stored messages', () => {
    expect(() => db.exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`)).not.toThrow();
  });

  it('has one entry per stored message, and finds every message by a word of its subject', () => {
    const messages = db.prepare('SELECT id, subject FROM messages ORDER BY id').raw().all() as [number, string | null][];
    expect(db.prepare('SELECT count(*) FROM messages_fts').pluck().get()).toBe(messages.length);
    const find = db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?').pluck();
    let checked = 0;
    for (const [id, subject] of messages) {
      const word = subject?.match(/[A-Za-z]{4,}/)?.[0];
      if (!word) continue;
      expect(find.all(`subject:"${word}"`)).toContain(id);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });
});
