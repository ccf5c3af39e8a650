/**
 * Readers during an import: WAL lets `listindex query` and other read-only connections read
 * while an import writes, and series linking is one transaction, so a reader sees the series of
 * the last import or of this one, never a mixture.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'listindex-readers-'));
// The archives and databases here are 80-130 MB: none is left behind.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const first = join(dir, 'first.mbox');
const second = join(dir, 'second.mbox');
const db = join(dir, 'list.db');

// Each must be 0 in any consistent state of the series tables.
const SERIES_INVARIANTS = {
  patchesInMissingSeries: `SELECT count(*) FROM patches p WHERE p.series_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM series s WHERE s.id = p.series_id)`,
  coversInMissingSeries: `SELECT count(*) FROM covers c WHERE c.series_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM series s WHERE s.id = c.series_id)`,
  seriesWithWrongCount: `SELECT count(*) FROM series s
    WHERE s.received_total != (SELECT count(*) FROM patches p WHERE p.series_id = s.id)`,
  commentsOnMissingPatches: `SELECT count(*) FROM comments c WHERE c.patch_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM patches p WHERE p.message_id = c.patch_id)`,
};

function checkInvariants(reader: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  // One read transaction, so all counts come from one snapshot.
  reader.transaction(() => {
    for (const [name, sql] of Object.entries(SERIES_INVARIANTS)) out[name] = reader.prepare(sql).pluck().get() as number;
  })();
  return out;
}

beforeAll(() => {
  const messages = [...generateArchive({ count: 12000, seed: 21 })].map(toMboxrd);
  writeFileSync(first, Buffer.concat(messages.slice(0, 6000)));
  writeFileSync(second, Buffer.concat(messages.slice(6000)));
  const r = spawnSync(process.execPath, [CLI, 'import', first, '--db', db, '-q'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
});

describe('reading while an import runs', () => {
  it('queries answer throughout, and every snapshot of the series tables is consistent', async () => {
    const reader = new Database(db, { readonly: true });
    const zeros = Object.fromEntries(Object.keys(SERIES_INVARIANTS).map((k) => [k, 0]));
    expect(checkInvariants(reader)).toEqual(zeros);
    const seriesBefore = reader.prepare('SELECT count(*) FROM series').pluck().get() as number;
    expect(seriesBefore).toBeGreaterThan(0);

    const importing = spawn(process.execPath, [CLI, 'import', second, '--db', db, '-q'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => importing.once('exit', done));
    let running = true;
    void exited.then(() => { running = false; });

    let readsWhileRunning = 0;
    let cliQueries = 0;
    const seriesCounts = new Set<number>();
    while (running) {
      const importRunning = reader.prepare(`SELECT count(*) FROM imports WHERE status = 'running'`).pluck().get() as number;
      expect(checkInvariants(reader)).toEqual(zeros);
      seriesCounts.add(reader.prepare('SELECT count(*) FROM series').pluck().get() as number);
      if (importRunning > 0) {
        readsWhileRunning++;
        if (cliQueries < 2) {
          // The CLI's own read-only query works too, and is not refused as busy.
          const q = spawnSync(process.execPath, [CLI, 'query', '--db', db, '--json', 'SELECT count(*) AS n FROM messages'], { encoding: 'utf8' });
          expect(q.status, q.stderr).toBe(0);
          expect(JSON.parse(q.stdout)[0].n).toBeGreaterThanOrEqual(6000);
          cliQueries++;
        }
      }
      await new Promise((done) => setTimeout(done, 10));
    }
    expect(await exited).toBe(0);
    expect(readsWhileRunning).toBeGreaterThan(5);
    expect(cliQueries).toBe(2);

    // After the import: consistent, with the second half's series added in one step.
    expect(checkInvariants(reader)).toEqual(zeros);
    const seriesAfter = reader.prepare('SELECT count(*) FROM series').pluck().get() as number;
    expect(seriesAfter).toBeGreaterThan(seriesBefore);
    for (const n of seriesCounts) expect([seriesBefore, seriesAfter]).toContain(n);
    reader.close();
  });
});
