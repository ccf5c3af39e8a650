/**
 * The two documents the project grew from (shared/seeds: Patchwork's `GET /api/covers/40986/` and
 * `/42498/`, two DPDK cover letters, redacted): each cover is rebuilt as a mail from the headers
 * and content the seed shows, sent with its patches, imported, and `listindex show --json` must
 * give what the seed gives for every field it fills — name, date, msgid, submitter, series name
 * and version, headers, content — once our output is redacted the way the seed was.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importPaths } from '../src/import/pipeline.js';
import { readSeed, redact, redactDeep } from './seed-document.js';
import { startServe } from '../test/helpers/serve.js';
import type { SeedDocument, SeedObject } from './seed-document.js';

const CLI = resolve(import.meta.dirname, '../dist/cli/main.js');

/**
 * Fields whose value is a Patchwork administrator's setting or a row id of Patchwork's own
 * database, not something mail says: only their type must match. (Patchwork's project is named
 * and linked by its admin, "DPDK" and "dpdk"; listindex names it after the List-Id.)
 */
const NOT_FROM_MAIL = new Set(['id', 'series.id', 'submitter.id', 'project.id', 'project.name', 'project.link_name', 'project.scm_url',
  'project.list_archive_url_format']);

/** Every leaf the seed fills, against ours: the differences, as "path: seed vs ours" lines. */
function compareToSeed(seed: unknown, ours: unknown, base: string, unreadable: string[], path = ''): string[] {
  const field = path.replace(/\[\d+\]/g, '');
  if (unreadable.includes(path)) return [];
  if (Array.isArray(seed)) {
    if (!Array.isArray(ours)) return [`${path}: an array in the seed, ${JSON.stringify(ours)} here`];
    return seed.flatMap((v, i) => compareToSeed(v, ours[i], base, unreadable, `${path}[${i}]`));
  }
  if (seed !== null && typeof seed === 'object') {
    if (ours === null || typeof ours !== 'object') return [`${path}: an object in the seed, ${JSON.stringify(ours)} here`];
    return Object.entries(seed).flatMap(([k, v]) => compareToSeed(v, (ours as SeedObject)[k], base, unreadable, path ? `${path}.${k}` : k));
  }
  if (typeof seed !== typeof ours) return [`${path}: ${typeof seed} in the seed, ${typeof ours} here`];
  if (NOT_FROM_MAIL.has(field)) return [];
  // A redacted URL field: ours must be an absolute URL under the server's base.
  if (seed === '' && typeof ours === 'string' && /(^|\.)(url|mbox|comments|web_url)$/.test(field)) {
    return ours.startsWith(`${base}/`) ? [] : [`${path}: ${JSON.stringify(ours)} is not under ${base}`];
  }
  const redacted = typeof ours === 'string' ? redact(ours) : ours;
  return redacted === seed ? [] : [`${path}: ${JSON.stringify(seed)} in the seed, ${JSON.stringify(redacted)} here`];
}
const LIST = 'dpdk.example';
const SENDER = 'anatoly.burakov@example.invalid';

// What redaction cut out of the headers, put back as plausible originals (on reserved domains).
// The test checks that redacting these gives the seed's values again.
const EMPTY_VALUES: Record<string, string> = {
  To: `dev@${LIST}`,
  'X-Original-To': `dev@${LIST}`,
  'Delivered-To': `dev@${LIST}`,
  'X-BeenThere': `dev@${LIST}`,
  'Errors-To': `dev-bounces@${LIST}`,
};
const angleValues = (seedId: number): Record<string, string[]> => ({
  From: [`<${SENDER}>`],
  'Return-Path': [`<dev-bounces@${LIST}>`],
  Sender: [`<dev-bounces@${LIST}>`],
  'Message-Id': [`<seed-${seedId}@example.invalid>`],
  'List-Id': [`<dev.${LIST}>`],
  'List-Post': [`<mailto:dev@${LIST}>`],
  'List-Archive': [`<http://mails.${LIST}/archives/dev/>`],
  'List-Help': [`<mailto:dev-request@${LIST}?subject=help>`],
  'List-Subscribe': [`<https://mails.${LIST}/listinfo/dev>`, `<mailto:dev-request@${LIST}?subject=subscribe>`],
  'List-Unsubscribe': [`<https://mails.${LIST}/options/dev>`, `<mailto:dev-request@${LIST}?subject=unsubscribe>`],
});

