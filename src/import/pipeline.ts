import { availableParallelism } from 'node:os';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ListindexError } from '../errors.js';
import { workerEntry } from '../worker-entry.js';
import { expandInputs } from '../input/sources.js';
import { readSource } from '../input/read-source.js';
import { gitCommitCount, gitHead, isAncestor, readGitSource } from '../input/public-inbox.js';
import type { ExpandedInputs, SourceSpec } from '../input/sources.js';
import type { SqliteDatabase } from '../store/database.js';
import { IndexWriter, markFailed } from '../store/writer.js';
import { Checkpointer } from '../store/checkpointer.js';
import type { BatchCounts, PurgeNote, SourceNote, SourceState } from '../store/writer.js';
import { prepareBatch, contentHash, lineEnds } from './prepare.js';
import { HEAD_COMPRESSION, RAW_COMPRESSION, REBUILT, compressRaw } from '../store/raw-codec.js';
import { relinkSeries } from './link-step.js';
import { acquireImportLock } from '../store/import-lock.js';
import type { ImportLock } from '../store/import-lock.js';
import { openDatabase, refreshPlannerStatistics, writeFailure } from '../store/database.js';
import { isLinked } from '../store/series-store.js';
import type { LinkSummary } from './link-step.js';
import type { MessageInput, PrepareOptions, PreparedRecord } from '../store/records.js';
import type { WorkerTask } from './parse-worker.js';

export interface ImportOptions {
  /** Force this list id on every message (as Patchwork's --list-id). */
  listId?: string;
  /** Parse worker threads; 0 parses on the main thread. Default: one per core but one (at least one), or 0 for small inputs. */
  workers?: number;
  /** Messages per batch (one transaction each). */
  batchSize?: number;
  /** Messages larger than this are rejected (their head kept), never buffered whole. */
  maxMessageBytes?: number;
  /** How `>From ` lines of mbox files are un-escaped. */
  escaping?: 'mboxrd' | 'mboxo';
  /** Called after each written batch. */
  onProgress?: (progress: ImportProgress) => void;
  /** Aborting stops reading; the batches already read are written, then the import ends. */
  signal?: AbortSignal;
  /** Subject tags to leave out of patch names, besides PATCH and each list's own tag. Remembered. */
  dropPrefixes?: string[];
  /** Read every source whole, even those unchanged since the last import (which are skipped). */
  full?: boolean;
  /** Link the whole index again, not only the new mail and what it touches (which gives the same). */
  relink?: boolean;
}

export interface ImportProgress {
  /** Reading and writing messages, then linking series (once, after the last batch). */
  phase: 'reading' | 'linking';
  messagesFound: number;
  stored: number;
  duplicates: number;
  rejected: number;
  bytesRead: number;
  bytesTotal: number;
  currentSource: string;
}

export interface RejectNote {
  source: string;
  offset: number;
  reason: string;
}

export interface ImportSummary {
  importId: number;
  files: number;
  /** Sources skipped because they had not changed since they were last read in full. */
  unchanged: number;
  unreadable: ListindexError[];
  /** What was read but deserves a word: folder entries skipped (FIFOs, devices), bytes ignored
   * after a gzip stream. They do not make the import fail. */
  warnings: ListindexError[];
  messagesFound: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** The first rejects of this run, with where they were found. */
  rejects: RejectNote[];
  lists: string[];
  bytes: number;
  seconds: number;
  status: 'complete' | 'interrupted';
  /** Series linking after the import; null when nothing changed and it was skipped. */
  linking: LinkSummary | null;
  /** git sources whose history was rewritten since they were last read (see the purges table). */
  purges: PurgeNote[];
  /** Batches of messages parsed by the worker threads, and by the writer's thread while it would have waited for them. */
  parsed: { inWorkers: number; byWriter: number };
}

