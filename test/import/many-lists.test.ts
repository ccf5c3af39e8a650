/**
 * Many lists in one index: each list gets exactly the series it gets when imported alone. Three
 * generated lists whose senders, versions and dates overlap (the generator uses the same people
 * and clock), and a series cross-posted to two of them, as kernel series are: the same
 * Message-Ids with each list's List-Id, two copies. Patchwork creates such a series in every
 * project it was sent to; so does listindex (docs/schema.md, "Many lists in one index"), each
 * list's copy with the replies that came through that list.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import type { GeneratedMessage } from '../../src/tools/archive-generator.js';
import { openIndex } from '../../src/api/open-index.js';
import { cliOk, withDb } from '../cli/run-cli.js';
import { seriesByList } from '../helpers/list-series.js';
import type { SeriesSnapshot } from '../helpers/list-series.js';
import { startServe } from '../helpers/serve.js';
import { tempDir } from '../helpers/temp-dir.js';

const LISTS = ['alpha.lists.example.org', 'beta.lists.example.net', 'gamma.lists.example.com'];
const GENERATED_LIST_ID = /^List-Id: .*$/m;
const ONLY_ON_BETA = 'Reviewed-by: Only On Beta <beta-reviewer@example.net>';

const header = (m: GeneratedMessage, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(m.text.split('\n\n')[0])?.[1] ?? null;
const onList = (m: GeneratedMessage, list: string): GeneratedMessage => ({ ...m, text: m.text.replace(GENERATED_LIST_ID, `List-Id: <${list}>`) });

/** The first series of `messages` with a cover letter: the cover, its patches and the replies to them. */
function firstCoveredSeries(messages: GeneratedMessage[]): { cover: GeneratedMessage; patches: GeneratedMessage[]; replies: GeneratedMessage[] } {
  const cover = messages.find((m) => /^\[PATCH[^\]]* 0\/\d+\]/.test(header(m, 'Subject') ?? ''))!;
  const patches = messages.filter((m) => header(m, 'In-Reply-To') === cover.msgid && header(m, 'Subject')!.startsWith('[PATCH'));
  const ids = new Set(patches.map((p) => p.msgid));
  const replies = messages.filter((m) => ids.has(header(m, 'In-Reply-To') ?? ''));
  return { cover, patches, replies };
}

let dir: string;
const alone = new Map<string, string>();
let together: string;

beforeAll(() => {
  dir = tempDir('listindex-lists-');
  const archives = LISTS.map((list, i) => [...generateArchive({ count: 300, seed: 21 + i, domain: list.split('.').slice(-2).join('.') })]
    .map((m) => onList(m, list)));
  // Cross-posted: alpha's first series with a cover (and the replies to it) also went through beta,
  // and one reviewer answered on beta only.
  const crossPosted = firstCoveredSeries(archives[0]);
  expect(crossPosted.patches.length).toBeGreaterThan(1);
  const first = crossPosted.patches[0];
  const betaOnlyReply: GeneratedMessage = {
    msgid: '<beta-only-review@example.net>', encoding: 'utf8',
    text: [`From: Only On Beta <beta-reviewer@example.net>`, `To: beta@lists.example.net`, `Subject: Re: ${header(first, 'Subject')}`,
      `Date: ${new Date(Date.parse(header(first, 'Date')!) + 3600_000).toUTCString().replace('GMT', '+0000')}`,
      `Message-Id: <beta-only-review@example.net>`, `In-Reply-To: ${first.msgid}`, `References: ${crossPosted.cover.msgid} ${first.msgid}`,
      `List-Id: <${LISTS[1]}>`, '', 'Looks good.', '', ONLY_ON_BETA, ''].join('\n'),
  };
  archives[1].push(...[crossPosted.cover, ...crossPosted.patches, ...crossPosted.replies].map((m) => onList(m, LISTS[1])), betaOnlyReply);

  together = join(dir, 'together.db');
  LISTS.forEach((list, i) => {
    const mbox = join(dir, `${list}.mbox`);
    writeFileSync(mbox, Buffer.concat(archives[i].map(toMboxrd)));
    alone.set(list, join(dir, `${list}.db`));
    cliOk(['import', mbox, '--db', alone.get(list)!, '-q', '--workers', '0']);
    // One list after the other, as lists are added to an index: each import links again.
    cliOk(['import', mbox, '--db', together, '-q', '--workers', '0']);
  });
});

/** The cross-posted series as beta has it, and its first patch's Message-Id. */
function crossPostedOnBeta(): { series: SeriesSnapshot; firstPatch: string } {
  const series = seriesByList(together).get(LISTS[1])!.find((s) => s.key.endsWith('@example.org>'))!;
  return { series, firstPatch: series.patches[0].split(' ')[1] };
}

