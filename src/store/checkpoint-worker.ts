/**
 * Worker-thread entry: checkpoints the WAL of one database until told to stop (see
 * checkpointer.ts). Opens its own connection; never writes rows.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface CheckpointerData {
  path: string;
  intervalMs: number;
  /** Int32 flags: [0] = 1 asks the loop to stop. */
  control: SharedArrayBuffer;
}

const { path, intervalMs, control } = workerData as CheckpointerData;
const flags = new Int32Array(control);
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// Copying WAL frames into the file goes through no page cache worth having.
db.pragma('cache_size = -1024');
// PASSIVE never waits for the writer or readers: it copies what it can and returns.
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

while (Atomics.load(flags, 0) === 0) {
  try {
    checkpoint.run();
  } catch {
    // SQLITE_BUSY (another checkpoint, or a recovery) or the like: try again next round.
  }
  Atomics.wait(flags, 0, 0, intervalMs);
}
db.close();