// Messages per batch (one transaction, one worker task). FTS5 writes a segment per commit, so
// batches must not be tiny; but every batch in flight is held by the reader, a worker and the
// writer, so they must not be large either. Measured on linux-watchdog: 250 messages import as
// fast as 1,000 (writer 4.7 s both, 125: 5.0 s) with 150 MB less peak memory. A batch also ends
// at BATCH_BYTES, so huge messages do not pile up.
const DEFAULT_BATCH_SIZE = 250;
// Batches handed to each worker at once: the one it parses and the next, which it has in hand
// while this thread writes (and so cannot hand it another).
const POOL_AHEAD = 2;
// Batches in flight at most, however small.
const MAX_BATCHES_IN_FLIGHT = 16;
// Messages this thread parses before it looks again whether the worker's batch has come.
const LOCAL_PART = 25;
const BATCH_BYTES = 2 * 1024 * 1024;
// The first batches are smaller (16, 32, 64, ... messages) so that the writer starts while the
// worker is still warming up: on linux-watchdog the first batch is written 0.3 s sooner.
const FIRST_BATCH_SIZE = 16;
// Below this much input, starting worker threads costs more than it saves.
const SMALL_INPUT_BYTES = 4 * 1024 * 1024;
const MAX_REJECT_NOTES = 50;
// A larger young generation means fewer scavenges, but measured on linux-watchdog 24 MB is as
// fast as 48 or 96 MB and each worker holds ~25 MB less. V8's flags are per process: under the
// listindex command (node-flags.ts) the semi-space flag caps this one too.
const WORKER_YOUNG_GENERATION_MB = 24;
// A worker's old generation holds little that lives (a batch's records), but with V8's default
// ceiling (here 4 GB) it grew to 50 MB of garbage between collections. A lower ceiling makes V8
// collect sooner. Measured on linux-watchdog (peak RSS, total CPU of all threads): 4 GB 306-322
// MB, 12.8-14.2 s; 2 GB 278-294 MB, 13.0 s; 1 GB 244-278 MB, 14.0-15.1 s. A 50 MB message still parses.
const WORKER_OLD_GENERATION_MB = 2048;

/**
 * Imports mail from files, folders, globs or `-` (stdin) into the database at `db`. Given an open
 * connection rather than a path, the import sets its `temp_store` (store/writer.ts,
 * store/series-store.ts), which drops that connection's own temporary tables, if it has any.
 */
export async function importPaths(db: string | SqliteDatabase, inputs: string[], options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  // Inputs first: when there is nothing to read, no database is created or changed.
  const expanded = await expandInputs(inputs);
  if (expanded.sources.length === 0) {
    const why = expanded.errors.length ? expanded.errors.map((e) => e.message).join('; ') : `no mail found in ${inputs.join(', ')}`;
    throw new ListindexError('INPUT_UNREADABLE', `${why}: nothing imported`);
  }
  const database = typeof db === 'string' ? openDatabase(db) : db;
  let lock: ImportLock;
  try {
    lock = database.memory ? { release: () => {} } : acquireImportLock(database.name);
  } catch (error) {
    if (typeof db === 'string') database.close();
    throw error;
  }
  const checkpointer = new Checkpointer(database);
  try {
    return await importLocked(database, inputs, expanded, options, started, checkpointer);
  } catch (error) {
    // A write that failed (disk full, I/O error): batches committed before it are kept, and the
    // next import resumes from them. Said in one line, not as a stack trace.
    const failure = writeFailure(error, database.name);
    if (!failure) throw error;
    markFailed(database);
    throw failure;
  } finally {
    await checkpointer.stop().catch(() => {});
    lock.release();
    if (typeof db === 'string') database.close();
  }
}

