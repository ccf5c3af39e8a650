/**
 * Linking writes its result by syncing temporary tables into the index in SQL: whatever the
 * series tables hold before (nothing, the right rows, or rows gone wrong), a relink leaves them
 * exactly as a clean link does, and a relink of an unchanged index writes nothing.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { relinkSeries } from '../../src/import/link-step.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { SeriesLinker } from '../../src/series/link.js';
import { LINK_FACTS_READS } from '../../src/store/series-store.js';
import { backToSchema } from '../helpers/old-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const LINK_TABLES = ['series', 'patches', 'covers', 'comments', 'trailers'];
let db: SqliteDatabase;
let clean: Record<string, unknown[]>;

function linkTables(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of LINK_TABLES) out[table] = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).raw().all();
  out.kinds = db.prepare('SELECT id, kind FROM messages ORDER BY id').raw().all();
  out.people = db.prepare('SELECT id, email, name FROM people ORDER BY id').raw().all();
  return out;
}

beforeAll(async () => {
  const dir = tempDir('listindex-link-');
  writeFileSync(join(dir, 'a.mbox'), Buffer.concat([...generateArchive({ count: 600, seed: 11 })].map(toMboxrd)));
  db = openDatabase(join(dir, 'link.db'));
  await importPaths(db, [join(dir, 'a.mbox')], { workers: 0 });
  clean = linkTables();
});

describe('relinkSeries', () => {
  it('links a generated archive into every table (the comparisons below are not vacuous)', () => {
    for (const table of LINK_TABLES) expect(clean[table].length, table).toBeGreaterThan(10);
  });

  it('writes nothing when the index is linked already', () => {
    expect(relinkSeries(db).changedRows).toBe(0);
    expect(linkTables()).toEqual(clean);
  });

  it('rebuilds emptied link tables exactly', () => {
    db.exec('DELETE FROM trailers; DELETE FROM patches; DELETE FROM covers; DELETE FROM comments; UPDATE messages SET kind = NULL');
    relinkSeries(db);
    expect(linkTables()).toEqual(clean);
  });

  it('repairs rows that went wrong: changed, missing and stray rows', () => {
    db.exec(`UPDATE patches SET name = 'wrong', number = 99 WHERE message_id = (SELECT min(message_id) FROM patches);
      DELETE FROM covers WHERE message_id = (SELECT max(message_id) FROM covers);
      UPDATE trailers SET value = 'Nobody <n@x>' WHERE (patch_id, position) IN (SELECT patch_id, position FROM trailers LIMIT 3);
      INSERT INTO comments (message_id, parent_id, patch_id, cover_id) VALUES (999999, 1, 1, NULL);
      UPDATE comments SET parent_id = 1 WHERE message_id = (SELECT min(message_id) FROM comments);
      UPDATE messages SET kind = 'other' WHERE id IN (SELECT message_id FROM patches LIMIT 5);`);
    expect(linkTables()).not.toEqual(clean);
    // 1 patch, 1 cover, 3 trailers, 2 comments, 5 kinds.
    expect(relinkSeries(db).changedRows).toBe(12);
    expect(linkTables()).toEqual(clean);
  });

  it('writes nothing when it holds only one or three series at a time (the others wait in SQL)', () => {
    for (const residentSeries of [1, 3]) {
      expect(relinkSeries(db, { residentSeries }).changedRows).toBe(0);
      expect(linkTables()).toEqual(clean);
    }
  });

  it('rebuilds emptied link tables exactly holding two series at a time', () => {
    db.exec('DELETE FROM series; DELETE FROM trailers; DELETE FROM patches; DELETE FROM covers; DELETE FROM comments; UPDATE messages SET kind = NULL');
    relinkSeries(db, { residentSeries: 2 });
    expect(linkTables()).toEqual(clean);
  });

  it('leaves no temporary tables behind', () => {
    expect(db.prepare(`SELECT name FROM temp.sqlite_master WHERE type = 'table'`).pluck().all()).toEqual([]);
  });
});

describe('link_facts', () => {
  // What link_facts must hold: the columns linking reads, derived from messages again in SQL.
  const derived = `SELECT coalesce(m.date, ''), m.msgid, m.id, m.list_id, m.from_id, m.subject, m.diff IS NOT NULL, m.pull_url,
      m.duplicate_of IS NOT NULL, m.patchwork_hint IS 'ignore', m.diff_hash, m.own_trailers, m.change_id,
      (SELECT CASE WHEN count(*) THEN json_group_array(msgid ORDER BY position) END FROM message_references r WHERE r.message_id = m.id AND header = 'in-reply-to'),
      (SELECT CASE WHEN count(*) THEN json_group_array(msgid ORDER BY position) END FROM message_references r WHERE r.message_id = m.id AND header = 'references')
    FROM messages m`;
  const stored = `SELECT date, msgid, message_id, list_id, from_id, subject, has_diff, pull_url, duplicate, ignored, diff_hash,
      own_trailers, change_id, in_reply_to, refs FROM link_facts`;
  const differences = (on = db) => on.prepare(`SELECT count(*) FROM (${derived} EXCEPT ${stored}) UNION ALL SELECT count(*) FROM (${stored} EXCEPT ${derived})`).pluck().all();

  it('holds every message, as messages and message_references say', () => {
    expect(db.prepare('SELECT count(*) FROM link_facts').pluck().get()).toBe(db.prepare('SELECT count(*) FROM messages').pluck().get());
    expect(db.prepare('SELECT count(*) FROM link_facts WHERE refs IS NOT NULL').pluck().get()).toBeGreaterThan(100);
    expect(differences()).toEqual([0, 0]);
  });

  it('is written by the import as SQL derives it, also for odd Message-Ids and references', async () => {
    // Quotes, backslashes, control characters, non-ASCII and a lone UTF-16 surrogate (an encoded
    // word) in ids; a message without a date, an ignored one, a later copy of a Message-Id.
    const mail = (headers: string[], body = 'text\n') => `From x@y Mon Jan  1 00:00:00 2024\n${headers.join('\n')}\n\n${body}\n`;
    const mbox = [
      mail(['Message-Id: <a"q\\b@x>', 'Date: Mon, 1 Jan 2024 10:00:00 +0000', 'From: A <a@x>', 'Subject: [PATCH] one'],
        'Signed-off-by: A <a@x>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n'),
      mail(['Message-Id: <t\x01\x7f\u00e9\u4e2d@x>', 'In-Reply-To: <a"q\\b@x>', 'References: <r1\t1@x> <c\x01\x1f\x7f@x> <ud800\\ud800@x> <a"q\\b@x>', 'From: B <b@x>', 'Subject: Re: [PATCH] one']),
      mail(['Message-Id: <s@x>', 'In-Reply-To: =?utf-16be?B?2AA=?= <lone=?utf-16be?B?2AA=?=@x>', 'References: <b\\ud800@x> <lone=?utf-16be?B?2AA=?=@x>',
        'Date: Mon, 1 Jan 2024 11:00:00 +0000', 'From: C <c@x>', 'Subject: Re: one', 'X-Patchwork-Hint: ignore']),
      mail(['Message-Id: <s@x>', 'Date: Mon, 1 Jan 2024 12:00:00 +0000', 'From: C <c@x>', 'Subject: another copy']),
    ].join('');
    const dir = tempDir('listindex-link-odd-');
    writeFileSync(join(dir, 'odd.mbox'), mbox);
    const odd = openDatabase(join(dir, 'odd.db'));
    try {
      expect((await importPaths(odd, [join(dir, 'odd.mbox')], { workers: 0 })).stored).toBe(4);
      expect(odd.prepare('SELECT count(*) FROM link_facts').pluck().get()).toBe(4);
      expect(odd.prepare('SELECT count(*) FROM link_facts WHERE refs IS NOT NULL').pluck().get()).toBeGreaterThan(0);
      expect(odd.prepare('SELECT sum(duplicate), sum(ignored), sum(date = \'\') FROM link_facts').raw().get()).toEqual([1, 1, 1]);
      expect(differences(odd)).toEqual([0, 0]);
    } finally {
      odd.close();
    }
  });

  it('is read through its indexes: the plans of linking\'s reads', () => {
    const plan = (sql: string) => {
      const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const args = sql.includes('(?, ?, ?)') ? ['', '', 0] : ['<x>'];
      return (statement.all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
    };
    expect(plan(LINK_FACTS_READS.byMsgid)).toMatch(/SEARCH link_facts USING COVERING INDEX link_facts_msgid \(msgid=\?\)/);
    expect(plan(LINK_FACTS_READS.byId)).toMatch(/SEARCH f USING INDEX sqlite_autoindex_link_facts_1 \(message_id=\?\)/);
    // Pages follow the primary key: no sort, whatever the index's size.
    expect(plan(LINK_FACTS_READS.page)).toMatch(/SEARCH f USING PRIMARY KEY \(\(date,msgid,message_id\)>\(\?,\?,\?\)\)/);
    expect(plan(LINK_FACTS_READS.page)).not.toMatch(/TEMP B-TREE/);
  });

  it('is filled again when it lost rows, and linking gives the same result', () => {
    db.exec('DELETE FROM link_facts WHERE message_id % 7 = 3');
    expect(relinkSeries(db).changedRows).toBe(0);
    expect(differences()).toEqual([0, 0]);
    expect(linkTables()).toEqual(clean);
  });

  it('is made for an index of schema 5 and filled at its first linking', () => {
    const path = db.name;
    backToSchema(db, 5);
    db.close();
    db = openDatabase(path);
    expect(db.prepare('SELECT count(*) FROM link_facts').pluck().get()).toBe(0);
    // Only the covers' own counts and linking's own state, which later migrations added empty, are written.
    const changed = relinkSeries(db).changedRows;
    const added = ['covers', 'link_series', 'link_references', 'link_subject_tags']
      .reduce((sum, table) => sum + (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number), 0);
    expect(changed).toBe(added);
    expect(differences()).toEqual([0, 0]);
    expect(linkTables()).toEqual(clean);
  });

  it('holds every message after an index of schema 5 imports more mail', async () => {
    const path = db.name;
    backToSchema(db, 5);
    db.close();
    db = openDatabase(path);
    // The import writes the new messages' rows; linking then finds the older ones missing.
    const more = join(tempDir('listindex-link-more-'), 'b.mbox');
    writeFileSync(more, Buffer.concat([...generateArchive({ count: 40, seed: 12 })].map(toMboxrd)));
    const summary = await importPaths(db, [more], { workers: 0 });
    expect(summary.stored).toBeGreaterThan(0);
    expect(db.prepare('SELECT count(*) FROM link_facts').pluck().get()).toBe(db.prepare('SELECT count(*) FROM messages').pluck().get());
    expect(differences()).toEqual([0, 0]);
  });
});

describe('SeriesLinker', () => {
  const message = (id: number) => ({
    id, msgid: `<${id}@x>`, list: 1, date: '2024-01-01T00:00:00Z', submitter: 1, subject: 'hello', refs: [], hasDiff: false,
    pullUrl: null, duplicate: false,
  });

  it('refuses messages after phase 2 has begun (its phase-1 state is gone)', () => {
    const linker = new SeriesLinker(() => []);
    linker.add(message(1));
    linker.resolveReplies(() => message(1));
    expect(() => linker.add(message(2))).toThrow(/before replies are resolved/);
  });

  it('refuses ids that are not positive', () => {
    expect(() => new SeriesLinker(() => []).add(message(0))).toThrow(/not positive/);
  });
});

describe('ignored messages in threads', () => {
  const mail = (id: string, date: string, subject: string, extra: string[] = [], body = 'text\n') =>
    [`From x@y Mon Jan  1 00:00:00 2024`, `Message-Id: <${id}@x>`, `From: A <a@x>`, `Date: ${date}`, `Subject: ${subject}`, ...extra, '', body].join('\n');
  const diff = 'Fix.\n\nSigned-off-by: A <a@x>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n';

  it('leaves an ignored message out of a reply\'s parents, also one dated after the reply', async () => {
    const dir = tempDir('listindex-ignored-');
    const mbox = join(dir, 'a.mbox');
    writeFileSync(mbox, [
      mail('p1', 'Mon, 1 Jan 2024 10:00:00 +0000', '[PATCH] fix', [], diff),
      // Dated before the ignored mail it answers first (clocks disagree): phase 1 meets it first.
      mail('r1', 'Mon, 1 Jan 2024 10:05:00 +0000', 'Re: [PATCH] fix', ['In-Reply-To: <ig@x>', 'References: <p1@x> <ig@x>']),
      mail('ig', 'Mon, 1 Jan 2024 10:10:00 +0000', '[PATCH] fix (bot)', ['In-Reply-To: <p1@x>', 'X-Patchwork-Hint: ignore'], diff),
    ].join('\n'));
    const index = openDatabase(join(dir, 'i.db'));
    await importPaths(index, [mbox], { workers: 0 });
    const id = (m: string) => index.prepare('SELECT id FROM messages WHERE msgid = ?').pluck().get(`<${m}@x>`);
    const comment = index.prepare('SELECT parent_id, patch_id FROM comments WHERE message_id = ?').get(id('r1'));
    // Without the ignored mail, its parent is the patch its References name.
    expect(comment).toEqual({ parent_id: id('p1'), patch_id: id('p1') });
    expect(index.prepare('SELECT kind FROM messages WHERE id = ?').pluck().get(id('ig'))).toBe('other');
    index.close();
  });
});
