/**
 * `series`, `show` and `mbox` through the real built CLI on a generated archive: Patchwork's
 * REST API shapes, --base-url, and a series mbox that `git am` applies with reviewers' trailers.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive, toMboxrd, baseFile } from '../../src/tools/archive-generator.js';
import { cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const BASE = 'https://pw.example.org';
const NAIVE_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Seed 8 gives several multi-patch series with a Reviewed-by in a reply to one of their patches.
const messages = [...generateArchive({ count: 250, seed: 8 })];

let dir: string;
let db: string;
beforeAll(() => {
  dir = tempDir('listindex-cli-');
  const file = join(dir, 'list.mbox');
  writeFileSync(file, Buffer.concat(messages.map(toMboxrd)));
  db = join(dir, 'list.db');
  cliOk(['import', file, '--db', db, '-q']);
});

interface SeriesRow {
  id: number;
  name: string;
  date: string;
  version: number;
  total: number;
  received_total: number;
  cover_id: number | null;
  submitter_id: number;
  list_id: number;
  latest_id: number | null;
}

const sql = <T>(query: string, ...params: unknown[]): T[] => withDb(db, (d) => d.prepare(query).all(...params) as T[]);
const sqlOne = <T>(query: string, ...params: unknown[]): T => withDb(db, (d) => d.prepare(query).pluck().get(...params) as T);
const json = (args: string[]): Json => JSON.parse(cliOk([...args, '--db', db]).out) as Json;

/** A complete series with a cover letter and at least three patches. */
const completeSeries = () =>
  sql<SeriesRow>('SELECT * FROM series WHERE cover_id IS NOT NULL AND received_all = 1 AND total >= 3 ORDER BY id LIMIT 1')[0];

const PROJECT_KEYS = ['id', 'url', 'name', 'link_name', 'list_id', 'list_email', 'web_url', 'scm_url', 'webscm_url',
  'list_archive_url', 'list_archive_url_format', 'commit_url_format'];
const SUBMITTER_KEYS = ['id', 'url', 'name', 'email'];
const EMBEDDED_SERIES_KEYS = ['id', 'url', 'web_url', 'date', 'name', 'version', 'mbox'];
const EMBEDDED_SUBMISSION_KEYS = ['id', 'url', 'web_url', 'msgid', 'list_archive_url', 'date', 'name', 'mbox'];
const SERIES_KEYS = ['id', 'url', 'web_url', 'project', 'name', 'date', 'submitter', 'version', 'total', 'received_total',
  'received_all', 'mbox', 'cover_letter', 'patches'];
const COVER_KEYS = ['id', 'url', 'web_url', 'project', 'msgid', 'list_archive_url', 'date', 'name', 'submitter', 'mbox', 'series',
  'comments', 'headers', 'content'];
const PATCH_KEYS = [...COVER_KEYS, 'commit_ref', 'pull_url', 'state', 'archived', 'hash', 'delegate', 'check', 'checks', 'tags',
  'related', 'diff', 'prefixes'];
const COMMENT_KEYS = ['id', 'url', 'web_url', 'msgid', 'list_archive_url', 'date', 'subject', 'submitter', 'content', 'headers', 'addressed'];

function expectKeys(object: Json, keys: string[]): void {
  expect(Object.keys(object)).toEqual(expect.arrayContaining(keys));
}

