/**
 * The web view in a real Chromium, over a real `listindex serve` of an index of samples/ and of
 * a generated archive (a second list): list, filters, full-text search, series, revisions,
 * patch with its diff and trailers, the commands to copy, the thread; no JavaScript; a phone in
 * dark mode; axe-core on every page. Screenshots go to a folder in the OS temp dir (printed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateArchive, toMboxrd } from '../src/tools/archive-generator.js';
import { cliOk, withDb } from '../test/cli/run-cli.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { axeViolations, launch, screenshotDir, serve } from './browser-helpers.js';
import type { Served } from './browser-helpers.js';

/** A patch whose diff names a function: what a maintainer searches for. */
const FUNCTION_PATCH = `From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
From: Grace Hopper <grace@navy.example.mil>
Date: Wed, 6 Mar 2024 11:00:00 +0000
Subject: [PATCH] watchdog: check the range in watchdog_set_pretimeout
Message-Id: <pretimeout.1@navy.example.mil>

watchdog_set_pretimeout() accepted a pretimeout above the timeout.

Signed-off-by: Grace Hopper <grace@navy.example.mil>
---
 src/file3.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/src/file3.c b/src/file3.c
index 0000001..0000002 100644
--- a/src/file3.c
+++ b/src/file3.c
@@ -9,3 +9,3 @@
 /* file 3 line 9 */
-/* file 3 line 10 */
+/* file 3 line 10: watchdog_set_pretimeout checks its range */
 /* file 3 line 11 */
-- 
2.43.0
`;

let dir: string;
let db: string;
let served: Served;
let browser: Browser;
let shots: string;
/** Console errors (a CSP violation is one) and uncaught page errors, per test. */
const problems: string[] = [];

async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  return page;
}

async function accessible(page: Page): Promise<void> {
  expect(await axeViolations(page), page.url()).toEqual([]);
}

