/**
 * Series that cannot be hijacked, and covers kept with their patches, through the real CLI on
 * archives written here: `import`, then `query`, `series --json` and `mbox series/N` (issue 17).
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliOk, withDb } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Mail {
  id: string;
  from?: string;
  /** Minutes after 2024-03-04 10:00 UTC. */
  minute: number;
  subject: string;
  inReplyTo?: string;
  /** A diff (the mail is a patch); its text is the body's first line. */
  diff?: string;
  body?: string;
  /** Headers of a copy that came through the list. */
  list?: boolean;
  /** The time the archive's mail server received it (topmost Received header), in minutes. */
  received?: number;
}

const LISTS = 'List-Id: <clk.lists.example.org>';
const stamp = (minute: number) => new Date(Date.UTC(2024, 2, 4, 10, 0, 0) + minute * 60_000).toUTCString().replace('GMT', '+0000');

function mail(m: Mail): string {
  const headers = [
    `From ${m.from ?? 'dev@example.org'} Mon Mar  4 10:00:00 2024`,
    ...(m.received === undefined ? [] : [`Received: from list.example.org by archive.example.org; ${stamp(m.received)}`]),
    `From: ${m.from === undefined ? 'Dev One <dev@example.org>' : `Someone <${m.from}>`}`,
    `Subject: ${m.subject}`,
    `Date: ${stamp(m.minute)}`,
    `Message-Id: <${m.id}@example.org>`,
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}@example.org>`, `References: <${m.inReplyTo}@example.org>`] : []),
    ...(m.list ? [LISTS] : []),
  ];
  const body = m.diff
    ? `${m.diff}\n\nSigned-off-by: Dev <dev@example.org>\n---\ndiff --git a/${m.id} b/${m.id}\n--- a/${m.id}\n+++ b/${m.id}\n@@ -1 +1 @@\n-old\n+${m.diff}\n`
    : `${m.body ?? 'Cover text.'}\n`;
  return `${headers.join('\n')}\n\n${body}\n`;
}

function archive(mails: Mail[]): string {
  const file = join(tempDir('listindex-hijack-'), 'list.mbox');
  writeFileSync(file, mails.map(mail).join(''));
  return file;
}

function imported(...files: string[]): string {
  const db = join(tempDir('listindex-hijack-db-'), 'list.db');
  for (const file of files) cliOk(['import', file, '--db', db, '-q']);
  return db;
}

const one = <T>(db: string, query: string, ...params: unknown[]): T => withDb(db, (d) => d.prepare(query).get(...params) as T);
const seriesIdOf = (db: string, id: string) =>
  one<{ s: number }>(db, `SELECT coalesce(p.series_id, c.series_id) AS s FROM messages m LEFT JOIN patches p ON p.message_id = m.id
    LEFT JOIN covers c ON c.message_id = m.id WHERE m.msgid = ? AND m.duplicate_of IS NULL`, `<${id}@example.org>`).s;

/** A real v9 of five patches, shallow-threaded under its cover, sent through the list. */
const realV9 = (): Mail[] => [
  { id: 'v9-0', minute: 0, subject: '[PATCH v9 0/5] clk: rework the dividers', body: 'The real cover.', list: true },
  ...[1, 2, 3, 4, 5].map((n) => ({
    id: `v9-${n}`, minute: n / 10, subject: `[PATCH v9 ${n}/5] clk: part ${n}`, inReplyTo: 'v9-0', diff: `real change ${n}`, list: true,
  })),
];

describe('a series cannot be hijacked', () => {
  it("ships no patch of another sender in the series' mbox, also not a [PATCH v9 6/5] replying to its cover", () => {
    const db = imported(archive([
      ...realV9(),
      { id: 'evil-6', from: 'mallory@example.net', minute: 30, subject: '[PATCH v9 6/5] clk: one more thing', inReplyTo: 'v9-0', diff: 'evil change', list: true },
    ]));
    const id = seriesIdOf(db, 'v9-0');
    const series = JSON.parse(cliOk(['series', String(id), '--json', '--db', db]).out) as { total: number; received_total: number; patches: { msgid: string }[] };
    expect(series.patches.map((p) => p.msgid)).toEqual([1, 2, 3, 4, 5].map((n) => `<v9-${n}@example.org>`));
    expect(series.received_total).toBe(5);
    const mbox = cliOk(['mbox', `series/${id}`, '--db', db]).out;
    expect(mbox).toContain('real change 5');
    expect(mbox).not.toContain('evil change');
    expect(seriesIdOf(db, 'evil-6')).not.toBe(id);
  });
});

describe('two different messages with one Message-Id', () => {
  // The real series came through the list; a forged cover and patch 3, with the real ones'
  // Message-Ids but other text, sit in another file (a saved folder, a crafted mbox).
  const real = () => realV9().map((m) => ({ ...m, received: m.minute + 1 }));
  const forged = (): Mail[] => [
    { id: 'v9-0', minute: 0, subject: '[PATCH v9 0/5] clk: forged name', body: 'A forged cover.' },
    { id: 'v9-3', minute: 0.3, subject: '[PATCH v9 3/5] clk: part 3', inReplyTo: 'v9-0', diff: 'forged change 3' },
  ];

  /** What a reader sees of the series: its JSON (ids left out), its mbox and `show` of the cover. */
  function seen(db: string) {
    const id = seriesIdOf(db, 'v9-0');
    const series = JSON.parse(cliOk(['series', String(id), '--json', '--db', db]).out) as Record<string, unknown>;
    const mbox = cliOk(['mbox', `series/${id}`, '--db', db]).out;
    const cover = JSON.parse(cliOk(['show', '<v9-0@example.org>', '--json', '--db', db]).out) as { name: string; content: string };
    const copies = withDb(db, (d) => d.prepare(`SELECT m.msgid, m.subject, c.subject AS canonical FROM messages m
      JOIN messages c ON c.id = m.duplicate_of ORDER BY m.msgid`).all());
    return { name: series.name, patches: (series.patches as { msgid: string }[]).map((p) => p.msgid), mbox: mbox.replace(/^X-Patchwork-Id: .*$/gm, ''),
      cover: [cover.name, cover.content], copies };
  }

  it('keeps the copy that came through the list, whichever file is imported first', () => {
    const realFile = archive(real());
    const forgedFile = archive(forged());
    const forgedFirst = seen(imported(forgedFile, realFile));
    const realFirst = seen(imported(realFile, forgedFile));
    const together = join(tempDir('listindex-hijack-db-'), 'list.db');
    cliOk(['import', forgedFile, realFile, '--db', together, '-q']);
    expect(forgedFirst).toEqual(realFirst);
    expect(seen(together)).toEqual(realFirst);
    expect(forgedFirst.name).toBe('clk: rework the dividers');
    expect(forgedFirst.mbox).toContain('real change 3');
    expect(forgedFirst.mbox).not.toContain('forged change 3');
    expect(forgedFirst.cover[1]).toContain('The real cover.');
    // The other copies are kept, and say which copy stands for them.
    expect(forgedFirst.copies).toEqual([
      { msgid: '<v9-0@example.org>', subject: '[PATCH v9 0/5] clk: forged name', canonical: '[PATCH v9 0/5] clk: rework the dividers' },
      { msgid: '<v9-3@example.org>', subject: '[PATCH v9 3/5] clk: part 3', canonical: '[PATCH v9 3/5] clk: part 3' },
    ]);
  });

  it('keeps, of two copies that both came through the list, the one that arrived first, in either import order', () => {
    const first = archive([{ id: 'x', minute: 0, subject: '[PATCH] clk: fix', diff: 'first copy', list: true, received: 1 }]);
    const replayed = archive([{ id: 'x', minute: 0, subject: '[PATCH] clk: fix', diff: 'replayed copy', list: true, received: 90 }]);
    for (const order of [[first, replayed], [replayed, first]]) {
      const db = imported(...order);
      const canonical = one<{ body: string }>(db, `SELECT body FROM messages WHERE msgid = '<x@example.org>' AND duplicate_of IS NULL`);
      expect(canonical.body).toContain('first copy');
      expect(one<{ n: number }>(db, `SELECT count(*) AS n FROM messages WHERE duplicate_of IS NOT NULL`).n).toBe(1);
      expect(one<{ n: number }>(db, `SELECT count(*) AS n FROM link_facts WHERE duplicate = 1`).n).toBe(1);
    }
  });
});

describe('a cover whose count or version differs from its patches', () => {
  it("is kept with the patches that answer it, the series takes their total and version, the cover keeps its own", () => {
    const db = imported(archive([
      { id: 'c', minute: 0, subject: '[PATCH v16 00/3] mm: miscounted' },
      ...[1, 2, 3, 4].map((n) => ({ id: `p${n}`, minute: n / 10, subject: `[PATCH v17 ${n}/4] mm: part ${n}`, inReplyTo: 'c', diff: `part ${n}` })),
    ]));
    const row = one<Record<string, number>>(db, `SELECT s.total, s.version, s.received_total, s.received_all, c.total AS cover_total,
      c.version AS cover_version, (SELECT count(*) FROM series) AS series FROM covers c JOIN series s ON s.id = c.series_id`);
    expect(row).toEqual({ total: 4, version: 17, received_total: 4, received_all: 1, cover_total: 3, cover_version: 16, series: 1 });
  });
});
