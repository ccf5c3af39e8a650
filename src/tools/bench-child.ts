/**
 * One measured run, in its own process so that its peak RSS is its own:
 *   node dist/tools/bench-child.js import|floor <archive> <db>
 * Prints one JSON line: messages, bytes, seconds, peakRssBytes.
 */
import Database from 'better-sqlite3';
import { importPaths } from '../import/pipeline.js';
import { readSource } from '../input/read-source.js';

async function importRun(archive: string, db: string) {
  // Timed around the whole call, not by its own summary: closing the database checkpoints the
  // last of the WAL, which is work the import caused.
  const started = performance.now();
  const summary = await importPaths(db, [archive]);
  return { messages: summary.messagesFound, stored: summary.stored, bytes: summary.bytes, seconds: (performance.now() - started) / 1000 };
}

/** The floor: split the file and insert each raw message with FTS5, nothing else. */
async function floorRun(archive: string, dbPath: string) {
  const started = performance.now();
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE raw (id INTEGER PRIMARY KEY, offset INTEGER, body TEXT);
    CREATE VIRTUAL TABLE raw_fts USING fts5(body, content='raw', content_rowid='id');`);
  const insert = db.prepare('INSERT INTO raw (offset, body) VALUES (?, ?) RETURNING id');
  const insertFts = db.prepare('INSERT INTO raw_fts (rowid, body) VALUES (?, ?)');
  const write = db.transaction((batch: { offset: number; text: string }[]) => {
    for (const m of batch) {
      const { id } = insert.get(m.offset, m.text) as { id: number };
      insertFts.run(id, m.text);
    }
  });
  let messages = 0;
  let bytes = 0;
  let batch: { offset: number; text: string }[] = [];
  for await (const m of readSource({ path: archive, kind: 'mbox', size: null })) {
    messages++;
    bytes += m.raw.length;
    batch.push({ offset: m.offset, text: m.raw.toString('utf8') });
    if (batch.length === 1000) {
      write(batch);
      batch = [];
    }
  }
  write(batch);
  db.close();
  return { messages, stored: messages, bytes, seconds: (performance.now() - started) / 1000 };
}

const [mode, archive, db] = process.argv.slice(2);
const result = mode === 'floor' ? await floorRun(archive, db) : await importRun(archive, db);
process.stdout.write(JSON.stringify({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
