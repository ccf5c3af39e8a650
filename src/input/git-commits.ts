/**
 * Commits of a git repository, read by the `git` program (it is installed wherever patches are
 * applied, and reading packs, deltas and renames ourselves would be a second git): `rev-list`
 * names the commits of a range, `log --no-walk --stdin` prints those we ask for, one at a time,
 * with their diffs as `git format-patch` makes them. Streaming: one commit is held at a time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ListindexError } from '../errors.js';

export interface GitCommit {
  sha: string;
  authorName: string;
  authorEmail: string;
  /** Author date, UTC ISO-8601 (`git am` takes it from the mail's Date). */
  authorDate: string;
  committerDate: string;
  /** The whole commit message. */
  message: string;
  /** The diff as `git format-patch` would print it (renames found, no colour, full text). */
  diff: string;
}

// Each commit starts with a NUL, and its fields are NUL-separated: no commit text holds a NUL.
const FORMAT = '%x00%H%x00%an%x00%ae%x00%at%x00%ct%x00%B%x00';
const FIELDS = 7; // sha, name, email, author time, committer time, message, diff
// Output as format-patch prints it whatever the user's configuration says (renames as
// format-patch finds them, no colour, no external diff or text conversion).
const DIFF_OPTIONS = ['-p', '--find-renames', '--no-color', '--no-ext-diff', '--no-textconv', '--no-relative', '--encoding=UTF-8'];

function gitError(repo: string, args: string[], stderr: string): ListindexError {
  const first = stderr.trim().split('\n')[0] || 'git failed';
  return new ListindexError('INPUT_UNREADABLE', `git ${args[0]} failed: ${first}; give a git repository and a valid --rev`, { file: repo });
}

/** The non-merge commits of `range` (default HEAD), oldest first. */
export function listCommits(repo: string, range = 'HEAD'): string[] {
  const args = ['rev-list', '--reverse', '--no-merges', ...range.split(/\s+/).filter(Boolean), '--'];
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw new ListindexError('INPUT_UNREADABLE', `cannot run git: ${r.error.message}; install git`, { file: repo });
  if (r.status !== 0) throw gitError(repo, args, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

const toIso = (seconds: string) => new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The given commits, in the given order, with their diffs. */
export async function* readCommits(repo: string, shas: readonly string[]): AsyncGenerator<GitCommit> {
  if (shas.length === 0) return;
  const args = ['log', '--no-walk=unsorted', '--stdin', `--format=${FORMAT}`, ...DIFF_OPTIONS];
  const child = spawn('git', ['-c', 'core.quotePath=true', '-C', repo, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const closed = new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', done);
  });
  closed.catch(() => undefined); // awaited below, once the output has been read
  child.stdin.on('error', () => { /* git stopped early: its exit status says why */ });
  child.stdin.end(shas.join('\n') + '\n');

  // Fields across chunks: `fields` holds the current commit's finished fields, `open` the parts
  // of the field being read (joined once it ends, so a large diff is not copied chunk by chunk).
  let fields: string[] = [];
  let open: string[] = [];
  let started = false;
  const take = (field: string): GitCommit | null => {
    if (!started) { // the text before the first commit's NUL is empty
      started = true;
      return null;
    }
    fields.push(field);
    if (fields.length < FIELDS) return null;
    const [sha, authorName, authorEmail, authorTime, committerTime, message, diff] = fields;
    fields = [];
    return { sha, authorName, authorEmail, authorDate: toIso(authorTime), committerDate: toIso(committerTime), message, diff };
  };
  try {
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout as AsyncIterable<string>) {
      let start = 0;
      for (let nul = chunk.indexOf('\0'); nul >= 0; nul = chunk.indexOf('\0', start)) {
        open.push(chunk.slice(start, nul));
        const commit = take(open.join(''));
        open = [];
        start = nul + 1;
        if (commit) yield commit;
      }
      open.push(chunk.slice(start));
    }
    const status = await closed.catch((error: Error) => {
      throw new ListindexError('INPUT_UNREADABLE', `cannot run git: ${error.message}; install git`, { file: repo });
    });
    if (status !== 0) throw gitError(repo, args, stderr);
    const last = take(open.join(''));
    if (last) yield last;
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
