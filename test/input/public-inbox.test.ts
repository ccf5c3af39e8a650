/**
 * The public-inbox reader (input/public-inbox.ts) and how expandInputs finds repositories, on
 * repositories built with the real git.
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_INBOX_FROM_LINE, gitCommitCount, gitHead, isAncestor, readGitSource } from '../../src/input/public-inbox.js';
import type { GitMessage, GitReadOptions } from '../../src/input/public-inbox.js';
import { expandInputs } from '../../src/input/sources.js';
import type { SourceSpec } from '../../src/input/sources.js';
import { ListindexError } from '../../src/errors.js';
import { commitMessages, git, initBare, makeV2Inbox, v1Path } from '../helpers/public-inbox.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('listindex-pi-');

const mail = (n: number, body = `body ${n}\n`) => Buffer.from(`Message-Id: <m${n}@example.org>\nSubject: message ${n}\n\n${body}`);

async function readAll(gitDir: string, options: GitReadOptions): Promise<GitMessage[]> {
  const spec: SourceSpec = { path: gitDir, kind: 'git', size: null };
  const out: GitMessage[] = [];
  for await (const m of readGitSource(spec, options)) out.push(m);
  return out;
}

describe('readGitSource', () => {
  it('reads a v2 epoch in commit order, as public-inbox writes each message into an mbox', async () => {
    const gitDir = initBare(join(dir, 'v2.git'));
    const escaped = mail(2, 'From the start of a line\n>From quoted\nnot From here\n');
    const head = commitMessages(gitDir, [{ add: mail(0) }, { add: mail(1) }, { remove: 'm' }, { add: escaped }, { add: Buffer.from('Message-Id: <x@y>\n\nno newline at the end') }]);
    const messages = await readAll(gitDir, { until: head });
    // The deletion commit adds nothing but still has its position (2).
    expect(messages.map((m) => m.offset)).toEqual([0, 1, 3, 4]);
    expect(messages.map((m) => m.index)).toEqual([0, 1, 2, 3]);
    expect(messages.every((m) => m.fromLine === PUBLIC_INBOX_FROM_LINE && m.escaping === 'mboxrd' && m.source === gitDir)).toBe(true);
    expect(messages[0].raw.toString()).toBe(mail(0).toString() + '\n');
    expect(messages[2].raw.toString()).toBe('Message-Id: <m2@example.org>\nSubject: message 2\n\n>From the start of a line\n>>From quoted\nnot From here\n\n');
    expect(messages[3].raw.toString()).toBe('Message-Id: <x@y>\n\nno newline at the end\n');
    const commits = git(gitDir, ['rev-list', '--reverse', 'master']).trim().split('\n');
    expect(messages.map((m) => m.commit)).toEqual([commits[0], commits[1], commits[3], commits[4]]);
    expect(await gitHead(gitDir)).toBe(head);
    expect(await gitCommitCount(gitDir, head)).toBe(5);
  });

  it('reads only the commits after `since`, numbered on from startPosition', async () => {
    const gitDir = initBare(join(dir, 'since.git'));
    const first = commitMessages(gitDir, [0, 1, 2].map((n) => ({ add: mail(n) })));
    const head = commitMessages(gitDir, [3, 4].map((n) => ({ add: mail(n) })));
    expect(await isAncestor(gitDir, first, head)).toBe(true);
    const messages = await readAll(gitDir, { since: first, until: head, startPosition: 3 });
    expect(messages.map((m) => [m.offset, m.raw.toString().split('\n')[0]])).toEqual([[3, 'Message-Id: <m3@example.org>'], [4, 'Message-Id: <m4@example.org>']]);
  });

  it('notices a rewritten history: the old head is no ancestor of the new one', async () => {
    const gitDir = initBare(join(dir, 'rewrite.git'));
    const old = commitMessages(gitDir, [0, 1, 2].map((n) => ({ add: mail(n) })));
    const head = commitMessages(gitDir, [0, 2].map((n) => ({ add: mail(n) })), { rewrite: true });
    expect(await isAncestor(gitDir, old, head)).toBe(false);
    expect(await isAncestor(gitDir, '1'.repeat(40), head)).toBe(false); // a commit the repository no longer has
  });

  it('reads a v1 repository: fanout paths, deletions and other files left out', async () => {
    const gitDir = initBare(join(dir, 'v1.git'));
    const head = commitMessages(gitDir, [
      { add: mail(0), path: v1Path(mail(0)) },
      { add: Buffer.from('not mail'), path: 'README' },
      { add: mail(1), path: v1Path(mail(1)) },
      { remove: v1Path(mail(0)) },
      { add: mail(2), path: v1Path(mail(2)) },
    ]);
    const messages = await readAll(gitDir, { until: head });
    expect(messages.map((m) => [m.offset, m.raw.toString()])).toEqual([[0, mail(0) + '\n'], [2, mail(1) + '\n'], [4, mail(2) + '\n']]);
  });

  it('reports a message whose blob the repository lacks, and reads on', async () => {
    const gitDir = initBare(join(dir, 'missing.git'));
    const first = commitMessages(gitDir, [{ add: mail(0) }]);
    const lost = 'ab'.repeat(20);
    const tree = git(gitDir, ['mktree', '--missing'], `100644 blob ${lost}\tm\n`).trim();
    const broken = git(gitDir, ['commit-tree', tree, '-p', first, '-m', 'lost'], '').trim();
    git(gitDir, ['update-ref', 'refs/heads/master', broken]);
    const head = commitMessages(gitDir, [{ add: mail(2) }]);
    const problems: ListindexError[] = [];
    const messages = await readAll(gitDir, { until: head, onMissing: (e) => problems.push(e) });
    expect(messages.map((m) => m.offset)).toEqual([0, 2]);
    expect(problems.map((e) => e.message)).toEqual([
      `${gitDir}: the message of commit ${broken} (position 1, blob ${lost}) is missing from the repository: not imported; repair it (\`git fsck\`, fetch again), then import with --full`,
    ]);
    await expect(readAll(gitDir, { until: head })).rejects.toThrow(/is missing from the repository/);
  });

  it('keeps only the head of a message over the size limit', async () => {
    const gitDir = initBare(join(dir, 'big.git'));
    const big = mail(0, 'x'.repeat(300_000) + '\n');
    const head = commitMessages(gitDir, [{ add: big }, { add: mail(1) }]);
    const messages = await readAll(gitDir, { until: head, maxMessageBytes: 100_000 });
    expect(messages[0]).toMatchObject({ oversized: true, rawSize: big.length, escaping: 'none' });
    expect(messages[0].raw.length).toBeLessThan(big.length);
    expect(messages[1].raw.toString()).toBe(mail(1) + '\n');
  });

  it('reads the same whatever the user\'s git configuration says about logs', async () => {
    const gitDir = initBare(join(dir, 'config.git'));
    const head = commitMessages(gitDir, [0, 1, 2].map((n) => ({ add: mail(n) })));
    const config = join(dir, 'gitconfig');
    writeFileSync(config, '[log]\n\tshowRoot = false\n\tshowSignature = true\n\tdecorate = full\n[color]\n\tui = always\n[diff]\n\trenames = copies\n[core]\n\tabbrev = 12\n');
    const before = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = config;
    try {
      const messages = await readAll(gitDir, { until: head });
      expect(messages.map((m) => m.raw.toString())).toEqual([0, 1, 2].map((n) => mail(n) + '\n'));
    } finally {
      if (before === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = before;
    }
  });

  it('says clearly, in one line, that git is missing', async () => {
    const gitDir = initBare(join(dir, 'nogit.git'));
    const head = commitMessages(gitDir, [{ add: mail(0) }]);
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'empty-bin');
    try {
      const error = await readAll(gitDir, { until: head }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ListindexError);
      expect((error as Error).message).toBe(`${gitDir}: git is not installed (or not on PATH): install git to import public-inbox repositories`);
      await expect(gitHead(gitDir)).rejects.toThrow(/git is not installed/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('says which git command failed, and what git said', async () => {
    const gitDir = initBare(join(dir, 'bad-range.git'));
    const head = commitMessages(gitDir, [{ add: mail(0) }]);
    const error = await readAll(gitDir, { since: 'f'.repeat(40), until: head }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ListindexError);
    expect((error as Error).message).toMatch(new RegExp(`^${gitDir}: git log failed: fatal: .*f{40}`));
    expect((error as Error).message).not.toContain('\n');
  });

  it('names the repository and what git said when it is not one', async () => {
    const notRepo = join(dir, 'not-a-repo');
    mkdirSync(notRepo);
    const error = await gitHead(notRepo).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ListindexError);
    expect((error as Error).message).toMatch(new RegExp(`^${notRepo}: cannot read its HEAD: .*not a git repository`));
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('expandInputs with public-inbox repositories', () => {
  it('gives a v2 inbox folder as its epochs in epoch order, without its other files', async () => {
    const inbox = join(dir, 'inbox');
    makeV2Inbox(inbox, Array.from({ length: 11 }, (_, i) => [mail(i)]));
    writeFileSync(join(inbox, 'msgmap.sqlite3'), 'SQLite format 3\0');
    writeFileSync(join(inbox, 'inbox.lock'), '');
    mkdirSync(join(inbox, 'xap15', '0'), { recursive: true });
    writeFileSync(join(inbox, 'xap15', '0', 'postlist.glass'), 'x');
    const { sources, errors } = await expandInputs([inbox]);
    expect(errors).toEqual([]);
    expect(sources.map((s) => [s.kind, s.path])).toEqual(Array.from({ length: 11 }, (_, i) => ['git', join(inbox, 'git', `${i}.git`)]));
  });

  it('finds epochs and bare repositories in a folder walk, beside other mail, and takes one epoch alone', async () => {
    const top = join(dir, 'mirrors');
    makeV2Inbox(join(top, 'lore', 'list-a'), [[mail(0)], [mail(1)]]);
    commitMessages(initBare(join(top, 'old-v1.git')), [{ add: mail(2), path: v1Path(mail(2)) }]);
    writeFileSync(join(top, 'extra.mbox'), `From x\n${mail(3)}\n`);
    const { sources, errors } = await expandInputs([top]);
    expect(errors).toEqual([]);
    expect(sources.map((s) => [s.kind, s.path.slice(top.length + 1)])).toEqual([
      ['mbox', 'extra.mbox'], ['git', 'lore/list-a/git/0.git'], ['git', 'lore/list-a/git/1.git'], ['git', 'old-v1.git'],
    ]);
    const one = await expandInputs([join(top, 'lore', 'list-a', 'git', '1.git')]);
    expect(one.sources.map((s) => s.kind)).toEqual(['git']);
  });
});
