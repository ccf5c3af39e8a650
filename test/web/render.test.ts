/**
 * The web pages as the server's routes answer them, on a real index of samples/ (and a
 * 30-patch series written here): dispatch, headers, escaping, quote folding, links, shell
 * quoting, the revision table, and page weight.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIndex } from '../../src/api/open-index.js';
import type { ListIndex } from '../../src/api/open-index.js';
import { handle } from '../../src/server/routes.js';
import type { ServeResponse } from '../../src/server/routes.js';
import { shellWord } from '../../src/web/commands.js';
import { Html, escapeText, html } from '../../src/web/html.js';
import { mailText } from '../../src/web/mail-text.js';
import { renderWebPage } from '../../src/web/routes.js';
import { cliOk } from '../cli/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const BASE = 'http://127.0.0.1:8000';
let index: ListIndex;

/** A 30-patch series: what the page-weight and render-time figures are about. */
function longSeries(): string {
  let out = '';
  const mail = (n: number, subject: string, body: string) => `From mboxrd@z Thu Jan  1 00:00:00 1970
From: Ada Lovelace <ada@example.org>
Subject: ${subject}
Date: Tue, 2 Jul 2024 10:${String(n).padStart(2, '0')}:00 +0000
Message-Id: <long.${n}@example.org>
${n ? 'In-Reply-To: <long.0@example.org>\nReferences: <long.0@example.org>\n' : ''}List-Id: <dev.lists.example.org>

${body}

`;
  out += mail(0, '[PATCH 00/30] mem: a long series', 'Thirty patches.\n\nAda Lovelace (30):\n  ...');
  for (let n = 1; n <= 30; n++) {
    out += mail(n, `[PATCH ${String(n).padStart(2, '0')}/30] mem: step ${n}`, `Step ${n}.

Signed-off-by: Ada Lovelace <ada@example.org>
---
diff --git a/src/long${n}.c b/src/long${n}.c
index 0000001..0000002 100644
--- a/src/long${n}.c
+++ b/src/long${n}.c
@@ -1,3 +1,3 @@
 /* 1 */
-/* 2 */
+/* 2: step ${n} */
 /* 3 */
-- 
2.43.0`);
  }
  return out;
}

beforeAll(() => {
  const dir = tempDir('listindex-web-render-');
  const db = join(dir, 'samples.db');
  writeFileSync(join(dir, 'long.mbox'), longSeries());
  cliOk(['import', 'samples', join(dir, 'long.mbox'), '--db', db]);
  index = openIndex(db, { readonly: true });
}, 60_000);

afterAll(() => index?.close());

const get = (url: string, method = 'GET'): ServeResponse => handle(index, { method, url, baseUrl: BASE, body: '' });
const text = (r: ServeResponse) => (typeof r.body === 'string' ? r.body : r.body.toString('utf8'));

