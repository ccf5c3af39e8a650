/**
 * `listindex commits`: reads the commits of a repository that the index has not seen (and those
 * not matched before, when newer mail has arrived since) and decides which patch each came from:
 * 1. exact: the same Patchwork diff hash (what Patchwork's post-receive hook does);
 * 2. stated: a `Link:` or `Message-Id:` trailer naming a patch of the index (b4 adds one) that
 *    touches one of the commit's files;
 * 3. similar: the patch that scores best (`similarity`) and at least SIMILAR_THRESHOLD, among
 *    patches touching one of the commit's files and sent before the commit was made.
 * The patch found, and every patch with its very diff (a resend, an unchanged earlier revision),
 * become `accepted` with the commit's SHA. A patch keeps the first commit found for it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ListindexError } from '../errors.js';
import { listCommits, readCommits } from '../input/git-commits.js';
import type { GitCommit } from '../input/git-commits.js';
import { patchworkHash } from '../patch/hash.js';
import { changeFacts, commitSubject, partialSimilarity, similarity, statedMessageIds, stripPrefixGroups, SIMILAR_THRESHOLD } from '../patch/commit-match.js';
import type { ChangeFacts, MatchSide } from '../patch/commit-match.js';
import { openDatabase } from '../store/database.js';
import { acquireImportLock } from '../store/import-lock.js';
import { CommitStore } from '../store/commit-store.js';
import type { CommitMethod, CommitRow, PatchCandidate } from '../store/commit-store.js';

export interface CommitOptions {
  /** A revision range as `git rev-list` takes it (`v1.0..main`); default HEAD. */
  rev?: string;
  /** Which methods to use (all by default): the benchmark measures `exact` alone. */
  methods?: readonly CommitMethod[];
  /** Score a `similar` match needs. */
  threshold?: number;
  /** Called after each batch of commits is stored. */
  onProgress?: (read: number, total: number) => void;
}

export interface CommitSummary {
  repository: string;
  /** Commits in the range (merges left out). */
  inRange: number;
  /** Commits read this run: new ones, and unmatched ones tried again. */
  read: number;
  matched: { exact: number; similar: number; stated: number };
  /** Patches newly marked accepted. */
  patchesAccepted: number;
  seconds: number;
}

// A commit is made after its patch was sent; a day of slack for wrong clocks.
const CLOCK_SLACK_MS = 24 * 3600 * 1000;
const BATCH = 500;
const MAX_KEPT_SIDES = 20_000;

export async function matchCommits(dbPath: string, repo: string, options: CommitOptions = {}): Promise<CommitSummary> {
  const started = performance.now();
  const repository = resolve(repo);
  const methods = new Set<CommitMethod>(options.methods ?? ['exact', 'stated', 'similar']);
  const threshold = options.threshold ?? SIMILAR_THRESHOLD;
  // Matching against an empty index would only record every commit as unmatched.
  if (!existsSync(dbPath)) throw new ListindexError('USAGE', `no index at ${dbPath}: import the list's mail first (listindex import ... --db ${dbPath})`);
  const shas = listCommits(repository, options.rev);
  const db = openDatabase(dbPath);
  const lock = acquireImportLock(dbPath);
  try {
    const store = new CommitStore(db);
    const lastId = store.lastMessageId();
    const known = store.knownCommits();
    const wanted = shas.filter((sha) => {
      const k = known.get(sha);
      return k === undefined || (!k.matched && k.checkedUpTo < lastId);
    });
    known.clear();
    const matcher = new Matcher(store, methods, threshold);
    const summary: CommitSummary = {
      repository, inRange: shas.length, read: 0, matched: { exact: 0, similar: 0, stated: 0 }, patchesAccepted: 0, seconds: 0,
    };
    let batch: { row: CommitRow; patches: number[] }[] = [];
    const flush = () => {
      summary.patchesAccepted += store.write(batch);
      batch = [];
      options.onProgress?.(summary.read, wanted.length);
    };
    for await (const commit of readCommits(repository, wanted)) {
      const found = matcher.match(commit);
      summary.read++;
      if (found.method) summary.matched[found.method]++;
      batch.push({
        row: {
          sha: commit.sha, repository, authorName: commit.authorName, authorEmail: commit.authorEmail, authorDate: commit.authorDate,
          committerDate: commit.committerDate, subject: found.subject, diffHash: found.diffHash, statedMsgid: found.stated,
          patchId: found.patch?.id ?? null, method: found.method, score: found.score, checkedUpTo: lastId,
        },
        patches: found.patches,
      });
      if (batch.length >= BATCH) flush();
    }
    flush();
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    lock.release();
    db.close();
  }
}

interface Found {
  sha: string;
  subject: string;
  diffHash: string | null;
  stated: string | null;
  patch: PatchCandidate | null;
  method: CommitMethod | null;
  score: number | null;
  /** The patch and those with its diff: what becomes accepted. */
  patches: number[];
}

/** Finds a commit's patch among the index's patches (held once, diffs read when first needed). */
class Matcher {
  private readonly patches: PatchCandidate[];
  private readonly byId = new Map<number, PatchCandidate>();
  private readonly byHash = new Map<string, PatchCandidate[]>();
  private readonly byFile = new Map<string, PatchCandidate[]>();
  /** Patches' sides with their changed lines, read when first needed. */
  private readonly sides = new Map<number, MatchSide>();
  private readonly titleSides = new Map<number, MatchSide>();