async function importLocked(
  database: SqliteDatabase, inputs: string[], expanded: ExpandedInputs, options: ImportOptions, started: number, checkpointer: Checkpointer,
): Promise<ImportSummary> {
  const writer = new IndexWriter(database);
  // Sources are recorded by absolute path, so re-importing from another directory matches them.
  const sources = expanded.sources.map((s) => (s.kind === 'stdin' ? s : { ...s, path: resolve(s.path) }));
  const errors = expanded.errors;
  const unreadable = [...errors];
  const warnings = [...expanded.warnings];
  const importId = writer.beginImport(inputs);
  const bytesTotal = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
  // The first sources' plans are made here, for the estimate, and kept for the loop below.
  const plans = new Map<SourceSpec, SourcePlan>();
  const planOf = async (source: SourceSpec) => {
    const plan = plans.get(source) ?? (await planSource(source, writer.sourceState(source.path), options.full ?? false));
    plans.set(source, plan);
    return plan;
  };
  const mailBytes = await estimatedMailBytes(sources, planOf);
  // One parse worker per core but one: the writer (SQLite, this thread) keeps a core. On 2 cores
  // a second worker is 6% faster (linux-watchdog: 8.7 s against 9.3 s) but holds ~110 MB more
  // (peak RSS 400 MB against 290 MB) and burns more CPU in all; `workers` chooses otherwise.
  const pool = createPool(options.workers ?? (mailBytes < SMALL_INPUT_BYTES ? 0 : Math.max(1, availableParallelism() - 1)));
  const workers = pool && new Workers(pool);
  // While batches are written and linked, WAL checkpoints run on a thread of their own
  // (store/checkpointer.ts). Small imports write little WAL: the thread would cost more.
  if (mailBytes >= SMALL_INPUT_BYTES) checkpointer.start();
  const prepareOptions: PrepareOptions = { listId: options.listId };
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  const totals: BatchCounts & { messagesFound: number; bytesRead: number } = {
    stored: 0, duplicates: 0, rejected: 0, messagesFound: 0, bytesRead: 0,
  };
  const rejects: RejectNote[] = [];
  const lists = new Set<string>();
  // Batches are parsed in parallel but written in the order they were read, so that ids and
  // "first seen" facts are the same on every run. At most `maxInFlight` full batches' bytes wait
  // in memory: `POOL_AHEAD` per worker (one parsed, one waiting in the worker, so that it has
  // work while this thread writes and cannot hand it more) and two that this thread may parse
  // itself. Counted in bytes, so that the first batches, which are small, or batches of small
  // messages leave this thread more to parse while it waits for a worker (docs/scaling.md).
  const queue: Batch[] = [];
  const maxInFlight = POOL_AHEAD * (pool?.options.maxThreads ?? 0) + 2;
  let currentSource = '';
  // Sources fully read whose last messages are in the batch being built: recorded with it.
  let finishedSources: SourceNote[] = [];
  let unchanged = 0;
  const purges: PurgeNote[] = [];
  const parsed = { inWorkers: 0, byWriter: 0 };

  const toPool = () => {
    if (workers === null) return;
    let inPool = queue.filter((b) => b.state === 'pool').length;
    for (const b of queue) {
      if (inPool >= POOL_AHEAD * workers.pool.options.maxThreads) return;
      if (b.state !== 'waiting') continue;
      b.state = 'pool';
      inPool++;
      parsed.inWorkers++;
      b.parsed = prepareSharing(workers, b.messages, prepareOptions).then(
        (records) => { b.state = 'ready'; b.records = records; },
        (error: unknown) => { b.state = 'failed'; b.error = error; },
      );
    }
  };
  const write = (b: Batch) => {
    const records = b.records;
    const counts = writer.writeBatch(records, importId, b.sources);
    totals.stored += counts.stored;
    totals.duplicates += counts.duplicates;
    totals.rejected += counts.rejected;
    for (const r of records) {
      if (r.type === 'message' && r.message.listId) lists.add(r.message.listId);
      if (r.type === 'reject' && rejects.length < MAX_REJECT_NOTES) rejects.push({ source: r.source, offset: r.offset, reason: r.reason });
    }
    options.onProgress?.({ phase: 'reading', ...totals, bytesTotal, currentSource });
  };
  // This thread's share of parsing: instead of waiting for the worker that parses the oldest
  // batch, it parses the next batch no worker has, a part at a time, and looks again between
  // parts. So neither thread waits for the other while there is mail to parse, and on few cores
  // no worker is added, with its memory.
  const parsePart = async (b: Batch) => {
    if (b.state === 'waiting') {
      b.state = 'local';
      parsed.byWriter++;
    }
    const part = b.messages.slice(b.records.length, b.records.length + LOCAL_PART);
    b.records.push(...(await prepareBatch(part, prepareOptions)));
    if (b.records.length === b.messages.length) b.state = 'ready';
  };
  const step = async () => {
    toPool();
    const head = queue[0];
    if (head.state === 'ready') {
      queue.shift();
      write(head);
    } else if (head.state === 'failed') {
      throw head.error;
    } else if (head.state !== 'pool') {
      await parsePart(head);
    } else {
      const spare = queue.find((b) => b.state === 'waiting' || b.state === 'local');
      if (spare) {
        await parsePart(spare);
        // The worker's answers arrive as events: let them in before looking again.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        await head.parsed;
      }
    }
  };
  // Without workers nothing is gained by reading ahead, and the progress shown (bytes read)
  // would run ahead of the writing.
  const full = () => (pool === null
    ? queue.length >= maxInFlight
    : queue.length >= MAX_BATCHES_IN_FLIGHT || queue.reduce((sum, b) => sum + b.bytes, 0) >= maxInFlight * BATCH_BYTES);
  let dispatched = 0;
  const batchLimit = () => Math.min(batchSize, FIRST_BATCH_SIZE * 2 ** Math.min(dispatched, 16));
  const dispatch = async (messages: MessageInput[], bytes: number) => {
    dispatched++;
    queue.push({ messages, bytes, sources: finishedSources, state: messages.length ? 'waiting' : 'ready', records: [] });
    finishedSources = [];
    // Reading runs ahead of writing by up to maxInFlight batches' bytes: progress is told as
    // mail is read, too.
    options.onProgress?.({ phase: 'reading', ...totals, bytesTotal, currentSource });
    toPool();
    while (full()) await step();
  };

  let batch: MessageInput[] = [];
  let batchBytes = 0;
  let interrupted = false;
  try {
    for (const source of sources) {
      if (options.signal?.aborted) { interrupted = true; break; }
      currentSource = source.path;
      const plan = await planOf(source);
      plans.delete(source);
      if (plan.skip) {
        unchanged++;
        continue;
      }
      if (plan.error) {
        unreadable.push(plan.error);
        continue;
      }
      let found = 0;
      let lastOffset: number | null = null;
      let complete = false;
      try {
        if (plan.git) writer.sourceId(source.path, importId, 'git');
        if (plan.git?.purge) {
          writer.beginPurge(plan.git.purge, importId);
          purges.push(plan.git.purge);
        }
        const reading = plan.git
          ? readGitSource(source, { since: plan.git.since, until: plan.git.until, startPosition: plan.startOffset, maxMessageBytes: options.maxMessageBytes,
            // A missing blob is reported; the rest of the history is read, and read past.
            onMissing: (error) => unreadable.push(error) })
          : readSource(source, {
            maxMessageBytes: options.maxMessageBytes, escaping: options.escaping, startOffset: plan.startOffset,
            onWarning: (warning) => warnings.push(warning),
          });
        for await (const raw of reading) {
          found++;
          lastOffset = raw.offset;
          totals.messagesFound++;
          totals.bytesRead += raw.raw.length;
          batch.push(raw);
          batchBytes += raw.raw.length;
          if (batch.length >= batchLimit() || batchBytes >= BATCH_BYTES) {
            await dispatch(batch, batchBytes);
            batch = [];
            batchBytes = 0;
          }
          if (options.signal?.aborted) { interrupted = true; break; }
        }
        complete = !interrupted;
      } catch (error) {
        unreadable.push(asInputError(error, source));
      }
      // Only a source read to its end may be skipped or resumed next time.
      if (plan.git) {
        // A git source not read to its end keeps its last state: the next import reads from there
        // again (messages read twice are duplicates), and finishes a purge begun here.
        const before = plan.git.before;
        finishedSources.push(complete
          ? { path: source.path, kind: source.kind, size: source.size, messages: plan.messagesBefore + found, headSha1: null, readOffset: plan.git.untilPosition, gitCommit: plan.git.until, readToEnd: true }
          : { path: source.path, kind: source.kind, size: source.size, messages: before?.messages ?? 0, headSha1: null, readOffset: before?.read_offset ?? null, gitCommit: before?.git_commit ?? null });
      } else {
        finishedSources.push({
          path: source.path, kind: source.kind, size: source.size, messages: plan.messagesBefore + found,
          headSha1: complete ? plan.headSha1 : null, readOffset: complete ? (lastOffset ?? plan.startOffset) : null,
          complete, readFrom: plan.startOffset, lastOffset,
        });
      }
      if (interrupted) break;
    }
    if (batch.length || finishedSources.length) await dispatch(batch, batchBytes);
    while (queue.length) await step();
  } finally {
    await workers?.destroy();
  }

  // Linking runs once per import, and only when something changed.
  const needsLinking = totals.stored > 0 || writer.messagesDropped > 0 || (options.dropPrefixes?.length ?? 0) > 0 || !isLinked(database)
    || options.relink === true;
  if (needsLinking) options.onProgress?.({ phase: 'linking', ...totals, bytesTotal, currentSource });
  // Only the new mail (and what it touches) when that gives what linking the whole index would.
  const linking = needsLinking ? relinkSeries(database, { dropPrefixes: options.dropPrefixes, onlyNew: writer.messagesDropped === 0 && !options.relink }) : null;
  if (totals.stored > 0) refreshPlannerStatistics(database, totals.stored);
  const seconds = (performance.now() - started) / 1000;
  const status: ImportSummary['status'] = interrupted ? 'interrupted' : 'complete';
  writer.finishImport(importId, {
    ...totals, files: sources.length, unreadable: unreadable.length, bytes: totals.bytesRead, seconds, status,
  });
  return {
    importId, files: sources.length, unchanged, unreadable, warnings, messagesFound: totals.messagesFound, stored: totals.stored,
    duplicates: totals.duplicates, rejected: totals.rejected, rejects, lists: [...lists].sort(),
    bytes: totals.bytesRead, seconds, status, linking, purges, parsed,
  };
}



