/**
 * The planner's statistics (ANALYZE) are taken after an import, unless they were taken on an
 * index at least ten times the size of what the import added: on a large index ANALYZE costs
 * more than a small import.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('planner statistics after an import', () => {
  it('are taken on the first import, kept for a small one, and taken again for a large one', async () => {
    const dir = tempDir('listindex-stats-');
    const all = [...generateArchive({ count: 1200, seed: 5 })];
    const write = (name: string, from: number, to: number) => {
      writeFileSync(join(dir, name), Buffer.concat(all.slice(from, to).map(toMboxrd)));
      return join(dir, name);
    };
    const db = openDatabase(join(dir, 'stats.db'));
    const analysed = () => db.prepare(`SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = 'messages'`).pluck().get() as number;
    await importPaths(db, [write('a.mbox', 0, 300)], { workers: 0 });
    expect(analysed()).toBe(300);
    await importPaths(db, [write('b.mbox', 300, 320)], { workers: 0 });
    expect(analysed()).toBe(300);
    await importPaths(db, [write('c.mbox', 320, 1200)], { workers: 0 });
    expect(analysed()).toBeGreaterThanOrEqual(1200);
    db.close();
  });
});
