import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { CLI, ROOT } from './run-cli.js';

const shebang = (file: string) => readFileSync(file, 'utf8').split('\n', 1)[0];

describe('node options of the listindex command', () => {
  it('are the ones the benchmark measures with, in the source and the build', () => {
    const expected = `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`;
    expect(shebang(join(ROOT, 'src/cli/main.ts'))).toBe(expected);
    expect(shebang(CLI)).toBe(expected);
  });

  it('are accepted by node and take effect', () => {
    const args = shebang(CLI).replace('#!/usr/bin/env -S node', '').trim().split(/\s+/);
    const run = spawnSync(process.execPath, [...args, CLI, '--version'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The young generation's half is what the flag says (V8 reports its capacity in bytes).
    const probe = `for (let i = 0, keep = []; i < 2e6; i++) { keep.push({ i }); if (keep.length > 1e5) keep.length = 0; }
      const t = require('node:v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
      console.log(t.space_size)`;
    const heap = spawnSync(process.execPath, [...args, '-e', probe], { encoding: 'utf8' });
    const semiMb = Number(/--max-semi-space-size=(\d+)/.exec(args.join(' '))![1]);
    expect(Number(heap.stdout.trim())).toBeLessThanOrEqual(2 * semiMb * 1024 * 1024);
    // The old generation's bound, which V8's collection heuristics scale with.
    const oldMb = Number(/--max-old-space-size=(\d+)/.exec(args.join(' '))![1]);
    const limit = spawnSync(process.execPath, [...args, '-e', 'console.log(require("node:v8").getHeapStatistics().heap_size_limit)'], { encoding: 'utf8' });
    expect(Number(limit.stdout.trim())).toBeGreaterThanOrEqual(oldMb * 1024 * 1024);
    expect(Number(limit.stdout.trim())).toBeLessThanOrEqual((oldMb + 4 * semiMb) * 1024 * 1024);
  });
});
