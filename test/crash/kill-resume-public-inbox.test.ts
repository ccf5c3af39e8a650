/**
 * Crash safety of public-inbox imports: an import killed with SIGKILL while it reads an epoch
 * again after a purge leaves a database that passes integrity_check, and running it again
 * finishes the purge once, with exactly the content of an uninterrupted run.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generateArchive } from '../../src/tools/archive-generator.js';
import { contentDigestOf } from '../helpers/content-digest.js';
import { commitMessages, epochDir, makeV2Inbox } from '../helpers/public-inbox.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
const dir = tempDir('listindex-crash-pi-');
const inbox = join(dir, 'inbox');
const PURGED = [700, 2100];
let blobs: Buffer[];

function runImport(db: string) {
  return spawnSync(process.execPath, [CLI, 'import', inbox, '--db', db, '--workers', '1', '-q'], { encoding: 'utf8' });
}


/** Once the purge is recorded, the occurrences at their new places: how far the re-read has come. */
function placed(path: string): number {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      if (!db.prepare('SELECT count(*) FROM purges').pluck().get()) return 0;
      return db.prepare('SELECT count(*) FROM occurrences WHERE source_offset >= 0').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

beforeAll(() => {
  blobs = [...generateArchive({ count: 3000, seed: 16 })].map((m) => Buffer.from(m.text, m.encoding));
  makeV2Inbox(inbox, [blobs]);
});

describe('a public-inbox import killed while it reads a purged epoch again', () => {
  it('resumes, records the purge once, and ends with the content of an uninterrupted run', async () => {
    const reference = join(dir, 'reference.db');
    expect(runImport(reference).status).toBe(0);
    const crashed = join(dir, 'crashed.db');
    copyFileSync(reference, crashed);
    expect(existsSync(`${reference}-wal`)).toBe(false); // closed cleanly: the file is the whole index

    commitMessages(epochDir(inbox, 0), blobs.filter((_, i) => !PURGED.includes(i)).map((add) => ({ add })), { rewrite: true });
    const started = performance.now();
    expect(runImport(reference).status).toBe(0);
    const duration = performance.now() - started;
    const expected = contentDigestOf(reference);

    const seen: number[] = [];
    for (const share of [0.3, 0.7]) {
      const child = spawn(process.execPath, [CLI, 'import', inbox, '--db', crashed, '--workers', '1', '-q'], { stdio: 'ignore' });
      let exited = false;
      const exit = new Promise((done) => child.once('exit', () => done((exited = true))));
      for (const t0 = performance.now(); !exited && performance.now() - t0 < duration * 3;) {
        if (placed(crashed) >= blobs.length * share) break;
        await new Promise((done) => setTimeout(done, 10));
      }
      child.kill('SIGKILL');
      await exit;
      const db = new Database(crashed);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      seen.push(db.prepare('SELECT count(*) FROM occurrences WHERE source_offset >= 0').pluck().get() as number);
      expect(db.prepare('SELECT count(*) FROM purges').pluck().get()).toBe(1);
      db.close();
    }
    expect(seen.filter((n) => n > 0 && n < blobs.length - PURGED.length).length, `placed after each kill: ${seen.join(', ')}`).toBeGreaterThanOrEqual(1);

    const last = runImport(crashed);
    expect(last.stderr).toBe('');
    expect(last.status).toBe(0);
    expect(contentDigestOf(crashed)).toBe(expected);
    const db = new Database(crashed, { readonly: true });
    expect(db.prepare('SELECT messages FROM purges').pluck().all()).toEqual([2]);
    expect(db.prepare('SELECT count(*) FROM occurrences').pluck().get()).toBe(blobs.length - PURGED.length);
    db.close();
  });
});