/** A Received header with its hosts, addresses and IPs back (see the rules in seed-document.ts). */
function fillReceived(value: string): string {
  return value
    .replace(/\[\]/g, '[192.0.2.10]')
    .replace(/^from \(/, 'from relay.example.invalid (')
    .replace(/\((?=[ \n])/g, '(relay.example.invalid')
    .replace(/\bby (?=\(|with )/g, 'by mx.example.invalid ')
    .replace(/for <>/g, `for <dev@${LIST}>`)
    .replace(/for;/g, `for dev@${LIST};`);
}

function fillHeader(seedId: number, name: string, value: string): string {
  if (name === 'Received') return fillReceived(value);
  if (value === '') {
    if (!(name in EMPTY_VALUES)) throw new Error(`seed ${seedId}: no original known for the empty ${name}`);
    return EMPTY_VALUES[name];
  }
  const fills = [...(angleValues(seedId)[name] ?? [])];
  const filled = value.replace(/<>/g, () => {
    const next = fills.shift();
    if (next === undefined) throw new Error(`seed ${seedId}: no original known for <> in ${name}: ${value}`);
    return next;
  });
  return filled;
}

/** The content with what redaction cut out put back: `rte_eal_version.map` looked like a host. */
const fillContent = (content: string) => content.replace(/^( lib\/librte_eal\/)( +\|)/m, '$1rte_eal_version.map$2');

const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

interface BuiltMail {
  msgid: string;
  text: string;
}

function headerBlock(headers: [string, string][]): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join('\n');
}

/**
 * The cover as a mail: the seed's headers in the seed's order (Received hops in a row where the
 * seed has them), unreadable ones left out, redacted parts filled in; body = content + signature.
 */
function buildCover(seedId: number, seed: SeedDocument): { mail: BuiltMail; headers: [string, string][] } {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(seed.fields.headers as SeedObject)) {
    for (const v of Array.isArray(value) ? value : [value]) headers.push([name, fillHeader(seedId, name, v as string)]);
  }
  const msgid = headers.find(([n]) => n === 'Message-Id')![1];
  const body = `${fillContent(seed.fields.content as string)}\n\n-- \n2.7.4\n`;
  return { mail: { msgid, text: `${headerBlock(headers)}\n\n${body}` }, headers };
}

/** The patches the cover's shortlog announces, threaded to it (git send-email style), 1 s apart. */
function buildPatches(seedId: number, seed: SeedDocument, cover: [string, string][]): BuiltMail[] {
  const content = seed.fields.content as string;
  const shortlog = /^Anatoly Burakov \((\d+)\):\n((?: {2}.+\n)+)/m.exec(content);
  if (!shortlog) throw new Error(`seed ${seedId}: no shortlog in the content`);
  const titles = shortlog[2].trimEnd().split('\n').map((l) => l.trim());
  expect(titles.length).toBe(Number(shortlog[1]));
  const coverHeader = (n: string) => cover.find(([name]) => name === n)![1];
  const coverSubject = coverHeader('Subject');
  const coverMsgid = coverHeader('Message-Id');
  const coverDate = Date.parse(coverHeader('Date'));
  const width = String(titles.length).length;
  const markerWidth = /\[\w+ (0+)\/\d+\]/.exec(coverSubject)![1].length;
  return titles.map((title, i) => {
    const n = String(i + 1).padStart(markerWidth, '0');
    const subject = coverSubject.replace(/ 0+\/(\d+)\] .*$/, ` ${n}/$1] ${title}`);
    const msgid = `<seed-${seedId}-${i + 1}@example.invalid>`;
    const file = `lib/file${String(i + 1).padStart(width, '0')}.c`;
    const headers: [string, string][] = [
      ['From', coverHeader('From')], ['To', coverHeader('To')], ['Subject', subject],
      ['Date', rfc2822(coverDate + (i + 1) * 1000)], ['Message-Id', msgid], ['In-Reply-To', coverMsgid],
      ['References', coverMsgid], ['List-Id', coverHeader('List-Id')], ['X-Mailer', 'git-send-email 1.7.1'],
    ];
    const body = [
      `Part ${i + 1} of the series: ${title}.`, '', `Signed-off-by: Anatoly Burakov <${SENDER}>`, '---',
      ` ${file} | 1 +`, ' 1 file changed, 1 insertion(+)', '', `diff --git a/${file} b/${file}`,
      'index 1111111..2222222 100644', `--- a/${file}`, `+++ b/${file}`, '@@ -1,1 +1,2 @@', ' int a;', `+int b${i + 1};`,
      '-- ', '2.7.4', '',
    ].join('\n');
    return { msgid, text: `${headerBlock(headers)}\n\n${body}` };
  });
}

function mbox(mails: BuiltMail[]): string {
  return mails.map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m.text}\n`).join('\n');
}

function showJson(db: string, msgid: string): Record<string, unknown> {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  return JSON.parse(execFileSync(process.execPath, [CLI, 'show', '--db', db, msgid, '--json'], { encoding: 'utf8' })) as Record<string, unknown>;
}

interface Case {
  id: number;
  /** Later mail from the same address, if the seed's submitter name came from one. */
  later?: (cover: BuiltMail, patches: BuiltMail[]) => BuiltMail;
  unreadable: string[];
}

const cases: Case[] = [
  {
    id: 40986,
    // The seed's submitter is "Burakov, Anatoly" while its From says "Anatoly Burakov": Patchwork
    // keeps the latest name an address used, and a later mail of his said "Burakov, Anatoly".
    later: (_cover, patches) => ({
      msgid: '<seed-40986-later@example.invalid>',
      text: headerBlock([
        ['From', `"Burakov, Anatoly" <${SENDER}>`], ['To', `dev@${LIST}`],
        ['Subject', 'Re: [dpdk-dev] [PATCH 1/9] fbarray: fix errno values returned from functions'],
        ['Date', 'Wed, 20 Jun 2018 09:00:00 +0000'], ['Message-Id', '<seed-40986-later@example.invalid>'],
        ['In-Reply-To', patches[0].msgid], ['References', patches[0].msgid], ['List-Id', `DPDK patches and discussions <dev.${LIST}>`],
      ]) + '\n\nThis will be fixed in v2.\n',
    }),
    unreadable: [],
  },
  // Its Cc is broken: redaction cut the addresses out of the JSON text, and the one after a `\n\t`
  // escape took the `t` with it, leaving `",,\n\"`, not a JSON string. The Cc header is left out
  // of the mail and of the comparison.
  { id: 42498, unreadable: ['headers.Cc'] },
];

