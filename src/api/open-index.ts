import { openDatabase } from '../store/database.js';
import type { SqliteDatabase } from '../store/database.js';
import { readStats, exportMbox } from '../store/reader.js';
import type { IndexStats } from '../store/reader.js';
import { importPaths } from '../import/pipeline.js';
import type { ImportOptions, ImportSummary } from '../import/pipeline.js';

/** An open index: plain SQL through `db` or `query`, plus the common operations. */
export interface ListIndex {
  /** The better-sqlite3 connection, for any SQL. */
  readonly db: SqliteDatabase;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  import(inputs: string[], options?: ImportOptions): Promise<ImportSummary>;
  stats(): IndexStats;
  exportMbox(options?: { sources?: string[] }): Generator<Buffer>;
  close(): void;
}

export function openIndex(path: string, options: { readonly?: boolean } = {}): ListIndex {
  const db = openDatabase(path, options);
  return {
    db,
    query: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
    import: (inputs, importOptions) => importPaths(db, inputs, importOptions),
    stats: () => readStats(db),
    exportMbox: (exportOptions) => exportMbox(db, exportOptions),
    close: () => db.close(),
  };
}
