/** Starts the real `listindex serve` (the built CLI) on a free loopback port for a test file. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/cli/main.js');
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running.splice(0)) child.kill('SIGTERM');
});

export interface TestServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  child: ChildProcess;
  /** What the server wrote to stderr so far. */
  stderr: () => string;
  stop(): Promise<number | null>;
}

export async function startServe(db: string, extra: string[] = []): Promise<TestServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`listindex serve did not start in 15 s: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / at (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`listindex serve exited ${code}: ${err}`)));
  });
  return {
    url, child, stderr: () => err,
    stop: () => new Promise((done) => {
      if (child.exitCode !== null) return done(child.exitCode);
      child.once('exit', (code) => done(code));
      child.kill('SIGTERM');
    }),
  };
}
