/** A request and its answer as the server's routes (server/, web/) see them: no sockets, just values. */
export interface ServeRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** The URL root for the links in answers, e.g. http://127.0.0.1:8000 (no trailing slash). */
  baseUrl: string;
  body: string;
}

export interface ServeResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/** A JSON answer, as Patchwork's API sends it. */
export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): ServeResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, Vary: 'Accept', ...headers }, body: JSON.stringify(value) };
}

/** A plain-text answer (public-inbox's, Patchwork's downloads). */
export function textAnswer(status: number, body: string | Buffer, headers: Record<string, string> = {}): ServeResponse {
  return { status, headers: { 'Content-Type': TEXT_TYPE, ...headers }, body };
}
