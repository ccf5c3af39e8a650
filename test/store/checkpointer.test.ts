/**
 * WAL checkpoints on their own thread (store/checkpointer.ts): while it runs, pages reach the
 * database file without the writer checkpointing; once stopped, the writer checkpoints again.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, WAL_AUTOCHECKPOINT_PAGES } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { Checkpointer } from '../../src/store/checkpointer.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDb(): { db: SqliteDatabase; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'listindex-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'c.db');
  const db = openDatabase(path);
  db.exec('CREATE TABLE blobs (b BLOB)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { db, path };
}

/** 8 MB in 16 transactions: below the writer's own threshold while the checkpointer runs. */
function writeSome(db: SqliteDatabase): void {
  const insert = db.prepare('INSERT INTO blobs VALUES (randomblob(65536))');
  for (let t = 0; t < 16; t++) db.transaction(() => { for (let i = 0; i < 8; i++) insert.run(); })();
}

async function fileGrows(path: string, from: number, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(50)) {
    if (statSync(path).size > from + 4 * 1024 * 1024) return true;
  }
  return false;
}

describe('Checkpointer', () => {
  it('copies committed pages into the database file while the writer only appends to the WAL', async () => {
    const { db, path } = freshDb();
    const before = statSync(path).size;
    const checkpointer = new Checkpointer(db);
    checkpointer.start();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(WAL_AUTOCHECKPOINT_PAGES);
    writeSome(db);
    expect(await fileGrows(path, before, 5000)).toBe(true);
    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(128);
    db.close();
  });

  it('without it, the same writes stay in the WAL (the test above measures the checkpointer)', async () => {
    const { db, path } = freshDb();
    db.pragma('wal_autocheckpoint = 100000');
    const before = statSync(path).size;
    writeSome(db);
    expect(await fileGrows(path, before, 500)).toBe(false);
    db.close();
  });

  it('gives the writer its own checkpoints back when the thread cannot open the database', async () => {
    const { db, path } = freshDb();
    rmSync(path); // the open connection goes on; the checkpointer's own open fails
    const checkpointer = new Checkpointer(db);
    checkpointer.start();
    for (const until = Date.now() + 5000; Date.now() < until; await sleep(20)) {
      if (db.pragma('wal_autocheckpoint', { simple: true }) === WAL_AUTOCHECKPOINT_PAGES) break;
    }
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    await checkpointer.stop();
    db.close();
  });

  it('does nothing for an in-memory database, and stop is safe without start', async () => {
    const db = openDatabase(':memory:');
    const checkpointer = new Checkpointer(db);
    checkpointer.start();
    await checkpointer.stop();
    await new Checkpointer(db).stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    db.close();
  });
});