/**
 * How much mail this import will parse, to judge whether worker threads pay: what each source
 * holds past where its plan starts reading (nothing for a source unchanged since last time, the
 * new tail of one that grew). A gzip file counts by the uncompressed size its trailer records
 * (ISIZE, modulo 4 GiB: a file that large is large anyway), or by its own size if that is more.
 * Only the first sources are looked at: once the total is large, or after MAX_PLANNED_AHEAD
 * sources, the import counts as large.
 */
async function estimatedMailBytes(sources: SourceSpec[], planOf: (source: SourceSpec) => Promise<SourcePlan>): Promise<number> {
  let total = 0;
  let planned = 0;
  for (const source of sources) {
    if (source.size === null) continue;
    if (++planned > MAX_PLANNED_AHEAD) return SMALL_INPUT_BYTES;
    const plan = await planOf(source);
    if (plan.skip || plan.error) continue;
    if (plan.git) {
      // A pack holds the mail compressed (zlib, deltas), so it counts for more than its size;
      // only the share of commits still to read counts.
      const share = (plan.git.untilPosition + 1 - plan.startOffset) / (plan.git.untilPosition + 1);
      total += Math.round(source.size * GIT_PACK_RATIO * share);
      if (total >= SMALL_INPUT_BYTES) break;
      continue;
    }
    const size = source.size >= 18 ? Math.max(source.size, (await gzipInflatedSize(source.path, source.size)) ?? 0) : source.size;
    total += Math.max(0, size - plan.startOffset);
    if (total >= SMALL_INPUT_BYTES) break;
  }
  return total;
}

