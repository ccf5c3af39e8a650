/**
 * Mail is hostile: subjects, names, bodies, Message-Ids, trailers, diffs and file names that
 * hold <script>, "><img onerror=…>, javascript: links and bidi controls. In Chromium, with the
 * page's CSP switched off (so that escaping alone must hold), nothing runs, no element comes
 * from mail, and the text shows as text; with the CSP on, the header forbids inline script.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { cliOk, withDb } from '../test/cli/run-cli.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { launch, screenshotDir, serve } from './browser-helpers.js';
import type { Served } from './browser-helpers.js';

const b64 = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
const SCRIPT = (tag: string) => `<script>window.__pwned='${tag}'</script>`;
const IMG = (tag: string) => `"><img src=x onerror="window.__pwned='${tag}'">`;
const RLO = '\u202E';

const COVER_ID = `cover"onmouseover="window.__pwned='msgid'"@evil.example`;
const PATCH_ID = `javascript:window.__pwned='patch-msgid'@evil.example`;
const REPLY_ID = `reply'${IMG('reply-msgid').replace(/[<>]/g, '')}@evil.example`;

const HOSTILE_NAME = `${IMG('name')} Mallory ${SCRIPT('name')}`;

const BODY = `Hello ${SCRIPT('body')}
${IMG('body')}
Click javascript:window.__pwned='js-text' or [here](javascript:window.__pwned='md') or <a href="javascript:window.__pwned='a'">this</a>.
See https://example.com/a"onmouseover="window.__pwned='url'"><script>x</script> for more.
Also data:text/html,<script>window.__pwned='data'</script>
A file named ${RLO}txt.exe
`;

function mail(headers: string[], body: string): string {
  return `From mboxrd@z Thu Jan  1 00:00:00 1970\n${headers.join("\n")}\n\n${body}\n\n`;
}

const common = ['List-Id: Evil list <evil.lists.example.org>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'];

const MBOX = [
  mail([`From: ${b64(HOSTILE_NAME)} <mallory@evil.example>`, `Subject: [PATCH 0/1] ${SCRIPT('cover-subject')} ${IMG('cover-subject')} ${RLO}evil`,
    'Date: Mon, 4 Mar 2024 10:00:00 +0000', `Message-Id: <${COVER_ID}>`, ...common], `Cover ${BODY}`),
  mail([`From: ${b64(HOSTILE_NAME)} <mallory@evil.example>`, `Subject: [PATCH 1/1] ${SCRIPT('subject')} ${IMG('subject')} ${RLO}cod`,
    'Date: Mon, 4 Mar 2024 10:00:01 +0000', `Message-Id: <${PATCH_ID}>`, `In-Reply-To: <${COVER_ID}>`, `References: <${COVER_ID}>`, ...common],
  `${BODY}
Signed-off-by: ${HOSTILE_NAME.replace(/"/g, '')} <mallory@evil.example>
---
 src/<img src=x onerror=alert(1)>.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/src/<img src=x onerror=alert(1)>.c b/src/<img src=x onerror=alert(1)>.c
index 0000001..0000002 100644
--- a/src/<img src=x onerror=alert(1)>.c
+++ b/src/<img src=x onerror=alert(1)>.c
@@ -1,3 +1,3 @@
 /* line 1 */
-/* line 2 */
+${SCRIPT('diff')} ${IMG('diff')} /* ${RLO} */
 /* line 3 */
-- 
2.43.0`),
  mail(['From: Reviewer <rev@evil.example>', `Subject: Re: [PATCH 1/1] ${SCRIPT('reply-subject')}`,
    'Date: Mon, 4 Mar 2024 11:00:00 +0000', `Message-Id: <${REPLY_ID}>`, `In-Reply-To: <${PATCH_ID}>`, `References: <${COVER_ID}> <${PATCH_ID}>`, ...common],
  `> ${SCRIPT('quote')}
> one
> two
> three
> ${IMG('quote')}

