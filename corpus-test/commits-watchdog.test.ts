/**
 * `listindex commits` on real mail: the linux-watchdog archive is imported, and the series b4
 * prepared from it (lists/linux-watchdog-b4-golden, v4 of the NXP S32 watchdog) is applied with
 * `git am` to a repository whose files are made from the patches' own context lines. Patch 1
 * goes in with a reworded message, patch 2 with one line changed; then one unrelated commit.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliOk, withDb } from '../test/cli/run-cli.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { corpusFile } from './corpus-path.js';

const SERIES = corpusFile('lists/linux-watchdog-b4-golden/v4_20250410_daniel_lezcano_add_the_nxp_s32_watchdog.mbx');
const PATCH_1 = '<20250410082616.1855860-2-daniel.lezcano@linaro.org>';
const PATCH_2 = '<20250410082616.1855860-3-daniel.lezcano@linaro.org>';

let dir: string;
let repo: string;
let db: string;
const sha: Record<string, string> = {};

function git(args: string[], input?: string): string {
  const r = spawnSync('git', ['-C', repo, ...args], {
    encoding: 'utf8', input,
    env: {
      PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Wim Maintainer', GIT_AUTHOR_EMAIL: 'wim@example.org',
      GIT_COMMITTER_NAME: 'Wim Maintainer', GIT_COMMITTER_EMAIL: 'wim@example.org', GIT_COMMITTER_DATE: '2025-05-01T10:00:00Z',
      GIT_AUTHOR_DATE: '2025-05-01T10:00:00Z',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * The files the series changes, as they were before it: each hunk's old side (context and
 * removed lines) at its line number, and filler lines between, so that `git am` applies it.
 */
function preImages(mbox: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  let lines: string[] | null = null;
  let at = 0;
  let left = 0;
  for (const line of mbox.split('\n')) {
    const file = /^--- a\/(.+)$/.exec(line);
    if (file && left === 0) {
      lines = files.get(file[1]) ?? [];
      files.set(file[1], lines);
      continue;
    }
    if (line.startsWith('--- /dev/null')) lines = null;
    const hunk = /^@@ -(\d+)(?:,(\d+))? /.exec(line);
    if (hunk && lines) {
      at = Number(hunk[1]) - 1;
      left = hunk[2] === undefined ? 1 : Number(hunk[2]);
      continue;
    }
    if (left > 0 && lines && (line.startsWith(' ') || line.startsWith('-'))) {
      while (lines.length < at) lines.push(`filler ${lines.length + 1}`);
      lines[at++] = line.slice(1);
      left--;
    }
  }
  for (const l of files.values()) for (let i = 0; i < 10; i++) l.push(`filler end ${i}`);
  return files;
}

beforeAll(() => {
  dir = tempDir('listindex-corpus-commits-');
  repo = join(dir, 'linux');
  db = join(dir, 'watchdog.db');
  cliOk(['import', corpusFile('lists/linux-watchdog.mboxrd.gz'), '--db', db, '-q']);

  mkdirSync(repo);
  git(['init', '-q', '-b', 'master']);
  const mbox = readFileSync(SERIES, 'utf8');
  for (const [path, lines] of preImages(mbox)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), lines.join('\n') + '\n');
  }
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'base']);

  const [first, second] = mbox.split(/^(?=From [^\n]* \d{4}$)/m).filter((m) => m.startsWith('From '));
  git(['am', '-q'], first);
  git(['commit', '-q', '--amend', '-m', 'dt-bindings: watchdog: NXP S32 software watchdog\n\nReworded by the maintainer.']);
  sha.reworded = git(['rev-parse', 'HEAD']);
  git(['am', '-q'], second);
  const driver = join(repo, 'drivers/watchdog/s32g_wdt.c');
  const text = readFileSync(driver, 'utf8');
  const changed = text.replace('#include <linux/watchdog.h>', '#include <linux/watchdog.h>\n#include <linux/bits.h>');
  expect(changed).not.toBe(text);
  writeFileSync(driver, changed);
  git(['add', '-A']);
  git(['commit', '-q', '--amend', '--no-edit']);
  sha.changedLine = git(['rev-parse', 'HEAD']);
  writeFileSync(join(repo, 'drivers/watchdog/Kconfig'), readFileSync(join(repo, 'drivers/watchdog/Kconfig'), 'utf8') + 'filler after\n');
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'watchdog: Kconfig: one more line']);
  sha.unrelated = git(['rev-parse', 'HEAD']);
}, 600_000);

describe('listindex commits on linux-watchdog', () => {
  it('matches the reworded patch exactly, the changed one as similar, and not the unrelated commit', () => {
    const out = JSON.parse(cliOk(['commits', '--repo', repo, '--db', db, '--json']).out);
    expect(out).toMatchObject({ inRange: 4, read: 4, matched: { exact: 1, similar: 1, stated: 0 } });
    const patch = (msgid: string) => withDb(db, (d) => d.prepare(`SELECT p.state, p.commit_ref, p.commit_method, p.commit_score, m.diff_hash
      FROM patches p JOIN messages m ON m.id = p.message_id WHERE m.msgid = ?`).get(msgid)) as Record<string, unknown>;
    expect(patch(PATCH_1)).toMatchObject({ state: 'accepted', commit_ref: sha.reworded, commit_method: 'exact', commit_score: 1 });
    const second = patch(PATCH_2);
    expect(second).toMatchObject({ state: 'accepted', commit_ref: sha.changedLine, commit_method: 'similar' });
    expect(second.commit_score).toBeGreaterThan(0.9);
    expect(second.commit_score).toBeLessThan(1);
    const commits = withDb(db, (d) => d.prepare('SELECT sha, patch_id FROM commits').all()) as { sha: string; patch_id: number | null }[];
    expect(commits.find((c) => c.sha === sha.unrelated)?.patch_id).toBeNull();
  });

  it('shares a commit only among patches with the very diff of the patch found', () => {
    const wrong = withDb(db, (d) => d.prepare(`SELECT m.msgid FROM patches p JOIN messages m ON m.id = p.message_id
      JOIN commits c ON c.sha = p.commit_ref JOIN messages found ON found.id = c.patch_id
      WHERE m.diff_hash IS NOT found.diff_hash`).pluck().all());
    expect(wrong).toEqual([]);
    const accepted = withDb(db, (d) => d.prepare("SELECT count(*) FROM patches WHERE state = 'accepted'").pluck().get()) as number;
    expect(accepted).toBeGreaterThanOrEqual(2);
    const series = withDb(db, (d) => d.prepare(`SELECT x.state FROM series_state x JOIN patches p ON p.series_id = x.series_id
      JOIN messages m ON m.id = p.message_id WHERE m.msgid = ?`).pluck().get(PATCH_1));
    expect(series).toBe('accepted');
  });
});
