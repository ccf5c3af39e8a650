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
 * Written by hand: there is no maintained npm library that reads git packs (isomorphic-git
 * decodes objects in JavaScript, far slower than git's own cat-file), and git is the one tool
 * everyone who mirrors these repositories has.
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
}

/** A message of a git source: `offset` is its commit's position in the history. */
export type GitMessage = SourceMessage & { commit: string };

/** Paths that hold a message: `m` in a v2 epoch, a fanout path of the Message-Id's SHA-1 in v1. */
const MESSAGE_PATH = /^(?:m|[0-9a-f]{2}\/[0-9a-f]{38})$/;
const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
// Blobs asked of cat-file at once: enough that git is never idle while the caller works.
const CAT_BATCH = 256;

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
  const log = startGit(gitDir, [
    'log', '--reverse', '--first-parent', '--no-renames', '--raw', '--no-abbrev', '-z', '--format=%H', ...range,
  ]);
  const cat = startGit(gitDir, ['cat-file', '--batch']);
  let index = 0;
  let position = (options.startPosition ?? 0) - 1;
  try {
    const reader = new ByteReader(cat.child.stdout!);
    let pending: { commit: string; position: number; blob: string }[] = [];
    const flush = async function* (): AsyncGenerator<GitMessage> {
      // Ask for the whole batch first: cat-file works on it while this loop hands messages on.
      cat.child.stdin!.write(pending.map((p) => p.blob + '\n').join(''));
      const asked = pending;
      pending = [];
      for (const item of asked) {
        const header = await reader.line();
        if (header === null) throw await cat.failure('git cat-file stopped early');
        const [oid, type, sizeText] = header.split(' ');
        if (type !== 'blob') throw new ListindexError('INPUT_CORRUPT', `git object ${oid} of commit ${item.commit} is ${type === 'missing' ? 'missing' : `a ${type}`}, not a message: run \`git fsck\` on the repository`, { file: gitDir });
        const size = Number(sizeText);
        const keep = size > maxMessageBytes ? Math.min(maxMessageBytes, OVERSIZED_HEAD_BYTES) : size;
        const blob = await reader.bytes(keep, size - keep + 1); // the +1: cat-file's newline after the object
        if (blob === null) throw await cat.failure('git cat-file stopped early');
        const message: GitMessage = size > maxMessageBytes
          ? { source: gitDir, offset: item.position, fromLine: PUBLIC_INBOX_FROM_LINE, escaping: 'none', index: index++, raw: blob, oversized: true, rawSize: size, commit: item.commit }
          : { source: gitDir, offset: item.position, fromLine: PUBLIC_INBOX_FROM_LINE, escaping: 'mboxrd', index: index++, raw: asMboxrd(blob), commit: item.commit };
        yield message;
      }
    };
    let commit = '';
    for await (const entry of logEntries(log.child.stdout!)) {
      if (entry.type === 'commit') {
        commit = entry.commit;
        position++;
        continue;
      }
      if (entry.status === 'D' || !MESSAGE_PATH.test(entry.path) || !OID.test(entry.blob) || /^0+$/.test(entry.blob)) continue;
      pending.push({ commit, position, blob: entry.blob });
      if (pending.length >= CAT_BATCH) yield* flush();
    }
    await log.done();
    if (pending.length) yield* flush();
    cat.child.stdin!.end();
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

/** A blob as public-inbox writes it into an mbox: `>*From ` lines get one more `>`, then one newline. */
function asMboxrd(blob: Buffer): Buffer {
  if (!blob.includes('From ')) return Buffer.concat([blob, NEWLINE]);
  const text = blob.toString('latin1');
  // Lines start after \n only (a JavaScript `^` with the m flag would also match after \r).
  return Buffer.from(text.replace(/(^|\n)(>*From )/g, '$1>$2') + '\n', 'latin1');
}
const NEWLINE = Buffer.from('\n');

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

  /** `keep` bytes (a copy, so a chunk is not held by a message), then `skip` more thrown away. */
  async bytes(keep: number, skip: number): Promise<Buffer | null> {
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
    return Buffer.concat(parts, keep);
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
      const error = await check(`git ${args[0]} failed`);
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
