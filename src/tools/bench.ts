/**
 * npm run bench [-- --scale N] [-- --archive FILE|REPOSITORY] [-- --runs R] [-- --queries DB]
 *
 * Every speed figure is a ratio to the shared floor (../shared/bench/floor.mjs: split the mbox,
 * insert Message-Id, Subject and body with FTS5 over subject and body, one thread), run in the
 * same bench and interleaved with the import (floor, import, floor, import...), because this
 * machine's speed drifts between minutes. For each archive it prints the floor and the import
 * (time, messages/s, peak RSS), their ratio, and the index's size over the uncompressed mbox.
 *
 * By default the archive is the corpus' linux-watchdog; --archive takes another mbox or a
 * public-inbox repository (an mbox of its messages in commit order is written first, and both
 * the floor and the import read that mbox). Then the incremental case: the archive less its
 * last 100 messages is imported, imported again unchanged, and again after the 100 are appended.
 * With --scale N, a generated archive of 1x and of N x 16,365 messages (deterministic generator)
 * are measured too; into the N x index, the next 1,000 and then 10,000 generated messages are
 * imported (time and peak RSS of each), and the documented hot queries are timed on it.
 * Every measured process runs with the node options of the `listindex` command (node-flags.ts).
 *
 * With --public-inbox PATH (a v2 inbox folder, an epoch or a v1 repository), only this: the
 * repository's import against the import of an mbox of the same messages in commit order (as
 * public-inbox writes it), R times in turn, then a re-import of the unchanged repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, createReadStream, createWriteStream, existsSync, openSync, readSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGunzip, createGzip, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { once } from 'node:events';
import { Command } from 'commander';
import { generateArchive, toMboxrd } from './archive-generator.js';
import { HOT_QUERIES, onGeneratedArchive } from './hot-queries.js';
import { readSource } from '../input/read-source.js';
import { expandInputs } from '../input/sources.js';
import { gitHead, readGitSource } from '../input/public-inbox.js';
import { NODE_FLAGS } from '../node-flags.js';

const WATCHDOG_MESSAGES = 16365;

interface RunResult {
  messages: number;
  stored: number;
  bytes: number;
  seconds: number;
  peakRssBytes: number;
  /** Bytes of the database file (and its WAL, if any) when the run ended. */
  indexBytes: number;
}

const SHARED = resolve(process.env.LISTINDEX_SHARED ?? resolve(import.meta.dirname, '../../../shared'));
const FLOOR_SCRIPT = join(SHARED, 'bench/floor.mjs');

function measure(mode: 'import' | 'floor', archive: string, work: string, keep?: string): RunResult {
  const db = keep ?? join(work, `${mode}-${Date.now()}.db`);
  if (keep && mode === 'floor') throw new Error('the floor starts from nothing');
  if (keep === undefined) removeDb(db);
  const child = resolve(import.meta.dirname, 'bench-child.js');
  // The floor loads better-sqlite3 from the working directory's package: the project root.
  const out = execFileSync(process.execPath, [...NODE_FLAGS, child, mode, archive, db, FLOOR_SCRIPT],
    { encoding: 'utf8', maxBuffer: 1 << 20, cwd: resolve(import.meta.dirname, '../..') });
  const result = JSON.parse(out.trim().split('\n').pop()!) as Omit<RunResult, 'indexBytes'>;
  const indexBytes = fileSize(db) + fileSize(`${db}-wal`);
  if (!keep) removeDb(db);
  return { ...result, indexBytes };
}

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Bytes of the archive as mail: a gzip file's decompressed size. */
async function mboxBytes(path: string): Promise<number> {
  const magic = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  readSync(fd, magic, 0, 2, 0);
  closeSync(fd);
  if (!(magic[0] === 0x1f && magic[1] === 0x8b)) return statSync(path).size;
  let bytes = 0;
  for await (const chunk of createReadStream(path).pipe(createGunzip())) bytes += (chunk as Buffer).length;
  return bytes;
}

function removeDb(db: string): void {
  for (const suffix of ['', '-wal', '-shm', '.import-lock']) rmSync(db + suffix, { force: true });
}

