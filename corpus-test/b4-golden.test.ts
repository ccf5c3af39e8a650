/**
 * b4 0.12 (Debian's, unmodified) against `listindex serve` on the real linux-watchdog archive:
 * `b4 am` of the NXP S32 watchdog series (v4 0/2) must write what b4 wrote from lore itself
 * (shared/corpus/lists/linux-watchdog-b4-golden/): the same cover, the same patches, and the
 * trailers it collected from the replies, per patch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusFile } from './corpus-path.js';
import { importPaths } from '../src/import/pipeline.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { startServe } from '../test/helpers/serve.js';
import type { TestServer } from '../test/helpers/serve.js';

const COVER = '20250410082616.1855860-1-daniel.lezcano@linaro.org';
const GOLDEN = 'v4_20250410_daniel_lezcano_add_the_nxp_s32_watchdog';

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = tempDir('listindex-b4-');
  const db = join(dir, 'watchdog.db');
  await importPaths(db, [corpusFile('lists', 'linux-watchdog.mboxrd.gz')]);
  server = await startServe(db);
}, 300_000);

const TRAILER = /^[A-Z][\w-]*-by: /;

/**
 * The trailer lines of each patch of an .mbx, sorted: b4 reads the thread back from its own
 * cache folder, so the order in which it adds reviewers' trailers is not the thread's.
 */
function trailersPerPatch(mbx: string): string[][] {
  return mbx.split(/^From git@z .*$/m).filter((p) => p.trim()).map((p) => p.split('\n').filter((l) => TRAILER.test(l)).sort());
}

const withoutTrailers = (mbx: string) => mbx.split('\n').filter((l) => !TRAILER.test(l)).join('\n');

describe('b4 am against listindex serve, on linux-watchdog', () => {
  it('writes the golden .mbx and .cover: same patches, same trailers collected from replies', () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: dir };
    const git = (args: string[]) => spawnSync('git', args, { cwd: repo, env });
    git(['init', '-q']);
    // b4 stops without an identity of its own.
    git(['config', 'user.name', 'Test Runner']);
    git(['config', 'user.email', 'runner@example.org']);
    git(['config', 'b4.midmask', `${server.url}/all/%s`]);
    git(['config', 'b4.linkmask', `${server.url}/all/%s`]);
    // DKIM checks need DNS, which this machine does not reach: the attestation is not what is tested.
    git(['config', 'b4.attestation-policy', 'off']);
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = spawnSync('b4', ['am', '-o', out, COVER], { cwd: repo, env, timeout: 120_000 });
    if (r.error) throw new Error(`b4 could not run (${r.error.message}): .ci/run installs it with apt-get`);
    expect(r.status, r.stdout.toString() + r.stderr.toString()).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual([`${GOLDEN}.cover`, `${GOLDEN}.mbx`]);
    const golden = (ext: string) => readFileSync(corpusFile('lists', 'linux-watchdog-b4-golden', `${GOLDEN}.${ext}`), 'utf8');
    const ours = (ext: string) => readFileSync(join(out, `${GOLDEN}.${ext}`), 'utf8');
    expect(trailersPerPatch(ours('mbx'))).toEqual(trailersPerPatch(golden('mbx')));
    expect(trailersPerPatch(ours('mbx'))).toEqual([
      ['Reviewed-by: Guenter Roeck <linux@roeck-us.net>', 'Reviewed-by: Rob Herring (Arm) <robh@kernel.org>', 'Signed-off-by: Daniel Lezcano <daniel.lezcano@linaro.org>'],
      ['Reviewed-by: Guenter Roeck <linux@roeck-us.net>', 'Signed-off-by: Daniel Lezcano <daniel.lezcano@linaro.org>',
        'Tested-by: Alexandru-Catalin Ionita <alexandru-catalin.ionita@nxp.com>'],
    ]);
    // Everything else, byte for byte: the commit messages, the diffs, the headers b4 keeps.
    expect(withoutTrailers(ours('mbx'))).toBe(withoutTrailers(golden('mbx')));
    // The cover letter as written, up to the blank lines that end it (b4 keeps one of the mbox's
    // separator lines there, and the archive's framing differs from lore's by one).
    expect(ours('cover').trimEnd()).toBe(golden('cover').trimEnd());
  });
});
