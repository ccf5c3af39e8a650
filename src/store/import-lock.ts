/**
 * One import at a time per database. SQLite would serialise two writers safely, but their
 * batches would interleave and both would relink series; a lock file next to the database says
 * plainly who holds it. A lock left by a killed import (its process is gone) is taken over.
 */
import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { ListindexError } from '../errors.js';

export interface ImportLock {
  release(): void;
}

export function acquireImportLock(dbPath: string): ImportLock {
  const path = `${dbPath}.import-lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      return { release: () => unlinkSync(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      if (holder && holder.host === hostname() && !isAlive(holder.pid)) {
        unlinkSync(path); // stale: the import that held it was killed
        continue;
      }
      throw new ListindexError('DATABASE', `another import is running on this database (pid ${holder?.pid ?? '?'} on ${holder?.host ?? '?'}, since ${holder?.since ?? '?'}); ` +
        `wait for it to finish, or remove ${path} if that process is gone`, { file: dbPath });
    }
  }
  throw new ListindexError('DATABASE', `cannot take the import lock ${path}`, { file: dbPath });
}

function readHolder(path: string): { pid: number; host: string; since: string } | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { pid: number; host: string; since: string };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
