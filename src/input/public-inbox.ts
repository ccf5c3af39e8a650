/**
 * public-inbox git repositories as a source of mail: a v2 epoch (`git/N.git`, each commit adds
 * one message as the file `m`) or a v1 repository (ssoma: one file per message under fanout
 * folders `ab/cdef…`). Messages are read in commit order (first parent, oldest first) with two
 * git processes per repository: `git log --raw` names each commit's new blobs, and one
 * `git cat-file --batch` hands their bytes over, so a repository of any size costs two processes,
 * not one per message.
 *
 * Each message is handed on exactly as public-inbox writes it into an mbox (its `From mboxrd@z`
 * line, mboxrd escaping, one newline after it), so that it has the content hash, raw bytes and
 * export of an mbox import of the same message: importing a lore mbox and the inbox it came from
 * stores each message once.
 *
 * Written by hand over the git command: the npm libraries that read git repositories
 * (isomorphic-git) inflate and undelta packs in JavaScript, on the thread that also writes the
 * index, while git does it in a process of its own; and git is the one tool everyone who
 * mirrors these repositories has.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { ListindexError } from '../errors.js';
import type { SourceMessage } from './read-source.js';
import type { SourceSpec } from './sources.js';
import { DEFAULT_MAX_MESSAGE_BYTES, OVERSIZED_HEAD_BYTES } from './mbox-splitter.js';

/** The `From ` line public-inbox (and `git format-patch`) puts before every message of an mbox. */
export const PUBLIC_INBOX_FROM_LINE = 'From mboxrd@z Thu Jan  1 00:00:00 1970';

export interface GitReadOptions {
  /** The last commit read before: only commits after it are read (it must be an ancestor of `until`). */
  since?: string | null;
  /** The commit to read up to (the branch's head when the import planned this source). */
  until: string;
  /** Position (0-based, first-parent order from the root commit) of the first commit read. */
  startPosition?: number;
  /** Larger messages are yielded as an `oversized` head only (default 64 MiB). */
  maxMessageBytes?: number;
  /**
   * A message whose blob the repository lacks (a broken or partial copy) is reported here and
   * reading goes on; without this callback the read stops with that error.
   */
  onMissing?: (error: ListindexError) => void;
}

/** A message of a git source: `offset` is its commit's position in the history. */
export type GitMessage = SourceMessage & { commit: string };

/** Paths that hold a message: `m` in a v2 epoch, a fanout path of the Message-Id's SHA-1 in v1. */
const MESSAGE_PATH = /^(?:m|[0-9a-f]{2}\/[0-9a-f]{38})$/;
const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
// Blobs asked of cat-file ahead of the one read (a few dozen KB of object ids), and asks
// written to it at once.
const CAT_WINDOW = 1024;
const CAT_WRITE_BATCH = 64;

interface Asked {
  commit: string;
  position: number;
  blob: string;
}

/**
 * Reads the messages added by the commits after `since` up to `until`, oldest first. Deleted
 * messages (commits that remove a file) add nothing; a commit that adds no message still counts
 * as a position. Errors (git missing, a broken repository) are ListindexErrors naming the
 * repository, thrown after every message read before them was yielded.
 */