// Plans made ahead are held until their source is read: a bound for folders of many files.
const MAX_PLANNED_AHEAD = 256;

async function gzipInflatedSize(path: string, size: number): Promise<number | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const magic = Buffer.alloc(2);
      await handle.read(magic, 0, 2, 0);
      if (magic[0] !== 0x1f || magic[1] !== 0x8b) return null;
      const trailer = Buffer.alloc(4);
      await handle.read(trailer, 0, 4, size - 4);
      return trailer.readUInt32LE(0);
    } finally {
      await handle.close();
    }
  } catch {
    return null; // unreadable: reading it will report why
  }
}

const HEAD_BYTES = 64 * 1024;

interface SourcePlan {
  skip: boolean;
  /** Where to start: a byte offset in a file, a commit position in a git source. */
  startOffset: number;
  /** Messages of the source already counted before startOffset. */
  messagesBefore: number;
  headSha1: string | null;
  /** Git sources: which commits to read. */
  git?: GitPlan;
  /** The source could not even be planned (git missing, not a repository): reported, not read. */
  error?: ListindexError;
}

interface GitPlan {
  /** The last commit read before (an ancestor of `until`), or null to read from the root. */
  since: string | null;
  /** The head of the branch now: read up to it. */
  until: string;
  untilPosition: number;
  /** The source's history was rewritten since it was last read. */
  purge: PurgeNote | null;
  /** The source's state as the last import left it. */
  before: SourceState | null;
}

// Errs low: a repository's mail takes a few times the room of its packs.
const GIT_PACK_RATIO = 2;

/**
 * Incremental imports of a git source: unchanged when its head is the last commit read; when
 * that commit is in the new history, only the commits after it are read; when it is not (a
 * purge rewrote the history), the whole history is read again and the purge is recorded.
 */
