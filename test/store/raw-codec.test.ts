/**
 * Raw bytes are stored Brotli-compressed since schema 5; an index built before holds deflate
 * rows, which must read on after the migration, beside new Brotli rows.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import { exportMbox } from '../../src/store/reader.js';
import { ReadModel } from '../../src/store/read-model.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { compressRaw, decompressRaw } from '../../src/store/raw-codec.js';
import { tempDir } from '../helpers/temp-dir.js';

const OLD_MESSAGE = Buffer.from('From: Old <old@example.org>\nMessage-Id: <old@example.org>\nSubject: before schema 5\n\nkept as deflate\n');
const NEW_MESSAGE = Buffer.from('From: New <new@example.org>\nMessage-Id: <new@example.org>\nSubject: after schema 5\n\nkept as brotli\n');

/** An index as a release with schema 4 left it: one message, stored deflate-compressed. */
function schema4Index(path: string): void {
  const db = new Database(path);
  for (const step of MIGRATIONS.slice(0, 4)) db.exec(step);
  db.pragma('user_version = 4');
  db.prepare(`INSERT INTO imports (id, started_at, arguments, status) VALUES (1, '2026-01-01T00:00:00Z', '[]', 'complete')`).run();
  db.prepare(`INSERT INTO sources (id, path, kind) VALUES (1, '/old.mbox', 'mbox')`).run();
  db.prepare(`INSERT INTO messages (id, msgid, content_hash, date_source, body, size, raw, source_id, source_offset, import_id)
    VALUES (1, '<old@example.org>', 'x', 'none', 'kept as deflate', ?, ?, 1, 0, 1)`).run(OLD_MESSAGE.length, deflateRawSync(OLD_MESSAGE));
  db.prepare(`INSERT INTO occurrences (source_id, source_offset, from_line, message_id) VALUES (1, 0, 'From old Thu Jan  1 00:00:00 2026', 1)`).run();
  db.close();
}

describe('raw compression', () => {
  it('round-trips bytes of every value through Brotli', () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
    const stored = compressRaw(bytes);
    expect(Buffer.compare(decompressRaw(stored, 'brotli', null), bytes)).toBe(0);
    expect(decompressRaw(compressRaw(new Uint8Array(0)), 'brotli', null).length).toBe(0);
    expect(() => decompressRaw(stored, 'lz4', null)).toThrow(/unknown raw_compression 'lz4'/);
  });

  it('reads deflate rows of an older index after migrating it, beside new Brotli rows', async () => {
    const dir = tempDir('listindex-codec-');
    const path = join(dir, 'old.db');
    schema4Index(path);
    const mbox = join(dir, 'new.mbox');
    writeFileSync(mbox, Buffer.concat([Buffer.from('From new Thu Jan  1 00:00:00 2026\n'), NEW_MESSAGE]));
    const db = openDatabase(path);
    await importPaths(db, [mbox], { workers: 0 });
    const rows = db.prepare('SELECT id, msgid, raw_compression FROM messages ORDER BY id').all();
    expect(rows).toEqual([
      { id: 1, msgid: '<old@example.org>', raw_compression: 'deflate' },
      { id: 2, msgid: '<new@example.org>', raw_compression: 'rebuilt' }, // plain UTF-8 text: its body and header fields are stored once
    ]);
    const reader = new ReadModel(db);
    expect(reader.raw(1)?.toString()).toBe(OLD_MESSAGE.toString());
    expect(reader.raw(2)?.toString()).toBe(NEW_MESSAGE.toString());
    const exported = Buffer.concat([...exportMbox(db)]).toString();
    expect(exported).toContain(OLD_MESSAGE.toString());
    expect(exported).toContain(NEW_MESSAGE.toString());
    db.close();
  });
});
