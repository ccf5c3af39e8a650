/**
 * `listindex serve` as Patchwork's REST API and public-inbox, over HTTP from a real server on
 * an index of a generated archive plus hand-made series: the rules every client relies on
 * (notes/serve-reference.md): versions, paging, filters, downloads, events, threads, search.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { cliOk, withDb } from '../cli/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startServe } from '../helpers/serve.js';
import type { TestServer } from '../helpers/serve.js';
import { seriesMbox } from '../../src/tools/series-mail.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dir: string;
let db: string;
let server: TestServer;
const START = Date.UTC(2025, 0, 6);

beforeAll(async () => {
  dir = tempDir('listindex-serve-');
  const file = join(dir, 'list.mbox');
  writeFileSync(file, Buffer.concat([
    ...[...generateArchive({ count: 250, seed: 8 })].map(toMboxrd),
    Buffer.from(seriesMbox({ stem: 'big', patches: 30, subject: 'add thirty files', startMs: START, reviewed: [1, 30] })),
    Buffer.from(seriesMbox({ stem: 'small', patches: 3, subject: 'add three files', startMs: START + 86_400_000 })),
    Buffer.from(seriesMbox({ stem: 'small2', patches: 3, version: 2, subject: 'add three files', startMs: START + 2 * 86_400_000, reviewed: [2] })),
  ]));
  db = join(dir, 'list.db');
  cliOk(['import', file, '--db', db, '-q']);
  server = await startServe(db);
});

const get = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init });
const getJson = async (path: string): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await get(path);
  expect(r.status, path).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return r.json();
};
const sql = <T>(query: string, ...params: unknown[]): T[] => withDb(db, (d) => d.prepare(query).all(...params) as T[]);
const one = <T>(query: string, ...params: unknown[]): T => withDb(db, (d) => d.prepare(query).pluck().get(...params) as T);
const seriesOf = (stem: string) => one<number>(`SELECT p.series_id FROM patches p JOIN messages m ON m.id = p.message_id WHERE m.msgid = ?`, `<${stem}.1@example.org>`);

describe('versions and the HTTP rules', () => {
  it('answers /api/ and /api/1.0 to /api/1.3, with or without a trailing slash; other versions are 404', async () => {
    for (const v of ['', '1.0/', '1.1/', '1.2/', '1.3/']) {
      const root = await getJson(`/api/${v}`);
      expect(Object.keys(root)).toEqual(expect.arrayContaining(['projects', 'series', 'patches', 'covers', 'people', 'events']));
    }
    expect((await get('/api/2.0/series/')).status).toBe(404);
    expect((await get('/api/0.9/')).status).toBe(404);
    const id = seriesOf('big');
    expect((await getJson(`/api/1.2/series/${id}`)).id).toBe(id);
    expect((await getJson(`/api/1.2/series/${id}/`)).id).toBe(id);
    expect((await getJson('/api/1.2/patches?per_page=1'))).toHaveLength(1);
  });

  it('accepts and ignores Authorization, answers writes 405', async () => {
    const r = await get('/api/1.3/series/', { headers: { Authorization: 'Token 0123456789abcdef' } });
    expect(r.status).toBe(200);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const w = await get(`/api/1.3/patches/${one<number>('SELECT min(message_id) FROM patches')}/`, { method, body: method === 'DELETE' ? undefined : '{"state":"accepted"}' });
      expect(w.status, method).toBe(405);
      expect(w.headers.get('allow')).toBe('GET, HEAD');
    }
    expect(one<number>(`SELECT count(*) FROM messages`)).toBeGreaterThan(0);
  });

  it('hides the fields newer than the version asked for', async () => {
    const id = seriesOf('big');
    const coverId = one<number>('SELECT cover_id FROM series WHERE id = ?', id);
    const v10 = await getJson(`/api/1.0/series/${id}/`);
    expect(v10).not.toHaveProperty('web_url');
    expect(v10.project).not.toHaveProperty('list_archive_url');
    expect(v10.patches[0]).not.toHaveProperty('web_url');
    expect((await getJson(`/api/1.1/series/${id}/`))).toHaveProperty('web_url');
    const c10 = await getJson(`/api/1.0/covers/${coverId}/`);
    expect(c10).not.toHaveProperty('mbox');
    expect(c10).not.toHaveProperty('comments');
    const c11 = await getJson(`/api/1.1/covers/${coverId}/`);
    expect(c11.mbox).toMatch(/\/mbox\/$/);
    expect(c11).not.toHaveProperty('list_archive_url');
    expect(await getJson(`/api/1.2/covers/${coverId}/`)).toHaveProperty('list_archive_url');
    const patchId = one<number>(`SELECT id FROM messages WHERE msgid = '<big.1@example.org>'`);
    expect(await getJson(`/api/1.2/patches/${patchId}/`)).toHaveProperty('related');
    expect(await getJson(`/api/1.1/patches/${patchId}/`)).not.toHaveProperty('related');
    const comments12 = await getJson(`/api/1.2/patches/${patchId}/comments/`);
    expect(comments12).toHaveLength(1);
    expect(comments12[0]).not.toHaveProperty('addressed');
    expect(comments12[0].content).toContain('Reviewed-by: Rita Reviewer');
    const comments13 = await getJson(`/api/1.3/patches/${patchId}/comments/`);
    expect(comments13[0]).toHaveProperty('addressed', null);
    expect((await getJson(`/api/1.3/comments/${comments13[0].id}/`)).msgid).toBe('<big.1.review@example.org>');
    expect((await get(`/api/1.2/comments/${comments13[0].id}/`)).status).toBe(404);
    expect((await get(`/api/1.0/patches/${patchId}/comments/`)).status).toBe(404);
  });

  it('builds absolute URLs from the request\'s Host, under the version asked for', async () => {
    const id = seriesOf('big');
    const s = await getJson(`/api/1.2/series/${id}/`);
    expect(s.url).toBe(`${server.url}/api/1.2/series/${id}/`);
    expect(s.mbox).toBe(`${server.url}/series/${id}/mbox/`);
    expect(s.patches[0].mbox).toBe(`${server.url}/project/dev/patch/big.1@example.org/mbox/`);
  });
});

describe('lists: paging and filters', () => {
  it('pages with Patchwork\'s Link header: 30 by default, per_page capped at 250, past the end 404', async () => {
    const total = one<number>('SELECT count(*) FROM series');
    const r = await get('/api/1.3/series/');
    expect((await r.json() as Json[]).length).toBe(Math.min(30, total));
    const last = Math.ceil(total / 30);
    expect(r.headers.get('link')).toBe(`<${server.url}/api/1.3/series/?page=2>; rel="next", <${server.url}/api/1.3/series/?page=1>; rel="first", ` +
      `<${server.url}/api/1.3/series/?page=${last}>; rel="last"`);
    const p2 = await get('/api/1.3/series/?page=2&order=-id');
    expect(p2.headers.get('link')).toContain('rel="prev"');
    const ids = [...(await getJson('/api/1.3/series/?order=-id&per_page=5')), ...(await getJson('/api/1.3/series/?order=-id&per_page=5&page=2'))].map((s: Json) => s.id);
    expect(ids).toEqual(sql<{ id: number }>('SELECT id FROM series ORDER BY id DESC LIMIT 10').map((s) => s.id));
    expect((await getJson('/api/1.3/patches/?per_page=1000')).length).toBe(Math.min(250, one<number>(`SELECT count(*) FROM patches pa JOIN messages m ON m.id = pa.message_id WHERE m.duplicate_of IS NULL`)));
    const past = await get(`/api/1.3/series/?page=${last + 1}`);
    expect(past.status).toBe(404);
    expect(await past.json()).toEqual({ detail: 'Invalid page.' });
  });

  it('answers 200 [] to filter values that match nothing, and an empty value filters nothing', async () => {
    for (const q of ['project=nosuchlist', 'submitter=nobody@nowhere.invalid', 'submitter=999999', 'since=not-a-date', 'series=abc']) {
      expect(await getJson(`/api/1.3/series/?${q}`), q).toEqual([]);
    }
    for (const q of ['state=rejected', 'archived=true', 'hash=0000', 'msgid=nobody@nowhere', 'delegate=1']) {
      expect(await getJson(`/api/1.3/patches/?${q}`), q).toEqual([]);
    }
    expect((await getJson('/api/1.3/series/?project=&per_page=250')).length).toBe(Math.min(250, one<number>('SELECT count(*) FROM series')));
  });

  it('filters series by project (id or link name), submitter (id or email, repeated = OR), q, since/before, order', async () => {
    const listId = one<number>(`SELECT id FROM lists WHERE list_id = 'dev.lists.example.org'`);
    const byName = await getJson('/api/1.3/series/?project=dev&per_page=250');
    expect(byName.length).toBeGreaterThan(0);
    expect(await getJson(`/api/1.3/series/?project=${listId}&per_page=250`)).toEqual(byName);
    const sam = await getJson('/api/1.3/series/?submitter=sam@example.org&per_page=250');
    expect(sam.map((s: Json) => s.name).sort()).toEqual(['add thirty files', 'add three files', 'add three files']);
    const samId = sam[0].submitter.id;
    const ada = one<number>(`SELECT id FROM people WHERE email = 'ada@example.org'`);
    const both = await getJson(`/api/1.3/series/?submitter=${samId}&submitter=${ada}&per_page=250`);
    expect(both.length).toBe(one<number>('SELECT count(*) FROM series WHERE submitter_id IN (?, ?)', samId, ada));
    expect((await getJson('/api/1.3/series/?q=THIRTY%20files')).map((s: Json) => s.name)).toEqual(['add thirty files']);
    expect(await getJson('/api/1.3/series/?q=thirty%20nine')).toEqual([]);
    const since = await getJson('/api/1.3/series/?since=2025-01-07T00:00:00&before=2025-01-08');
    expect(since.map((s: Json) => s.name)).toEqual(['add three files']);
    // Sub-second dates: since is >=, before is <, to the microsecond.
    expect((await getJson('/api/1.3/series/?since=2025-01-06T23:59:59.5&before=2025-01-08')).map((s: Json) => s.version)).toEqual([1]);
    expect(await getJson('/api/1.3/series/?since=2025-01-07T00:00:00.000001Z&before=2025-01-08')).toEqual([]);
    const newest = await getJson('/api/1.3/series/?order=-date&per_page=3');
    expect(newest.map((s: Json) => s.date)).toEqual([...newest.map((s: Json) => s.date)].sort().reverse());
  });

  it('infers states: a patch of a series with a newer revision is superseded, and open=1 keeps the newest revisions', async () => {
    const v1 = seriesOf('small');
    const v2 = seriesOf('small2');
    expect((await getJson(`/api/1.3/series/${v1}/`)).latest_version).toBe(v2);
    const v1Patches = await getJson(`/api/1.3/patches/?series=${v1}`);
    expect(v1Patches.map((p: Json) => p.state)).toEqual(['superseded', 'superseded', 'superseded']);
    expect((await getJson(`/api/1.3/patches/?series=${v2}`)).map((p: Json) => p.state)).toEqual(['new', 'new', 'new']);
    // git pw patch list asks for new and under-review, not archived.
    const listed = await getJson('/api/1.3/patches/?state=under-review&state=new&archived=false&order=-date&per_page=250&submitter=sam@example.org');
    expect(listed.map((p: Json) => p.msgid)).not.toContain('<small.1@example.org>');
    expect(listed.map((p: Json) => p.msgid)).toContain('<small2.1@example.org>');
    expect((await getJson('/api/1.3/patches/?state=superseded&submitter=sam@example.org')).length).toBe(3);
    const open = await getJson('/api/1.3/series/?open=1&submitter=sam@example.org');
    expect(open.map((s: Json) => s.id).sort()).toEqual([seriesOf('big'), v2].sort());
  });

  it('finds a patch by msgid (no brackets) and by hash, as b4 and CI do', async () => {
    const [p] = await getJson('/api/1.2/patches/?msgid=big.7@example.org');
    expect(p.name).toBe('[07/30] big: add file 7');
    expect((await getJson(`/api/1.2/patches/?hash=${p.hash}`)).map((x: Json) => x.id)).toEqual([p.id]);
    expect(await getJson(`/api/1.2/people/?q=rita`)).toEqual([expect.objectContaining({ email: 'rita@example.org' })]);
    expect(await getJson('/api/1.2/users/')).toEqual([]);
    expect(await getJson(`/api/1.2/patches/${p.id}/checks/`)).toEqual([]);
    expect((await getJson('/api/1.2/projects/dev/')).list_id).toBe('dev.lists.example.org');
  });
});

describe('downloads', () => {
  it('serves a series mbox equal to `listindex mbox series/N`, named as Patchwork names it', async () => {
    const id = seriesOf('big');
    const r = await get(`/series/${id}/mbox/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename=add-thirty-files.patch');
    expect(Buffer.from(await r.arrayBuffer())).toEqual(cliOk(['mbox', `series/${id}`, '--db', db]).stdout);
  });

  it('serves a patch mbox (with ?series=* the earlier patches first), its raw diff, a cover mbox, and redirects id URLs', async () => {
    const patch = await get('/project/dev/patch/big.3@example.org/mbox/');
    expect(patch.headers.get('content-disposition')).toBe('attachment; filename=03-30-big-add-file-3.patch');
    const text = await patch.text();
    expect(text.match(/^Subject: .*/gm)).toEqual(['Subject: [PATCH 03/30] big: add file 3']);
    const withEarlier = await (await get('/project/dev/patch/big.3@example.org/mbox/?series=*')).text();
    expect(withEarlier.match(/^Subject: .*/gm)).toEqual([1, 2, 3].map((n) => `Subject: [PATCH 0${n}/30] big: add file ${n}`));
    const raw = await get('/project/dev/patch/big.3@example.org/raw/');
    expect(raw.headers.get('content-disposition')).toMatch(/\.diff$/);
    expect(await raw.text()).toMatch(/^diff --git a\/big\/file03.txt/);
    const cover = await get('/project/dev/cover/big.0@example.org/mbox/');
    expect(cover.headers.get('content-disposition')).toMatch(/\.mbox$/);
    expect(await cover.text()).toContain('This series add thirty files.');
    const id = one<number>(`SELECT id FROM messages WHERE msgid = '<big.3@example.org>'`);
    const redirect = await get(`/patch/${id}/mbox/`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${server.url}/project/dev/patch/big.3%40example.org/mbox/`);
    expect((await get(`/patch/${id}/mbox/`, { redirect: 'follow' })).status).toBe(200);
    expect((await get('/series/99999/mbox/')).status).toBe(404);
  });
});

describe('public-inbox URLs', () => {
  it('serves a whole thread as gzipped mboxrd, with the msgid percent-encoded', async () => {
    const r = await get(`/all/${encodeURIComponent('big.5@example.org')}/t.mbox.gz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/gzip');
    expect(r.headers.get('content-encoding')).toBeNull();
    const mbox = gunzipSync(Buffer.from(await r.arrayBuffer())).toString('utf8');
    const ids = [...mbox.matchAll(/^Message-Id: (.*)$/gm)].map((m) => m[1]);
    expect(ids).toHaveLength(1 + 30 + 2);
    expect(ids[0]).toBe('<big.0@example.org>');
    expect(mbox.startsWith('From mboxrd@z Thu Jan  1 00:00:00 1970\n')).toBe(true);
    expect((await get('/all/nobody@nowhere/t.mbox.gz')).status).toBe(404);
  });

  it('answers HEAD for a message, and its raw bytes', async () => {
    expect((await get('/all/big.1@example.org/', { method: 'HEAD' })).status).toBe(200);
    expect((await get('/all/nobody%40nowhere/', { method: 'HEAD' })).status).toBe(404);
    expect((await get('/dev.lists.example.org/big.1@example.org/', { method: 'HEAD' })).status).toBe(200);
    expect((await get('/no.such.list/big.1@example.org/', { method: 'HEAD' })).status).toBe(404);
    const raw = await (await get('/all/big.1@example.org/raw')).text();
    expect(raw).toMatch(/^From mboxrd@z .*\nFrom: Sam Sender <sam@example.org>\n/);
  });

  it('searches as b4 does (POST ?x=m&q=…): subject, from and date; threads with t=1; 404 "No results found"', async () => {
    const q = encodeURIComponent('(s:"add three files" AND f:"sam@example.org") AND d:20250107..');
    const r = await get(`/all/?x=m&q=${q}`, { method: 'POST', body: '' });
    expect(r.status).toBe(200);
    const found = gunzipSync(Buffer.from(await r.arrayBuffer())).toString('utf8');
    expect([...found.matchAll(/^Message-Id: (.*)$/gm)].map((m) => m[1]).sort()).toEqual(['<small.0@example.org>', '<small2.0@example.org>']);
    const threads = await get(`/all/?x=m&t=1&q=${encodeURIComponent('s:"add three files" AND d:20250108..')}`, { method: 'POST', body: 'x=m' });
    const thread = gunzipSync(Buffer.from(await threads.arrayBuffer())).toString('utf8');
    expect([...thread.matchAll(/^Message-Id: (.*)$/gm)]).toHaveLength(1 + 3 + 1);
    const none = await get(`/all/?x=m&q=${encodeURIComponent('s:"no such subject anywhere"')}`, { method: 'POST', body: '' });
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('No results found');
    expect((await get(`/all/?x=m&q=${encodeURIComponent('patchid:0123456789abcdef0123456789abcdef01234567')}`, { method: 'POST', body: '' })).status).toBe(404);
    // A NUL or other control character in a search is a space, not an FTS5 syntax error.
    expect((await get(`/all/?x=m&q=${encodeURIComponent('"watch\u0000dog"')}`, { method: 'POST', body: '' })).status).toBe(404);
  });
});

