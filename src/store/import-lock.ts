/**
 * One import at a time per database. SQLite would serialise two writers safely, but their
 * batches would interleave and both would relink series.
 *
 * The lock is SQLite's own: a write transaction held open on a small database beside the index
 * (`<index>.import-lock`, named after the index's real path, so a symlinked `--db` finds the same
 * one). SQLite's file locks belong to the process and end with it, however it ends: a killed or
 * failed import never leaves a lock behind, and taking it is atomic, so two imports racing for it
 * cannot both win. (A lock file created with O_EXCL had to be judged stale by its pid and
 * removed, which two imports could do at once; and a disk-full failure left it empty for good.)
 * The file itself stays: removing it would let a late-comer lock a file no one else can see.
 * Who holds the lock is written in it, for the message the next import shows.
 */
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { ListindexError } from '../errors.js';

export interface ImportLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

export function acquireImportLock(dbPath: string): ImportLock {
  const path = `${realPath(dbPath)}.import-lock`;
  let lock: Database.Database;
  try {
    lock = new Database(path, { timeout: 0 });
  } catch (cause) {
    throw new ListindexError('DATABASE', `cannot create the import lock ${path}: ${(cause as Error).message}`, { file: dbPath, cause });
  }
  try {
    // Say who is about to hold it (best effort: a full disk or a competitor may refuse this).
    const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      lock.exec(`CREATE TABLE IF NOT EXISTS holder (pid INTEGER, host TEXT, since TEXT)`);
      lock.transaction(() => {
        lock.exec('DELETE FROM holder');
        lock.prepare('INSERT INTO holder VALUES (?, ?, ?)').run(me.pid, me.host, me.since);
      }).immediate();
    } catch {
      // Told below, if the lock itself cannot be taken.
    }
    try {
      // A RESERVED lock: others can still read who holds it, but none can take it.
      lock.exec('BEGIN IMMEDIATE');
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      if (code === 'SQLITE_BUSY') {
        const holder = readHolder(lock);
        const who = holder && holder.pid !== process.pid ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : '';
        throw new ListindexError('DATABASE', `another import is running on this database${who}; ` +
          `wait for it to finish (its lock ends with its process)`, { file: dbPath });
      }
      if (code === 'SQLITE_NOTADB') {
        throw new ListindexError('DATABASE', `${path} is not an import lock (an older listindex's?): ` +
          `remove it if no import is running`, { file: dbPath, cause });
      }
      throw new ListindexError('DATABASE', `cannot take the import lock ${path}: ${(cause as Error).message}`, { file: dbPath, cause });
    }
  } catch (error) {
    lock.close();
    throw error;
  }
  return {
    release: () => {
      lock.exec('ROLLBACK');
      lock.close();
    },
  };
}

/** The path with symlinks resolved (the database exists: it is opened before the lock is taken). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function readHolder(lock: Database.Database): Holder | null {
  try {
    return (lock.prepare('SELECT pid, host, since FROM holder').get() as Holder | undefined) ?? null;
  } catch {
    return null;
  }
}