beforeAll(async () => {
  dir = tempDir('listindex-web-');
  db = join(dir, 'web.db');
  const generated = [...generateArchive({ count: 600, seed: 7, domain: 'gen.example' })]
    .map((m) => toMboxrd({ ...m, text: m.text.replaceAll('dev.lists.example.org', 'gen.lists.example.org').replaceAll('dev@lists.example.org', 'gen@lists.example.org') }));
  writeFileSync(join(dir, 'generated.mbox'), Buffer.concat(generated));
  writeFileSync(join(dir, '0001-pretimeout.patch'), FUNCTION_PATCH);
  cliOk(['import', 'samples', join(dir, 'generated.mbox'), join(dir, '0001-pretimeout.patch'), '--db', db]);
  served = await serve(db);
  browser = await launch();
  shots = screenshotDir('web-shots');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

interface Chosen {
  seriesId: number;
  previousId: number;
  submitter: string;
  keyMsgid: string;
  patchId: number;
  patchMsgid: string;
  trailer: string;
}

/** A newest revision (v2 or later, with a cover) of the generated list whose patches have a trailer from a reply. */
function chosenSeries(): Chosen {
  return withDb(db, (d) => d.prepare(`SELECT s.id AS seriesId, s.previous_id AS previousId, pe.email AS submitter, s.key_msgid AS keyMsgid,
      m.id AS patchId, m.msgid AS patchMsgid, t.name || ': ' || t.value AS trailer
    FROM series s JOIN lists l ON l.id = s.list_id JOIN people pe ON pe.id = s.submitter_id
    JOIN patches pa ON pa.series_id = s.id JOIN messages m ON m.id = pa.message_id JOIN trailers t ON t.patch_id = m.id AND t.origin = 'reply'
    WHERE l.list_id = 'gen.lists.example.org' AND s.previous_id IS NOT NULL AND s.cover_id IS NOT NULL AND s.latest_id = s.id
    ORDER BY s.id, pa.number LIMIT 1`).get() as Chosen);
}

describe('web view in Chromium', () => {
  it('lists, filters, searches, opens a series and its revision, a patch and its thread', async () => {
    problems.length = 0;
    const chosen = chosenSeries();
    expect(chosen).toBeDefined();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await open(context);

    const listAnswer = await page.goto(`${served.url}/`);
    expect(listAnswer!.status()).toBe(200);
    expect(listAnswer!.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.locator('h1').textContent()).resolves.toBe('Series');
    expect(await page.locator('table.list tbody tr').count()).toBe(50);
    await page.screenshot({ path: join(shots, 'list.png'), fullPage: false });
    await accessible(page);

    // Filter by submitter and open revisions: the URL carries the filter, every row is theirs.
    await page.selectOption('select[name=project]', 'gen');
    await page.fill('input[name=submitter]', chosen.submitter);
    await page.selectOption('select[name=state]', 'open');
    await Promise.all([page.waitForURL(/submitter=/), page.click('button[type=submit]')]);
    expect(new URL(page.url()).searchParams.get('submitter')).toBe(chosen.submitter);
    expect(new URL(page.url()).searchParams.get('state')).toBe('open');
    const submitters = await page.locator('table.list tbody tr td:nth-child(5)').allTextContents();
    expect(submitters.length).toBeGreaterThan(0);
    const name = withDb(db, (d) => d.prepare('SELECT name FROM people WHERE email = ?').pluck().get(chosen.submitter) as string);
    expect(new Set(submitters)).toEqual(new Set([name]));
    expect(await page.locator('td.state-superseded').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'list-filtered.png') });

    // The bookmarked URL shows the same view.
    const again = await open(context);
    await again.goto(page.url());
    expect(await again.locator('table.list tbody tr td:nth-child(5)').allTextContents()).toEqual(submitters);
    await again.close();

    // Full-text search for a function name finds the one patch's series, on any list.
    await page.goto(`${served.url}/`);
    await page.fill('input[name=q]', 'watchdog_set_pretimeout');
    await Promise.all([page.waitForURL(/q=watchdog_set_pretimeout/), page.press('input[name=q]', 'Enter')]);
    const found = await page.locator('table.list tbody tr td:first-child').allTextContents();
    expect(found).toEqual(['watchdog: check the range in watchdog_set_pretimeout']);

    // Open the chosen series from the filtered list.
    await page.goto(`${served.url}/project/gen/list/?submitter=${encodeURIComponent(chosen.submitter)}&state=open`);
    await Promise.all([page.waitForURL(new RegExp(`/series/${chosen.seriesId}/$`)), page.click(`a[href="/project/gen/series/${chosen.seriesId}/"]`)]);
    // The Copy button puts the command on the clipboard.
    await page.locator('.commands pre').nth(1).locator('button.copy').click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`b4 am ${chosen.keyMsgid.replace(/^<|>$/g, '')}`);
    const seriesCommands = await page.locator('.commands code').allTextContents();
    expect(seriesCommands).toEqual([
      `git pw series apply ${chosen.seriesId}`,
      `b4 am ${chosen.keyMsgid.replace(/^<|>$/g, '')}`,
      `curl -s ${served.url}/series/${chosen.seriesId}/mbox/ | git am`,
    ]);
    // The command's URL answers the mbox git am takes.
    const mbox = await (await fetch(`${served.url}/series/${chosen.seriesId}/mbox/`)).text();
    expect(mbox.startsWith('From ')).toBe(true);
    expect(await page.locator('h2', { hasText: 'Cover letter' }).count()).toBe(1);
    const patchList = await page.locator('ol.patches').textContent();
    expect(patchList).toContain(`${chosen.trailer} (from a reply)`);
    expect(await page.locator('ol.timeline li[aria-current=page]').textContent()).toMatch(/^v\d$/);
    // Every patch of a later revision says how its diff compares with the one before.
    expect(await page.locator('table.revisions td a.changed, table.revisions td a.same, table.revisions td a.added').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'series.png'), fullPage: true });
    await accessible(page);

    // The cover letter, one click away, and a page that is not there.
    const coverPage = await open(context);
    await coverPage.goto(`${served.url}/project/gen/series/${chosen.seriesId}/`);
    await Promise.all([coverPage.waitForURL(/\/cover\/[^/]+\/$/), coverPage.click('p.meta a[href*="/cover/"]')]);
    expect(await coverPage.locator('h2', { hasText: 'Discussion' }).count()).toBe(1);
    await accessible(coverPage);
    await coverPage.close();
    // (A page of its own: the 404 is expected, and the browser logs it.)
    const missingPage = await context.newPage();
    expect((await missingPage.goto(`${served.url}/project/gen/series/99999999/`))!.status()).toBe(404);
    await accessible(missingPage);
    await missingPage.close();

    // Follow the revision link to the one before.
    await Promise.all([page.waitForURL(new RegExp(`/series/${chosen.previousId}/$`)), page.click(`ol.timeline a[href="/project/gen/series/${chosen.previousId}/"]`)]);
    expect(await page.locator('ol.timeline li[aria-current=page]').textContent()).not.toBe('');
    expect(await page.locator('.meta .state-superseded').count()).toBe(1);

    // Back to the newest; open the patch with a trailer from a reply.
    await page.goBack();
    const patchPath = `/project/gen/patch/${encodeURIComponent(chosen.patchMsgid.replace(/^<|>$/g, ''))}/`;
    await Promise.all([page.waitForURL((u) => u.pathname === patchPath), page.click(`ol.patches a[href="${patchPath}"]`)]);
    expect(await page.locator('.d2h-file-wrapper').count()).toBe(1);
    expect(await page.locator('.d2h-ins').count()).toBeGreaterThan(0);
    expect(await page.locator('.d2h-del').count()).toBeGreaterThan(0);
    expect(await page.locator('ul.trailers').textContent()).toContain(chosen.trailer);
    expect(await page.locator('table.files code').allTextContents()).toHaveLength(1);
    const patchCommands = await page.locator('.commands code').allTextContents();
    expect(patchCommands).toEqual([
      `git pw patch apply ${chosen.patchId}`,
      `b4 am -P _ ${chosen.patchMsgid.replace(/^<|>$/g, '')}`,
      `curl -s ${served.url}${patchPath}mbox/ | git am`,
    ]);
    const patchMbox = await fetch(`${served.url}${patchPath}mbox/`);
    expect(patchMbox.status).toBe(200);
    expect(await patchMbox.text()).toContain(chosen.trailer);
    expect(await page.locator('h2', { hasText: 'Discussion' }).textContent()).toMatch(/Discussion \(\d+\)/);
    await page.screenshot({ path: join(shots, 'patch.png'), fullPage: true });
    await accessible(page);

    // The thread: the patch marked, replies nested, quotes folded, permalinks in public-inbox's form.
    await Promise.all([page.waitForURL(/\/gen\/[^/]+\/$/), page.click('p.meta a:text("thread")')]);
    expect(new URL(page.url()).pathname).toBe(`/gen/${encodeURIComponent(chosen.patchMsgid.replace(/^<|>$/g, ''))}/`);
    expect(await page.locator('article.message.focus').count()).toBe(1);
    expect(await page.locator('ul.thread ul.thread article.message').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'thread.png'), fullPage: true });
    await accessible(page);

    // j/k move between messages; q unfolds every quote.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await page.locator('article.message.focused').count()).toBe(1);
    await page.keyboard.press('q');
    const folded = await page.locator('details.quote').count();
    if (folded) expect(await page.locator('details.quote[open]').count()).toBe(folded);

    // HEAD of a permalink keeps its plain status answer; /all/ is the same thread page.
    expect((await fetch(`${served.url}${new URL(page.url()).pathname}`, { method: 'HEAD' })).status).toBe(200);
    const all = await fetch(`${served.url}/all/${encodeURIComponent(chosen.patchMsgid.replace(/^<|>$/g, ''))}/`);
    expect(all.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('works without JavaScript, on a phone, in dark mode', async () => {
    problems.length = 0;
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true });
    const page = await open(context);
    await page.goto(`${served.url}/project/dev/list/`);
    await page.fill('input[name=submitter]', 'Grace');
    await Promise.all([page.waitForURL(/submitter=Grace/), page.click('button[type=submit]')]);
    const submitters = await page.locator('table.list tbody tr td:nth-child(5)').allTextContents();
    expect(new Set(submitters)).toEqual(new Set(['Grace Hopper']));
    // Nothing wider than the phone but the scrolled table.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(shots, 'phone-dark-list.png'), fullPage: false });
    await page.click('table.list tbody tr:first-child td:first-child a');
    await page.waitForURL(/\/series\/\d+\/$/);
    await page.screenshot({ path: join(shots, 'phone-dark-series.png'), fullPage: false });
    await page.click('ol.patches a');
    await page.waitForURL(/\/patch\//);
    expect(await page.locator('.d2h-file-wrapper').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(shots, 'phone-dark-patch.png'), fullPage: true });
    await context.close();

    // axe in dark mode (contrast of the dark colours), with scripts on to run it.
    const dark = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const darkPage = await open(dark);
    for (const path of ['/', '/project/dev/series/80/']) {
      await darkPage.goto(`${served.url}${path}`);
      await accessible(darkPage);
    }
    await dark.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
