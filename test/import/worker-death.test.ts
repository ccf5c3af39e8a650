/**
 * A worker that dies (out of memory on a hostile message, say) takes the batches it holds with
 * it: the message that killed it is kept as a reject with the reason, and every other message,
 * in its batch or in the other batch the worker held, is stored as if nothing had happened.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDir } from '../helpers/temp-dir.js';

const LIST = join(import.meta.dirname, '../../samples/list-2024-01.mbox');
const MARK = 'this-message-ends-the-parse-worker';

describe('a parse worker that dies', () => {
  it('loses nothing: the message that killed it is a reject, the others are stored', async () => {
    const dir = tempDir('listindex-worker-death-');
    const mbox = join(dir, 'list.mbox');
    // First in one source (sources are read in the order of their paths): in the first batch,
    // which goes to the worker with the second while both are read.
    writeFileSync(mbox, Buffer.concat([
      Buffer.from(`From x@example.org Mon Jan  1 00:00:00 2024\nFrom: X <x@example.org>\nSubject: hostile\nMessage-Id: <killer@example.org>\n\n${MARK}\n\n`),
      readFileSync(LIST),
    ]));
    const summaries = [];
    const stored: unknown[][] = [];
    const rejects: string[][] = [];
    process.env.LISTINDEX_TEST_WORKER_DIES_ON = MARK;
    try {
      for (const workers of [0, 1]) {
        const db = openDatabase(join(dir, `w${workers}.db`));
        summaries.push(await importPaths(db, [mbox], { workers, batchSize: 8 }));
        rejects.push(db.prepare('SELECT reason FROM rejects ORDER BY id').pluck().all() as string[]);
        stored.push(db.prepare(`SELECT msgid, subject, body, kind FROM messages WHERE msgid <> '<killer@example.org>' ORDER BY content_hash`).all());
        db.close();
      }
    } finally {
      delete process.env.LISTINDEX_TEST_WORKER_DIES_ON;
    }
    // The messages this thread parses need no worker: the test says nothing if none was used.
    expect(summaries[1].parsed.inWorkers).toBeGreaterThan(1);
    const added = rejects[1].filter((r) => !rejects[0].includes(r));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^the parser failed on this message \(.*\); kept unparsed$/);
    expect(summaries[1].rejected).toBe(summaries[0].rejected + 1);
    expect(summaries[1].stored).toBe(summaries[0].stored - 1);
    expect(summaries[1].stored).toBeGreaterThan(100);
    expect(stored[1]).toEqual(stored[0]);
  });
});
