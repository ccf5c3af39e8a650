/**
 * `query`, `stats` and `export` through the real built CLI, and series grouping that does not
 * depend on the order files were imported in.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const messages = [...generateArchive({ count: 160, seed: 5 })];

/** A message whose subject needs CSV quoting: a comma and double quotes. */
const QUOTED_SUBJECT = 'hello, "world"; it\'s me';
const QUOTED = Buffer.from(`From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Quote Person <quote@example.org>\nSubject: ${QUOTED_SUBJECT}\n` +
  `Date: Mon, 8 Jan 2024 08:00:00 +0000\nMessage-Id: <quoted@example.org>\nList-Id: <dev.lists.example.org>\n\nA body\nwith two lines.\n\n`);

// Two files that interleave the archive: every other message, so in either import order,
// replies and patches arrive before their parents and covers.
const A = Buffer.concat([QUOTED, ...messages.filter((_, i) => i % 2 === 0).map(toMboxrd)]);
const B = Buffer.concat(messages.filter((_, i) => i % 2 === 1).map(toMboxrd));

let dir: string;
let fileA: string;
let fileB: string;
let fileGz: string;
/** A then B, in two runs. */
let dbAB: string;
beforeAll(() => {
  dir = tempDir('listindex-cli-');
  fileA = join(dir, 'a.mbox');
  fileB = join(dir, 'b.mbox');
  fileGz = join(dir, 'c.mbox.gz');
  writeFileSync(fileA, A);
  writeFileSync(fileB, B);
  writeFileSync(fileGz, gzipSync(Buffer.concat(messages.slice(0, 30).map(toMboxrd))));
  dbAB = join(dir, 'ab.db');
  cliOk(['import', fileA, '--db', dbAB, '-q']);
  cliOk(['import', fileB, '--db', dbAB, '-q']);
});

describe('query', () => {
  const SQL = "select id, msgid, subject, size from messages where msgid = '<quoted@example.org>'";

  it('prints a table', () => {
    const r = cliOk(['query', '--db', dbAB, SQL]);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0].split(/\s+/)).toEqual(['id', 'msgid', 'subject', 'size']);
    expect(lines[1]).toMatch(/^-+( +-+){3}$/);
    expect(lines[2]).toContain('<quoted@example.org>');
    expect(lines[2]).toContain(QUOTED_SUBJECT);
  });

  it('prints JSON with the values as stored', () => {
    const r = cliOk(['query', '--db', dbAB, '--json', SQL]);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    const expected = withDb(dbAB, (d) => d.prepare(SQL).all());
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(1);
    expect(rows[0].subject).toBe(QUOTED_SUBJECT);
    expect(typeof rows[0].id).toBe('number');
    expect(typeof rows[0].size).toBe('number');
  });

  it('prints JSON nulls, numbers and several rows', () => {
    const sql = 'select id, in_reply_to, date from messages order by id limit 5';
    const rows = JSON.parse(cliOk(['query', '--db', dbAB, '--json', sql]).out);
    expect(rows).toEqual(withDb(dbAB, (d) => d.prepare(sql).all()));
    expect(rows.some((r: { in_reply_to: unknown }) => r.in_reply_to === null)).toBe(true);
  });

  it('prints CSV with a header and quotes a value holding a comma and quotes', () => {
    const r = cliOk(['query', '--db', dbAB, '--csv', 'select msgid, subject from messages where msgid = \'<quoted@example.org>\'']);
    expect(r.out).toBe(`msgid,subject\n<quoted@example.org>,"hello, ""world""; it's me"\n`);
  });

  it('prints CSV cells with newlines quoted', () => {
    const r = cliOk(['query', '--db', dbAB, '--csv', "select body from messages where msgid = '<quoted@example.org>'"]);
    const body = withDb(dbAB, (d) => d.prepare("select body from messages where msgid = '<quoted@example.org>'").pluck().get()) as string;
    expect(body).toMatch(/^A body\nwith two lines\.\n/);
    expect(r.out).toBe(`body\n"${body}"\n`);
  });

  it('refuses a DELETE: exit 2, the index unchanged', () => {
    const before = withDb(dbAB, (d) => d.prepare('select count(*) from messages').pluck().get());
    const r = cli(['query', '--db', dbAB, 'delete from messages']);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/read-only/);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(withDb(dbAB, (d) => d.prepare('select count(*) from messages').pluck().get())).toBe(before);
  });

  it('refuses a DELETE ... RETURNING (a write that returns rows): exit 2, one line, no stack trace', () => {
    const before = withDb(dbAB, (d) => d.prepare('select count(*) from messages').pluck().get());
    const r = cli(['query', '--db', dbAB, 'delete from messages returning id']);
    expect(withDb(dbAB, (d) => d.prepare('select count(*) from messages').pluck().get())).toBe(before);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(r.err).not.toContain('BUG');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
  });

  it('reports an SQL error as a usage error: exit 2, one line', () => {
    const r = cli(['query', '--db', dbAB, 'select nothing from nowhere']);
    expect(r.status).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/SQL error/);
    expect(r.err).not.toMatch(STACK_FRAME);
  });

  it('reports an SQL error raised while running (bad FTS query) in one line without stack trace', () => {
    const r = cli(['query', '--db', dbAB, "select rowid from messages_fts where messages_fts match 'AND ('"]);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(r.err).not.toContain('BUG');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
  });

  it('refuses --json with --csv', () => {
    const r = cli(['query', '--db', dbAB, '--json', '--csv', 'select 1']);
    expect(r.status).toBe(2);
    expect(r.err).not.toMatch(STACK_FRAME);
  });

  it('fails with one line when the index does not exist, and does not create it', () => {
    const missing = join(dir, 'missing.db');
    const r = cli(['query', '--db', missing, 'select 1']);
    expect(r.status).not.toBe(0);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain(missing);
    expect(r.err).not.toMatch(STACK_FRAME);
  });
});

