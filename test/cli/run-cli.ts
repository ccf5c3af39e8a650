/** Runs the built CLI (`dist/cli/main.js`) as a child process, and small helpers for CLI tests. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/main.js');

export interface CliResult {
  status: number | null;
  stdout: Buffer;
  /** stdout as UTF-8 text. */
  out: string;
  err: string;
}

export function cli(args: string[], options: { input?: Buffer | string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input ?? '', cwd: options.cwd ?? ROOT, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

/** Runs the CLI and fails with its stderr when the exit code is not the expected one. */
export function cliOk(args: string[], options: { input?: Buffer | string; cwd?: string; status?: number } = {}): CliResult {
  const r = cli(args, options);
  if (r.status !== (options.status ?? 0)) {
    throw new Error(`listindex ${args.join(' ')} exited ${r.status}, expected ${options.status ?? 0}\n${r.err}`);
  }
  return r;
}

/** Opens an index read-only, runs `fn`, closes it. */
export function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A stack-trace frame (`    at fn (file:line)`): errors must never show one. */
export const STACK_FRAME = /^\s+at .+[:(]/m;