export async function* readGitSource(spec: SourceSpec, options: GitReadOptions): AsyncGenerator<GitMessage> {
  const gitDir = spec.path;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const range = options.since ? [`${options.since}..${options.until}`] : [options.until];
  // The user's configuration must not change what log prints: the root commit's files
  // (log.showRoot), signatures, colours, rename detection.
  const log = startGit(gitDir, [
    '-c', 'log.showRoot=true', '-c', 'log.showSignature=false', 'log', '--reverse', '--first-parent', '--no-renames',
    '--no-color', '--no-decorate', '--no-ext-diff', '--raw', '--no-abbrev', '-z', '--format=%H', ...range,
  ]);
  const cat = startGit(gitDir, ['cat-file', '--batch']);
  let index = 0;
  let position = (options.startPosition ?? 0) - 1;
  try {
    const reader = new ByteReader(cat.child.stdout!);
    const receive = async (item: Asked): Promise<GitMessage | null> => {
      const header = await reader.line();
      if (header === null) throw await cat.failure('git cat-file stopped early');
      const [oid, type, sizeText] = header.split(' ');
      if (type === 'missing') {
        const error = new ListindexError('INPUT_CORRUPT', `the message of commit ${item.commit} (position ${item.position}, blob ${oid}) is missing from the repository: not imported; repair it (\`git fsck\`, fetch again), then import with --full`, { file: gitDir });
        if (!options.onMissing) throw error;
        options.onMissing(error);
        return null;
      }
      if (type !== 'blob') throw new ListindexError('INPUT_CORRUPT', `git object ${oid} of commit ${item.commit} is a ${type}, not a message: run \`git fsck\` on the repository`, { file: gitDir });
      const size = Number(sizeText);
      const keep = size > maxMessageBytes ? Math.min(maxMessageBytes, OVERSIZED_HEAD_BYTES) : size;
      const parts = await reader.bytes(keep, size - keep + 1); // the +1: cat-file's newline after the object
      if (parts === null) throw await cat.failure('git cat-file stopped early');
      return size > maxMessageBytes
        ? { source: gitDir, offset: item.position, fromLine: PUBLIC_INBOX_FROM_LINE, escaping: 'none', index: index++, raw: Buffer.concat(parts, keep), oversized: true, rawSize: size, commit: item.commit }
        : { source: gitDir, offset: item.position, fromLine: PUBLIC_INBOX_FROM_LINE, escaping: 'mboxrd', index: index++, raw: asMboxrd(parts, size), commit: item.commit };
    };
    // Blobs asked of cat-file and not yet read back (from `head` on), and asks not yet written.
    // cat-file always has a window of asks ahead of what this loop reads, so that it never
    // waits for this loop to ask.
    let asked: Asked[] = [];
    let head = 0;
    let unsent = '';
    let unsentCount = 0;
    const send = () => {
      if (unsentCount) cat.child.stdin!.write(unsent);
      unsent = '';
      unsentCount = 0;
    };
    let commit = '';
    for await (const entry of logEntries(log.child.stdout!)) {
      if (entry.type === 'commit') {
        commit = entry.commit;
        position++;
        continue;
      }
      if (entry.status === 'D' || !MESSAGE_PATH.test(entry.path) || !OID.test(entry.blob) || /^0+$/.test(entry.blob)) continue;
      asked.push({ commit, position, blob: entry.blob });
      unsent += entry.blob + '\n';
      if (++unsentCount >= CAT_WRITE_BATCH) send();
      if (asked.length - head >= CAT_WINDOW) {
        send();
        const message = await receive(asked[head++]);
        if (message) yield message;
        if (head >= CAT_WINDOW) {
          asked = asked.slice(head);
          head = 0;
        }
      }
    }
    await log.done();
    send();
    cat.child.stdin!.end();
    while (head < asked.length) {
      const message = await receive(asked[head++]);
      if (message) yield message;
    }
    await cat.done();
  } finally {
    log.child.kill();
    cat.child.kill();
  }
}

