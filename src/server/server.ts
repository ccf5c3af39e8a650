/**
 * `listindex serve`: read-only HTTP over node:http (the routes are a few dozen paths; a framework
 * would add a dependency and no code saved). The main thread moves bytes; requests run in
 * worker threads (piscina, as the import uses), each with its own read-only connection, so two
 * cores answer at once and a statement that runs past the time budget can be given up: the
 * client gets 503 at once and the worker that ran it is replaced. SQLite's WAL lets the
 * connections see what an import commits while the server runs, without a restart.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { openDatabase } from '../store/database.js';
import { ListindexError } from '../errors.js';
import { workerEntry } from '../worker-entry.js';
import { jsonAnswer, textAnswer } from '../api/http.js';
import type { ServeRequest, ServeResponse } from '../api/http.js';

export interface ServeOptions {
  db: string;
  host?: string;
  port?: number;
  /** The URL clients reach the server at, for the links in answers; default: from the request's Host. */
  baseUrl?: string;
  /** The time budget of one request, in milliseconds. */
  timeoutMs?: number;
  threads?: number;
}

export interface RunningServer {
  server: Server;
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  close(): Promise<void>;
}

/** The largest request body read (public-inbox's search form is a few bytes). */
const MAX_BODY = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Requests waiting for a worker beyond this are answered 503 at once. */
const MAX_QUEUE = 512;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  // Fails here, with one line, when the file is not a listindex index.
  openDatabase(options.db, { readonly: true }).close();
  const file = workerEntry(import.meta.url, 'request-worker.js');
  if (file === null) throw new ListindexError('USAGE', 'the server needs the build: run `npm run build` first');
  const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism()));
  const pool = new Piscina({ filename: file, minThreads: threads, maxThreads: threads, maxQueue: MAX_QUEUE, workerData: { db: options.db }, idleTimeout: 60_000 });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const host = options.host ?? '127.0.0.1';

  const server = createServer((req, res) => {
    void answer(req, res).catch(() => finish(req, res, textAnswer(500, 'Internal error.\n')));
  });
  // A client that sends its request slowly, or never, cannot hold a connection for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === null) return finish(req, res, textAnswer(413, 'Request body too large.\n'));
    const request: ServeRequest = { method: req.method ?? 'GET', url: req.url ?? '/', baseUrl: options.baseUrl?.replace(/\/+$/, '') ?? baseFrom(req, running.url), body };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = (await pool.run(request, { signal: controller.signal })) as ServeResponse;
      finish(req, res, response);
    } catch (error) {
      if (controller.signal.aborted) {
        finish(req, res, jsonAnswer(503, { detail: `The request ran past the server's time budget of ${timeoutMs / 1000} s and was stopped.` }));
      } else if (/queue is full/i.test((error as Error).message)) {
        finish(req, res, jsonAnswer(503, { detail: 'The server is busy; try again.' }, { 'Retry-After': '1' }));
      } else {
        process.stderr.write(`listindex serve: ${req.method} ${truncate(req.url ?? '')}: ${(error as Error).message.split('\n')[0]}\n`);
        finish(req, res, jsonAnswer(500, { detail: 'Internal error.' }));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new ListindexError('USAGE', error.code === 'EADDRINUSE' ? `port ${options.port ?? 8000} on ${host} is in use: choose another with --port`
        : `cannot listen on ${host}:${options.port ?? 8000}: ${error.message}`));
    });
    server.listen(options.port ?? 8000, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const running: RunningServer = {
    server,
    url: `http://${shown}:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.destroy();
    },
  };
  return running;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The links' root from the request's Host header, when it is a plain host[:port]; else the bound address. */
function baseFrom(req: IncomingMessage, fallback: string): string {
  const hostHeader = req.headers.host;
  return hostHeader && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(hostHeader) ? `http://${hostHeader}` : fallback;
}

function finish(req: IncomingMessage, res: ServerResponse, response: ServeResponse): void {
  if (res.headersSent) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
  res.writeHead(response.status, {
    ...response.headers,
    'Content-Length': String(body.length),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

const truncate = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