/** Seconds from start to exit of one `listindex import` process, and what it stored. */
function cliImport(archive: string, db: string): { seconds: number; stored: number; messagesFound: number } {
  const cli = resolve(import.meta.dirname, '../cli/main.js');
  const started = performance.now();
  const out = execFileSync(process.execPath, [...NODE_FLAGS, cli, 'import', archive, '--db', db, '--json'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = (performance.now() - started) / 1000;
  const summary = JSON.parse(out) as { stored: number; messagesFound: number };
  return { seconds, stored: summary.stored, messagesFound: summary.messagesFound };
}

/** The archive less its last `tail` messages is imported; then unchanged; then with them appended. */
async function measureIncremental(archive: string, work: string, tail: number): Promise<void> {
  // Offsets are in the decompressed stream; gzip is told by its magic bytes, as readSource does.
  const file = readFileSync(archive);
  const bytes = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file;
  const offsets: number[] = [];
  for await (const m of readSource({ path: archive, kind: 'mbox', size: null })) offsets.push(m.offset);
  if (offsets.length <= tail) {
    console.log(`incremental            skipped: the archive has ${offsets.length} messages, not more than the ${tail} appended`);
    return;
  }
  const kept = offsets.length - tail;
  const cut = offsets[kept];
  const mbox = join(work, 'growing.mbox');
  const db = join(work, 'growing.db');
  writeFileSync(mbox, bytes.subarray(0, cut));
  const first = cliImport(mbox, db);
  const unchanged = cliImport(mbox, db);
  appendFileSync(mbox, bytes.subarray(cut));
  const grown = cliImport(mbox, db);
  console.log(`incremental            first import of ${first.messagesFound} msgs ${first.seconds.toFixed(2)} s; ` +
    `unchanged re-import ${unchanged.seconds.toFixed(2)} s (stored ${unchanged.stored}); ` +
    `grown by ${offsets.length - kept} msgs ${grown.seconds.toFixed(2)} s (stored ${grown.stored})`);
  removeDb(db);
  rmSync(mbox, { force: true });
}

/**
 * Each hot query on the index, with the generated archive's names: first run, and the best of
 * five. The Message-Id queries take the message with the most direct replies.
 */
function measureQueries(db: string): void {
  const index = new Database(db, { readonly: true });
  const busiest = index.prepare(`SELECT msgid FROM message_references WHERE header = 'in-reply-to'
    GROUP BY msgid ORDER BY count(*) DESC LIMIT 1`).pluck().get() as string | undefined;
  for (const [name, template] of Object.entries(HOT_QUERIES)) {
    const sql = onGeneratedArchive(template, busiest ?? '');
    const statement = index.prepare(sql);
    const times: number[] = [];
    let rows = 0;
    for (let run = 0; run < 6; run++) {
      const started = performance.now();
      rows = statement.all().length;
      times.push(performance.now() - started);
    }
    console.log(`query ${name.padEnd(22)} first ${times[0].toFixed(1).padStart(6)} ms  best ${Math.min(...times.slice(1)).toFixed(1).padStart(6)} ms  (${rows} rows)`);
  }
  index.close();
}

function line(label: string, r: RunResult, floor?: RunResult, archiveBytes?: number): string {
  const mps = r.messages / r.seconds;
  const ratio = floor ? `  ${(r.seconds / floor.seconds).toFixed(2)}x the floor` : '';
  const size = archiveBytes ? `  index ${(r.indexBytes / 1e6).toFixed(1)} MB = ${(r.indexBytes / archiveBytes).toFixed(2)}x the mbox` : '';
  return `${label.padEnd(24)} ${String(r.messages).padStart(8)} msgs ${r.seconds.toFixed(2).padStart(8)} s ` +
    `${Math.round(mps).toString().padStart(6)} msg/s  peak RSS ${String(Math.round(r.peakRssBytes / 1048576)).padStart(4)} MB${ratio}${size}`;
}

/**
 * One pass of the generator (seed 2024) cut into files of the given sizes, in order: the first
 * is the archive, the next ones what arrives after it (the same lists, threads and people).
 */
async function writeGenerated(parts: { path: string; count: number }[]): Promise<void> {
  const total = parts.reduce((sum, p) => sum + p.count, 0);
  // A busy list's pace, from 2014 on: a million messages end about ten years later, in the
  // past (mail dated after the import is taken as undated, and sorts first).
  const messages = generateArchive({ count: total, seed: 2024, startMs: Date.UTC(2014, 0, 1), timeScale: 0.01 });
  for (const part of parts) {
    const gzip = createGzip({ level: 1 });
    const file = createWriteStream(part.path);
    gzip.pipe(file);
    for (let i = 0; i < part.count; i++) {
      const next = messages.next();
      if (next.done) break;
      if (!gzip.write(toMboxrd(next.value))) await once(gzip, 'drain');
    }
    gzip.end();
    await once(file, 'close');
  }
}

const program = new Command()
  .option('--scale <n>', 'also run on a generated archive of n × 16,365 messages')
  .option('--archive <path>', 'the archive to measure: an mbox or a public-inbox repository (default: the corpus linux-watchdog)')
  .option('--runs <n>', 'runs of each measurement (the fastest is reported)', '1')
  .option('--queries <db>', 'only time the hot queries on an existing index')
  .option('--public-inbox <path>', 'only compare importing this public-inbox repository with importing an mbox of its messages')
  .parse();
const opts = program.opts<{ scale?: string; archive?: string; runs: string; queries?: string; publicInbox?: string }>();
if (opts.queries) {
  measureQueries(opts.queries);
  process.exit(0);
}
if (opts.publicInbox) {
  await measurePublicInbox(opts.publicInbox, Number(opts.runs));
  process.exit(0);
}

/** The messages of a public-inbox repository (or inbox folder) as an mbox, in commit order. */
async function writeRepositoryMbox(inbox: string, mbox: string): Promise<number> {
  const out = createWriteStream(mbox);
  const { sources } = await expandInputs([inbox]);
  let messages = 0;
  for (const source of sources.filter((s) => s.kind === 'git')) {
    const until = await gitHead(source.path);
    if (!until) continue;
    for await (const m of readGitSource(source, { until, onMissing: () => {} })) {
      messages++;
      if (!out.write(Buffer.concat([Buffer.from(`${m.fromLine}\n`), m.raw]))) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'close');
  return messages;
}

/** A public-inbox repository against an mbox of the same messages: runs in turn, fresh indexes. */
async function measurePublicInbox(inbox: string, runs: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'listindex-bench-'));
  const mbox = join(work, 'same-messages.mbox');
  const messages = await writeRepositoryMbox(inbox, mbox);
  const { sources } = await expandInputs([inbox]);
  console.log(`public-inbox: ${inbox} (${sources.length} repositories, ${messages} messages; mbox of them ${(statSync(mbox).size / 1e6).toFixed(1)} MB)`);
  const timed = (input: string, db: string): number => {
    const started = performance.now();
    const r = spawnSync(process.execPath, [...NODE_FLAGS, resolve(import.meta.dirname, '../cli/main.js'), 'import', input, '--db', db, '--quiet']);
    // Exit code 1 (an input partly unreadable, such as a missing blob) still imported the rest.
    if (r.status !== 0 && r.status !== 1) throw new Error(`import of ${input} failed: ${r.stderr}`);
    return (performance.now() - started) / 1000;
  };
  const ratios: number[] = [];
  let gitDb = '';
  for (let i = 0; i < runs; i++) {
    gitDb = join(work, `git-${i}.db`);
    const git = timed(inbox, gitDb);
    const plain = timed(mbox, join(work, `mbox-${i}.db`));
    ratios.push(git / plain);
    console.log(`run ${i + 1}: repository ${git.toFixed(2)} s, mbox ${plain.toFixed(2)} s, ratio ${(git / plain).toFixed(2)}`);
    removeDb(join(work, `mbox-${i}.db`));
    if (i < runs - 1) removeDb(gitDb);
  }
  console.log(`repository / mbox: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  console.log(`re-import of the unchanged repository: ${timed(inbox, gitDb).toFixed(2)} s (whole process)`);
  rmSync(work, { recursive: true, force: true });
}
const work = mkdtempSync(join(tmpdir(), 'listindex-bench-'));
let archive = opts.archive ?? resolve(process.env.LISTINDEX_CORPUS ?? join(SHARED, 'corpus'), 'lists/linux-watchdog.mboxrd.gz');
if (!existsSync(archive)) {
  process.stderr.write(`bench: ${archive} not found (set LISTINDEX_CORPUS or pass --archive)\n`);
  process.exit(2);
}
if (!existsSync(FLOOR_SCRIPT)) {
  process.stderr.write(`bench: the shared floor ${FLOOR_SCRIPT} not found (set LISTINDEX_SHARED to the shared folder)\n`);
  process.exit(2);
}
if (statSync(archive).isDirectory()) {
  const mbox = join(work, 'repository.mbox');
  const messages = await writeRepositoryMbox(archive, mbox);
  console.log(`${archive}: ${messages} messages, written as an mbox in commit order`);
  archive = mbox;
}

/**
 * The floor and the import of one archive, run in turn (floor, import, floor, import...): this
 * machine's speed drifts by a fifth from one minute to the next, and a ratio of runs far apart
 * measures the drift. The fastest of each, and the ratio of each pair run back to back.
 */
function measurePair(file: string, keep?: string): { floor: RunResult; run: RunResult; pairRatios: number[] } {
  const floors: RunResult[] = [];
  const runs: RunResult[] = [];
  for (let i = 0; i < Number(opts.runs); i++) {
    floors.push(measure('floor', file, work));
    // Every run imports into a fresh index; the kept one is the last run's.
    if (keep !== undefined) removeDb(keep);
    runs.push(measure('import', file, work, keep));
  }
  const pairRatios = runs.map((r, i) => r.seconds / floors[i].seconds);
  const fastest = (list: RunResult[]) => [...list].sort((a, b) => a.seconds - b.seconds)[0];
  return { floor: fastest(floors), run: fastest(runs), pairRatios };
}

const pairs = (ratios: number[]) => (ratios.length > 1 ? `  (pairs: ${ratios.map((r) => r.toFixed(2)).join(', ')})` : '');

async function report(label: string, file: string, keep?: string): Promise<RunResult> {
  const bytes = await mboxBytes(file);
  const { floor, run, pairRatios } = measurePair(file, keep);
  console.log(`${label}: ${(bytes / 1e6).toFixed(1)} MB of mail`);
  console.log(line('  shared floor', floor, undefined, bytes));
  console.log(line('  listindex import', run, floor, bytes) + pairs(pairRatios));
  return run;
}

console.log(`runs: ${opts.runs} of each, interleaved; the fastest of each is shown`);
await report(archive, archive);
await measureIncremental(archive, work, 100);

if (opts.scale) {
  const scale = Number(opts.scale);
  const one = join(work, 'generated-1x.mbox.gz');
  const many = join(work, `generated-${scale}x.mbox.gz`);
  const next1k = join(work, 'generated-next-1000.mbox.gz');
  const next10k = join(work, 'generated-next-10000.mbox.gz');
  await writeGenerated([{ path: one, count: WATCHDOG_MESSAGES }]);
  await writeGenerated([{ path: many, count: WATCHDOG_MESSAGES * scale }, { path: next1k, count: 1000 }, { path: next10k, count: 10000 }]);
  const runOne = await report('generated 1x', one);
  const manyDb = join(work, `generated-${scale}x.db`);
  const runMany = await report(`generated ${scale}x`, many, manyDb);
  console.log(`  memory ${scale}x / 1x: ${(runMany.peakRssBytes / runOne.peakRssBytes).toFixed(2)}  ` +
    `throughput ${scale}x / 1x: ${((runMany.messages / runMany.seconds) / (runOne.messages / runOne.seconds)).toFixed(2)}`);
  // The kept index is the last run's: the next mail is imported into it, as a list grows.
  console.log(line(`  + next 1,000 messages`, measure('import', next1k, work, manyDb), undefined));
  console.log(line(`  + next 10,000 messages`, measure('import', next10k, work, manyDb), undefined));
  measureQueries(manyDb);
}
rmSync(work, { recursive: true, force: true });