describe('escaping', () => {
  it('escapes markup and quotes, and shows bidi controls as code points', () => {
    expect(escapeText(`<a href="x" onclick='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeText('a\u202Eb\u2066c')).toBe('a<span class="ctl" title="a bidirectional control character">[U+202E]</span>b<span class="ctl" title="a bidirectional control character">[U+2066]</span>c');
    expect(html`<p title="${'"x"'}">${'<b>'}${new Html('<i>ok</i>')}${[1, '<', null, false]}</p>`.text).toBe('<p title="&quot;x&quot;">&lt;b&gt;<i>ok</i>1&lt;</p>');
  });

  it('folds long quotes, links only http(s) addresses, with rel="nofollow noopener"', () => {
    const out = mailText('On Monday:\n> a\n> b\n> c\n> d\nReply.\n> short\nSee https://example.com/x?a=1&b=2. Or javascript:alert(1) or data:text/html,x\n').text;
    expect(out).toContain('<details class="quote"><summary>4 quoted lines</summary><pre>&gt; a\n&gt; b\n&gt; c\n&gt; d</pre></details>');
    expect(out).toContain('<pre class="quoted">&gt; short</pre>');
    expect(out).toContain('<a href="https://example.com/x?a=1&amp;b=2" rel="nofollow noopener">https://example.com/x?a=1&amp;b=2</a>.');
    expect(out.match(/<a /g)).toHaveLength(1);
    expect(out).toContain('javascript:alert(1)');
  });

  it('quotes words for the shell so that sh reads them back unchanged', () => {
    for (const word of ['plain@example.org', `it's "quoted" $(rm -rf ~); \`x\` \\ *`, "''", 'a\nb', '-n']) {
      expect(execFileSync('sh', ['-c', `printf '%s' ${shellWord(word)}`]).toString()).toBe(word);
    }
  });
});

describe('routes', () => {
  it('answers pages as HTML with a CSP that allows no inline script', () => {
    for (const url of ['/', '/project/dev/list/', '/project/dev/list/?state=open&submitter=Grace&q=watchdog', '/project/dev/series/82/', '/project/dev/list/?series=82']) {
      const r = get(url);
      expect(r.status, url).toBe(200);
      expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
      expect(r.headers['Content-Security-Policy']).toContain("script-src 'self'");
      expect(r.headers['Content-Security-Policy']).not.toContain('unsafe-inline');
      expect(text(r)).not.toMatch(/<script>|style="|\son[a-z]+=/);
    }
    expect(get('/project/nope/list/').status).toBe(404);
    expect(get('/project/dev/series/999999/').status).toBe(404);
    expect(get('/project/dev/patch/no-such@example.org/').status).toBe(404);
  });

  it('serves the assets by name only', () => {
    expect(get('/static/listindex.js').headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(text(get('/static/diff2html.css'))).toContain('.d2h-wrapper');
    expect(get('/static/..%2Fpackage.json').status).toBe(404);
    expect(get('/static/package.json').status).toBe(404);
  });

  it('answers a permalink GET with the thread page, and keeps HEAD, raw, t.mbox.gz and the API as they were', () => {
    const msgid = 'long.3@example.org';
    const page = get(`/all/${msgid}/`);
    expect(page.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(text(page)).toContain('<article class="message focus"');
    // The cover and the thirty patches, each under the cover.
    expect(text(page).match(/<article /g)).toHaveLength(31);
    expect(get(`/dev/${msgid}/`).status).toBe(200);
    expect(get(`/all/${msgid}/`, 'HEAD')).toEqual({ status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: `${msgid}\n` });
    expect(get('/all/missing@example.org/', 'HEAD').status).toBe(404);
    expect(get('/all/missing@example.org/').status).toBe(404);
    expect(text(get(`/all/${msgid}/raw`))).toContain('Subject: [PATCH 03/30] mem: step 3');
    expect(gunzipSync(get(`/all/${msgid}/t.mbox.gz`).body as Buffer).toString()).toContain('Subject: [PATCH 30/30]');
    expect(get('/api/1.3/').headers['Content-Type']).toBe('application/json');
    expect(text(get('/project/dev/patch/long.3@example.org/mbox/'))).toContain('Subject: [PATCH 03/30] mem: step 3');
  });
});

describe('pages', () => {
  it('a series page shows each patch\'s diff against the revision before, by diff hash', () => {
    const revisions = index.seriesRevisions(82);
    expect(revisions.map((r) => r.series.version)).toEqual([1, 2, 3]);
    const html = text(get('/project/dev/series/81/'));
    // Each cell compares with the same patch number one revision earlier.
    for (const n of [1, 2]) {
      const [v1, v2] = [revisions[0], revisions[1]].map((r) => r.patches.find((p) => p.number === n)!);
      const word = v1.diff_hash === v2.diff_hash ? 'unchanged' : 'changed';
      expect(html).toContain(`<tr><th scope="row">${n}</th><td><a href="/project/dev/patch/${encodeURIComponent(v1.msgid.slice(1, -1))}/" class="added">first</a></td><td><a href="/project/dev/patch/${encodeURIComponent(v2.msgid.slice(1, -1))}/" class="${word === 'changed' ? 'changed' : 'same'}">${word}</a></td>`);
    }
    expect(html).toContain('<li class="current" aria-current="page">v2</li>');
  });

  it('a list page and a 30-patch series page weigh under 200 KB', () => {
    const list = get('/');
    expect(Buffer.byteLength(text(list))).toBeLessThan(200 * 1024);
    expect(text(list).match(/<tr data-nav>/g)).toHaveLength(50);
    const id = index.seriesList({ q: ['a long series'] }).items[0].series.id;
    const series = renderWebPage(index, `/project/dev/series/${id}/`)!;
    expect(series.status).toBe(200);
    expect(Buffer.byteLength(text(series))).toBeLessThan(200 * 1024);
    const names = [...text(series).matchAll(/<li value="(\d+)" data-nav>/g)].map((m) => Number(m[1]));
    expect(names).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('the list filters by list, submitter, open revisions and a phrase of the full-text index, in stable URLs', () => {
    const rows = (url: string) => [...text(get(url)).matchAll(/<tr data-nav>\n<td><a href="[^"]+">([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(rows('/?q=watchdog_set_timeout')).toEqual([]);
    expect(rows('/?q=a+long+series')).toEqual(['mem: a long series']);
    // Anything typed is a phrase, never FTS5 syntax; a NUL (which ends SQLite's FTS5 string) is no error.
    for (const q of ['%22', '*', 'NEAR(a+b)', 'x%22+OR+%22y', '%00', 'a%00b']) expect(get(`/?q=${q}`).status, q).toBe(200);
    const open = text(get('/project/dev/list/?submitter=Grace&state=open'));
    expect(open).not.toContain('state-superseded');
    expect(open).toContain('Grace Hopper');
    expect(text(get('/'))).toContain('<a rel="next" href="/?page=2">');
    expect(text(get('/?project=dev&submitter=Grace&state=open&page=2'))).toContain('<a rel="prev" href="/?project=dev&amp;submitter=Grace&amp;state=open">');
  });
});
