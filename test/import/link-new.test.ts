/**
 * An import links only its new mail (and what that touches), going on from the state the last
 * linking left in SQL; a full relink is the reference: after every incremental import it must
 * find nothing to change. Real imports into a real index on disk, split at points chosen to
 * cross every kind of link: a series cut in the middle, a reply arriving in a later import, a v2
 * in a later import, trailers carried to an unchanged patch of the next version, and back-dated
 * mail (which links the whole index again).
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { relinkSeries } from '../../src/import/link-step.js';
import type { LinkSummary } from '../../src/import/link-step.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import type { GeneratedMessage } from '../../src/tools/archive-generator.js';
import { tempDir } from '../helpers/temp-dir.js';
import { cliOk } from '../cli/run-cli.js';

const TABLES = ['series', 'patches', 'covers', 'comments', 'trailers', 'link_series', 'link_references', 'link_subject_tags'];

function snapshot(db: SqliteDatabase): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).raw().all();
  out.kinds = db.prepare('SELECT id, kind FROM messages ORDER BY id').raw().all();
  out.people = db.prepare('SELECT id, email, name FROM people ORDER BY id').raw().all();
  out.tags = db.prepare('SELECT id, subject_tag FROM lists ORDER BY id').raw().all();
  return out;
}

/** Imports one mbox; returns how it was linked. */
async function importMbox(db: SqliteDatabase, dir: string, name: string, text: Buffer | string): Promise<LinkSummary> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const summary = await importPaths(db, [path], { workers: 0 });
  return summary.linking!;
}

/** A full relink changes nothing: the incremental result is the reference result. */
function expectSameAsFullRelink(db: SqliteDatabase): void {
  const before = snapshot(db);
  const full = relinkSeries(db);
  expect(full.linked).toBe('all');
  expect(full.changedRows).toBe(0);
  expect(snapshot(db)).toEqual(before);
}

const subjectOf = (m: GeneratedMessage) => /^Subject: (.*)$/m.exec(m.text)?.[1] ?? '';
const mbox = (messages: GeneratedMessage[]) => Buffer.concat(messages.map(toMboxrd));

describe('linking only new mail (generated archive)', () => {
  const messages = [...generateArchive({ count: 900, seed: 5 })];
  // Split points: before a patch 2/N or later (a series cut in the middle), before a reply, before a v2.
  const firstAfter = (from: number, test: (subject: string) => boolean) => {
    for (let i = from; i < messages.length; i++) if (test(subjectOf(messages[i]))) return i;
    throw new Error('no such message');
  };
  const middle = firstAfter(120, (s) => /^\[PATCH[^\]]* [2-9]\/[2-9]\]/.test(s));
  const reply = firstAfter(middle + 60, (s) => s.startsWith('Re: [PATCH'));
  const v2 = firstAfter(reply + 60, (s) => /^\[PATCH v2 /.test(s));
  const middle2 = firstAfter(v2 + 100, (s) => /^\[PATCH[^\]]* [3-9]\/[3-9]\]/.test(s));
  const cuts = [0, middle, reply, v2, middle2, messages.length];

  it('links each later import alone, and a full relink then writes nothing', async () => {
    const dir = tempDir('listindex-linknew-');
    const db = openDatabase(join(dir, 'index.db'));
    for (let part = 0; part + 1 < cuts.length; part++) {
      const linking = await importMbox(db, dir, `part${part}.mbox`, mbox(messages.slice(cuts[part], cuts[part + 1])));
      expect(linking.linked, `part ${part}: ${linking.reason}`).toBe(part === 0 ? 'all' : 'new');
      expectSameAsFullRelink(db);
    }
    // Not vacuous: the later parts joined series, answered patches and linked versions begun before them.
    expect(db.prepare('SELECT count(*) FROM series WHERE previous_id IS NOT NULL').pluck().get()).toBeGreaterThan(5);
    expect(db.prepare('SELECT count(*) FROM trailers').pluck().get()).toBeGreaterThan(20);
    // The same as importing it all at once, but for ids.
    const whole = openDatabase(join(dir, 'whole.db'));
    await importMbox(whole, dir, 'whole.mbox', mbox(messages));
    const described = (d: SqliteDatabase) => d.prepare(`SELECT s.key_msgid, s.name, s.version, s.total, s.received_total, s.cover_id IS NOT NULL,
        (SELECT key_msgid FROM series o WHERE o.id = s.previous_id), (SELECT key_msgid FROM series o WHERE o.id = s.latest_id),
        (SELECT count(*) FROM trailers t JOIN patches p ON p.message_id = t.patch_id WHERE p.series_id = s.id)
      FROM series s ORDER BY s.key_msgid`).raw().all();
    expect(described(db)).toEqual(described(whole));
    db.close();
    whole.close();
  }, 120_000);

  it('links the whole index again for back-dated mail, to the same result', async () => {
    const dir = tempDir('listindex-linknew-');
    const db = openDatabase(join(dir, 'index.db'));
    await importMbox(db, dir, 'a.mbox', mbox(messages.slice(0, 400)));
    // A reply with a trailer to an early patch, dated before the last message linked.
    const patch = messages.find((m) => /^\[PATCH[^\]]* 1\/\d\]/.test(subjectOf(m)))!;
    const late = `From r@example.org Mon Jan  8 12:00:00 2024\nFrom: Rita Reviewer <rita@example.org>\nSubject: Re: ${subjectOf(patch)}\n` +
      `Message-Id: <backdated.1@example.org>\nIn-Reply-To: ${patch.msgid}\nReferences: ${patch.msgid}\nDate: Mon, 8 Jan 2024 12:00:00 +0000\n\n` +
      `Looks good.\n\nReviewed-by: Rita Reviewer <rita@example.org>\n`;
    const linking = await importMbox(db, dir, 'late.mbox', late);
    expect(linking.linked).toBe('all');
    expect(linking.reason).toMatch(/before the last message linked/);
    expect(db.prepare(`SELECT count(*) FROM trailers WHERE value = 'Rita Reviewer <rita@example.org>'`).pluck().get()).toBeGreaterThan(0);
    expectSameAsFullRelink(db);
    // And the next import of later mail links only that again.
    expect((await importMbox(db, dir, 'b.mbox', mbox(messages.slice(400, 500)))).linked).toBe('new');
    expectSameAsFullRelink(db);
    db.close();
  }, 120_000);
});