describe('series: listing', () => {
  it('lists series, newest first, in a table', () => {
    const total = sqlOne<number>('SELECT count(*) FROM series');
    expect(total).toBeGreaterThan(30);
    const r = cliOk(['series', '--db', db]);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['id', 'date', 'submitter', 'version', 'received_total', 'total', 'name']);
    expect(lines.length - 2).toBe(Math.min(50, total));
    const newest = sql<{ id: number }>('SELECT id FROM series ORDER BY date DESC, id DESC LIMIT 1')[0];
    expect(lines[2].split(/\s+/)[0]).toBe(String(newest.id));
  });

  it('lists them all as JSON, and honours --limit and --submitter', () => {
    const total = sqlOne<number>('SELECT count(*) FROM series');
    const all = JSON.parse(cliOk(['series', '--db', db, '--json', '--limit', '100000']).out) as Json[];
    expect(all).toHaveLength(total);
    expect(new Set(all.map((s) => s.id))).toEqual(new Set(sql<{ id: number }>('SELECT id FROM series').map((s) => s.id)));
    const dates = all.map((s) => s.date as string);
    expect(dates).toEqual([...dates].sort().reverse());
    // The same objects as `series <id> --json`: numbers are numbers.
    expectKeys(all[0], SERIES_KEYS);
    expect(all[0]).toMatchObject({ id: expect.any(Number), version: expect.any(Number), total: expect.any(Number),
      received_total: expect.any(Number), received_all: expect.any(Boolean) });
    expect(all[0]).toEqual(JSON.parse(cliOk(['series', String(all[0].id), '--db', db, '--json']).out));

    expect(JSON.parse(cliOk(['series', '--db', db, '--json', '--limit', '3']).out)).toHaveLength(3);
    const ada = JSON.parse(cliOk(['series', '--db', db, '--json', '--limit', '1000', '--submitter', 'ada@example.org']).out) as Json[];
    expect(ada.length).toBe(sqlOne<number>(`SELECT count(*) FROM series s JOIN people p ON p.id = s.submitter_id WHERE p.email = 'ada@example.org'`));
    for (const s of ada) expect(s.submitter).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.org' });
  });

  it('refuses a bad --limit (exit 2) and an unknown series (exit 1, not found), no stack trace', () => {
    for (const [args, status] of [[['series', '--limit', 'x'], 2], [['series', '999999'], 1], [['series', 'abc'], 1],
      [['series', '--json', '--csv'], 2]] as const) {
      const r = cli([...args, '--db', db]);
      expect(r.status).toBe(status);
      expect(r.err).not.toMatch(STACK_FRAME);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});

describe('series <id>', () => {
  it('prints one series as a table of its patches', () => {
    const s = completeSeries();
    const r = cliOk(['series', String(s.id), '--db', db]);
    expect(r.out).toContain(`series ${s.id}: ${s.name}`);
    expect(r.out).toContain(`${s.received_total}/${s.total} patches (complete)`);
    const patches = sql<{ msgid: string }>('SELECT m.msgid FROM patches p JOIN messages m ON m.id = p.message_id WHERE p.series_id = ?', s.id);
    for (const p of patches) expect(r.out).toContain(p.msgid);
  });

  it('has Patchwork\'s series fields with --json', () => {
    const s = completeSeries();
    const j = json(['series', String(s.id), '--json']);
    expectKeys(j, SERIES_KEYS);
    expect(j.id).toBe(s.id);
    expect(j.name).toBe(s.name);
    expect(j.date).toMatch(NAIVE_DATE);
    expect(j.date).toBe(s.date.replace(/Z$/, ''));
    expect(j.version).toBe(s.version);
    expect(j.total).toBe(s.total);
    expect(j.received_total).toBe(s.received_total);
    expect(j.received_all).toBe(true);
    expect(Object.keys(j.submitter).sort()).toEqual([...SUBMITTER_KEYS].sort());
    const person = sql<{ id: number; name: string; email: string }>('SELECT id, name, email FROM people WHERE id = ?', s.submitter_id)[0];
    expect(j.submitter).toMatchObject(person);
    expectKeys(j.project, PROJECT_KEYS);
    expect(j.project.list_id).toBe('dev.lists.example.org');
    // No --base-url: the URL fields are empty strings.
    for (const url of [j.url, j.web_url, j.mbox, j.submitter.url, j.project.url]) expect(url).toBe('');

    expect(Object.keys(j.cover_letter).sort()).toEqual([...EMBEDDED_SUBMISSION_KEYS].sort());
    expect(j.cover_letter.id).toBe(s.cover_id);
    expect(j.cover_letter.msgid).toBe(sqlOne('SELECT msgid FROM messages WHERE id = ?', s.cover_id));
    expect(j.cover_letter.date).toMatch(NAIVE_DATE);

    const patches = sql<{ id: number; msgid: string; name: string }>(`SELECT m.id, m.msgid, p.name FROM patches p JOIN messages m ON m.id = p.message_id
      WHERE p.series_id = ? ORDER BY p.number`, s.id);
    expect(j.patches).toHaveLength(s.total);
    expect(j.patches.map((p: Json) => ({ id: p.id, msgid: p.msgid, name: p.name }))).toEqual(patches);
    for (const p of j.patches) {
      expect(Object.keys(p).sort()).toEqual([...EMBEDDED_SUBMISSION_KEYS].sort());
      expect(p.date).toMatch(NAIVE_DATE);
    }
  });

  it('has a null cover_letter for a series without cover', () => {
    const id = sqlOne<number>('SELECT id FROM series WHERE cover_id IS NULL ORDER BY id LIMIT 1');
    const j = json(['series', String(id), '--json']);
    expect(j.cover_letter).toBeNull();
    expect(j.patches.length).toBeGreaterThan(0);
  });

  it('fills the url fields from --base-url', () => {
    const s = completeSeries();
    for (const base of [BASE, `${BASE}/`]) {
      const j = json(['series', String(s.id), '--json', '--base-url', base]);
      expect(j.url).toBe(`${BASE}/api/series/${s.id}/`);
      expect(j.web_url).toMatch(new RegExp(`^${BASE}/project/[^/]+/list/\\?series=${s.id}$`));
      expect(j.mbox).toBe(`${BASE}/series/${s.id}/mbox/`);
      expect(j.project.url).toBe(`${BASE}/api/projects/${s.list_id}/`);
      expect(j.project.web_url).toMatch(new RegExp(`^${BASE}/project/[^/]+/$`));
      expect(j.submitter.url).toBe(`${BASE}/api/people/${s.submitter_id}/`);
      expect(j.cover_letter.url).toBe(`${BASE}/api/covers/${s.cover_id}/`);
      expect(j.cover_letter.web_url).toMatch(new RegExp(`^${BASE}/project/[^/]+/cover/[^/]+/$`));
      expect(j.cover_letter.mbox).toBe(`${j.cover_letter.web_url}mbox/`);
      for (const p of j.patches) {
        expect(p.url).toBe(`${BASE}/api/patches/${p.id}/`);
        expect(p.web_url).toMatch(new RegExp(`^${BASE}/project/[^/]+/patch/[^/]+/$`));
        expect(p.mbox).toBe(`${p.web_url}mbox/`);
      }
    }
  });
});

describe('show', () => {
  it('shows a cover letter with Patchwork\'s cover fields', () => {
    const s = completeSeries();
    const cover = sql<{ id: number; msgid: string; date: string; from_id: number }>(
      'SELECT id, msgid, date, from_id FROM messages WHERE id = ?', s.cover_id)[0];
    const j = json(['show', cover.msgid, '--json']);
    expectKeys(j, COVER_KEYS);
    expect(j.id).toBe(cover.id);
    expect(j.msgid).toBe(cover.msgid);
    expect(j.date).toMatch(NAIVE_DATE);
    expect(j.date).toBe(cover.date.replace(/Z$/, ''));
    expect(j.name).toBe(sqlOne('SELECT name FROM covers WHERE message_id = ?', cover.id));
    expect(j.name).toMatch(/^\[.*0\/\d+\] /);
    expect(j.list_archive_url).toBe('');
    expect(Object.keys(j.project).sort()).toEqual([...PROJECT_KEYS].sort());
    expect(j.project).toMatchObject({ id: s.list_id, list_id: 'dev.lists.example.org' });
    expect(Object.keys(j.submitter).sort()).toEqual([...SUBMITTER_KEYS].sort());
    expect(j.submitter.id).toBe(cover.from_id);
    expect(j.series).toHaveLength(1);
    expect(Object.keys(j.series[0]).sort()).toEqual([...EMBEDDED_SERIES_KEYS].sort());
    expect(j.series[0]).toMatchObject({ id: s.id, name: s.name, version: s.version });
    expect(j.series[0].date).toMatch(NAIVE_DATE);
    expect(typeof j.comments).toBe('string');
    // Headers: an object, repeated ones (Received) as arrays.
    expect(typeof j.headers).toBe('object');
    expect(Array.isArray(j.headers)).toBe(false);
    expect(Array.isArray(j.headers.Received)).toBe(true);
    expect(j.headers.Received).toHaveLength(2);
    expect(j.headers['Message-Id']).toBe(cover.msgid);
    expect(typeof j.headers.Subject).toBe('string');
    // Patchwork's content: the cover's text without its signature.
    expect(j.content).toMatch(/^This series does /);
    expect(j.content).toContain('It was tested on');
    expect(j.content).not.toContain('2.43.0');
  });

  it('finds a message by what people paste: Message-Id without brackets, id:/mid:, a lore URL, a number', () => {
    const s = completeSeries();
    const msgid = sqlOne<string>('SELECT msgid FROM messages WHERE id = ?', s.cover_id);
    expect(json(['show', msgid.slice(1, -1), '--json']).id).toBe(s.cover_id);
    expect(json(['show', `id:${msgid.slice(1, -1)}`, '--json']).id).toBe(s.cover_id);
    expect(json(['show', `mid:${msgid.slice(1, -1)}`, '--json']).id).toBe(s.cover_id);
    expect(json(['show', `https://lore.kernel.org/r/${encodeURIComponent(msgid.slice(1, -1))}/`, '--json']).id).toBe(s.cover_id);
    expect(json(['show', `https://lore.kernel.org/linux-watchdog/${msgid.slice(1, -1)}/T/#u`, '--json']).id).toBe(s.cover_id);
    expect(json(['show', String(s.cover_id), '--json']).msgid).toBe(msgid);
  });

  it('shows a patch with Patchwork\'s patch fields', () => {
    const s = completeSeries();
    const patch = sql<{ id: number; msgid: string; diff: string; diff_hash: string; content: string; prefixes: string; name: string }>(
      `SELECT m.id, m.msgid, m.diff, m.diff_hash, m.content, p.prefixes, p.name FROM patches p JOIN messages m ON m.id = p.message_id
       WHERE p.series_id = ? AND p.number = 2`, s.id)[0];
    const j = json(['show', patch.msgid, '--json']);
    expectKeys(j, PATCH_KEYS);
    expect(j).toMatchObject({
      id: patch.id, msgid: patch.msgid, name: patch.name, commit_ref: null, pull_url: null, archived: false,
      // Inferred: superseded when the series has a newer revision, else new.
      state: s.latest_id !== null && s.latest_id !== s.id ? 'superseded' : 'new',
      hash: patch.diff_hash, delegate: null, check: 'pending', tags: {}, related: [], diff: patch.diff, content: patch.content,
    });
    expect(j.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(j.diff).toMatch(/^diff --git a\/src\/file\d+\.c b\/src\/file\d+\.c\n/);
    expect(j.prefixes).toEqual(JSON.parse(patch.prefixes));
    expect(j.prefixes).toContain(`2/${s.total}`);
    expect(j.date).toMatch(NAIVE_DATE);
    expect(typeof j.checks).toBe('string');
    expect(Object.keys(j.project).sort()).toEqual([...PROJECT_KEYS].sort());
    expect(j.series).toHaveLength(1);
    expect(j.series[0].id).toBe(s.id);
    expect(Array.isArray(j.headers.Received)).toBe(true);
  });

  it('shows a comment with Patchwork\'s comment fields', () => {
    const comment = sql<{ id: number; msgid: string; subject: string }>(
      `SELECT m.id, m.msgid, m.subject FROM comments c JOIN messages m ON m.id = c.message_id ORDER BY m.id LIMIT 1`)[0];
    const j = json(['show', comment.msgid, '--json']);
    expectKeys(j, COMMENT_KEYS);
    expect(j).toMatchObject({ id: comment.id, msgid: comment.msgid, subject: comment.subject });
    expect(j.date).toMatch(NAIVE_DATE);
  });

  it('fills the url fields from --base-url', () => {
    const s = completeSeries();
    const cover = json(['show', String(s.cover_id), '--json', '--base-url', BASE]);
    expect(cover.url).toBe(`${BASE}/api/covers/${s.cover_id}/`);
    expect(cover.web_url).toMatch(new RegExp(`^${BASE}/project/[^/]+/cover/[^/]+/$`));
    expect(cover.mbox).toBe(`${cover.web_url}mbox/`);
    expect(cover.comments).toBe(`${BASE}/api/covers/${s.cover_id}/comments/`);
    expect(cover.project.url).toBe(`${BASE}/api/projects/${s.list_id}/`);
    expect(cover.submitter.url).toBe(`${BASE}/api/people/${s.submitter_id}/`);
    expect(cover.series[0].url).toBe(`${BASE}/api/series/${s.id}/`);
    expect(cover.series[0].mbox).toBe(`${BASE}/series/${s.id}/mbox/`);

    const patchId = sqlOne<number>('SELECT message_id FROM patches WHERE series_id = ? AND number = 1', s.id);
    const patch = json(['show', String(patchId), '--json', '--base-url', BASE]);
    expect(patch.url).toBe(`${BASE}/api/patches/${patchId}/`);
    expect(patch.web_url).toMatch(new RegExp(`^${BASE}/project/[^/]+/patch/[^/]+/$`));
    expect(patch.mbox).toBe(`${patch.web_url}mbox/`);
    expect(patch.comments).toBe(`${BASE}/api/patches/${patchId}/comments/`);
    expect(patch.checks).toBe(`${BASE}/api/patches/${patchId}/checks/`);

    // Without it: empty strings.
    const plain = json(['show', String(patchId), '--json']);
    for (const url of [plain.url, plain.web_url, plain.mbox, plain.project.url, plain.submitter.url, plain.series[0].url]) expect(url).toBe('');
  });

  it('prints the stored message with --raw', () => {
    const s = completeSeries();
    const msgid = sqlOne<string>('SELECT msgid FROM messages WHERE id = ?', s.cover_id);
    const original = messages.find((m) => m.msgid === msgid)!;
    const r = cliOk(['show', msgid, '--raw', '--db', db]);
    // As found after the From line: the message and the blank line before the next one.
    expect(r.stdout.toString(original.encoding)).toBe(original.text + '\n');
  });

  it('refuses an unknown message with exit 1 (not found), no stack trace', () => {
    const r = cli(['show', '<nobody@nowhere>', '--json', '--db', db]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^listindex: no message <nobody@nowhere> in /);
    expect(r.err).not.toMatch(STACK_FRAME);
  });
});

describe('mbox series/<id> | git am', () => {
  const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
  const git = (cwd: string, args: string[], input?: Buffer | string) => {
    const r = spawnSync('git', args, { cwd, input, env: gitEnv });
    return { status: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
  };

  /** A scratch repository holding every file the generated patches touch, committed. */
  function scratchRepo(name: string): string {
    const repo = join(dir, name);
    mkdirSync(join(repo, 'src'), { recursive: true });
    expect(git(repo, ['init', '-q']).status).toBe(0);
    git(repo, ['config', 'user.name', 'Test Runner']);
    git(repo, ['config', 'user.email', 'runner@example.org']);
    git(repo, ['config', 'commit.gpgsign', 'false']);
    for (let n = 0; n <= 60; n++) writeFileSync(join(repo, 'src', `file${n}.c`), baseFile(n));
    git(repo, ['add', '.']);
    expect(git(repo, ['commit', '-q', '-m', 'base']).status).toBe(0);
    return repo;
  }

  /** `mbox series/<id>` piped into `git am`; returns the new commits, oldest first. */
  function applySeries(seriesId: number): { repo: string; commits: { subject: string; author: string; body: string }[] } {
    const repo = scratchRepo(`repo-${seriesId}`);
    const mbox = cliOk(['mbox', `series/${seriesId}`, '--db', db]).stdout;
    const am = git(repo, ['am', '--patch-format=mboxrd'], mbox);
    expect(am.status, am.err).toBe(0);
    const log = git(repo, ['log', '--reverse', '--format=%s%x00%an <%ae>%x00%B%x01', 'HEAD~' + countPatches(seriesId) + '..HEAD']);
    expect(log.status).toBe(0);
    const commits = log.out.split('\x01').map((c) => c.replace(/^\n/, '')).filter((c) => c !== '').map((c) => {
      const [subject, author, body] = c.split('\x00');
      return { subject, author, body };
    });
    return { repo, commits };
  }
  const countPatches = (seriesId: number) => sqlOne<number>('SELECT count(*) FROM patches WHERE series_id = ?', seriesId);

  it('applies a complete series: one commit per patch, with the patches\' subjects and authors', () => {
    const s = completeSeries();
    const { commits } = applySeries(s.id);
    const expected = sql<{ subject: string; name: string; email: string }>(`SELECT m.subject, pe.name, pe.email FROM patches p
      JOIN messages m ON m.id = p.message_id JOIN people pe ON pe.id = m.from_id WHERE p.series_id = ? ORDER BY p.number`, s.id);
    expect(commits).toHaveLength(s.total);
    expect(commits.map((c) => c.subject)).toEqual(expected.map((p) => p.subject.replace(/^\[[^\]]*\]\s*/, '')));
    expect(commits.map((c) => c.author)).toEqual(expected.map((p) => `${p.name} <${p.email}>`));
    for (const c of commits) {
      expect(c.body).toMatch(/^Signed-off-by: .+ <.+>$/m);
      expect(c.body).not.toMatch(/^>From /m);
    }
  });

  it('adds a Reviewed-by given in a reply to the commit message', () => {
    const reviewed = sql<{ patch_id: number; series_id: number; number: number; value: string }>(`SELECT t.patch_id, p.series_id, p.number, t.value
      FROM trailers t JOIN patches p ON p.message_id = t.patch_id JOIN series s ON s.id = p.series_id
      WHERE t.origin = 'reply' AND t.name = 'Reviewed-by' AND s.received_all = 1 AND s.total > 1 ORDER BY t.patch_id`);
    expect(reviewed.length).toBeGreaterThan(0);
    for (const r of reviewed.slice(0, 2)) {
      const { commits } = applySeries(r.series_id);
      expect(commits).toHaveLength(countPatches(r.series_id));
      const body = commits[r.number - 1].body;
      expect(body).toContain(`Reviewed-by: ${r.value}\n`);
      // Reviewers' trailers come after the author's sign-off, before the notes.
      expect(body.indexOf('Signed-off-by:')).toBeLessThan(body.indexOf('Reviewed-by:'));
      expect(body).not.toContain('diff --git');
    }
  });

  it('writes one patch with mbox patch/<msgid>', () => {
    const s = completeSeries();
    const msgid = sqlOne<string>('SELECT m.msgid FROM patches p JOIN messages m ON m.id = p.message_id WHERE p.series_id = ? AND p.number = 1', s.id);
    const r = cliOk(['mbox', `patch/${msgid}`, '--db', db]);
    expect(r.out).toMatch(/^From listindex /);
    expect(r.out).toContain(`Message-Id: ${msgid}`);
    expect(r.out).toContain('diff --git');
    const bad = cli(['mbox', 'series/x', '--db', db]);
    expect(bad.status).toBe(2);
    expect(bad.err).not.toMatch(STACK_FRAME);
  });
});
