/**
 * The index works with the tools people already use (issue 17, item 22): Debian's sqlite-utils
 * (and Datasette, which detects full-text indexes the same way) finds `messages_fts` as the
 * full-text index of `messages`, on a new index and on one upgraded from the previous schema.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateArchive, toMboxrd } from '../src/tools/archive-generator.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { cliOk } from '../test/cli/run-cli.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { backToSchema } from '../test/helpers/old-schema.js';

const FUNCTION_MAIL = Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Wim <wim@example.org>\nSubject: [PATCH] watchdog: register early\n' +
  'Date: Mon, 8 Jan 2024 08:00:00 +0000\nMessage-Id: <register-early@example.org>\n\n' +
  'Call watchdog_register_device() before the interrupt is requested.\n\n');

let dir: string;
let db: string;
beforeAll(() => {
  dir = tempDir('listindex-sqlite-utils-');
  const mbox = join(dir, 'a.mbox');
  writeFileSync(mbox, Buffer.concat([FUNCTION_MAIL, ...[...generateArchive({ count: 60, seed: 2 })].map(toMboxrd)]));
  db = join(dir, 'a.db');
  cliOk(['import', mbox, '--db', db, '-q']);
});

/** `sqlite-utils search <db> messages <term>`: the msgids found, as CSV. */
function search(path: string, term: string): string[] {
  const r = spawnSync('sqlite-utils', ['search', path, 'messages', term, '-c', 'msgid', '--csv'], { encoding: 'utf8' });
  if (r.error) throw r.error;
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim().split(/\r?\n/).slice(1);
}

describe('sqlite-utils', () => {
  it('finds a function name through the full-text index, as one word', () => {
    expect(search(db, 'watchdog_register_device')).toEqual(['<register-early@example.org>']);
    expect(search(db, 'register_device')).toEqual([]); // the whole name is one word
  });

  it('finds it in an index made before: the upgrade declares the index again and rebuilds it', () => {
    const old = join(dir, 'old.db');
    copyFileSync(db, old);
    // The index as the previous schema declared it (content='messages'), at that schema's version.
    const step = MIGRATIONS.findIndex((sql) => sql.includes('content="messages"'));
    const handle = new Database(old);
    handle.exec(`DROP TABLE messages_fts;
      CREATE VIRTUAL TABLE messages_fts USING fts5(subject, sender, body, content='messages', content_rowid='id', tokenize="unicode61 tokenchars '_'");
      INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');`);
    backToSchema(handle, step);
    handle.close();
    expect(spawnSync('sqlite-utils', ['search', old, 'messages', 'watchdog_register_device'], { encoding: 'utf8' }).status).not.toBe(0);

    cliOk(['import', join(dir, 'a.mbox'), '--db', old, '-q']); // any import upgrades the schema
    expect(search(old, 'watchdog_register_device')).toEqual(['<register-early@example.org>']);
    const upgraded = new Database(old);
    try {
      expect(() => upgraded.exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`)).not.toThrow();
      expect(upgraded.prepare(`SELECT v FROM messages_fts_config WHERE k = 'automerge'`).pluck().get()).toBe(16);
    } finally {
      upgraded.close();
    }
  });
});
