/** Worker-thread entry (piscina): prepares one batch of messages. */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { prepareBatch } from './prepare.js';
import { packRecordBytes } from './pack-bytes.js';
import type { MessageInput, PrepareOptions } from '../store/records.js';

// Niceness 19 measured no slower than 10 for the workers, and keeps the writer fastest.
const WORKER_NICENESS = 19;

lowerThreadPriority();

export interface WorkerTask {
  inputs: MessageInput[];
  options: PrepareOptions;
  /** Where the records go, a part at a time, in order. */
  results: MessagePort;
}

// Messages per part sent back. A part's records leave this thread's heap as soon as it is sent:
// kept for a whole batch (250), they outlived the young generation's collections and were
// moved to the old one, as garbage to mark and compact later. Measured on linux-watchdog, five
// interleaved rounds: peak RSS 269-282 MB in one part, 254-265 MB in parts of 25; mean time
// 9.20 s against 8.66 s. Parts of 10 or 50 measured the same as 25.
const PART_SIZE = 25;

// Fault injection for test/import/worker-death.test.ts: a batch holding this text ends the
// worker thread, as running out of memory on a hostile message would.
const DIES_ON = process.env.LISTINDEX_TEST_WORKER_DIES_ON || null;

// A worker is handed its next batch while it parses one (the pool's concurrentTasksPerWorker):
// the batches are parsed one after the other, not interleaved, so that the oldest is done first.
let previous: Promise<unknown> = Promise.resolve();

/** Prepares the batch a part at a time; returns how many parts it sent on `task.results`. */
export default function run(task: WorkerTask): Promise<number> {
  const parts = previous.then(() => prepareInParts(task));
  previous = parts.catch(() => {});
  return parts;
}

async function prepareInParts(task: WorkerTask): Promise<number> {
  if (DIES_ON && task.inputs.some((m) => Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength).includes(DIES_ON))) process.exit(70);
  let parts = 0;
  for (let at = 0; at < task.inputs.length; at += PART_SIZE) {
    const records = await prepareBatch(task.inputs.slice(at, at + PART_SIZE), task.options);
    // `records` is cloned, the buffer holding all their bytes moved.
    task.results.postMessage(records, [packRecordBytes(records)]);
    parts++;
  }
  return parts;
}

/**
 * The single SQLite writer on the main thread bounds the import; parse workers only have to
 * keep ahead of it. Where they compete with the writer for the CPU (more workers than spare
 * cores, and V8's GC threads besides), the scheduler's fair share slowed the writer by half
 * (linux-watchdog, one worker per core: 9.0 s of writing instead of 6.0 s). A lower priority
 * for the workers' own threads lets them use what the writer leaves. Linux only (a thread's
 * id comes from /proc); elsewhere nothing changes.
 */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, WORKER_NICENESS);
  } catch {
    // not Linux, or not allowed: workers keep the default priority
  }
}
