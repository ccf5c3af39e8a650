import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../../src/store/database.js';
import { openDatabase } from '../../src/store/database.js';

// Columns that say when or by which run something was stored, not what is stored.
const VOLATILE: Record<string, string[]> = {
  messages: ['import_id'],
  rejects: ['import_id'],
  sources: ['last_import_id'],
  purges: ['import_id'],
};
const SKIPPED = new Set(['imports']);

/**
 * SHA-1 over every table's rows (sorted), leaving out run bookkeeping: equal content, equal digest.
 * `where: false` also leaves out where messages were found (sources, source ids and offsets), to
 * compare indexes of the same mail read from different kinds of source.
 */
export function contentDigest(db: SqliteDatabase, options: { where?: boolean } = {}): string {
  const hash = createHash('sha1');
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
    AND name NOT LIKE 'messages_fts%' ORDER BY name`).pluck().all() as string[];
  for (const table of tables) {
    if (SKIPPED.has(table) || (options.where === false && table === 'sources')) continue;
    const columns = (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name)
      .filter((c) => !VOLATILE[table]?.includes(c) && !(options.where === false && (c === 'source_id' || c === 'source_offset')));
    const rows = db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`).raw().all();
    hash.update(`${table}\n`);
    for (const row of rows) hash.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) || v?.type === 'Buffer' ? createHash('sha1').update(Buffer.from(v.data ?? v)).digest('hex') : v)) + '\n');
  }
  // The full-text index must find the same messages.
  const fts = db.prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'patch OR the' ORDER BY rowid`).pluck().all();
  hash.update(JSON.stringify(fts));
  return hash.digest('hex');
}

/** The content digest of the index at `path`, opened read-only for it. */
export function contentDigestOf(path: string): string {
  const handle = openDatabase(path, { readonly: true });
  try {
    return contentDigest(handle);
  } finally {
    handle.close();
  }
}
