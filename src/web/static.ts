/**
 * The pages' stylesheet and script, served from this module under fixed names: a request names
 * one of these keys, never a file. diff2html's stylesheet is read once from its package.
 * The script only enhances (j/k to move between rows or messages, o or Enter to open, q to
 * fold or unfold every quote, a Copy button on each command); every page works without it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const CSS = `:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --accent: #0a58ca;
  --row: #f6f8fa; --focus: #fff3c4; --ok: #116329; --warn: #8a4600; --code: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9ba6b2; --line: #3d444d; --accent: #6cb6ff;
  --row: #161b22; --focus: #3a3000; --ok: #56d364; --warn: #f0b72f; --code: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; flex-wrap: wrap; gap: .3em 1.2em; align-items: baseline; padding: .6em 1em; border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
main { padding: .5em 1em 2em; max-width: 75em; }
h1 { font-size: 1.35em; margin: .4em 0; overflow-wrap: anywhere; }
h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
.meta { color: var(--muted); }
.meta a { color: inherit; }
pre, code, kbd { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.mail pre.quoted, .quote pre { color: var(--muted); }
details.quote summary { cursor: pointer; color: var(--muted); font-size: .9em; }
.ctl { background: var(--warn); color: var(--bg); font: 11px ui-monospace, monospace; padding: 0 .2em; border-radius: 3px; }
table.list { border-collapse: collapse; width: 100%; }
table.list th, table.list td { text-align: left; padding: .35em .5em; border-bottom: 1px solid var(--line); vertical-align: top; }
table.list th { font-weight: 600; white-space: nowrap; }
table.list td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.list tbody tr:nth-child(even) { background: var(--row); }
.focused, table.list tbody tr.focused { background: var(--focus); outline: 2px solid var(--accent); }
form.filters { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: end; margin: .5em 0 1em; }
form.filters label { display: flex; flex-direction: column; font-size: .9em; color: var(--muted); }
input, select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: .25em .4em; }
button { cursor: pointer; }
nav.pages { display: flex; gap: 1em; margin: 1em 0; }
.state-superseded { color: var(--muted); }
.state-new { color: var(--ok); }
.commands pre { position: relative; background: var(--code); border: 1px solid var(--line); border-radius: 4px; padding: .5em 5.5em .5em .5em; margin: .3em 0; }
.commands button.copy { position: absolute; top: .25em; right: .25em; font-size: 12px; padding: .1em .5em; }
ol.timeline { list-style: none; display: flex; flex-wrap: wrap; gap: .3em; padding: 0; margin: .3em 0; }
ol.timeline li + li::before { content: "→ "; color: var(--muted); }
ol.timeline .current { font-weight: 700; }
.same { color: var(--muted); }
.changed { color: var(--warn); font-weight: 600; }
.added { color: var(--ok); }
ul.trailers { list-style: none; padding-left: 1em; margin: .2em 0; font-size: .93em; }
ul.trailers .origin { color: var(--muted); font-size: .9em; }
ol.patches > li { margin: .5em 0; }
article.message { border-left: 3px solid var(--line); padding: .3em 0 .3em .8em; margin: .8em 0; }
article.message.focus { border-left-color: var(--accent); }
article.message header { margin-bottom: .3em; overflow-wrap: anywhere; }
ul.thread { list-style: none; padding-left: 0; margin: 0; }
ul.thread ul.thread { padding-left: min(1.2em, 3vw); }
.files td:first-child { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
.d2h-wrapper { margin-top: .5em; }
/* diff2html's greys are too faint for WCAG AA contrast: its tag, hunk headers and line numbers. */
main .d2h-wrapper .d2h-tag { color: var(--warn); border-color: var(--warn); background: transparent; }
main .d2h-wrapper .d2h-info, main .d2h-wrapper .d2h-info .d2h-code-line, main .d2h-wrapper .d2h-code-linenumber,
main .d2h-wrapper .line-num1, main .d2h-wrapper .line-num2 { color: var(--muted); }
table.list th.num { text-align: right; }
@media (max-width: 40em) {
  main { padding: .3em .5em 2em; }
  table.list .wide { display: none; }
  /* The series list as cards: the name on its own line, the other columns after it. */
  table.series thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.series tr { display: block; padding: .4em .3em; border-bottom: 1px solid var(--line); }
  table.series td { display: inline; border: 0; padding: 0 .6em 0 0; }
  table.series td:first-child { display: block; padding-bottom: .2em; }
  table.series td[data-label]::before { content: attr(data-label) " "; color: var(--muted); }
}
`;

const SCRIPT = `(() => {
  'use strict';
  const rows = () => Array.from(document.querySelectorAll('[data-nav]'));
  let at = -1;
  function move(by) {
    const all = rows();
    if (!all.length) return;
    if (at >= 0 && all[at]) all[at].classList.remove('focused');
    at = Math.max(0, Math.min(all.length - 1, at + by));
    all[at].classList.add('focused');
    all[at].scrollIntoView({ block: 'nearest' });
  }
  // A Copy button beside each command (the text stays selectable without script).
  for (const pre of document.querySelectorAll('.commands pre')) {
    const command = pre.textContent;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy the command');
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(command).then(() => { button.textContent = 'Copied'; }, () => { button.textContent = 'Select and copy'; });
    });
    pre.append(button);
  }
  document.addEventListener('keydown', (event) => {
    const t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (event.key === 'j') move(1);
    else if (event.key === 'k') move(-1);
    else if ((event.key === 'o' || event.key === 'Enter') && at >= 0) {
      const link = rows()[at] && rows()[at].querySelector('a[href]');
      if (link) link.click();
    } else if (event.key === 'q') {
      const quotes = Array.from(document.querySelectorAll('details.quote'));
      const open = quotes.some((q) => !q.open);
      for (const q of quotes) q.open = open;
    }
  });
})();
`;

const require = createRequire(import.meta.url);

/** The assets by the name in their URL (`/static/<name>`). */
export const STATIC: ReadonlyMap<string, { type: string; body: string }> = new Map([
  ['listindex.css', { type: 'text/css; charset=utf-8', body: CSS }],
  ['listindex.js', { type: 'text/javascript; charset=utf-8', body: SCRIPT }],
  ['favicon.svg', { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0a58ca"/><path d="M4 4h2v6h6v2H4z" fill="#fff"/></svg>' }],
  ['diff2html.css', { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('diff2html/bundles/css/diff2html.min.css'), 'utf8') }],
]);