describe('events', () => {
  it('dates events by when the import stored the mail, so `since` never misses late or back-dated mail', async () => {
    const [newest] = await getJson('/api/1.3/events/?per_page=1');
    expect((await getJson('/api/1.3/events/?order=date&per_page=250&category=series-created')).length).toBeGreaterThan(0);
    const lastDate = newest.date as string;
    expect(lastDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    // Mail dated in 2001 (long before everything else), imported now: its events come after.
    const late = join(dir, 'late.mbox');
    writeFileSync(late, seriesMbox({ stem: 'late', patches: 2, subject: 'a back-dated series', startMs: Date.UTC(2001, 0, 1), reviewed: [1] }));
    cliOk(['import', late, '--db', db, '-q']);
    const after = (await getJson(`/api/1.3/events/?order=date&since=${encodeURIComponent(lastDate)}&per_page=250`)).filter((e: Json) => e.date > lastDate);
    const categories = after.map((e: Json) => e.category).sort();
    expect(categories).toEqual(['cover-created', 'patch-comment-created', 'patch-completed', 'patch-completed', 'patch-created', 'patch-created',
      'series-completed', 'series-created'].sort());
    const created = after.find((e: Json) => e.category === 'series-created');
    expect(created.payload.series.id).toBe(seriesOf('late'));
    expect(new Set(after.map((e: Json) => e.id)).size).toBe(after.length);
    // Comment events only from 1.3; the same events again when nothing new is imported.
    const v12 = await getJson(`/api/1.2/events/?order=date&since=${encodeURIComponent(created.date)}`);
    expect(v12.map((e: Json) => e.category)).not.toContain('patch-comment-created');
    cliOk(['import', late, '--db', db, '-q']);
    expect(await getJson(`/api/1.3/events/?order=date&since=${encodeURIComponent(created.date)}&per_page=250`)).toEqual(
      after.filter((e: Json) => e.date >= created.date));
    // The server saw the import without a restart.
    expect((await getJson(`/api/1.3/series/${seriesOf('late')}/`)).name).toBe('a back-dated series');
    expect((await getJson('/api/1.3/events/?category=series-completed&per_page=1'))[0].payload.series.id).toBe(seriesOf('late'));
  });
});
