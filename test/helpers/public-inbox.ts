/**
 * Builds public-inbox repositories with the real git for tests: a v2 epoch (each commit adds
 * one message as `m`, a deletion removes it), a v1 repository (fanout paths of the Message-Id's
 * SHA-1), and purges (a history rewritten without some messages). One `git fast-import` per
 * call, so a test inbox of hundreds of messages takes a fraction of a second.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSource } from '../../src/input/read-source.js';
import { unescapeFromLines } from '../../src/input/unescape.js';
import type { SourceSpec } from '../../src/input/sources.js';

export const WATCHDOG = resolve(import.meta.dirname, '../../../shared/corpus/lists/linux-watchdog.mboxrd.gz');

/** One commit: a message added (at `path`, default `m`), or a path deleted. */
export type InboxCommit = { add: Buffer; path?: string } | { remove: string };

export function git(gitDir: string, args: string[], input?: Buffer | string): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** A new bare repository (what `git clone --mirror` gives). */
export function initBare(gitDir: string): string {
  mkdirSync(gitDir, { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', '-b', 'master', gitDir]);
  return gitDir;
}

/**
 * Appends commits to the repository's master branch, or with `rewrite` starts it again from a
 * new root (as a purge leaves an epoch). Returns the new head.
 */
export function commitMessages(gitDir: string, commits: InboxCommit[], options: { rewrite?: boolean; time?: number } = {}): string {
  let head = '';
  try {
    head = git(gitDir, ['rev-parse', '--verify', '-q', 'master^{commit}']).trim();
  } catch {
    head = '';
  }
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s));
  const data = (b: Buffer) => {
    text(`data ${b.length}\n`);
    parts.push(b);
    text('\n');
  };
  if (options.rewrite) text('reset refs/heads/master\n');
  let time = options.time ?? 1_600_000_000;
  commits.forEach((c, i) => {
    text('commit refs/heads/master\n');
    text(`author A U Thor <author@example.org> ${time} +0000\ncommitter C O Mitter <committer@example.org> ${time} +0000\n`);
    time += 60;
    data(Buffer.from('add' in c ? subjectOf(c.add) : `remove ${c.remove}`));
    if (i === 0 && head && !options.rewrite) text(`from ${head}\n`);
    if ('add' in c) {
      text(`M 100644 inline ${c.path ?? 'm'}\n`);
      data(c.add);
    } else {
      text(`D ${c.remove}\n`);
    }
    text('\n');
  });
  execFileSync('git', ['--git-dir', gitDir, 'fast-import', '--quiet', '--force'], { input: Buffer.concat(parts) });
  return git(gitDir, ['rev-parse', 'master']).trim();
}

/** The v1 path of a message: the SHA-1 of its Message-Id (without <>), as ab/cdef… */
export function v1Path(message: Buffer): string {
  const id = /^Message-Id:\s*<([^>]*)>/im.exec(message.toString('latin1'))?.[1] ?? message.toString('latin1');
  const hex = createHash('sha1').update(id).digest('hex');
  return `${hex.slice(0, 2)}/${hex.slice(2)}`;
}

function subjectOf(message: Buffer): string {
  return /^Subject:[ \t]*(.*)$/im.exec(message.toString('latin1'))?.[1] ?? '(no subject)';
}

/** The first `count` messages of linux-watchdog as public-inbox stores them (unescaped, one newline less). */
export async function watchdogMessages(count: number, skip = 0): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const spec: SourceSpec = { path: WATCHDOG, kind: 'mbox', size: null };
  let seen = 0;
  for await (const m of readSource(spec)) {
    if (seen++ < skip) continue;
    const raw = unescapeFromLines(m.raw, 'mboxrd');
    // An mbox adds one newline after each message (the blank line before the next From_).
    out.push(Buffer.from(raw.subarray(0, raw.at(-1) === 0x0a && raw.at(-2) === 0x0a ? raw.length - 1 : raw.length)));
    if (out.length >= count) break;
  }
  return out;
}

/** The mbox public-inbox writes for these messages: its From_ line, mboxrd escaping, a newline after each. */
export function publicInboxMbox(messages: Buffer[]): Buffer {
  return Buffer.concat(
    messages.flatMap((m) => [
      Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\n'),
      Buffer.from(m.toString('latin1').replace(/(^|\n)(>*From )/g, '$1>$2'), 'latin1'),
      Buffer.from('\n'),
    ]),
  );
}

/** A v2 inbox folder: git/0.git, git/1.git, … holding `epochs[i]`, plus the files public-inbox keeps beside them. */
export function makeV2Inbox(dir: string, epochs: Buffer[][]): string[] {
  mkdirSync(join(dir, 'git'), { recursive: true });
  const heads = epochs.map((messages, i) => {
    const gitDir = initBare(join(dir, 'git', `${i}.git`));
    return commitMessages(gitDir, messages.map((add) => ({ add })));
  });
  return heads;
}

/** `join(dir, 'git', N.git)` */
export function epochDir(dir: string, n: number): string {
  return join(dir, 'git', `${n}.git`);
}
