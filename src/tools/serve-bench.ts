/**
 * npm run bench:serve [-- --db INDEX] [-- --seconds S] [-- --connections C]
 *
 * Load on `listindex serve` over loopback: for each endpoint, C concurrent keep-alive
 * connections for S seconds (and at most 200,000 requests), then requests/s and p50/p99
 * latency. Endpoints: a page of the series list, a 30-patch series' detail, a patch's detail,
 * that series' mbox, the t.mbox.gz of its thread (33 messages), events since the 1,000th newest
 * and the newest page of events with no filter. Then the
 * web pages' render time in process (the list and the 30-patch series page), and their size.
 *
 * Without --db it builds the generated 10× index (163,650 messages, the deterministic
 * generator) plus a 30-patch series with three reviews, once, under bench-out/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { Command } from 'commander';
import { generateArchive, toMboxrd } from './archive-generator.js';
import { seriesMbox } from './series-mail.js';
import { openIndex } from '../api/open-index.js';
import { renderWebPage } from '../web/routes.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const MAX_REQUESTS = 200_000;

const program = new Command()
  .option('--db <file>', 'an index to serve (default: the generated 10x index, built once under bench-out/)')
  .option('--seconds <s>', 'seconds per endpoint', '10')
  .option('--connections <n>', 'concurrent connections', '32')
  .parse();
const opts = program.opts<{ db?: string; seconds: string; connections: string }>();

async function buildIndex(): Promise<string> {
  const dir = join(ROOT, 'bench-out');
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'serve-10x.db');
  if (existsSync(db)) return db;
  const archive = join(dir, 'serve-10x.mbox.gz');
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(archive);
  gzip.pipe(out);
  for (const m of generateArchive({ count: 163_650, seed: 1 })) if (!gzip.write(toMboxrd(m))) await once(gzip, 'drain');
  gzip.write(seriesMbox({ stem: 'bench30', patches: 30, subject: 'a thirty-patch series', startMs: Date.UTC(2030, 0, 1), reviewed: [1, 15, 30] }));
  gzip.end();
  await once(out, 'finish');
  console.log(`importing ${archive} (163,681 messages)…`);
  const r = spawnSync(process.execPath, [CLI, 'import', archive, '--db', db, '-q'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the import failed');
  return db;
}

async function startServe(db: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / at (http:\/\/[^/\s]+)\//.exec(out);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`listindex serve exited ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

interface Load {
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

/** `connections` loops, each sending the next request when the last answer ended. */
async function load(url: string, connections: number, seconds: number): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const one = () => new Promise<void>((done) => {
    const t = performance.now();
    const req = request(url, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        latencies.push(performance.now() - t);
        done();
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      errors++;
      done();
    });
    req.end();
  });
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < deadline && latencies.length + errors < MAX_REQUESTS) await one();
  }));
  agent.destroy();
  return { requests: latencies.length, errors, seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN);

const db = opts.db ?? await buildIndex();
const index = openIndex(db, { readonly: true });
const big = index.patches({ msgids: ['bench30.1@example.org'] }).items[0];
const seriesId = big?.submission.series_id ?? index.seriesList({ order: '-id', perPage: 1 }).items[0].series.id;
const patchId = big?.submission.id ?? index.patches({ order: '-id', perPage: 1 }).items[0].submission.id;
const threadMsgid = big?.submission.msgid ?? index.patches({ order: '-id', perPage: 1 }).items[0].submission.msgid;
// A poller's window: the date of the 1,000th newest event, and the newest page unfiltered.
const since = index.events({ perPage: 1, page: 1000 }).items[0]?.date ?? '2020-01-01';
const link = index.project(big?.submission.list ?? null)?.link_name ?? 'dev';

const server = await startServe(db);
const endpoints: [string, string][] = [
  ['series list page', '/api/1.3/series/?order=-date'],
  ['series detail (30 patches)', `/api/1.3/series/${seriesId}/`],
  ['patch detail', `/api/1.3/patches/${patchId}/`],
  ['series mbox (30 patches)', `/series/${seriesId}/mbox/`],
  ['t.mbox.gz (33-message thread)', `/all/${encodeURIComponent(threadMsgid.replace(/^<|>$/g, ''))}/t.mbox.gz`],
  ['events since (last 1,000)', `/api/1.3/events/?since=${since}&order=date`],
  ['events, newest page', '/api/1.3/events/'],
];
const seconds = Number(opts.seconds);
const connections = Number(opts.connections);
console.log(`${db}: ${connections} connections, ${seconds} s per endpoint`);
console.log('endpoint                          requests/s    p50 ms    p99 ms  errors');
try {
  for (const [name, path] of endpoints) {
    const r = await load(`${server.url}${path}`, connections, seconds);
    console.log(`${name.padEnd(32)} ${(r.requests / r.seconds).toFixed(0).padStart(11)} ${pct(r.latencies, 0.5).toFixed(1).padStart(9)} ` +
      `${pct(r.latencies, 0.99).toFixed(1).padStart(9)} ${String(r.errors).padStart(7)}`);
  }
} finally {
  server.stop();
}

// Web pages, rendered in process: the same bounded queries as the API.
for (const [name, url] of [['list page', `/project/${link}/list/`], ['series page (30 patches)', `/project/${link}/series/${seriesId}/`]] as const) {
  renderWebPage(index, url);
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const page = renderWebPage(index, url);
    times.push(performance.now() - t);
    size = page ? Buffer.byteLength(page.body) : 0;
  }
  times.sort((a, b) => a - b);
  console.log(`web ${name}: median ${pct(times, 0.5).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms, ${(size / 1024).toFixed(0)} KB (20 runs)`);
}
index.close();