/** The commit a repository's HEAD points to, or null when its branch has no commit yet. */
export async function gitHead(gitDir: string): Promise<string | null> {
  const r = await runGit(gitDir, ['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
  if (r.code === 1) return null;
  if (r.code !== 0) throw gitError(gitDir, r.stderr, 'cannot read its HEAD');
  return r.stdout.trim();
}

/** Whether `old` is in the history of `tip` (false too when `old` no longer exists). */
export async function isAncestor(gitDir: string, old: string, tip: string): Promise<boolean> {
  const r = await runGit(gitDir, ['merge-base', '--is-ancestor', old, tip]);
  if (r.code === 0) return true;
  if (r.code === 1 || /not a valid|bad object|unknown revision/i.test(r.stderr)) return false;
  throw gitError(gitDir, r.stderr, `cannot compare commits ${old} and ${tip}`);
}

/** How many commits lead to `tip` in first-parent order, `tip` included: its position + 1. */
export async function gitCommitCount(gitDir: string, tip: string): Promise<number> {
  const r = await runGit(gitDir, ['rev-list', '--first-parent', '--count', tip]);
  if (r.code !== 0) throw gitError(gitDir, r.stderr, `cannot count the commits of ${tip}`);
  return Number(r.stdout.trim());
}

/**
 * A blob as public-inbox writes it into an mbox: lines starting with `>*From ` get one more `>`
 * (mboxrd), and a newline follows. Lines start after \n only, as in public-inbox's Perl. One
 * copy, straight from the read chunks.
 */
function asMboxrd(parts: Buffer[], size: number): Buffer {
  const blob = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
  const cuts: number[] = [];
  for (let hit = blob.indexOf(FROM); hit !== -1; hit = blob.indexOf(FROM, hit + 5)) {
    let start = hit;
    while (start > 0 && blob[start - 1] === GT) start--;
    if (start === 0 || blob[start - 1] === LF) cuts.push(start);
  }
  const out = Buffer.allocUnsafe(size + cuts.length + 1);
  let at = 0;
  let from = 0;
  for (const cut of cuts) {
    at += blob.copy(out, at, from, cut);
    out[at++] = GT;
    from = cut;
  }
  at += blob.copy(out, at, from);
  out[at] = LF;
  return out;
}
const FROM = Buffer.from('From ');
const GT = 0x3e;
const LF = 0x0a;

type LogEntry = { type: 'commit'; commit: string } | { type: 'file'; status: string; blob: string; path: string };

/**
 * `git log --raw -z --format=%H` as entries. Fields are NUL-terminated: a commit's hash (after a
 * newline, for every commit but the first), then per changed file a raw line
 * `:oldmode newmode oldoid newoid status` and its path.
 */
async function* logEntries(stream: NodeJS.ReadableStream): AsyncGenerator<LogEntry> {
  let carry = '';
  let expectPathFor: { status: string; blob: string } | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = carry + chunk.toString('latin1');
    const fields = text.split('\0');
    carry = fields.pop()!;
    for (const raw of fields) {
      if (expectPathFor) {
        yield { type: 'file', ...expectPathFor, path: raw };
        expectPathFor = null;
        continue;
      }
      const field = raw.replace(/^\n+/, '');
      if (field.startsWith(':')) {
        const parts = field.slice(1).split(' ');
        expectPathFor = { blob: parts[3] ?? '', status: (parts[4] ?? '').charAt(0) };
      } else if (field) {
        yield { type: 'commit', commit: field };
      }
    }
  }
}

/** Reads lines and byte counts from a stream of chunks, as cat-file's output needs. */
class ByteReader {
  private readonly it: AsyncIterator<Buffer>;
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(stream: NodeJS.ReadableStream) {
    this.it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.it.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, next.value]) : next.value;
    return true;
  }

  async line(): Promise<string | null> {
    for (;;) {
      const nl = this.buffer.indexOf(0x0a);
      if (nl !== -1) {
        const line = this.buffer.toString('latin1', 0, nl);
        this.buffer = this.buffer.subarray(nl + 1);
        return line;
      }
      if (!(await this.more())) return null;
    }
  }

  /** `keep` bytes, as views of the read chunks (copy them to keep them), then `skip` more thrown away. */
  async bytes(keep: number, skip: number): Promise<Buffer[] | null> {
    const parts: Buffer[] = [];
    let wanted = keep;
    while (wanted > 0) {
      if (this.buffer.length === 0 && !(await this.more())) return null;
      const take = Math.min(wanted, this.buffer.length);
      parts.push(this.buffer.subarray(0, take));
      this.buffer = this.buffer.subarray(take);
      wanted -= take;
    }
    let left = skip;
    while (left > 0) {
      if (this.buffer.length === 0 && !(await this.more())) return null;
      const take = Math.min(left, this.buffer.length);
      this.buffer = this.buffer.subarray(take);
      left -= take;
    }
    return parts;
  }
}

interface RunningGit {
  child: ChildProcess;
  /** Resolves when git exited with 0; otherwise rejects with a ListindexError. */
  done(): Promise<void>;
  /** The error to throw when its output ended too soon. */
  failure(what: string): Promise<ListindexError>;
}

function startGit(gitDir: string, args: string[]): RunningGit {
  const child = spawn('git', ['--git-dir', gitDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: gitEnv() });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString('utf8');
  });
  // Writes to a cat-file that died fail with EPIPE: its exit reports why.
  child.stdin!.on('error', () => {});
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  const check = async (what: string): Promise<ListindexError | null> => {
    const { code, error } = await exited;
    if (error) return spawnError(gitDir, error);
    return code === 0 ? null : gitError(gitDir, stderr, what);
  };
  return {
    child,
    async done() {
      const error = await check(`git ${args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c')} failed`);
      if (error) throw error;
    },
    async failure(what: string) {
      return (await check(what)) ?? gitError(gitDir, stderr, what);
    },
  };
}

function runGit(gitDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['--git-dir', gitDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: gitEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.once('error', (error) => reject(spawnError(gitDir, error)));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The user's git, but without a pager or a terminal prompt, and in English for the error tests. */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}

function spawnError(gitDir: string, error: Error): ListindexError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new ListindexError('INPUT_UNREADABLE', 'git is not installed (or not on PATH): install git to import public-inbox repositories', { file: gitDir, cause: error });
  }
  return new ListindexError('INPUT_UNREADABLE', `cannot run git: ${error.message}`, { file: gitDir, cause: error });
}

function gitError(gitDir: string, stderr: string, what: string): ListindexError {
  const said = stderr.split('\n').map((l) => l.trim()).filter(Boolean)[0];
  return new ListindexError('INPUT_UNREADABLE', `${what}${said ? `: ${said}` : ''} (is it a git repository? \`git --git-dir ${gitDir} log\` tells more)`, { file: gitDir });
}
