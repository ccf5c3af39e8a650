/**
 * Crash safety: an import killed with SIGKILL at any point leaves a database that opens and
 * passes integrity_check, and running the import again ends with exactly the content of an
 * uninterrupted import. Also: a second import on the same database refuses while one runs.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { contentDigestOf } from '../helpers/content-digest.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'listindex-crash-'));
// The archives and databases here are 80-130 MB: none is left behind.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const archive = join(dir, 'list.mbox.gz');

function runImport(db: string) {
  return spawnSync(process.execPath, [CLI, 'import', archive, '--db', db, '--workers', '1', '-q'], { encoding: 'utf8' });
}

/** Messages the database holds now, as a reader sees them (0 while it does not exist yet). */
function storedMessages(path: string): number {
  if (!existsSync(path)) return 0;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // schema not created yet
  }
}


beforeAll(() => {
  const messages = [...generateArchive({ count: 6000, seed: 11 })];
  writeFileSync(archive, gzipSync(Buffer.concat(messages.map(toMboxrd))));
});

describe('an import killed with SIGKILL', () => {
  it('resumes to exactly the content of an uninterrupted import', async () => {
    const reference = join(dir, 'reference.db');
    const started = performance.now();
    expect(runImport(reference).status).toBe(0);
    const duration = performance.now() - started;
    const expected = contentDigestOf(reference);

    const crashed = join(dir, 'crashed.db');
    const total = (new Database(reference, { readonly: true }).prepare('SELECT count(*) FROM messages').pluck().get()) as number;
    const seen: number[] = [];
    // Kill points at stages of a run, judged by what the database holds (not by time, which
    // moves with the machine): while batches are written, at three depths (each resumed run
    // skips what is stored, then goes on); during linking at the end; at startup.
    const stages: { messages: number; thenMs: number }[] = [
      { messages: total * 0.25, thenMs: 0 }, { messages: total * 0.5, thenMs: 0 }, { messages: total * 0.75, thenMs: 0 },
      { messages: total, thenMs: 30 }, { messages: 0, thenMs: Math.min(100, duration * 0.05) },
    ];
    for (const stage of stages) {
      const child = spawn(process.execPath, [CLI, 'import', archive, '--db', crashed, '--workers', '1', '-q'], { stdio: 'ignore' });
      let exited = false;
      const exit = new Promise((done) => child.once('exit', () => done((exited = true)))); // it may end before the kill
      for (const started = performance.now(); !exited && performance.now() - started < duration * 3;) {
        if (stage.messages === 0 || storedMessages(crashed) >= stage.messages) break;
        await new Promise((done) => setTimeout(done, 10));
      }
      await new Promise((done) => setTimeout(done, stage.thenMs));
      child.kill('SIGKILL');
      await exit;
      const db = new Database(crashed);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'messages'`).get();
      seen.push(hasTable ? (db.prepare('SELECT count(*) FROM messages').pluck().get() as number) : 0);
      db.close();
    }
    // The kills must have landed mid-import: some partial states were seen.
    expect(seen.filter((n) => n > 0 && n < total).length, `messages after each kill: ${seen.join(', ')} of ${total}`).toBeGreaterThanOrEqual(2);
    const last = runImport(crashed);
    expect(last.stderr).toBe('');
    expect(last.status).toBe(0);
    expect(contentDigestOf(crashed)).toBe(expected);
  });
});

describe('two imports on one database', () => {
  it('the second refuses with a clear message while the first runs, and nothing is corrupted', async () => {
    const db = join(dir, 'shared.db');
    const first = spawn(process.execPath, [CLI, 'import', archive, '--db', db, '--workers', '1', '-q'], { stdio: 'ignore' });
    const firstExited = new Promise<number | null>((done) => first.once('exit', done));
    // Start the second only once the first holds the lock.
    for (let waited = 0; !existsSync(`${db}.import-lock`) && waited < 20_000; waited += 20) {
      await new Promise((done) => setTimeout(done, 20));
    }
    const second = runImport(db);
    const firstExit = await firstExited;
    expect(firstExit).toBe(0);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/another import is running on this database \(pid \d+/);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    const handle = new Database(db, { readonly: true });
    expect(handle.pragma('integrity_check', { simple: true })).toBe('ok');
    handle.close();
    expect(runImport(db).status).toBe(0);
  });
});