async function planGitSource(source: SourceSpec, state: SourceState | null, full: boolean): Promise<SourcePlan> {
  const tip = await gitHead(source.path);
  const skip: SourcePlan = { skip: true, startOffset: 0, messagesBefore: 0, headSha1: null };
  if (tip === null) return skip; // no commit yet: nothing to read
  const old = state?.git_commit ?? null;
  if (old === tip && !full) return skip;
  const untilPosition = (await gitCommitCount(source.path, tip)) - 1;
  const whole: SourcePlan = {
    skip: false, startOffset: 0, messagesBefore: 0, headSha1: null,
    git: { since: null, until: tip, untilPosition, purge: null, before: state },
  };
  if (old === null || old === tip) return whole;
  if (!(await isAncestor(source.path, old, tip))) return { ...whole, git: { ...whole.git!, purge: { source: source.path, oldCommit: old, newCommit: tip } } };
  if (full || state?.read_offset == null) return whole;
  return { ...whole, startOffset: state.read_offset + 1, messagesBefore: state.messages, git: { ...whole.git!, since: old } };
}

/**
 * Incremental imports: a source whose size and first 64 KiB are what they were when it was last
 * read in full is skipped; an mbox that only grew is read from its last message on (archives
 * grow by appending). Anything else is read whole (duplicates are recognised by content anyway).
 */
async function planSource(source: SourceSpec, state: SourceState | null, full: boolean): Promise<SourcePlan> {
  if (source.kind === 'git') {
    return planGitSource(source, state, full).catch((error: unknown) => ({
      skip: false, startOffset: 0, messagesBefore: 0, headSha1: null, error: asInputError(error, source),
    }));
  }
  const whole: SourcePlan = { skip: false, startOffset: 0, messagesBefore: 0, headSha1: null };
  if (source.kind === 'stdin' || source.size === null) return whole;
  const headSha1 = await fileHeadSha1(source.path);
  whole.headSha1 = headSha1;
  if (full || !state || state.head_sha1 !== headSha1 || state.size === null) return whole;
  if (state.size === source.size) return { ...whole, skip: true };
  if (source.size > state.size && state.read_offset !== null && state.read_offset > 0 && source.kind === 'mbox') {
    // The last message is read again (it may have grown), so it is not counted twice.
    return { skip: false, startOffset: state.read_offset, messagesBefore: Math.max(0, state.messages - 1), headSha1 };
  }
  return whole;
}

async function fileHeadSha1(path: string): Promise<string | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
      return createHash('sha1').update(head.subarray(0, bytesRead)).digest('hex');
    } finally {
      await handle.close();
    }
  } catch {
    return null; // unreadable: reading it will report why
  }
}

function asInputError(error: unknown, source: SourceSpec): ListindexError {
  if (error instanceof ListindexError) return error;
  return new ListindexError('INPUT_UNREADABLE', (error as Error).message, { file: source.path, cause: error });
}

/** A batch from when it is read until it is written: parsed in a worker or by this thread. */
interface Batch {
  messages: MessageInput[];
  bytes: number;
  /** Sources whose last message is in this batch (or an earlier one): recorded when it is written. */
  sources: SourceNote[];
  state: 'waiting' | 'pool' | 'local' | 'ready' | 'failed';
  /** The records, in order: all of them once ready; those parsed so far while 'local'. */
  records: PreparedRecord[];
  /** Settles when a worker's answer is in (state 'pool'). */
  parsed?: Promise<void>;
  error?: unknown;
}

/** The parse workers, and where a batch that failed in them is parsed again (see prepareInPool). */
class Workers {
  private retry: Piscina | null = null;
  constructor(readonly pool: Piscina) {}
  /** Made when a batch first fails. */
  retryPool(): Piscina {
    return (this.retry ??= createPool(1, 1)!);
  }
  async destroy(): Promise<void> {
    await this.pool.destroy();
    await this.retry?.destroy();
  }
}

function createPool(threads: number, tasksPerWorker = POOL_AHEAD): Piscina | null {
  if (threads <= 0) return null;
  return new Piscina({
    filename: workerFile(), minThreads: threads, maxThreads: threads, idleTimeout: 60_000, concurrentTasksPerWorker: tasksPerWorker,
    // Parsing makes much short-lived garbage: a larger young generation means far fewer scavenges.
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB },
  });
}

function workerFile(): string {
  const file = workerEntry(import.meta.url, 'parse-worker.js');
  if (file === null) throw new ListindexError('USAGE', 'worker threads need the build: run `npm run build` first');
  return file;
}

