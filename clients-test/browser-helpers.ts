/**
 * For the browser tests: a real `listindex serve` (the built CLI, a free port on 127.0.0.1)
 * and Debian's Chromium driven by playwright-core, with axe-core's accessibility check.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { CLI, ROOT } from '../test/cli/run-cli.js';

export const CHROMIUM = process.env.LISTINDEX_CHROMIUM ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `listindex serve --port 0` and waits for the line that names its URL. */
export function serve(db: string): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`listindex serve did not start in 20 s: ${err}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`listindex serve exited ${code}: ${err}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: m[1],
        child,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

/** A folder for screenshots that outlives the test (to look at), printed once. */
export function screenshotDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `listindex-${name}-`));
  console.log(`screenshots: ${dir}`);
  return dir;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core's WCAG A/AA rules (labels, headings, landmarks, contrast) on the page as shown.
 * Evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } });
    return result.violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
