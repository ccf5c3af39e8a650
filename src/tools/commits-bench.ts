/**
 * node dist/tools/commits-bench.js --repo REPO --db INDEX [--stripped COPY] [--runs R] [--thresholds 0.6,0.7]
 *
 * How well `listindex commits` finds the patch each commit came from, against ground truth:
 * the commits of REPO whose `Link:` (or `Message-Id:`) trailer names a patch of INDEX say which
 * mail they came from. The matcher runs on a copy of REPO with those trailers removed (made
 * with `git filter-branch --msg-filter`, or given with --stripped), so it must find the mail from
 * the change itself; each run works on a copy of INDEX. Prints, per threshold: precision and
 * recall on those commits, the recall of exact-hash matching alone (Patchwork's method), and the
 * time of each run (fastest of R, and all of them: the machine may be shared), with the CPU time
 * of the matching process, which load changes less.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { listCommits } from '../input/git-commits.js';
import { statedMessageIds, SIMILAR_THRESHOLD } from '../patch/commit-match.js';
import { matchCommits } from '../import/commit-step.js';
import type { CommitOptions } from '../import/commit-step.js';

interface Truth {
  /** SHA in the stripped copy. */
  sha: string;
  patchId: number;
  diffHash: string | null;
}

const program = new Command()
  .requiredOption('--repo <path>', 'the repository, with its Link: trailers')
  .requiredOption('--db <file>', 'an index of the list (not changed: runs use copies)')
  .option('--stripped <path>', 'a copy of the repository without Link:/Message-Id: trailers (made under the work folder if not given)')
  .option('--work <dir>', 'where copies go (default: a new folder under the system temporary folder)')
  .option('--runs <n>', 'runs of each configuration', '1')
  .option('--show-errors', 'list the truth commits matched to another patch, and those missed')
  .option('--thresholds <list>', 'similarity thresholds to evaluate', String(SIMILAR_THRESHOLD))
  .parse();
const opts = program.opts<{ repo: string; db: string; stripped?: string; work?: string; runs: string; thresholds: string; showErrors?: boolean }>();
const work = opts.work ?? mkdtempSync(join(tmpdir(), 'listindex-commits-bench-'));
mkdirSync(work, { recursive: true });
const repo = resolve(opts.repo);

const stripped = opts.stripped ? resolve(opts.stripped) : stripTrailers(repo, join(work, 'stripped'));
const original = listCommits(repo);
const copy = listCommits(stripped);
if (original.length !== copy.length) throw new Error(`${stripped} has ${copy.length} commits, ${repo} ${original.length}: not a stripped copy`);

const truth = groundTruth(repo, original, copy, opts.db);
console.log(`${repo}: ${original.length} commits (no merges); ${truth.named} name a message of the index by Link:/Message-Id:, ` +
  `${truth.patches.size} of them a patch (the ground truth)`);

const runs = Number(opts.runs);
report('exact only', { methods: ['exact'] });
for (const t of opts.thresholds.split(',').map(Number)) report(`exact + similar, threshold ${t}`, { methods: ['exact', 'similar'], threshold: t });
if (!opts.work) rmSync(work, { recursive: true, force: true });