/**
 * A batch parsed in the pool while this thread hashes its raw bytes, then compresses what the
 * worker says is to be stored (the whole message, or only the bytes before its body: see
 * store/raw-codec.ts): the writer (this thread) would otherwise wait for the worker, which
 * bounds the import on two cores. Compressing moved here first (linux-watchdog: the worker's
 * 8.1 s busy became 6.1 s), then the SHA-1 of each message (0.35 s of the worker's time). Both
 * are deterministic, so the stored values are what a worker would make. Only the worker knows
 * whether a message is stored head-only, so compressing waits for its answer; the worker
 * still does none of it, as it has more to do than this thread (figures in docs/scaling.md).
 */
function prepareSharing(workers: Workers, batch: MessageInput[], options: PrepareOptions): Promise<PreparedRecord[]> {
  const parsed = prepareInPool(workers, batch, { ...options, rawDoneByCaller: true });
  const hashes = batch.map((m) => contentHash(m.raw));
  return parsed.then((records) => {
    records.forEach((r, i) => {
      r.contentHash = hashes[i];
      // A 'rebuilt' message keeps no raw bytes: there is nothing to compress.
      if (r.rawCompression !== REBUILT) r.compressed = compressRaw(storedPart(batch[i].raw, r));
    });
    return records;
  });
}

/** The bytes a record's `compressed` is to hold: the body of a head-only message is its `body`. */
function storedPart(raw: Uint8Array, record: PreparedRecord): Uint8Array {
  return record.type === 'message' && record.rawCompression === HEAD_COMPRESSION ? raw.subarray(0, raw.byteLength - record.texts.body.byteLength) : raw;
}

/**
 * A batch whose worker died (out of memory on a hostile message, say) is parsed again message by
 * message, in a pool of one worker that takes one task at a time; a message that still fails
 * there is kept as a reject with the reason. Not in the same pool: a worker there holds two
 * batches (POOL_AHEAD) and the other batches go on, so a message could fail again for having
 * shared a worker with the one that killed it.
 */
async function prepareInPool(workers: Workers, batch: MessageInput[], options: PrepareOptions): Promise<PreparedRecord[]> {
  try {
    return await runInPool(workers.pool, batch, options);
  } catch {
    const out: PreparedRecord[] = [];
    for (const message of batch) {
      try {
        out.push(...(await runInPool(workers.retryPool(), [message], options)));
      } catch (error) {
        out.push(crashedReject(message, error));
      }
    }
    return out;
  }
}

function crashedReject(message: MessageInput, error: unknown): PreparedRecord {
  const raw = message.raw;
  return {
    type: 'reject', source: message.source, offset: message.offset, fromLine: message.fromLine,
    contentHash: contentHash(raw), lineEnds: message.oversized ? null : lineEnds(raw), size: message.rawSize ?? raw.byteLength, compressed: compressRaw(raw), rawCompression: RAW_COMPRESSION,
    reason: `the parser failed on this message (${(error as Error).message ?? error}); kept unparsed`,
  };
}

/**
 * Sends one batch to a worker, moving (not copying) its bytes: they are packed into one buffer.
 * The worker sends its records back in parts, on a port of their own (see parse-worker.ts); the
 * task's result is how many parts it sent, which may arrive after it.
 */
async function runInPool(pool: Piscina, batch: MessageInput[], options: PrepareOptions): Promise<PreparedRecord[]> {
  const total = batch.reduce((sum, m) => sum + m.raw.byteLength, 0);
  const packed = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  const inputs = batch.map((m) => {
    packed.set(m.raw, at);
    const raw = packed.subarray(at, at + m.raw.byteLength);
    at += m.raw.byteLength;
    return { source: m.source, offset: m.offset, fromLine: m.fromLine, escaping: m.escaping, index: m.index, oversized: m.oversized, rawSize: m.rawSize, raw };
  });
  const { port1: results, port2: workerSide } = new MessageChannel();
  const parts: PreparedRecord[][] = [];
  let expected = Infinity;
  let allArrived = () => {};
  const arrived = new Promise<void>((resolve) => (allArrived = resolve));
  results.on('message', (part: PreparedRecord[]) => {
    parts.push(part);
    if (parts.length >= expected) allArrived();
  });
  try {
    const task: WorkerTask = { inputs, options, results: workerSide };
    expected = (await pool.run(task, { transferList: [packed.buffer, workerSide] })) as number;
    if (parts.length < expected) await arrived;
    return parts.flat();
  } finally {
    results.close();
  }
}

