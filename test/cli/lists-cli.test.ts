/**
 * `--list` on stats, series and export, through the real CLI: a list by its List-Id or its short
 * name, and a one-line error (exit 1) naming the known lists when it is unknown or ambiguous.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { cli, cliOk, withDb } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Two lists share the short name `alpha`; `beta` has its own.
const LISTS = ['alpha.lists.example.org', 'alpha.lists.example.net', 'beta.lists.example.com'];
let db: string;
/** Messages generated for each list. */
const generated = new Map<string, number>();

const sql = <T>(query: string, ...params: unknown[]) => withDb(db, (d) => d.prepare(query).pluck().get(...params) as T);

beforeAll(() => {
  const dir = tempDir('listindex-lists-cli-');
  db = join(dir, 'lists.db');
  const mboxes = LISTS.map((list, i) => {
    const path = join(dir, `${list}.mbox`);
    const messages = [...generateArchive({ count: 120, seed: 31 + i, domain: `${i}.example.org` })]
      .map((m) => ({ ...m, text: m.text.replace(/^List-Id: .*$/m, `List-Id: <${list}>`) }));
    writeFileSync(path, Buffer.concat(messages.map(toMboxrd)));
    generated.set(list, messages.length);
    return path;
  });
  cliOk(['import', ...mboxes, '--db', db, '-q']);
});

describe('stats --list', () => {
  it('gives one list\'s figures, by List-Id or by short name', () => {
    const byId = JSON.parse(cliOk(['stats', '--db', db, '--list', 'beta.lists.example.com', '--json']).out);
    const id = sql<number>('SELECT id FROM lists WHERE list_id = ?', 'beta.lists.example.com');
    expect(byId).toEqual({
      list_id: 'beta.lists.example.com', name: null,
      messages: sql('SELECT count(*) FROM messages WHERE list_id = ?', id),
      distinct_msgids: sql('SELECT count(DISTINCT msgid) FROM messages WHERE list_id = ?', id),
      duplicate_msgids: sql('SELECT count(*) FROM messages WHERE list_id = ? AND duplicate_of IS NOT NULL', id),
      people: sql('SELECT count(DISTINCT from_id) FROM messages WHERE list_id = ?', id),
      first_date: sql('SELECT min(date) FROM messages WHERE list_id = ?', id),
      last_date: sql('SELECT max(date) FROM messages WHERE list_id = ?', id),
      series: sql('SELECT count(*) FROM series WHERE list_id = ?', id),
      open_series: sql('SELECT count(*) FROM series WHERE list_id = ? AND latest_id = id', id),
      patches: sql('SELECT count(*) FROM patches p JOIN series s ON s.id = p.series_id WHERE s.list_id = ?', id),
    });
    expect(byId.messages).toBe(generated.get('beta.lists.example.com'));
    expect(byId.series).toBeGreaterThan(5);
    expect(JSON.parse(cliOk(['stats', '--db', db, '--list', 'beta', '--json']).out)).toEqual(byId);
    const table = cliOk(['stats', '--db', db, '--list', 'beta']).out;
    expect(table).toMatch(/^series\s+\d+\s*$/m);
    expect(table).toMatch(/^list_id\s+beta\.lists\.example\.com\s*$/m);
  });

  it('says which lists there are when the list is unknown (exit 1, one line)', () => {
    const r = cli(['stats', '--db', db, '--list', 'gamma']);
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain("no list 'gamma' in the index");
    for (const list of LISTS) expect(r.err).toContain(list);
  });

  it('refuses a short name that two lists have, naming them (exit 1)', () => {
    const r = cli(['stats', '--db', db, '--list', 'alpha']);
    expect(r.status).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/'alpha' names several lists: alpha\.lists\.example\.(org|net) \(alpha\), alpha\.lists\.example\.(org|net) \(alpha\); give the List-Id\n$/);
    expect(JSON.parse(cliOk(['stats', '--db', db, '--list', 'alpha.lists.example.net', '--json']).out).messages).toBe(generated.get('alpha.lists.example.net'));
  });
});

describe('series --list', () => {
  it('lists only that list\'s series', () => {
    const id = sql<number>('SELECT id FROM lists WHERE list_id = ?', 'alpha.lists.example.org');
    const got = JSON.parse(cliOk(['series', '--db', db, '--list', 'alpha.lists.example.org', '--json', '--limit', '1000']).out) as
      { id: number; project: { list_id: string } }[];
    expect(got.length).toBe(sql<number>('SELECT count(*) FROM series WHERE list_id = ?', id));
    expect(new Set(got.map((s) => s.project.list_id))).toEqual(new Set(['alpha.lists.example.org']));
    const open = JSON.parse(cliOk(['series', '--db', db, '--list', 'beta', '--open', '--json', '--limit', '1000']).out) as unknown[];
    expect(open.length).toBe(JSON.parse(cliOk(['stats', '--db', db, '--list', 'beta', '--json']).out).open_series);
  });

  it('fails on an unknown list instead of listing nothing (exit 1)', () => {
    const r = cli(['series', '--db', db, '--list', 'nope.example.org']);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^listindex: .*no list 'nope\.example\.org' in the index: its lists are .*beta\.lists\.example\.com \(beta\)\n$/);
  });
});

describe('export --list', () => {
  it('writes only that list\'s messages', () => {
    const mbox = cliOk(['export', '--db', db, '--list', 'beta']).out;
    expect(mbox.match(/^From /gm)).toHaveLength(generated.get('beta.lists.example.com')!);
    expect(mbox.match(/^List-Id: .*$/gm)!.every((h) => h === 'List-Id: <beta.lists.example.com>')).toBe(true);
    expect(cli(['export', '--db', db, '--list', 'gamma']).status).toBe(1);
  });
});