describe('the seed documents (Patchwork cover letters 40986 and 42498)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  for (const c of cases) {
    it(`cover ${c.id}: show --json gives the seed's values`, async () => {
      const seed = readSeed(c.id);
      expect(seed.unreadable).toEqual(c.unreadable);
      for (const field of ['name', 'date', 'msgid', 'submitter', 'series', 'headers', 'content']) expect(seed.fields, field).toHaveProperty(field);
      expect((seed.fields.headers as SeedObject).Received).toHaveLength(7);
      const { mail: cover, headers } = buildCover(c.id, seed);

      // The filled-in values must redact back to exactly what the seed shows.
      const seedHeaders = seed.fields.headers as SeedObject;
      for (const [name, value] of headers) {
        const expected = seedHeaders[name];
        if (Array.isArray(expected)) expect(expected).toContain(redact(value));
        else expect(redact(value), name).toBe(expected);
      }
      expect(redact(fillContent(seed.fields.content as string))).toBe(seed.fields.content);

      const patches = buildPatches(c.id, seed, headers);
      const mails = [cover, ...patches, ...(c.later ? [c.later(cover, patches)] : [])];
      const dir = mkdtempSync(join(tmpdir(), `listindex-seed-${c.id}-`));
      dirs.push(dir);
      writeFileSync(join(dir, 'thread.mbox'), mbox(mails));
      const db = join(dir, 'seed.db');
      const summary = await importPaths(db, [join(dir, 'thread.mbox')], { workers: 0 });
      expect(summary.unreadable).toEqual([]);
      expect(summary.stored).toBe(mails.length);

      const ours = showJson(db, cover.msgid);
      const oursSeries = (ours.series as SeedObject[])[0];
      const oursSubmitter = ours.submitter as SeedObject;
      const seedSeries = (seed.fields.series as SeedObject[])[0];
      const seedSubmitter = seed.fields.submitter as SeedObject;
      const pick = (o: Record<string, unknown>) => redactDeep({
        name: o.name, date: o.date, msgid: o.msgid, content: o.content,
      });
      expect(pick(ours)).toEqual(pick(seed.fields));
      expect(redactDeep({ name: oursSubmitter.name, email: oursSubmitter.email }))
        .toEqual({ name: seedSubmitter.name, email: seedSubmitter.email });
      expect({ name: oursSeries.name, version: oursSeries.version, date: oursSeries.date })
        .toEqual({ name: seedSeries.name, version: seedSeries.version, date: seedSeries.date });

      // Every header: same names, same values (Received as a list, in order).
      const ourHeaders = redactDeep(ours.headers as SeedObject);
      const expectedHeaders = Object.fromEntries(Object.entries(seedHeaders).filter(([name]) => !c.unreadable.includes(`headers.${name}`)));
      expect(Object.keys(ourHeaders).sort()).toEqual(Object.keys(expectedHeaders).sort());
      for (const [name, value] of Object.entries(expectedHeaders)) expect(ourHeaders[name], name).toEqual(value);

      // The cover is the cover of a real series: all its patches arrived.
      const series = JSON.parse(execFileSync(process.execPath, [CLI, 'query', '--db', db, '--json',
        'SELECT total, received_total, received_all FROM series'], { encoding: 'utf8' })) as unknown[];
      expect(series).toEqual([{ total: patches.length, received_total: patches.length, received_all: 1 }]);

      // Served as Patchwork serves it: GET /api/1.2/covers/<id>/ has every field the seed fills,
      // with the same value and type.
      const server = await startServe(db);
      try {
        const served = await (await fetch(`${server.url}/api/1.2/covers/${ours.id as number}/`)).json() as SeedObject;
        const problems = compareToSeed(seed.fields, served, server.url, c.unreadable);
        expect(problems).toEqual([]);
        // The comparison sees a difference where there is one.
        expect(compareToSeed(seed.fields, { ...served, name: 'another name', submitter: { ...(served.submitter as SeedObject), id: '4' } }, server.url, c.unreadable))
          .toEqual([expect.stringMatching(/^name: /), expect.stringMatching(/^submitter\.id: number in the seed, string here/)]);
      } finally {
        await server.stop();
      }
    });
  }
});
