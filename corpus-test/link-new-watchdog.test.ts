/**
 * Linking only new mail on a real list: linux-watchdog split in three parts at message
 * boundaries (the archive's own order, which is not date order), imported in turn; after each
 * import a full relink must find nothing to change, and the result must be the one importing
 * the archive at once gives. A second split, of the messages in date order, shows the
 * incremental path taken on real mail (the archive's order sends most parts back to a full relink).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { corpusFile } from './corpus-path.js';
import { importPaths } from '../src/import/pipeline.js';
import { relinkSeries } from '../src/import/link-step.js';
import { openDatabase } from '../src/store/database.js';
import type { SqliteDatabase } from '../src/store/database.js';
import { tempDir } from '../test/helpers/temp-dir.js';

const TABLES = ['series', 'patches', 'covers', 'comments', 'trailers', 'link_series', 'link_references', 'link_subject_tags'];

function snapshot(db: SqliteDatabase): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).raw().all();
  out.kinds = db.prepare('SELECT id, kind FROM messages ORDER BY id').raw().all();
  return out;
}

/** What the index says of its series, without ids (which depend on import order). */
function described(db: SqliteDatabase): unknown[] {
  return db.prepare(`SELECT s.key_msgid, s.name, s.version, s.total, s.received_total, s.cover_id IS NOT NULL,
      (SELECT key_msgid FROM series o WHERE o.id = s.previous_id), (SELECT key_msgid FROM series o WHERE o.id = s.latest_id),
      (SELECT group_concat(t.name || '=' || t.value || '/' || t.origin, ';') FROM trailers t JOIN patches p ON p.message_id = t.patch_id
        WHERE p.series_id = s.id)
    FROM series s ORDER BY s.key_msgid`).raw().all();
}

let dir: string;
/** The messages of the archive as mboxrd chunks (each starting with its `From ` line). */
let chunks: Buffer[];
let whole: unknown[];

beforeAll(async () => {
  dir = tempDir('listindex-linknew-corpus-');
  const path = corpusFile('lists', 'linux-watchdog.mboxrd.gz');
  const text = gunzipSync(readFileSync(path));
  chunks = [];
  let start = 0;
  for (;;) {
    const next = text.indexOf('\nFrom ', start + 1);
    if (next < 0) break;
    chunks.push(text.subarray(start, next + 1));
    start = next + 1;
  }
  chunks.push(text.subarray(start));
  const db = openDatabase(join(dir, 'whole.db'));
  await importPaths(db, [path]);
  whole = described(db);
  db.close();
}, 600_000);

async function importInParts(name: string, parts: Buffer[][]): Promise<string[]> {
  const db = openDatabase(join(dir, `${name}.db`));
  const modes: string[] = [];
  for (const [i, part] of parts.entries()) {
    const file = join(dir, `${name}-${i}.mbox`);
    writeFileSync(file, Buffer.concat(part));
    const linking = (await importPaths(db, [file])).linking!;
    modes.push(linking.linked);
    const before = snapshot(db);
    expect(relinkSeries(db).changedRows, `${name} part ${i} (${linking.linked}${linking.reason ? `: ${linking.reason}` : ''})`).toBe(0);
    expect(snapshot(db)).toEqual(before);
  }
  expect(described(db)).toEqual(whole);
  db.close();
  return modes;
}

const thirds = <T>(list: T[]) => [list.slice(0, Math.floor(list.length / 3)), list.slice(Math.floor(list.length / 3), Math.floor((2 * list.length) / 3)),
  list.slice(Math.floor((2 * list.length) / 3))];

describe('linux-watchdog imported in three parts', () => {
  it('in the archive\'s order: a full relink after each part writes 0 rows', async () => {
    await importInParts('archive-order', thirds(chunks));
  }, 600_000);

  it('in date order: the later parts link only their new mail, and a full relink writes 0 rows', async () => {
    const dated = chunks.map((chunk) => {
      const head = chunk.subarray(0, Math.min(chunk.length, 16384)).toString('latin1');
      const date = Date.parse(/^Date:\s*(.*)$/im.exec(head.split(/\r?\n\r?\n/)[0])?.[1] ?? '');
      return { chunk, date: Number.isNaN(date) ? 0 : date };
    });
    // Stable: equal dates keep the archive's order.
    const ordered = dated.map((d, i) => ({ ...d, i })).sort((a, b) => a.date - b.date || a.i - b.i).map((d) => d.chunk);
    const modes = await importInParts('date-order', thirds(ordered));
    expect(modes[0]).toBe('all');
    // The parts are cut by the Date header, linking orders by the date it parsed: one part may still go back.
    expect(modes.slice(1)).toContain('new');
  }, 600_000);
});
