/**
 * npm run bench [-- --scale N] [-- --archive FILE]
 *
 * Imports linux-watchdog (from the shared corpus) into a fresh index and prints messages/s,
 * MB/s (of uncompressed mail), peak RSS, and the ratio to a "floor" run: the same file split
 * and inserted raw into SQLite with FTS5 and nothing else. With --scale N, the input is instead
 * a generated archive of N × 16,365 messages (deterministic generator), and a 1× generated run
 * is measured too, to show that memory stays flat and throughput holds.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { Command } from 'commander';
import { generateArchive, toMboxrd } from './archive-generator.js';

const WATCHDOG_MESSAGES = 16365;

interface RunResult {
  messages: number;
  stored: number;
  bytes: number;
  seconds: number;
  peakRssBytes: number;
}

function measure(mode: 'import' | 'floor', archive: string, work: string): RunResult {
  const db = join(work, `${mode}-${Date.now()}.db`);
  const child = resolve(import.meta.dirname, 'bench-child.js');
  const out = execFileSync(process.execPath, [child, mode, archive, db], { encoding: 'utf8', maxBuffer: 1 << 20 });
  rmSync(db, { force: true });
  rmSync(db + '-wal', { force: true });
  rmSync(db + '-shm', { force: true });
  return JSON.parse(out.trim().split('\n').pop()!) as RunResult;
}

function line(label: string, r: RunResult, floor?: RunResult): string {
  const mps = r.messages / r.seconds;
  const mbs = r.bytes / 1e6 / r.seconds;
  const ratio = floor ? `  ratio to floor ${(r.seconds / floor.seconds).toFixed(2)}x` : '';
  return `${label.padEnd(22)} ${String(r.messages).padStart(7)} msgs  ${r.seconds.toFixed(2).padStart(7)} s  ` +
    `${Math.round(mps).toString().padStart(6)} msg/s  ${mbs.toFixed(1).padStart(6)} MB/s  peak RSS ${Math.round(r.peakRssBytes / 1048576)} MB${ratio}`;
}

async function writeGenerated(path: string, count: number): Promise<void> {
  const gzip = createGzip({ level: 1 });
  const file = createWriteStream(path);
  gzip.pipe(file);
  for (const m of generateArchive({ count, seed: 2024 })) {
    if (!gzip.write(toMboxrd(m))) await once(gzip, 'drain');
  }
  gzip.end();
  await once(file, 'close');
}

const program = new Command()
  .option('--scale <n>', 'also run on a generated archive of n × 16,365 messages')
  .option('--archive <file>', 'the archive to measure (default: the corpus linux-watchdog)')
  .option('--runs <n>', 'runs of each measurement (the fastest is reported)', '1')
  .parse();
const opts = program.opts<{ scale?: string; archive?: string; runs: string }>();
const archive = opts.archive ?? resolve(process.env.LISTINDEX_CORPUS ?? resolve(import.meta.dirname, '../../../shared/corpus'), 'lists/linux-watchdog.mboxrd.gz');
if (!existsSync(archive)) {
  process.stderr.write(`bench: ${archive} not found (set LISTINDEX_CORPUS or pass --archive)\n`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'listindex-bench-'));
const best = (mode: 'import' | 'floor', file: string) => {
  const runs = Array.from({ length: Number(opts.runs) }, () => measure(mode, file, work));
  return runs.sort((a, b) => a.seconds - b.seconds)[0];
};

console.log(`archive: ${archive} (${(statSync(archive).size / 1e6).toFixed(1)} MB on disk)`);
const floor = best('floor', archive);
console.log(line('floor (split+FTS)', floor));
console.log(line('listindex import', best('import', archive), floor));

if (opts.scale) {
  const scale = Number(opts.scale);
  const one = join(work, 'generated-1x.mbox.gz');
  const many = join(work, `generated-${scale}x.mbox.gz`);
  await writeGenerated(one, WATCHDOG_MESSAGES);
  await writeGenerated(many, WATCHDOG_MESSAGES * scale);
  const floorOne = best('floor', one);
  const floorMany = best('floor', many);
  const runOne = best('import', one);
  const runMany = best('import', many);
  console.log(line('generated 1x floor', floorOne));
  console.log(line('generated 1x import', runOne, floorOne));
  console.log(line(`generated ${scale}x floor`, floorMany));
  console.log(line(`generated ${scale}x import`, runMany, floorMany));
  console.log(`memory ${scale}x / 1x: ${(runMany.peakRssBytes / runOne.peakRssBytes).toFixed(2)}  ` +
    `throughput ${scale}x / 1x: ${((runMany.messages / runMany.seconds) / (runOne.messages / runOne.seconds)).toFixed(2)}`);
}
rmSync(work, { recursive: true, force: true });
