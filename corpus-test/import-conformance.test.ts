/**
 * Imports every mail file of the shared corpus: no crash, nothing lost (found = stored +
 * duplicates + rejected for every file), and the linux-watchdog archive's known figures.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fg from 'fast-glob';
import { importPaths } from '../src/import/pipeline.js';
import { openDatabase } from '../src/store/database.js';
import { exportMbox } from '../src/store/reader.js';
import { patchworkHash } from '../src/patch/hash.js';
import { corpusDir, corpusFile } from './corpus-path.js';

// Everything in the corpus that is mail; the rest is expected outputs and documentation.
const NOT_MAIL = ['**/*.json', '**/*.md', '**/*.verify', 'b4/*.txt', 'lists/linux-watchdog-b4-golden/**', 'lists/*.gz'];

// Each run leaves no database behind (the watchdog index alone is 330 MB).
const tempDirs: string[] = [];
const tempDb = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'listindex-corpus-'));
  tempDirs.push(dir);
  return join(dir, name);
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('every corpus mail file imports without loss', () => {
  const root = corpusDir();
  const files = fg.sync('**/*', { cwd: root, ignore: NOT_MAIL, dot: true, onlyFiles: true }).sort();
  const db = openDatabase(tempDb('all.db'));

  it('finds the corpus files', () => {
    expect(files.length).toBeGreaterThan(400);
  });

  for (const file of files) {
    it(file, async () => {
      const summary = await importPaths(db, [join(root, file)], { workers: 0 });
      expect(summary.unreadable.map((e) => e.message)).toEqual([]);
      expect(summary.messagesFound).toBeGreaterThan(0);
      expect(summary.stored + summary.duplicates + summary.rejected).toBe(summary.messagesFound);
    });
  }
});

describe('linux-watchdog archive (16,365 messages)', () => {
  const archive = corpusFile('lists/linux-watchdog.mboxrd.gz');
  const dbPath = tempDb('watchdog.db');
  let first: Awaited<ReturnType<typeof importPaths>>;

  beforeAll(async () => {
    first = await importPaths(dbPath, [archive]);
  });

  it('finds every message and keeps the invariant', () => {
    expect(first.messagesFound).toBe(16365);
    expect(first.unreadable).toEqual([]);
    expect(first.stored + first.duplicates + first.rejected).toBe(16365);
  });

  it('has 16,360 distinct Message-Ids', () => {
    const db = openDatabase(dbPath, { readonly: true });
    expect(db.prepare('SELECT count(DISTINCT msgid) FROM messages').pluck().get()).toBe(16360);
    db.close();
  });

  it('parses by-host and timestamp of at least 99% of Received headers', () => {
    const db = openDatabase(dbPath, { readonly: true });
    const { total, parsed } = db.prepare(`SELECT count(*) AS total,
      sum(by_host IS NOT NULL AND date IS NOT NULL) AS parsed FROM received`).get() as { total: number; parsed: number };
    const headerCount = db.prepare(`SELECT count(*) FROM headers WHERE name = 'Received' COLLATE NOCASE`).pluck().get();
    db.close();
    expect(total).toBe(headerCount);
    expect(total).toBeGreaterThan(50000);
    expect(parsed / total).toBeGreaterThanOrEqual(0.99);
  });

  it('un-escapes mboxrd >From lines by one level', () => {
    const db = openDatabase(dbPath, { readonly: true });
    const escaped = db.prepare(`SELECT count(*) FROM messages WHERE body GLOB '*' || char(10) || '>From *'`).pluck().get() as number;
    const unescaped = db.prepare(`SELECT count(*) FROM messages WHERE body GLOB '*' || char(10) || 'From *'`).pluck().get() as number;
    db.close();
    expect(unescaped).toBeGreaterThan(0);
    expect(escaped).toBeLessThan(unescaped);
  });

  it('gives every diff back exactly from the body it is stored in (its Patchwork hash matches)', () => {
    const db = openDatabase(dbPath, { readonly: true });
    const rows = db.prepare('SELECT msgid, diff, diff_hash, diff_text IS NULL AS inBody FROM messages WHERE diff IS NOT NULL').all() as
      { msgid: string; diff: string; diff_hash: string; inBody: number }[];
    db.close();
    expect(rows.length).toBeGreaterThan(5000);
    expect(rows.filter((r) => r.inBody).length / rows.length).toBeGreaterThan(0.99);
    expect(rows.filter((r) => patchworkHash(r.diff) !== r.diff_hash).map((r) => r.msgid)).toEqual([]);
  });

  it('stores nothing new on a second import, reading the file again (--full)', async () => {
    const again = await importPaths(dbPath, [archive], { full: true });
    expect(again.messagesFound).toBe(16365);
    expect(again.stored).toBe(0);
    expect(again.duplicates + again.rejected).toBe(16365);
    const db = openDatabase(dbPath, { readonly: true });
    expect(db.prepare('SELECT sum(stored) FROM imports').pluck().get()).toBe(first.stored);
    db.close();
  });

  it('skips the unchanged file on a third import', async () => {
    const again = await importPaths(dbPath, [archive]);
    expect(again.unchanged).toBe(1);
    expect(again.messagesFound).toBe(0);
    expect(again.stored).toBe(0);
    expect(again.linking).toBeNull();
  });

  it('exports the archive back byte for byte', () => {
    const db = openDatabase(dbPath, { readonly: true });
    const exported = createHash('sha1');
    for (const chunk of exportMbox(db, { sources: [archive] })) exported.update(chunk);
    db.close();
    const original = createHash('sha1').update(gunzipSync(readFileSync(archive))).digest('hex');
    expect(exported.digest('hex')).toBe(original);
  });

  it('records the source with its message count', () => {
    const db = openDatabase(dbPath, { readonly: true });
    const row = db.prepare('SELECT path, messages FROM sources').get() as { path: string; messages: number };
    db.close();
    expect(relative(archive, row.path)).toBe('');
    expect(row.messages).toBe(16365);
  });
});