/** A series as git send-email writes it, the same diffs in every version (so trailers carry over). */
function series(o: { stem: string; version: number; at: number; patches: number; inReplyTo?: string }): string {
  const v = o.version > 1 ? ` v${o.version}` : '';
  const date = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');
  const cover = `<${o.stem}.0@example.org>`;
  let out = `From s@example.org Mon Jan  1 00:00:00 2024\nFrom: Sam Sender <sam@example.org>\nSubject: [PATCH${v} 0/${o.patches}] widget: rework\n` +
    `Message-Id: ${cover}\n${o.inReplyTo ? `In-Reply-To: ${o.inReplyTo}\nReferences: ${o.inReplyTo}\n` : ''}Date: ${date(o.at)}\n\nRework.\n\n`;
  for (let n = 1; n <= o.patches; n++) {
    out += `From s@example.org Mon Jan  1 00:00:00 2024\nFrom: Sam Sender <sam@example.org>\nSubject: [PATCH${v} ${n}/${o.patches}] widget: step ${n}\n` +
      `Message-Id: <${o.stem}.${n}@example.org>\nIn-Reply-To: ${cover}\nReferences: ${cover}\nDate: ${date(o.at + n * 60_000)}\n\n` +
      `Step ${n}.\n\nSigned-off-by: Sam Sender <sam@example.org>\n---\ndiff --git a/w${n}.c b/w${n}.c\n--- a/w${n}.c\n+++ b/w${n}.c\n` +
      `@@ -1 +1 @@\n-old ${n}\n+new ${n}\n\n`;
  }
  return out;
}

function review(o: { id: string; to: string; at: number; who: string; trailer: string }): string {
  return `From r@example.org Mon Jan  1 00:00:00 2024\nFrom: ${o.who}\nSubject: Re: [PATCH] widget\nMessage-Id: <${o.id}@example.org>\n` +
    `In-Reply-To: ${o.to}\nReferences: ${o.to}\nDate: ${new Date(o.at).toUTCString().replace('GMT', '+0000')}\n\nFine.\n\n${o.trailer}: ${o.who}\n\n`;
}

