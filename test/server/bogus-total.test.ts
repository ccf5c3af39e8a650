/**
 * A subject may claim any total ("[PATCH 1/99999999999]"): the series' mbox, its missing numbers
 * and the view that lists them answer as for any series, counting to MISSING_NUMBERS_MAX at most.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openIndex } from '../../src/api/open-index.js';
import { MISSING_NUMBERS_MAX } from '../../src/store/schema.js';
import { numberRanges } from '../../src/cli/commands/mbox.js';
import { seriesMbox } from '../../src/tools/series-mail.js';
import { cli, cliOk, withDb } from '../cli/run-cli.js';
import { startServe } from '../helpers/serve.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLAIMED = 99_999_999_999;
let db: string;
let id: number;

beforeAll(() => {
  const dir = tempDir('listindex-bogus-total-');
  const file = join(dir, 'list.mbox');
  writeFileSync(file, seriesMbox({ stem: 'huge', patches: 3, subject: 'claim a huge total', startMs: Date.UTC(2025, 0, 1) })
    .replaceAll('/3]', `/${CLAIMED}]`));
  db = join(dir, 'list.db');
  cliOk(['import', file, '--db', db, '-q']);
  id = withDb(db, (d) => d.prepare('SELECT id FROM series WHERE total = ?').pluck().get(CLAIMED) as number);
});

describe('a series whose subject claims a total of billions', () => {
  it('has its mbox served, with its patches, as any series has', async () => {
    const server = await startServe(db, ['--timeout', '5']);
    const r = await fetch(`${server.url}/series/${id}/mbox/`, { signal: AbortSignal.timeout(8_000) });
    expect(r.status).toBe(200);
    const mbox = await r.text();
    expect(mbox.match(/^Subject: \[PATCH 1\//m)).not.toBeNull();
    expect(mbox.match(/^Subject: \[PATCH 3\//m)).not.toBeNull();
    await server.stop();
  });

  it('lacks the numbers after its patches up to MISSING_NUMBERS_MAX, in the library and in the view', () => {
    const index = openIndex(db, { readonly: true });
    try {
      const found = index.seriesMbox(id)!;
      expect(found.missing).toHaveLength(MISSING_NUMBERS_MAX - 3);
      expect(found.missing[0]).toBe(4);
      expect(found.missing.at(-1)).toBe(MISSING_NUMBERS_MAX);
      const view = index.db.prepare('SELECT number FROM series_missing WHERE series_id = ? ORDER BY number').pluck().all(id);
      expect(view).toEqual(found.missing);
    } finally {
      index.close();
    }
  });

  it('is said to lack "4-9999" by `listindex mbox`, not ten thousand numbers', () => {
    const r = cli(['mbox', '--db', db, `series/${id}`]);
    expect(r.status).toBe(0);
    expect(r.err).toContain(`3 of ${CLAIMED} patches; missing 4-${MISSING_NUMBERS_MAX}`);
  });

  it('writes runs of numbers as ranges', () => {
    expect(numberRanges([1, 2, 3, 5, 7, 8])).toBe('1-3, 5, 7-8');
    expect(numberRanges([4])).toBe('4');
    expect(numberRanges([])).toBe('');
  });
});
