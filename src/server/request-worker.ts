/**
 * A worker thread of `listindex serve`: its own read-only connection to the index, and the
 * routes. The server's main thread only moves bytes; a request whose statements run past the
 * time budget is answered 503 there, and this worker is replaced (see server.ts).
 */
import { workerData } from 'node:worker_threads';
import { openIndex } from '../api/open-index.js';
import type { ListIndex } from '../api/open-index.js';
import { handle } from './routes.js';
import type { ServeRequest, ServeResponse } from './routes.js';

const { db } = workerData as { db: string };
let index: ListIndex | null = null;

export default function serve(req: ServeRequest): ServeResponse {
  index ??= openIndex(db, { readonly: true });
  return handle(index, req);
}
