/**
 * Safe to leave running: a bounded number of statements per request whatever the series' size,
 * a fuzz of the URL space (never a 500 with a stack trace, never a hang, never a byte of a file
 * the request names), and answers that stay consistent while an import writes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { openIndex } from '../../src/api/open-index.js';
import { handle } from '../../src/server/routes.js';
import { cliOk, withDb, STACK_FRAME } from '../cli/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startServe } from '../helpers/serve.js';
import type { TestServer } from '../helpers/serve.js';
import { seriesMbox } from '../../src/tools/series-mail.js';

let dir: string;
let db: string;
let server: TestServer;

beforeAll(async () => {
  dir = tempDir('listindex-robust-');
  const file = join(dir, 'list.mbox');
  writeFileSync(file, Buffer.concat([
    ...[...generateArchive({ count: 150, seed: 3 })].map(toMboxrd),
    Buffer.from(seriesMbox({ stem: 'thirty', patches: 30, subject: 'add thirty files', startMs: Date.UTC(2025, 0, 1), reviewed: [1, 2, 3, 30] })),
    Buffer.from(seriesMbox({ stem: 'three', patches: 3, subject: 'add three files', startMs: Date.UTC(2025, 0, 2), reviewed: [1] })),
  ]));
  db = join(dir, 'list.db');
  cliOk(['import', file, '--db', db, '-q']);
  server = await startServe(db, ['--timeout', '5']);
});

const one = <T>(query: string, ...params: unknown[]): T => withDb(db, (d) => d.prepare(query).pluck().get(...params) as T);

describe('statements per request', () => {
  /** The statements one request runs, after a first request has warmed the caches of lists. */
  function statements(path: string): string[] {
    const seen: string[] = [];
    let counting = false;
    const index = openIndex(db, { readonly: true, trace: (sql) => counting && seen.push(sql) });
    try {
      handle(index, { method: 'GET', url: '/api/1.3/projects/', baseUrl: 'http://x', body: '' });
      counting = true;
      const r = handle(index, { method: 'GET', url: path, baseUrl: 'http://x', body: '' });
      expect(r.status, path).toBe(200);
    } finally {
      index.close();
    }
    return seen.filter((s) => !/^PRAGMA data_version/i.test(s.trim()));
  }

  it('answers a 30-patch series, its mbox and a page of series in a handful of statements, as many as for 3 patches', () => {
    const big = one<number>(`SELECT series_id FROM patches p JOIN messages m ON m.id = p.message_id WHERE m.msgid = '<thirty.1@example.org>'`);
    const small = one<number>(`SELECT series_id FROM patches p JOIN messages m ON m.id = p.message_id WHERE m.msgid = '<three.1@example.org>'`);
    const detail = statements(`/api/1.3/series/${big}/`);
    expect(detail.length).toBeLessThanOrEqual(5);
    expect(statements(`/api/1.3/series/${small}/`).length).toBe(detail.length);
    const mbox = statements(`/series/${big}/mbox/`);
    expect(mbox.length).toBeLessThanOrEqual(8);
    expect(statements(`/series/${small}/mbox/`).length).toBe(mbox.length);
    // A page of 30 series, each with its patches and cover; and of 100 patches.
    expect(statements('/api/1.3/series/?per_page=30').length).toBeLessThanOrEqual(6);
    expect(statements('/api/1.3/patches/?per_page=100').length).toBeLessThanOrEqual(4);
    const patch = one<number>(`SELECT id FROM messages WHERE msgid = '<thirty.1@example.org>'`);
    expect(statements(`/api/1.3/patches/${patch}/`).length).toBeLessThanOrEqual(6);
    expect(statements(`/api/1.3/patches/${patch}/comments/`).length).toBeLessThanOrEqual(4);
  });
});

