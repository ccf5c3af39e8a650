/** Worker-thread entry (piscina): prepares one batch of messages. */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { prepareBatch } from './prepare.js';
import { packRecordBytes } from './pack-bytes.js';
import type { MessageInput, PrepareOptions } from './records.js';

// Niceness 19 measured no slower than 10 for the workers, and keeps the writer fastest.
const WORKER_NICENESS = 19;

lowerThreadPriority();

export default async function run(task: { inputs: MessageInput[]; options: PrepareOptions }): Promise<unknown> {
  const records = await prepareBatch(task.inputs, task.options);
  const bytes = packRecordBytes(records);
  // Piscina's transferable wrapper: `records` is cloned, `bytes` moved along with it.
  return move({ [transferableSymbol]: [bytes], [valueSymbol]: records });
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