describe('three lists in one index', () => {
  it('gives each list exactly the series it gets when imported alone', () => {
    const all = seriesByList(together);
    expect([...all.keys()].sort()).toEqual([...LISTS].sort());
    for (const list of LISTS) {
      const own = seriesByList(alone.get(list)!);
      expect([...own.keys()], list).toEqual([list]);
      expect(own.get(list)!.length, list).toBeGreaterThan(20);
      expect(all.get(list), list).toEqual(own.get(list));
    }
  });

  it('has the cross-posted series in both lists, each with the trailers given on that list', () => {
    const all = seriesByList(together);
    const cover = (list: string) => all.get(list)!.filter((s) => s.cover !== null && s.key.endsWith('@example.org>'));
    const [onAlpha] = cover(LISTS[0]);
    const onBeta = cover(LISTS[1]);
    expect(onBeta).toHaveLength(1);
    expect({ ...onBeta[0], trailers: undefined }).toEqual({ ...onAlpha, trailers: undefined });
    const firstPatch = onAlpha.patches[0].split(' ')[1];
    expect(onBeta[0].trailers[firstPatch]).toContain(ONLY_ON_BETA);
    expect(onAlpha.trailers[firstPatch]).not.toContain(ONLY_ON_BETA);
  });

  it('lists the cross-posted patches and cover among each list\'s submissions (the API\'s project filter)', () => {
    const index = openIndex(together, { readonly: true });
    try {
      const [alpha, beta] = LISTS.slice(0, 2).map((list) => index.list(list).id);
      const cross = seriesByList(together).get(LISTS[1])!.find((s) => s.key.endsWith('@example.org>'))!;
      const msgids = cross.patches.map((p) => p.split(' ')[1]);
      for (const project of [alpha, beta]) {
        const patches = index.patches({ projects: [project], msgids, perPage: 100 }).items;
        expect(patches.map((p) => p.submission.msgid).sort(), `project ${project}`).toEqual([...msgids].sort());
        expect(new Set(patches.map((p) => p.project?.id))).toEqual(new Set([project]));
        expect(new Set(patches.map((p) => p.series?.list_id))).toEqual(new Set([project]));
        expect(index.covers({ projects: [project], msgids: [cross.cover!] }).items).toHaveLength(1);
      }
    } finally {
      index.close();
    }
  });

  it('shows a cross-posted patch and writes its mbox as the list asked for has it (show, mbox --list)', () => {
    const { series, firstPatch } = crossPostedOnBeta();
    const seriesOn = (list: string) => withDb(together, (d) => d.prepare(`SELECT s.id FROM series s JOIN lists l ON l.id = s.list_id
      WHERE l.list_id = ? AND s.key_msgid = ?`).pluck().get(list, series.key)) as number;
    for (const [list, hasTrailer] of [[LISTS[0], false], [LISTS[1], true]] as const) {
      const shown = JSON.parse(cliOk(['show', firstPatch, '--db', together, '--list', list, '--json']).out);
      expect(shown.project.list_id, list).toBe(list);
      expect(shown.series.map((s: { id: number }) => s.id), list).toEqual([seriesOn(list)]);
      expect(cliOk(['mbox', `patch/${firstPatch}`, '--db', together, '--list', list]).out.includes(ONLY_ON_BETA), list).toBe(hasTrailer);
    }
    // A list without a copy of it: the canonical copy, as without --list.
    expect(cliOk(['show', firstPatch, '--db', together, '--list', 'gamma']).status).toBe(0);
  });

  it('serves a cross-posted patch under each project as that list has it (mbox download, web page)', async () => {
    const bare = crossPostedOnBeta().firstPatch.replace(/^<|>$/g, '');
    const server = await startServe(together);
    try {
      for (const [list, hasTrailer] of [[LISTS[0], false], [LISTS[1], true]] as const) {
        const mbox = await (await fetch(`${server.url}/project/${list}/patch/${encodeURIComponent(bare)}/mbox/`)).text();
        expect(mbox, list).toContain(`Message-Id: <${bare}>`);
        expect(mbox.includes(ONLY_ON_BETA), list).toBe(hasTrailer);
        const page = await (await fetch(`${server.url}/project/${list}/patch/${encodeURIComponent(bare)}/`)).text();
        expect(page.includes('beta-reviewer@example.net'), list).toBe(hasTrailer);
      }
    } finally {
      await server.stop();
    }
  });
});
