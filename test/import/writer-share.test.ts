/**
 * The writer's thread parses batches itself for as long as it would otherwise have waited for
 * the worker threads (import/pipeline.ts): which thread parsed a batch must change nothing.
 */
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import { contentDigest } from '../helpers/content-digest.js';
import { tempDir } from '../helpers/temp-dir.js';

const SAMPLES = join(import.meta.dirname, '../../samples');

describe('parsing shared between the worker and the writer', () => {
  it('gives the index that parsing on one thread gives, with batches parsed by both', async () => {
    const dir = tempDir('listindex-share-');
    const digests: string[] = [];
    const summaries = [];
    for (const workers of [0, 1]) {
      const db = openDatabase(join(dir, `w${workers}.db`));
      // Small batches: many of them, so that the writer has waited for the worker by the time
      // most are read.
      summaries.push(await importPaths(db, [SAMPLES], { workers, batchSize: 8 }));
      digests.push(contentDigest(db, { where: false }));
      db.close();
    }
    expect(summaries[0].parsed).toEqual({ inWorkers: 0, byWriter: expect.any(Number) });
    expect(summaries[1].parsed.inWorkers).toBeGreaterThan(0);
    expect(summaries[1].parsed.byWriter).toBeGreaterThan(0);
    expect(summaries[1].stored).toBe(summaries[0].stored);
    expect(summaries[1].stored).toBeGreaterThan(100);
    expect(digests[1]).toBe(digests[0]);
  });
});
