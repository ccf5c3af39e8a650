import { describe, it, expect } from 'vitest';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireImportLock } from '../../src/store/import-lock.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('acquireImportLock', () => {
  it('is held by one taker at a time, also through a symlink, and free again once released', () => {
    const dir = tempDir('listindex-lock-');
    const db = join(dir, 'a.db');
    writeFileSync(db, '');
    symlinkSync(db, join(dir, 'link.db'));
    const lock = acquireImportLock(db);
    expect(() => acquireImportLock(db)).toThrow(/another import is running on this database; wait for it to finish/);
    expect(() => acquireImportLock(join(dir, 'link.db'))).toThrow(/another import is running/);
    lock.release();
    acquireImportLock(join(dir, 'link.db')).release();
  });

  it('takes over an empty lock file, and names a file that is not a lock', () => {
    const dir = tempDir('listindex-lock-');
    const db = join(dir, 'b.db');
    writeFileSync(db, '');
    writeFileSync(`${db}.import-lock`, '');
    acquireImportLock(db).release();
    writeFileSync(`${db}.import-lock`, JSON.stringify({ pid: 1, host: 'h', since: 'then' }).padEnd(200, ' '));
    expect(() => acquireImportLock(db)).toThrow(/is not an import lock .*remove it if no import is running/);
  });
});