describe('linking only new mail (trailers and versions)', () => {
  const day = 86400_000;
  const t0 = Date.UTC(2025, 0, 6, 9);
  it('collects a later review onto an earlier patch, and carries it to the next version', async () => {
    const dir = tempDir('listindex-linknew-');
    const db = openDatabase(join(dir, 'index.db'));
    const steps: [string, string][] = [
      ['v1', series({ stem: 'w1', version: 1, at: t0, patches: 3 })],
      // A review of v1 patch 1, and one of its cover (its trailers go to every v1 patch).
      ['review', review({ id: 'r1', to: '<w1.1@example.org>', at: t0 + day, who: 'Rita Reviewer <rita@example.org>', trailer: 'Reviewed-by' })
        + review({ id: 'r2', to: '<w1.0@example.org>', at: t0 + day + 1000, who: 'Ann Acker <ann@example.org>', trailer: 'Acked-by' })],
      // v2, threaded to v1, with the same diffs: the trailers carry over.
      ['v2', series({ stem: 'w2', version: 2, at: t0 + 2 * day, patches: 3, inReplyTo: '<w1.0@example.org>' })],
      // A late review of v1 patch 2 (reaches v2 patch 2 too), and one of v2 patch 3.
      ['late', review({ id: 'r3', to: '<w1.2@example.org>', at: t0 + 3 * day, who: 'Tess Tester <tess@example.org>', trailer: 'Tested-by' })
        + review({ id: 'r4', to: '<w2.3@example.org>', at: t0 + 3 * day + 1000, who: 'Rita Reviewer <rita@example.org>', trailer: 'Reviewed-by' })],
      // v3 unthreaded, linked by title; its patch 3 differs.
      ['v3', series({ stem: 'w3', version: 3, at: t0 + 4 * day, patches: 2 })],
    ];
    for (const [name, text] of steps) {
      const linking = await importMbox(db, dir, `${name}.mbox`, text);
      expect(linking.linked, `${name}: ${linking.reason}`).toBe(name === 'v1' ? 'all' : 'new');
      expectSameAsFullRelink(db);
    }
    const trailersOf = (msgid: string) => db.prepare(`SELECT t.name || ' ' || t.origin FROM trailers t JOIN messages m ON m.id = t.patch_id
      WHERE m.msgid = ? ORDER BY t.position`).pluck().all(msgid);
    expect(trailersOf('<w1.1@example.org>')).toEqual(['Signed-off-by patch', 'Reviewed-by reply', 'Acked-by cover']);
    // v1 patch 2: its reply's Tested-by, then its cover's Acked-by; carried on in that order, to v3.
    expect(trailersOf('<w2.2@example.org>')).toEqual(['Signed-off-by patch', 'Tested-by previous-version', 'Acked-by previous-version']);
    expect(trailersOf('<w3.2@example.org>')).toEqual(['Signed-off-by patch', 'Tested-by previous-version', 'Acked-by previous-version']);
    expect(trailersOf('<w2.3@example.org>')).toEqual(['Signed-off-by patch', 'Reviewed-by reply', 'Acked-by previous-version']);
    expect(db.prepare(`SELECT count(*) FROM series WHERE latest_id = (SELECT series_id FROM covers c JOIN messages m ON m.id = c.message_id
      WHERE m.msgid = '<w3.0@example.org>')`).pluck().get()).toBe(3);
    db.close();
  }, 60_000);
});

describe('linking only new mail (ignored mail, repeated Message-Ids, a new list)', () => {
  it('links them as a full relink does', async () => {
    const dir = tempDir('listindex-linknew-');
    const db = openDatabase(join(dir, 'index.db'));
    const t0 = Date.UTC(2025, 2, 3, 9);
    expect((await importMbox(db, dir, 'v1.mbox', series({ stem: 'x1', version: 1, at: t0, patches: 2 }))).linked).toBe('all');
    // An ignored patch answering v1's cover, a review of v1 patch 1 sent twice with other bytes
    // (one Message-Id, two copies), and a series on another list.
    const ignored = series({ stem: 'x2', version: 2, at: t0 + 86400_000, patches: 1, inReplyTo: '<x1.0@example.org>' })
      .replace('Subject: [PATCH v2 1/1]', 'X-Patchwork-Hint: ignore\nSubject: [PATCH v2 1/1]');
    const twice = review({ id: 'rr', to: '<x1.1@example.org>', at: t0 + 2 * 86400_000, who: 'Rita Reviewer <rita@example.org>', trailer: 'Reviewed-by' });
    const other = series({ stem: 'y1', version: 1, at: t0 + 3 * 86400_000, patches: 2 }).replaceAll('\nDate: ', '\nList-Id: <other.lists.example.org>\nDate: ');
    const linking = await importMbox(db, dir, 'more.mbox', ignored + twice + twice.replace('Fine.', 'Fine, really.') + other);
    expect(linking.linked, linking.reason).toBe('new');
    expectSameAsFullRelink(db);
    expect(db.prepare(`SELECT count(*) FROM messages WHERE msgid = '<rr@example.org>'`).pluck().get()).toBe(2);
    expect(db.prepare(`SELECT count(*) FROM trailers WHERE name = 'Reviewed-by'`).pluck().get()).toBe(1);
    // The first mail came through no list; the new list's series is its own.
    expect(db.prepare(`SELECT count(*) FROM series WHERE list_id IS NOT NULL`).pluck().get()).toBe(1);
    db.close();
  }, 60_000);
});

describe('listindex import --relink (the real CLI)', () => {
  it('links only the new mail by default, and the whole index with --relink, to the same rows', () => {
    const dir = tempDir('listindex-linknew-cli-');
    const db = join(dir, 'index.db');
    const messages = [...generateArchive({ count: 300, seed: 8 })];
    writeFileSync(join(dir, 'a.mbox'), mbox(messages.slice(0, 200)));
    writeFileSync(join(dir, 'b.mbox'), mbox(messages.slice(200)));
    const linked = (args: string[]) => (JSON.parse(cliOk(['import', '--db', db, '--json', ...args]).out) as { linking: LinkSummary | null }).linking;
    expect(linked([join(dir, 'a.mbox')])?.linked).toBe('all');
    expect(linked([join(dir, 'b.mbox')])?.linked).toBe('new');
    // Nothing new to store: without --relink nothing is linked; with it, all of it, and nothing changes.
    expect(linked([join(dir, 'b.mbox')])).toBeNull();
    const relinked = linked(['--relink', join(dir, 'b.mbox')]);
    expect(relinked?.linked).toBe('all');
    expect(relinked?.changedRows).toBe(0);
  }, 60_000);
});
