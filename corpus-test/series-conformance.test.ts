/**
 * Patchwork's own series fixtures: for each mbox, the same groups (cover + patches), the same
 * kind per message, the same names, versions and diff hashes as Patchwork v3.1.3 produced
 * (corpus/patchwork/expected/<name>.json).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { importPaths } from '../src/import/pipeline.js';
import { openDatabase } from '../src/store/database.js';
import { corpusDir } from './corpus-path.js';
import { seriesView, kindsView, groupKey } from './series-view.js';
import type { SeriesView } from './series-view.js';
import { tempDir } from '../test/helpers/temp-dir.js';

interface Expected {
  series: (Omit<SeriesView, 'patches'> & { patches: (SeriesView['patches'][number] & { date: string })[] })[];
  messages: Record<string, string>;
}

const dir = join(corpusDir(), 'patchwork/expected');
const cases = fg.sync('*.json', { cwd: dir }).map((f) => f.replace(/\.json$/, '')).sort();

describe('Patchwork series fixtures', () => {
  it('finds the 28 expected outputs', () => expect(cases.length).toBe(28));

  for (const name of cases) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Expected;
      const db = openDatabase(join(tempDir('listindex-series-'), 'x.db'));
      const summary = await importPaths(db, [join(corpusDir(), 'patchwork/series', `${name}.mbox`)], { workers: 0, listId: 'test0.example.com' });
      expect(summary.unreadable).toEqual([]);
      const ours = seriesView(db);
      const kinds = kindsView(db);
      db.close();

      expect(ours.map(groupKey).sort()).toEqual(expected.series.map(groupKey).sort());
      const byKey = new Map(ours.map((s) => [groupKey(s), s]));
      for (const e of expected.series) {
        const o = byKey.get(groupKey(e))!;
        expect({ name: o.name, version: o.version, total: o.total, received_all: o.received_all }, groupKey(e))
          .toEqual({ name: e.name, version: e.version, total: e.total, received_all: e.received_all });
        expect(o.patches.map(({ msgid, number, name, hash, pull_url }) => ({ msgid, number, name, hash, pull_url })))
          .toEqual(e.patches.map(({ msgid, number, name, hash, pull_url }) => ({ msgid, number, name, hash, pull_url })));
      }
      for (const [msgid, kind] of Object.entries(expected.messages)) expect(kinds.get(msgid), msgid).toBe(kind);
    });
  }
});
