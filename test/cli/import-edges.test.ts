/**
 * `listindex import` at its edges, through the real CLI (issue 17, items 6 and 8): inputs that
 * hold no mail create no index and say so; Ctrl-C exits 130; the progress bar on a terminal
 * starts at once, shows an ETA, fits the terminal and ends at 100%.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive, toMboxrd } from '../../src/tools/archive-generator.js';
import { progressLine } from '../../src/cli/commands/import.js';
import type { ProgressFrame } from '../../src/cli/commands/import.js';
import { CLI, cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
/** ~5 MB of mail: an import that runs for a few seconds, long enough to interrupt and to show progress. */
let big: string;
let small: string;
beforeAll(() => {
  dir = tempDir('listindex-import-edges-');
  big = join(dir, 'big.mbox');
  writeFileSync(big, Buffer.concat([...generateArchive({ count: 4000, seed: 3 })].map(toMboxrd)));
  small = join(dir, 'small.mbox');
  writeFileSync(small, Buffer.concat([...generateArchive({ count: 20, seed: 4 })].map(toMboxrd)));
});

function expectOneLine(err: string, message: RegExp): void {
  expect(err).toMatch(message);
  expect(err).not.toMatch(STACK_FRAME);
  expect(err.trimEnd().split('\n')).toHaveLength(1);
}

describe('inputs without mail (item 6)', () => {
  it('a path that does not exist: one line, exit 1, and no index created', () => {
    const db = join(dir, 'missing.db');
    const r = cli(['import', join(dir, 'no-such.mbox'), '--db', db]);
    expectOneLine(r.err, /no-such\.mbox: cannot read input: no such file or directory: nothing imported/);
    expect(r.status).toBe(1);
    expect(existsSync(db)).toBe(false);
  });

  it('an empty folder: "no mail found", exit 1, and no index created', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const db = join(dir, 'empty.db');
    const r = cli(['import', empty, '--db', db]);
    expectOneLine(r.err, /no mail found in .*empty: nothing imported/);
    expect(r.status).toBe(1);
    expect(existsSync(db)).toBe(false);
  });

  it('a folder of files that are not mail: "no mail found", exit 1 (the file kept in rejects)', () => {
    const notes = join(dir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'todo.txt'), 'buy milk\n');
    const db = join(dir, 'notes.db');
    const r = cli(['import', notes, '--db', db, '-q']);
    expectOneLine(r.err, /no mail found in .*notes \(1 rejected as not mail: select \* from rejects\)/);
    expect(r.status).toBe(1);
    expect(withDb(db, (d) => d.prepare('select count(*) from rejects').pluck().get())).toBe(1);
  });

  it('an existing index and an empty folder: the index is not touched', () => {
    const db = join(dir, 'kept.db');
    cliOk(['import', small, '--db', db, '-q']);
    const before = readFileSync(db);
    const empty = join(dir, 'empty-2');
    mkdirSync(empty);
    expect(cli(['import', empty, '--db', db, '-q']).status).toBe(1);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(withDb(db, (d) => d.prepare('select count(*) from imports').pluck().get())).toBe(1);
  });
});

describe('Ctrl-C (item 8)', () => {
  it('stops the import after the current batch and exits 130, as the shell reports an interrupted command', async () => {
    const db = join(dir, 'interrupted.db');
    const child = spawn(process.execPath, [CLI, 'import', big, '--db', db, '-q', '--workers', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Interrupt once the first batches are written (the WAL exists), well before the end.
    const deadline = Date.now() + 20_000;
    while (!existsSync(`${db}-wal`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toMatch(/interrupted; run the same command again/);
    expect(err).not.toMatch(STACK_FRAME);
    expect(withDb(db, (d) => d.prepare('select status from imports').pluck().all())).toEqual(['interrupted']);
  });
});

describe('the progress bar (item 8)', () => {
  // cli-progress starts each frame with "cursor to column 1" and ends it with "clear to end of line".
  const frames = (text: string) => text.replace(/\x1b\[1G|\x1b\[0K/g, '\n').replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '') // eslint-disable-line no-control-regex
    .split(/[\r\n]+/).filter((f) => f.trim());

  it('on a 60-column terminal: starts at once, shows an ETA, reaches 100%, never wider than the terminal', () => {
    const db = join(dir, 'progress.db');
    const r = spawnSync('script', ['-qec', `stty cols 60 rows 20; '${process.execPath}' '${CLI}' import '${big}' --db '${db}' --workers 0 > /dev/null`, '/dev/null'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const shown = frames(r.stdout);
    expect(shown[0]).toMatch(/^looking for mail \[-+\] +0%/);
    expect(shown.some((f) => /^importing \[[=-]{10,}\] +\d+% ETA (\d+[hms]|--)/.test(f))).toBe(true);
    expect(shown.at(-1)).toMatch(/^imported \[=+\] 100% \| [\d,]+ messages$/);
    for (const frame of shown) expect(frame.length).toBeLessThan(60);
  });

  const frame: ProgressFrame = { phase: 'reading', fraction: 0.42, eta: 75, messages: 123456, rate: 2345, file: 'a-rather-long-archive-name-2024-01.mbox.gz' };

  it.each([20, 40, 60, 80, 120, 200])('progressLine fits %i columns', (width) => {
    for (const phase of ['starting', 'reading', 'linking', 'done'] as const) {
      expect(progressLine({ ...frame, phase }, width).length).toBeLessThan(width);
    }
  });

  it('progressLine says what it is doing, with an ETA while reading, and cuts the file name at its start', () => {
    expect(progressLine(frame, 160)).toBe('importing [=============-----------------]  42% ETA 1m15s | 123,456 messages | 2,345/s | a-rather-long-archive-name-2024-01.mbox.gz');
    expect(progressLine(frame, 100)).toMatch(/ETA 1m15s \| 123,456 messages \| 2,345\/s \| …[\w.-]+2024-01\.mbox\.gz$/);
    expect(progressLine({ ...frame, phase: 'linking', fraction: 1 }, 80)).toMatch(/^linking series \[=+\] 100% \| 123,456 messages$/);
    expect(progressLine({ ...frame, eta: null }, 120)).toContain('ETA --');
  });
});
