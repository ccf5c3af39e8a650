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