${BODY}
Reviewed-by: Reviewer <rev@evil.example>
`),
].join('');

let served: Served;
let browser: Browser;
let db: string;

beforeAll(async () => {
  const dir = tempDir('listindex-web-evil-');
  db = join(dir, 'evil.db');
  writeFileSync(join(dir, 'evil.mbox'), MBOX);
  cliOk(['import', join(dir, 'evil.mbox'), '--db', db]);
  served = await serve(db);
  browser = await launch();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('hostile mail in the web view', () => {
  it('runs nothing, makes no element from mail, and shows the text as text', async () => {
    const ids = withDb(db, (d) => ({
      series: d.prepare('SELECT id FROM series').pluck().all() as number[],
      msgids: d.prepare('SELECT msgid, kind FROM messages ORDER BY id').all() as { msgid: string; kind: string }[],
      trailers: d.prepare("SELECT count(*) FROM trailers WHERE origin = 'reply'").pluck().get() as number,
    }));
    // The index took the mail as it is: a series, its cover, patch and reply (with its trailer).
    expect(ids.series).toHaveLength(1);
    expect(ids.msgids.map((m) => m.kind)).toEqual(['cover', 'patch', 'comment']);
    expect(ids.trailers).toBe(1);
    const bare = (kind: string) => encodeURIComponent(ids.msgids.find((m) => m.kind === kind)!.msgid.replace(/^<|>$/g, ''));
    const q = encodeURIComponent(`${IMG('q')}${SCRIPT('q')}`);
    const pages = [
      '/', `/?submitter=${q}&q=${q}`, '/project/evil/list/', `/project/evil/series/${ids.series[0]}/`, `/project/evil/list/?series=${ids.series[0]}`,
      `/project/evil/patch/${bare('patch')}/`, `/project/evil/cover/${bare('cover')}/`, `/evil/${bare('patch')}/`, `/all/${bare('comment')}/`,
    ];
    const shots = screenshotDir('web-escaping');
    // Escaping alone must hold: the CSP is switched off here.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    let n = 0;
    for (const path of pages) {
      const answer = await page.goto(`${served.url}${path}`);
      expect(answer!.status(), path).toBe(200);
      await page.waitForLoadState('load');
      // Hover and focus everything, so that any on* handler that slipped in would fire.
      for (const a of await page.locator('a, pre, code, td, h1').all()) await a.hover({ trial: false, force: true }).catch(() => {});
      const found = await page.evaluate(() => {
        const all = Array.from(document.querySelectorAll('*'));
        return {
          pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
          scripts: Array.from(document.scripts).map((s) => s.getAttribute('src')),
          images: document.images.length,
          handlers: all.flatMap((e) => Array.from(e.attributes).filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName} ${a.name}`)),
          badLinks: Array.from(document.querySelectorAll('a')).filter((a) => !/^https?:$/.test(new URL(a.href, location.href).protocol)).map((a) => a.getAttribute('href')),
          outside: Array.from(document.querySelectorAll('a')).filter((a) => new URL(a.href).origin !== location.origin).map((a) => a.rel),
          text: document.body.innerText,
        };
      });
      expect(found.pwned, path).toBeNull();
      expect(found.scripts, path).toEqual(['/static/listindex.js']);
      expect(found.images, path).toBe(0);
      expect(found.handlers, path).toEqual([]);
      expect(found.badLinks, path).toEqual([]);
      for (const rel of found.outside) expect(rel.split(' ').sort(), path).toEqual(['nofollow', 'noopener']);
      if (path !== '/' && path !== '/project/evil/list/' && !path.startsWith('/?')) expect(found.text, path).toContain("<script>window.__pwned='");
      await page.screenshot({ path: join(shots, `${String(++n).padStart(2, '0')}.png`), fullPage: true });
    }
    expect(dialogs).toEqual([]);

    // Subjects, names, bodies, trailers and diffs show as text, bidi controls as visible code points.
    await page.goto(`${served.url}/project/evil/patch/${bare('patch')}/`);
    const h1 = await page.locator('h1').innerText();
    expect(h1).toContain(`${SCRIPT('subject')} ${IMG('subject')} [U+202E]cod`);
    const text = await page.locator('main').innerText();
    expect(text).toContain(`Hello ${SCRIPT('body')}`);
    expect(text).toContain(`Signed-off-by: ><img src=x onerror=window.__pwned='name'> Mallory ${SCRIPT('name')} <mallory@evil.example> (in the patch)`);
    expect(text).toContain('Reviewed-by: Reviewer <rev@evil.example> (from a reply)');
    expect(text).toContain('A file named [U+202E]txt.exe');
    expect(await page.locator('.d2h-file-wrapper').innerText()).toContain(SCRIPT('diff'));
    expect(await page.locator('.d2h-file-wrapper').innerText()).toContain('/* [U+202E] */');
    // The commands to copy give the shell the Message-Id and URL as they are, quotes and all.
    const [, b4, curl] = await page.locator('.commands code').allTextContents();
    const words = (command: string) => execFileSync('sh', ['-c', `printf '%s\\n' ${command}`]).toString();
    expect(words(b4.replace(/^b4 am -P _ /, ''))).toBe(`${PATCH_ID}\n`);
    expect(words(curl.replace(/^curl -s /, '').replace(/ \| git am$/, ''))).toBe(`${served.url}/project/evil/patch/${bare('patch')}/mbox/\n`);
    expect(await page.locator('table.files code').innerText()).toBe('src/<img src=x onerror=alert(1)>.c');
    const outside = await page.locator('main a[href^="https://example.com/"]').first();
    expect(await outside.getAttribute('rel')).toBe('nofollow noopener');
    await page.goto(`${served.url}/?q=${q}`);
    expect(await page.locator('input[name=q]').inputValue()).toBe(`${IMG('q')}${SCRIPT('q')}`);
    await context.close();
  }, 120_000);

  it('sends a CSP that forbids inline script on every page, and the page obeys it', async () => {
    const answer = await fetch(`${served.url}/project/evil/list/`);
    const csp = answer.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("default-src 'none'");
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    await page.goto(`${served.url}/project/evil/list/`);
    // A script added as markup after load (as an unescaped body would be) is refused.
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<img src="/static/none" onerror="window.__pwned=1">');
      const s = document.createElement('script');
      s.textContent = 'window.__pwned = 2';
      document.body.append(s);
    });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null)).toBeNull();
    expect(violations.some((v) => /Content Security Policy/.test(v))).toBe(true);
    await context.close();
  }, 60_000);
});