function report(label: string, options: CommitOptions): void {
  const times: number[] = [];
  const cpu: number[] = [];
  let result = { matched: 0, correct: 0, commitsMatched: 0 };
  for (let run = 0; run < runs; run++) {
    const db = join(work, 'run.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    copyFileSync(opts.db, db);
    const summary = runSync(db, options);
    times.push(summary.seconds);
    cpu.push(summary.cpuSeconds);
    result = evaluate(db, truth.patches);
    result.commitsMatched = summary.matched;
  }
  const precision = result.matched ? result.correct / result.matched : 1;
  const recall = truth.patches.size ? result.correct / truth.patches.size : 0;
  console.log(`${label}: precision ${(100 * precision).toFixed(1)}% (${result.correct}/${result.matched}), ` +
    `recall ${(100 * recall).toFixed(1)}% (${result.correct}/${truth.patches.size}); ${result.commitsMatched} of all commits matched; ` +
    `time ${Math.min(...times).toFixed(2)} s fastest of ${runs} (${times.map((t) => t.toFixed(2)).join(', ')}), ` +
    `CPU of the node process (git's not counted) ${cpu.map((t) => t.toFixed(2)).join(', ')} s`);
}

/** matchCommits in a child process, so that each run starts cold and none shares a heap. */
function runSync(db: string, options: CommitOptions): { seconds: number; cpuSeconds: number; matched: number } {
  const script = `import { matchCommits } from ${JSON.stringify(resolve(import.meta.dirname, '../import/commit-step.js'))};
    const s = await matchCommits(${JSON.stringify(db)}, ${JSON.stringify(stripped)}, ${JSON.stringify(options)});
    const cpu = process.cpuUsage();
    console.log(JSON.stringify({ seconds: s.seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      matched: s.matched.exact + s.matched.similar + s.matched.stated }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; cpuSeconds: number; matched: number };
}

/** A truth commit is right when the patch found is the one it names, or one with its very diff (a resend). */
function evaluate(db: string, truthBySha: Map<string, Truth>): { matched: number; correct: number; commitsMatched: number } {
  const index = new Database(db, { readonly: true });
  try {
    const found = index.prepare(`SELECT c.sha, c.patch_id, m.diff_hash, c.subject, c.method, c.score, c.author_date,
        (SELECT name FROM patches WHERE message_id = c.patch_id) AS found_name FROM commits c LEFT JOIN messages m ON m.id = c.patch_id`)
      .all() as { sha: string; patch_id: number | null; diff_hash: string | null; subject: string; method: string; score: number;
        author_date: string; found_name: string | null }[];
    const describe = index.prepare(`SELECT m.date || ' ' || pa.name || ' ' || m.msgid FROM patches pa JOIN messages m ON m.id = pa.message_id
      WHERE pa.message_id = ?`).pluck();
    let matched = 0;
    let correct = 0;
    for (const row of found) {
      const t = truthBySha.get(row.sha);
      if (!t) continue;
      const right = row.patch_id === t.patchId || (t.diffHash !== null && row.diff_hash === t.diffHash);
      if (opts.showErrors && !right) {
        console.log(`  ${row.patch_id === null ? 'missed' : 'WRONG'} ${row.sha.slice(0, 12)} ${row.author_date} "${row.subject}"\n` +
          `    truth: ${describe.get(t.patchId)}` + (row.patch_id === null ? '' : `\n    found: ${row.method} ${row.score} ${describe.get(row.patch_id)}`));
      }
      if (row.patch_id === null) continue;
      matched++;
      if (right) correct++;
    }
    return { matched, correct, commitsMatched: 0 };
  } finally {
    index.close();
  }
}

function groundTruth(repoPath: string, originalShas: string[], copyShas: string[], dbPath: string): { named: number; patches: Map<string, Truth> } {
  const messages = execFileSync('git', ['-C', repoPath, 'log', '--no-walk=unsorted', '--stdin', '--format=%H%x00%B%x00'],
    { input: originalShas.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 }).split('\0');
  const bySha = new Map<string, string>();
  for (let i = 0; i + 1 < messages.length; i += 2) bySha.set(messages[i].trim(), messages[i + 1]);
  const index = new Database(dbPath, { readonly: true });
  const lookup = index.prepare(`SELECT m.id, m.diff_hash, pa.message_id IS NOT NULL AS is_patch FROM messages m
    LEFT JOIN patches pa ON pa.message_id = m.id WHERE m.msgid = ? ORDER BY m.duplicate_of IS NOT NULL, m.id LIMIT 1`);
  const patches = new Map<string, Truth>();
  let named = 0;
  originalShas.forEach((sha, i) => {
    for (const msgid of statedMessageIds(bySha.get(sha) ?? '')) {
      const row = lookup.get(msgid) as { id: number; diff_hash: string | null; is_patch: number } | undefined;
      if (!row) continue;
      named++;
      if (row.is_patch) patches.set(copyShas[i], { sha: copyShas[i], patchId: row.id, diffHash: row.diff_hash });
      break;
    }
  });
  index.close();
  return { named, patches };
}

/** A clone of `from` whose commit messages have no Link: or Message-Id: lines. */
function stripTrailers(from: string, to: string): string {
  if (existsSync(to)) return to;
  execFileSync('git', ['clone', '--quiet', '--no-local', from, to]);
  execFileSync('git', ['-C', to, 'filter-branch', '-f', '--msg-filter', "sed -e '/^[Ll]ink:/d' -e '/^[Mm]essage-[Ii][Dd]:/d'", 'HEAD'], {
    env: { ...process.env, FILTER_BRANCH_SQUELCH_WARNING: '1' }, stdio: 'ignore',
  });
  return to;
}
