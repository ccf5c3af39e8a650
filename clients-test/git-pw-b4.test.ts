/**
 * The real clients, unmodified, against `listindex serve`: Debian's git-pw (2.0) and b4 (0.12).
 * They are installed by .ci/run; where one is missing this test fails (it never skips).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive, toMboxrd } from '../src/tools/archive-generator.js';
import { cliOk, withDb } from '../test/cli/run-cli.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { startServe } from '../test/helpers/serve.js';
import type { TestServer } from '../test/helpers/serve.js';
import { seriesMbox } from '../src/tools/series-mail.js';

let dir: string;
let db: string;
let server: TestServer;

const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C.UTF-8', HOME: '' };

function run(cwd: string, cmd: string, args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, HOME: dir }, timeout: 120_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${cmd} is not installed: .ci/run installs it with apt-get (apt-get install ${cmd})`);
  }
  return { status: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

/** An empty repository with an identity, and git-pw and b4 pointed at the server. */
function repo(name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  for (const args of [['init', '-q'], ['config', 'user.name', 'Test Runner'], ['config', 'user.email', 'runner@example.org'],
    ['config', 'commit.gpgsign', 'false'], ['config', 'pw.server', `${server.url}/api/1.3`], ['config', 'pw.project', 'dev'],
    ['config', 'pw.token', 'any-token-is-ignored'], ['config', 'b4.midmask', `${server.url}/all/%s`],
    ['config', 'b4.linkmask', `${server.url}/all/%s`]]) {
    expect(run(path, 'git', args).status).toBe(0);
  }
  writeFileSync(join(path, 'README'), 'base\n');
  run(path, 'git', ['add', '.']);
  expect(run(path, 'git', ['commit', '-q', '-m', 'base']).status).toBe(0);
  return path;
}

const one = <T>(query: string, ...params: unknown[]): T => withDb(db, (d) => d.prepare(query).pluck().get(...params) as T);
const seriesOf = (stem: string) => one<number>(`SELECT p.series_id FROM patches p JOIN messages m ON m.id = p.message_id WHERE m.msgid = ?`, `<${stem}.1@example.org>`);

beforeAll(async () => {
  dir = tempDir('listindex-clients-');
  const file = join(dir, 'list.mbox');
  writeFileSync(file, Buffer.concat([
    ...[...generateArchive({ count: 120, seed: 8 })].map(toMboxrd),
    Buffer.from(seriesMbox({ stem: 'five', patches: 5, subject: 'add five files', startMs: Date.UTC(2025, 2, 1), reviewed: [2, 5] })),
  ]));
  db = join(dir, 'list.db');
  cliOk(['import', file, '--db', db, '-q']);
  server = await startServe(db);
});

describe('git-pw', () => {
  it('lists series and patches, and shows a series', () => {
    const r = repo('list');
    const series = run(r, 'git', ['pw', 'series', 'list', '--format', 'csv']);
    expect(series.status, series.err).toBe(0);
    expect(series.out).toContain('add five files');
    const show = run(r, 'git', ['pw', 'series', 'show', String(seriesOf('five')), '--format', 'csv']);
    expect(show.status, show.err).toBe(0);
    expect(show.out).toMatch(/"?Received"?,"?5 of 5"?/);
    expect(show.out).toContain('[1/5] five: add file 1');
    const patches = run(r, 'git', ['pw', 'patch', 'list', '--format', 'csv', '--limit', '100']);
    expect(patches.status, patches.err).toBe(0);
    expect(patches.out).toContain('[5/5] five: add file 5');
  });

  it('downloads a series as the same bytes as `listindex mbox series/N`', () => {
    const r = repo('download');
    const id = seriesOf('five');
    const out = join(r, 'series.mbox');
    const d = run(r, 'git', ['pw', 'series', 'download', String(id), out]);
    expect(d.status, d.err).toBe(0);
    expect(readFileSync(out)).toEqual(cliOk(['mbox', `series/${id}`, '--db', db]).stdout);
  });

  it('applies a series with git pw series apply, with the reviewers\' trailers', () => {
    const r = repo('apply');
    const a = run(r, 'git', ['pw', 'series', 'apply', String(seriesOf('five'))]);
    expect(a.status, a.err + a.out).toBe(0);
    const log = run(r, 'git', ['log', '--reverse', '--format=%s%x00%b%x01', 'HEAD~5..HEAD']).out.split('\x01').map((c) => c.trim()).filter(Boolean);
    expect(log.map((c) => c.split('\x00')[0])).toEqual([1, 2, 3, 4, 5].map((n) => `five: add file ${n}`));
    expect(log[1]).toContain('Reviewed-by: Rita Reviewer <rita@example.org>');
    expect(log[0]).not.toContain('Reviewed-by');
    expect(readFileSync(join(r, 'five', 'file5.txt'), 'utf8')).toBe('line 5 of five\n');
  });
});

describe('b4', () => {
  it('b4 am writes an .mbx that git am applies, with the Reviewed-by from replies', () => {
    const r = repo('b4');
    const out = join(r, 'b4-out');
    mkdirSync(out);
    const am = run(r, 'b4', ['am', '-o', out, 'five.3@example.org']);
    expect(am.status, am.err + am.out).toBe(0);
    const mbx = readdirSync(out).find((f) => f.endsWith('.mbx'));
    expect(mbx, readdirSync(out).join(', ')).toBeDefined();
    const text = readFileSync(join(out, mbx!), 'utf8');
    expect(text.match(/^Subject: .*/gm)).toHaveLength(5);
    expect(text.match(/^Reviewed-by: Rita Reviewer <rita@example.org>$/gm)).toHaveLength(2);
    const apply = run(r, 'git', ['am', join(out, mbx!)]);
    expect(apply.status, apply.err).toBe(0);
    expect(run(r, 'git', ['log', '-1', '--format=%s']).out.trim()).toBe('five: add file 5');
  });
});