describe('stats', () => {
  it('gives figures consistent with SQL counts', () => {
    const stats = JSON.parse(cliOk(['stats', '--db', dbAB, '--json']).out);
    withDb(dbAB, (d) => {
      const one = (sql: string) => d.prepare(sql).pluck().get();
      expect(stats.messages).toBe(one('select count(*) from messages'));
      expect(stats.messages).toBe(messages.length + 1);
      expect(stats.distinct_msgids).toBe(one('select count(distinct msgid) from messages'));
      expect(stats.duplicate_msgids).toBe(one('select count(*) from messages where duplicate_of is not null'));
      expect(stats.rejects).toBe(one('select count(*) from rejects'));
      expect(stats.people).toBe(one('select count(*) from people'));
      expect(stats.sources).toBe(2);
      expect(stats.imports).toBe(2);
      expect(stats.first_date).toBe(one('select min(date) from messages'));
      expect(stats.last_date).toBe(one('select max(date) from messages'));
      expect(stats.received_hops).toBe(one('select count(*) from received'));
      expect(stats.received_hops).toBe(2 * messages.length); // the generator writes two hops per message
      expect(stats.ghost_references).toBe(one('select count(*) from ghost_references'));
      expect(stats.lists).toEqual([{
        list_id: 'dev.lists.example.org', name: one("select name from lists where list_id = 'dev.lists.example.org'"),
        messages: messages.length + 1, first: one('select min(date) from messages'), last: one('select max(date) from messages'),
      }]);
    });
  });

  it('prints a table by default', () => {
    const r = cliOk(['stats', '--db', dbAB]);
    expect(r.out).toMatch(new RegExp(`^messages +${messages.length + 1}$`, 'm'));
    expect(r.out).toContain('dev.lists.example.org');
  });
});

