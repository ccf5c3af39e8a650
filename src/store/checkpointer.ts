/**
 * WAL checkpoints on a thread of their own during an import.
 *
 * In WAL mode a commit only appends pages to the -wal file; a checkpoint copies them into the
 * database file and waits for both files to reach the disk (fsync). SQLite runs it inside the
 * commit that crosses `wal_autocheckpoint`, so the single writer, which bounds the import,
 * stood still for it: on linux-watchdog 1.1–1.4 s of its 4.4 s, most of it waiting on the disk.
 * Here a second connection in a worker thread checkpoints (PASSIVE: it never blocks the writer)
 * while the writer goes on; the writer keeps a high `wal_autocheckpoint` only as a safety valve
 * should the checkpointer fall behind. Durability is unchanged: the same checkpoints, with the
 * same fsyncs, happen on another thread.
 */
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { workerEntry } from '../worker-entry.js';
import type { SqliteDatabase } from './database.js';
import { WAL_AUTOCHECKPOINT_PAGES } from './database.js';

/** How often the checkpointer looks for new WAL frames. */
const INTERVAL_MS = 200;
/** The writer's own checkpoints, while the checkpointer runs: only if it falls far behind. */
const SAFETY_AUTOCHECKPOINT_PAGES = 100_000;
// A checkpoint loop needs almost no JavaScript heap.
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 };

/**
 * Checkpoints one file database in WAL mode from a worker thread, between `start` and `stop`.
 * Does nothing for in-memory databases, or when the compiled worker is missing.
 */
export class Checkpointer {
  private worker: Worker | null = null;
  private exited: Promise<unknown> | null = null;
  private readonly control = new SharedArrayBuffer(4);

  constructor(private readonly db: SqliteDatabase) {}

  start(): void {
    const entry = workerEntry(import.meta.url, 'checkpoint-worker.js');
    if (this.worker || this.db.memory || entry === null) return;
    this.worker = new Worker(entry, {
      workerData: { path: this.db.name, intervalMs: INTERVAL_MS, control: this.control },
      resourceLimits: RESOURCE_LIMITS,
    });
    // `once` rejects on an 'error' event; the error is handled below, and stop only waits.
    this.exited = once(this.worker, 'exit').catch(() => undefined);
    // A checkpointer that failed (or died) only means the writer checkpoints itself again.
    this.worker.on('error', () => this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`));
    this.db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
  }

  /** Stops the thread (after its current checkpoint) and gives the writer its own checkpoints back. */
  async stop(): Promise<void> {
    if (!this.worker) return;
    const flags = new Int32Array(this.control);
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    await this.exited;
    this.worker = null;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }
}
