/**
 * `listindex commits` through the real CLI on repositories made with git: a series is sent as
 * mail (`git format-patch`), imported, and applied again with `git am` the ways maintainers do:
 * as sent, with an edited message, with a line changed, with a Link: trailer to a reworked
 * patch; beside them a commit that came from no mail. Each must be matched (or not) as it should.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const AUTHOR = { name: 'Ann Author', email: 'ann@example.org' };
const MAINTAINER = { name: 'Max Maintainer', email: 'max@example.org' };

let dir: string;
let repo: string;
let db: string;
/** The SHAs of the commits made by `git am` and by hand, by what they are. */
const sha: Record<string, string> = {};

function git(args: string[], options: { date?: string; who?: typeof AUTHOR; input?: string } = {}): string {
  const who = options.who ?? AUTHOR;
  const date = options.date ?? '2024-03-01T12:00:00Z';
  const r = spawnSync('git', ['-C', repo, ...args], {
    encoding: 'utf8', input: options.input,
    env: {
      PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email,
      GIT_COMMITTER_NAME: MAINTAINER.name, GIT_COMMITTER_EMAIL: MAINTAINER.email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date,
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} line ${i + 1};`).join('\n') + '\n';
const edit = (file: string, from: string, to: string) => writeFileSync(join(repo, file), readFileSync(join(repo, file), 'utf8').replace(from, to));
const commitAll = (message: string, date: string, who = AUTHOR) => {
  git(['add', '-A']);
  git(['commit', '-q', '-m', message], { date, who });
  return git(['rev-parse', 'HEAD']);
};

interface PatchRow { subject: string; state: string | null; commit_ref: string | null; commit_method: string | null; commit_score: number | null }
const patches = (): Map<string, PatchRow> => withDb(db, (d) => new Map((d.prepare(`SELECT m.subject, p.state, p.commit_ref, p.commit_method,
    p.commit_score FROM patches p JOIN messages m ON m.id = p.message_id`).all() as PatchRow[]).map((r) => [r.subject, r])));

beforeAll(() => {
  dir = tempDir('listindex-commits-');
  repo = join(dir, 'repo');
  db = join(dir, 'list.db');
  spawnSync('git', ['init', '-q', '-b', 'main', repo]);
  for (const f of ['a', 'b', 'c', 'd']) writeFileSync(join(repo, `${f}.c`), lines(f, 30));
  commitAll('base', '2024-03-01T10:00:00Z', MAINTAINER);

  // v1 of the c.c patch: another change than the one committed later.
  edit('c.c', 'c line 25;', 'c line 25 changed in v1;');
  commitAll('lib: rework c', '2024-03-01T11:00:00Z');
  const v1 = git(['format-patch', '--stdout', '--thread', '--subject-prefix=PATCH testlib', 'HEAD~1..HEAD']);
  git(['reset', '-q', '--hard', 'HEAD~1']);

  // The series: four patches, each to its own file.
  edit('a.c', 'a line 3;', 'a line 3 fixed;');
  commitAll('lib: fix a', '2024-03-02T09:00:01Z');
  edit('b.c', 'b line 7;', 'b line 7 fixed;');
  commitAll('lib: fix b', '2024-03-02T09:00:02Z');
  edit('c.c', 'c line 10;', 'c line 10 reworked;');
  edit('c.c', 'c line 12;', 'c line 12 reworked;');
  edit('c.c', 'c line 14;', 'c line 14 reworked;');
  edit('c.c', 'c line 16;', 'c line 16 reworked;');
  commitAll('lib: rework c', '2024-03-02T09:00:03Z');
  edit('d.c', 'd line 20;', 'd line 20 fixed;');
  commitAll('lib: fix d', '2024-03-02T09:00:04Z');
  // git dates a cover letter now and signs it as the committer: this one is the author's, sent
  // with its patches, as git send-email sends it.
  const series = git(['format-patch', '--stdout', '--thread', '--cover-letter', '--subject-prefix=PATCH testlib v2', 'HEAD~4..HEAD'])
    .replace(/^Date: .*$/m, 'Date: Sat, 2 Mar 2024 09:00:00 +0000').replace(/^From: .*$/m, `From: ${AUTHOR.name} <${AUTHOR.email}>`);
  // A resend of the first patch alone, a day later: the same diff.
  const resend = git(['format-patch', '--stdout', '--thread', '--subject-prefix=PATCH testlib RESEND', 'HEAD~4..HEAD~3'], { date: '2024-03-03T08:00:00Z' })
    .replace(/^Message-Id: <(.*)>$/m, 'Message-Id: <resend-$1>').replace(/^Date: .*$/m, 'Date: Sun, 3 Mar 2024 08:00:00 +0000');
  const mbox = join(dir, 'list.mbox');
  writeFileSync(mbox, [v1, series, resend].join('\n\n') + '\n');
  const patchFiles = join(dir, 'series');
  git(['format-patch', '-q', '--thread', '--subject-prefix=PATCH testlib v2', '-o', patchFiles, 'HEAD~4..HEAD']);
  cliOk(['import', mbox, '--db', db, '--list-id', 'testlib.example.org', '-q']);

  // Applied again on the base, as a maintainer would.
  git(['reset', '-q', '--hard', 'HEAD~4']);
  const files = spawnSync('ls', [patchFiles], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((f) => join(patchFiles, f));
  const am = (file: string) => git(['am', '-q', file], { date: '2024-03-05T10:00:00Z', who: MAINTAINER });
  am(files[0]);
  sha.exact = git(['rev-parse', 'HEAD']);
  am(files[1]);
  git(['commit', '-q', '--amend', '-m', 'lib: fix b properly\n\nThe maintainer reworded this.'], { date: '2024-03-05T10:00:00Z', who: MAINTAINER });
  sha.edited = git(['rev-parse', 'HEAD']);
  am(files[2]);
  edit('c.c', 'c line 16 reworked;', 'c line 16 reworked by the maintainer;');
  git(['add', '-A']);
  git(['commit', '-q', '--amend', '--no-edit'], { date: '2024-03-05T10:00:00Z', who: MAINTAINER });
  sha.similar = git(['rev-parse', 'HEAD']);
  // d.c rewritten entirely, but the maintainer says where it came from.
  const dMsgid = withDb(db, (d) => d.prepare("SELECT msgid FROM messages WHERE subject LIKE '%lib: fix d'").pluck().get()) as string;
  writeFileSync(join(repo, 'd.c'), lines('d (rewritten)', 12));
  sha.stated = commitAll(`lib: fix d\n\nRewritten on the way in.\n\nLink: https://lore.kernel.org/r/${dMsgid.slice(1, -1)}\n`, '2024-03-02T09:00:04Z');
  // A link to a patch on other files (a discussion it refers to) is not where it came from.
  const v1Msgid = withDb(db, (d) => d.prepare("SELECT msgid FROM messages WHERE subject = '[PATCH testlib] lib: rework c'").pluck().get()) as string;
  writeFileSync(join(repo, 'e.c'), lines('e', 5));
  sha.unrelated = commitAll(`add e\n\nLink: https://lore.kernel.org/r/${v1Msgid.slice(1, -1)}\n`, '2024-03-06T10:00:00Z', MAINTAINER);
  sha.v1Msgid = v1Msgid;
});

describe('listindex commits', () => {
  it('matches each commit with its method: exact, exact after an edited message, similar, stated; not the unrelated one', () => {
    const out = JSON.parse(cliOk(['commits', '--repo', repo, '--db', db, '--json']).out);
    expect(out.read).toBe(6); // base, four applied, one unrelated
    expect(out.matched).toEqual({ exact: 2, similar: 1, stated: 1 });
    const byPatch = patches();
    const get = (suffix: string) => [...byPatch.entries()].filter(([s]) => s.endsWith(suffix)).map(([s, r]) => ({ s, ...r }));
    const fixA = get('lib: fix a').find((r) => !r.s.includes('RESEND'))!;
    const resendA = get('lib: fix a').find((r) => r.s.includes('RESEND'))!;
    expect(fixA).toMatchObject({ state: 'accepted', commit_ref: sha.exact, commit_method: 'exact', commit_score: 1 });
    expect(resendA).toMatchObject({ state: 'accepted', commit_ref: sha.exact, commit_method: 'exact' });
    expect(get('lib: fix b')[0]).toMatchObject({ state: 'accepted', commit_ref: sha.edited, commit_method: 'exact' });
    const c = get('lib: rework c');
    const v2 = c.find((r) => r.s.includes('v2'))!;
    const v1 = c.find((r) => !r.s.includes('v2'))!;
    expect(v2).toMatchObject({ state: 'accepted', commit_ref: sha.similar, commit_method: 'similar' });
    expect(v2.commit_score).toBeGreaterThanOrEqual(0.6);
    expect(v2.commit_score).toBeLessThan(1);
    expect(v1).toMatchObject({ state: null, commit_ref: null }); // its change is not in the commit
    expect(get('lib: fix d')[0]).toMatchObject({ state: 'accepted', commit_ref: sha.stated, commit_method: 'stated' });
    const unrelated = withDb(db, (d) => d.prepare('SELECT patch_id, method, subject, stated_msgid FROM commits WHERE sha = ?').get(sha.unrelated));
    expect(unrelated).toEqual({ patch_id: null, method: null, subject: 'add e', stated_msgid: sha.v1Msgid });
    const statedMsgid = withDb(db, (d) => d.prepare('SELECT stated_msgid FROM commits WHERE sha = ?').pluck().get(sha.stated)) as string;
    expect(statedMsgid).toMatch(/^<.+@.+>$/);
  });

  it('states series: the v2 series accepted, the lone v1 not', () => {
    const states = withDb(db, (d) => d.prepare(`SELECT s.name, x.patches, x.accepted, x.state FROM series_state x
      JOIN series s ON s.id = x.series_id`).all()) as { name: string; patches: number; accepted: number; state: string | null }[];
    expect(states, JSON.stringify(states)).toHaveLength(3);
    expect(states).toContainEqual({ name: '[testlib] lib: rework c', patches: 1, accepted: 0, state: null });
    expect(states).toContainEqual({ name: '[testlib,RESEND] lib: fix a', patches: 1, accepted: 1, state: 'accepted' });
    expect(states).toContainEqual(expect.objectContaining({ patches: 4, accepted: 4, state: 'accepted' }));
  });

  it('gives the states and commits in Patchwork\'s JSON: show and series, accepted, superseded, new', () => {
    const msgid = withDb(db, (d) => d.prepare(`SELECT m.msgid FROM patches p JOIN messages m ON m.id = p.message_id
      WHERE p.commit_ref = ? LIMIT 1`).pluck().get(sha.exact)) as string;
    expect(JSON.parse(cliOk(['show', msgid, '--db', db, '--json']).out)).toMatchObject({ state: 'accepted', commit_ref: sha.exact });
    const seriesId = withDb(db, (d) => d.prepare('SELECT series_id FROM series_state WHERE state = ? AND patches = 4').pluck().get('accepted')) as number;
    expect(JSON.parse(cliOk(['series', String(seriesId), '--db', db, '--json']).out).state).toBe('accepted');
    const v1 = withDb(db, (d) => d.prepare(`SELECT m.msgid FROM patches p JOIN messages m ON m.id = p.message_id
      WHERE m.subject LIKE '%lib: rework c' AND p.commit_ref IS NULL`).pluck().get()) as string;
    expect(JSON.parse(cliOk(['show', v1, '--db', db, '--json']).out)).toMatchObject({ state: expect.stringMatching(/^(new|superseded)$/), commit_ref: null });
  });

  it('reads only new commits, and tries unmatched ones again once newer mail is imported; linking keeps the matches', () => {
    const again = JSON.parse(cliOk(['commits', '--repo', repo, '--db', db, '--json']).out);
    expect(again).toMatchObject({ inRange: 6, read: 0 });
    // The unrelated commit's patch turns up in the archive later; the import relinks every
    // series, and with --drop-prefix each patch's name changes (its row is rewritten).
    const late = join(dir, 'late.mbox');
    writeFileSync(late, git(['format-patch', '--stdout', '--thread', '--subject-prefix=PATCH testlib', 'HEAD~1..HEAD']) + '\n');
    cliOk(['import', late, '--db', db, '--list-id', 'testlib.example.org', '--drop-prefix', 'testlib', '-q']);
    const third = JSON.parse(cliOk(['commits', '--repo', repo, '--db', db, '--json']).out);
    expect(third).toMatchObject({ read: 2, matched: { exact: 1, similar: 0, stated: 0 } }); // base and e.c
    const rows = withDb(db, (d) => d.prepare(`SELECT name, commit_ref, commit_method FROM patches ORDER BY message_id`).all()) as
      { name: string; commit_ref: string | null; commit_method: string | null }[];
    expect(rows.every((r) => !r.name.includes('testlib'))).toBe(true);
    expect(rows.filter((r) => r.commit_ref !== null).map((r) => r.commit_method).sort())
      .toEqual(['exact', 'exact', 'exact', 'exact', 'similar', 'stated']);
    expect(rows.find((r) => r.name.endsWith('add e'))?.commit_ref).toBe(sha.unrelated);
  });

  it('says in one line what is wrong: not a repository, a bad range, no index', () => {
    const notRepo = cli(['commits', '--repo', join(dir, 'nowhere'), '--db', db]);
    expect(notRepo.status).toBe(1);
    expect(notRepo.err).toMatch(/^listindex: .*nowhere.*git rev-list failed: .*give a git repository/);
    expect(notRepo.err.trim().split('\n')).toHaveLength(1);
    expect(notRepo.err).not.toMatch(STACK_FRAME);
    const badRange = cli(['commits', '--repo', repo, '--rev', 'no-such-branch', '--db', db]);
    expect(badRange.status).toBe(1);
    expect(badRange.err.trim().split('\n')).toHaveLength(1);
    const noIndex = cli(['commits', '--repo', repo, '--db', join(dir, 'none.db')]);
    expect(noIndex.status).toBe(2);
    expect(noIndex.err).toMatch(/no index at .*none\.db: import the list's mail first/);
  });
});