describe('export', () => {
  it('reproduces the imported mbox files byte for byte', () => {
    const r = cliOk(['export', '--db', dbAB]);
    // Sources come out in path order: a.mbox, then b.mbox.
    expect(r.stdout.length).toBe(A.length + B.length);
    expect(Buffer.compare(r.stdout, Buffer.concat([A, B]))).toBe(0);
  });

  it('reproduces one source with --source (absolute or relative to the current directory)', () => {
    expect(Buffer.compare(cliOk(['export', '--db', dbAB, '--source', fileA]).stdout, readFileSync(fileA))).toBe(0);
    expect(Buffer.compare(cliOk(['export', '--db', dbAB, '--source', 'b.mbox'], { cwd: dir }).stdout, readFileSync(fileB))).toBe(0);
    const both = cliOk(['export', '--db', dbAB, '--source', fileB, fileA]).stdout;
    expect(Buffer.compare(both, Buffer.concat([A, B]))).toBe(0);
  });

  it('reproduces the decompressed stream of a .mbox.gz, and the generator\'s samples', () => {
    const db = join(dir, 'gz.db');
    cliOk(['import', fileGz, '--db', db, '-q']);
    const out = cliOk(['export', '--db', db, '--source', fileGz]).stdout;
    expect(Buffer.compare(out, Buffer.concat(messages.slice(0, 30).map(toMboxrd)))).toBe(0);
  });

  it('says so, in one line and with exit 1, for a source that was never imported, and writes nothing', () => {
    const r = cli(['export', '--db', dbAB, '--source', fileA, join(dir, 'never.mbox')]);
    expect(r.err).toMatch(/no source .*never\.mbox in the index: listindex query .*select path from sources/);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(r.status).toBe(1);
    expect(r.stdout.length).toBe(0);
  });
});

describe('series grouping does not depend on the file order', () => {
  interface Grouping {
    kinds: [string, string][];
    series: string[];
    comments: [string, string | null, string | null, string | null][];
    trailers: string[];
  }

  function grouping(db: string): Grouping {
    return withDb(db, (d) => ({
      kinds: d.prepare('select msgid, kind from messages order by msgid').raw().all() as [string, string][],
      // A series by its key, cover, numbered patches, version and links (as keys, not ids).
      series: (d.prepare(`select s.key_msgid, s.name, s.date, s.version, s.total, s.received_total, s.received_all,
          (select msgid from messages where id = s.cover_id) as cover,
          (select group_concat(x, ' ') from (select p.number || '=' || m.msgid as x from patches p join messages m on m.id = p.message_id
            where p.series_id = s.id order by p.number)) as patches,
          (select key_msgid from series where id = s.previous_id) as previous,
          (select key_msgid from series where id = s.next_id) as next,
          (select key_msgid from series where id = s.latest_id) as latest
        from series s`).all() as unknown[]).map((row) => JSON.stringify(row)).sort(),
      comments: d.prepare(`select m.msgid, (select msgid from messages where id = c.parent_id), (select msgid from messages where id = c.patch_id),
          (select msgid from messages where id = c.cover_id) from comments c join messages m on m.id = c.message_id order by m.msgid`)
        .raw().all() as Grouping['comments'],
      trailers: (d.prepare(`select p.msgid || ' ' || t.name || ': ' || t.value || ' (' || t.origin || ' via ' || g.msgid || ')' from trailers t
          join messages p on p.id = t.patch_id join messages g on g.id = t.given_in`).pluck().all() as string[]).sort(),
    }));
  }

  let expected: Grouping;
  beforeAll(() => {
    expected = grouping(dbAB);
  });

  it('finds series, patches, covers and comments in the generated archive', () => {
    const count = (kind: string) => expected.kinds.filter(([, k]) => k === kind).length;
    expect(expected.series.length).toBeGreaterThan(10);
    expect(count('patch')).toBeGreaterThan(20);
    expect(count('cover')).toBeGreaterThan(3);
    expect(count('comment')).toBeGreaterThan(3);
    expect(expected.series.some((s) => JSON.parse(s).latest !== JSON.parse(s).key_msgid)).toBe(true); // revisions linked
  });

  it('gives the same grouping when B is imported before A', () => {
    const db = join(dir, 'ba.db');
    cliOk(['import', fileB, '--db', db, '-q']);
    cliOk(['import', fileA, '--db', db, '-q']);
    expect(grouping(db)).toEqual(expected);
  });

  it('gives the same grouping when both are imported in one run', () => {
    const db = join(dir, 'one-run.db');
    cliOk(['import', fileB, fileA, '--db', db, '-q']);
    expect(grouping(db)).toEqual(expected);
  });
});