describe('fuzz of the URL space', () => {
  const segment = fc.oneof(
    fc.constantFrom('api', '1.0', '1.1', '1.2', '1.3', '1.4', 'series', 'patches', 'covers', 'comments', 'events', 'projects', 'people', 'users',
      'bundles', 'checks', 'mbox', 'raw', 't.mbox.gz', 'all', 'project', 'patch', 'cover', 'dev', 'dev.lists.example.org', 'static', '..', '.',
      '%2e%2e', '%2F', '%00', '%ff', '%', '%zz', '~root', 'etc', 'passwd', 'thirty.1@example.org', 'thirty.1%40example.org', '<x>', '"\'><script>'),
    fc.integer({ min: -5, max: 1_000_000 }).map(String),
    fc.constant('9'.repeat(400)),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.string({ unit: 'binary', maxLength: 12 }).map(encodeURIComponent),
  );
  const param = fc.tuple(
    fc.constantFrom('page', 'per_page', 'order', 'q', 'since', 'before', 'project', 'submitter', 'state', 'series', 'hash', 'msgid', 'archived',
      'category', 'x', 't', 'open', 'delegate', 'patch', 'cover'),
    fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('-1', '0', '1e9', '250', '251', '99999999999999999999', '-date', 'date', 'name', 'true',
      '2025-01-01', '2025-13-45', 'x'.repeat(5000), "'; DROP TABLE series; --", '%', '*')),
  ).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  const request = fc.record({
    method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    path: fc.array(segment, { maxLength: 6 }).map((s) => '/' + s.join('/') + (s.length ? '/' : '')),
    query: fc.array(param, { maxLength: 5 }).map((p) => (p.length ? '?' + p.join('&') : '')),
  });

  it('never answers 500 or a stack trace, never hangs, never serves a file the path names', async () => {
    const allowed = new Set([200, 302, 400, 404, 405, 413, 503]);
    await fc.assert(fc.asyncProperty(request, async ({ method, path, query }) => {
      const started = Date.now();
      const r = await fetch(`${server.url}${path}${query}`, { method, redirect: 'manual', signal: AbortSignal.timeout(8_000),
        body: method === 'POST' || method === 'PUT' || method === 'PATCH' ? 'x=m' : undefined });
      const body = Buffer.from(await r.arrayBuffer()).toString('latin1');
      expect(allowed.has(r.status), `${method} ${path}${query} → ${r.status}: ${body.slice(0, 200)}`).toBe(true);
      expect(body).not.toMatch(STACK_FRAME);
      expect(body).not.toMatch(/root:x:0:0|SqliteError|BUG/);
      expect(Date.now() - started).toBeLessThan(8_000);
    }), { numRuns: 400, seed: 20261206 });
    expect(server.child.exitCode).toBeNull();
    expect(server.stderr()).not.toMatch(STACK_FRAME);
  });

  it('refuses a request body over 64 KB', async () => {
    const r = await fetch(`${server.url}/all/?x=m&q=s:x`, { method: 'POST', body: 'x'.repeat(200_000) }).catch(() => null);
    expect(r === null || r.status === 413).toBe(true);
  });
});

describe('while an import writes', () => {
  it('never shows a series half-new: each answer\'s patches match its received_total', async () => {
    const more = join(dir, 'more.mbox');
    writeFileSync(more, Buffer.concat([
      ...[...generateArchive({ count: 400, seed: 11, startMs: Date.UTC(2026, 0, 1), domain: 'later.example.org' })].map(toMboxrd),
      ...Array.from({ length: 20 }, (_, i) => Buffer.from(seriesMbox({ stem: `batch${i}`, patches: 12, subject: `batch ${i}`, startMs: Date.UTC(2026, 1, 1 + i) }))),
    ]));
    const cli = resolve(import.meta.dirname, '../../dist/cli/main.js');
    const importer = spawn(process.execPath, [cli, 'import', more, '--db', db, '-q'], { stdio: 'ignore' });
    const done = new Promise<number | null>((r) => importer.once('exit', r));
    let finished = false;
    void done.then(() => (finished = true));
    let checked = 0;
    while (!finished || checked < 20) {
      const page = await (await fetch(`${server.url}/api/1.3/series/?order=-id&per_page=50`)).json() as { id: number; received_total: number; patches: unknown[] }[];
      for (const s of page) expect(s.patches.length, `series ${s.id}`).toBe(s.received_total);
      const top = page[0];
      if (top) {
        const detail = await (await fetch(`${server.url}/api/1.3/series/${top.id}/`)).json() as { received_total: number; patches: unknown[] } | { detail: string };
        if ('patches' in detail) expect(detail.patches.length).toBe(detail.received_total);
      }
      checked++;
      if (checked > 2000) break;
    }
    expect(await done).toBe(0);
    const last = await (await fetch(`${server.url}/api/1.3/series/?q=batch%2019`)).json() as { received_total: number }[];
    expect(last).toEqual([expect.objectContaining({ received_total: 12, total: 12 })]);
  });
});

describe('events in pages', () => {
  it('gives every event once, the same in both orders, whatever the page size (pages come from windows of the index)', async () => {
    const all = async (order: string, perPage: number) => {
      const out: { id: number; date: string }[] = [];
      for (let page = 1; ; page++) {
        const r = await fetch(`${server.url}/api/1.3/events/?order=${order}&per_page=${perPage}&page=${page}`);
        if (r.status === 404) break;
        const items = await r.json() as { id: number; date: string }[];
        out.push(...items);
        if (!r.headers.get('link')?.includes('rel="next"')) break;
      }
      return out;
    };
    const desc = await all('-date', 50);
    const asc = await all('date', 250);
    expect(desc.length).toBeGreaterThan(1000);
    expect(new Set(desc.map((e) => e.id)).size).toBe(desc.length);
    expect(asc.map((e) => e.id)).toEqual([...desc].reverse().map((e) => e.id));
    const dates = asc.map((e) => e.date);
    expect(dates).toEqual([...dates].sort());
  });
});