  constructor(private readonly store: CommitStore, private readonly methods: Set<CommitMethod>, private readonly threshold: number) {
    this.patches = store.candidates();
    for (const p of this.patches) {
      this.byId.set(p.id, p);
      if (p.diffHash) push(this.byHash, p.diffHash, p);
      for (const file of new Set(p.files)) push(this.byFile, file, p);
    }
  }

  match(commit: GitCommit): Found {
    const subject = commitSubject(commit.message);
    const change = changeFacts(commit.diff);
    const diffHash = change.lineTotal > 0 ? patchworkHash(commit.diff) : null;
    const statedIds = statedMessageIds(commit.message);
    const side: MatchSide = { authorName: commit.authorName, authorEmail: commit.authorEmail, title: subject, change };
    const none: Found = { sha: commit.sha, subject, diffHash, stated: statedIds[0] ?? null, patch: null, method: null, score: null, patches: [] };

    const latestDate = Date.parse(commit.committerDate) + CLOCK_SLACK_MS;
    const authorTime = Date.parse(commit.authorDate);
    // A patch sent after the commit was made did not come in here (a revert of a revert, a backport).
    const sentBefore = (p: PatchCandidate) => p.time <= latestDate;
    if (this.methods.has('exact') && diffHash) {
      const same = this.byHash.get(diffHash)?.filter(sentBefore);
      if (same?.length) return this.found(none, nearest(same, authorTime), 'exact', 1);
    }
    if (this.methods.has('stated')) {
      for (const msgid of statedIds) {
        const message = this.store.message(msgid);
        const patch = message?.isPatch ? this.byId.get(message.id) : undefined;
        if (!patch) continue;
        // A link to a patch on none of the commit's files is a reference (the kernel side of
        // a liburing feature, a discussion), not where the commit came from.
        const alike = similarity(side, this.side(patch));
        if (alike.files > 0) return this.found(none, patch, 'stated', round(alike.score));
      }
    }
    if (this.methods.has('similar') && change.lineTotal > 0) {
      const best = this.bestSimilar(side, sentBefore, authorTime);
      if (best) return this.found(none, best.patch, 'similar', round(best.score));
    }
    return none;
  }

  private found(none: Found, patch: PatchCandidate, method: CommitMethod, score: number): Found {
    const same = patch.diffHash ? this.byHash.get(patch.diffHash) ?? [patch] : [patch];
    const patches = same.filter((p) => p.commitRef === null);
    for (const p of patches) p.commitRef = none.sha;
    return { ...none, patch, method, score, patches: patches.map((p) => p.id) };
  }

  /**
   * The best-scoring patch among those touching a file of the commit. Equal scores (revisions
   * that change the same lines) go to the patch sent nearest the commit's author date: `git am`
   * takes the author date from the mail's Date.
   */
  private bestSimilar(commit: MatchSide, sentBefore: (p: PatchCandidate) => boolean, authorTime: number): { patch: PatchCandidate; score: number } | null {
    const seen = new Set<number>();
    let best: { patch: PatchCandidate; score: number } | null = null;
    for (const file of commit.change.files) {
      for (const patch of this.byFile.get(file) ?? []) {
        if (seen.has(patch.id)) continue;
        seen.add(patch.id);
        // A patch committed already came in once.
        if (patch.commitRef !== null || !sentBefore(patch)) continue;
        const cheap = partialSimilarity(commit, this.titleSide(patch));
        if (cheap.bound < this.threshold || (best && cheap.bound < best.score)) continue;
        const score = similarity(commit, this.side(patch)).score;
        if (score < this.threshold || (best && score < best.score)) continue;
        if (!best || score > best.score || distance(patch, authorTime) < distance(best.patch, authorTime)) best = { patch, score };
      }
    }
    return best;
  }

  /** A patch's side without its changed lines (files only): for the cheap first test. */
  private titleSide(patch: PatchCandidate): MatchSide {
    const full = this.sides.get(patch.id);
    if (full) return full;
    let side = this.titleSides.get(patch.id);
    if (side === undefined) {
      const change: ChangeFacts = { files: new Set(patch.files), lines: new Map(), lineTotal: 0 };
      side = { authorName: patch.authorName, authorEmail: patch.authorEmail, title: stripPrefixGroups(patch.name), change };
      this.titleSides.set(patch.id, side);
    }
    return side;
  }

  private side(patch: PatchCandidate): MatchSide {
    let side = this.sides.get(patch.id);
    if (side === undefined) {
      // Changed lines take far more room than the rest: on an index with hundreds of thousands
      // of patches, keeping all would hold every diff of the list. Those of recent commits'
      // files are the ones asked for again.
      if (this.sides.size >= MAX_KEPT_SIDES) this.sides.clear();
      const cheap = this.titleSide(patch);
      side = { ...cheap, change: changeFacts(this.store.diff(patch.id)) };
      this.sides.set(patch.id, side);
    }
    return side;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** How far a patch's date is from a commit's author date (a patch without a date is far). */
const distance = (p: PatchCandidate, authorTime: number) => (p.date === null ? Infinity : Math.abs(p.time - authorTime));
const nearest = (patches: PatchCandidate[], authorTime: number) =>
  patches.reduce((a, b) => (distance(b, authorTime) < distance(a, authorTime) ? b : a));
const round = (score: number) => Math.round(score * 1000) / 1000;
