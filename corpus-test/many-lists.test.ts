/**
 * Real lists in one index: linux-watchdog (the whole archive), netdev and linux-kernel (the
 * Patchwork series fixtures that carry their List-Id), and a netdev series cross-posted to
 * linux-kernel (the same mails, delivered again with linux-kernel's List-Id, as lore holds a
 * series sent to both). Each list has exactly the series it has when imported alone, and the
 * cross-posted series is a series of both lists, as Patchwork creates it in both projects.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../src/import/pipeline.js';
import { openDatabase } from '../src/store/database.js';
import { corpusFile } from './corpus-path.js';
import { seriesByList } from '../test/helpers/list-series.js';
import { tempDir } from '../test/helpers/temp-dir.js';

const WATCHDOG = 'linux-watchdog.vger.kernel.org';
const NETDEV = 'netdev.vger.kernel.org';
const LKML = 'linux-kernel.vger.kernel.org';
const CROSS_POSTED = 'base-different-versions.mbox';

let dir: string;
const inputs = new Map<string, string[]>();
const alone = new Map<string, string>();
let together: string;

async function importInto(db: string, paths: string[]): Promise<void> {
  const index = openDatabase(db);
  try {
    await importPaths(index, paths);
  } finally {
    index.close();
  }
}

beforeAll(async () => {
  dir = tempDir('listindex-corpus-lists-');
  const series = (name: string) => corpusFile('patchwork', 'series', name);
  const crossPosted = join(dir, `lkml-${CROSS_POSTED}`);
  const netdevCopy = readFileSync(series(CROSS_POSTED), 'latin1');
  expect(netdevCopy.match(/^List-ID: <netdev\.vger\.kernel\.org>$/gim)?.length).toBeGreaterThan(1);
  writeFileSync(crossPosted, netdevCopy.replace(/^List-ID: <netdev\.vger\.kernel\.org>$/gim, `List-ID: <${LKML}>`), 'latin1');
  inputs.set(WATCHDOG, [corpusFile('lists', 'linux-watchdog.mboxrd.gz')]);
  inputs.set(NETDEV, ['base-different-versions.mbox', 'base-no-references.mbox', 'bugs-multiple-content-types.mbox',
    'revision-unlabeled-noreferences.mbox'].map(series));
  inputs.set(LKML, [...['base-no-references-no-cover.mbox', 'bugs-multiple-references.mbox'].map(series), crossPosted]);
  together = join(dir, 'together.db');
  for (const [list, paths] of inputs) {
    alone.set(list, join(dir, `${list}.db`));
    await importInto(alone.get(list)!, paths);
    await importInto(together, paths);
  }
}, 600_000);

describe('real lists in one index', () => {
  it('gives each list exactly the series it gets when imported alone', () => {
    const all = seriesByList(together);
    expect([...all.keys()].sort()).toEqual([LKML, WATCHDOG, NETDEV].sort());
    for (const list of inputs.keys()) {
      const own = seriesByList(alone.get(list)!);
      expect([...own.keys()], list).toEqual([list]);
      expect(all.get(list), list).toEqual(own.get(list));
    }
    expect(all.get(WATCHDOG)!.length).toBeGreaterThan(1000);
  });

  it('has the cross-posted series in both lists, alike', () => {
    const all = seriesByList(together);
    const keys = (list: string) => new Set(all.get(list)!.map((s) => s.key));
    const both = [...keys(NETDEV)].filter((k) => keys(LKML).has(k));
    expect(both.length).toBeGreaterThan(0);
    for (const key of both) expect(all.get(LKML)!.find((s) => s.key === key)).toEqual(all.get(NETDEV)!.find((s) => s.key === key));
  });
});
