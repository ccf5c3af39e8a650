import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { documentedSchema } from '../helpers/doc-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const DOC = resolve(import.meta.dirname, '../../docs/schema.md');

// table_xinfo, not table_info: generated columns (messages.diff) are columns users read; the
// hidden columns of virtual tables (hidden = 1) are not.
function liveSchema(): Map<string, string[]> {
  const db = openDatabase(join(tempDir('listindex-'), 'schema.db'));
  const objects = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
    AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts_%' ORDER BY name`).pluck().all() as string[];
  const schema = new Map(objects.map((name) => [name, (db.pragma(`table_xinfo(${name})`) as { name: string; hidden: number }[])
    .filter((c) => c.hidden !== 1).map((c) => c.name)]));
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  db.close();
  return schema;
}

describe('docs/schema.md', () => {
  const live = liveSchema();
  const documented = documentedSchema(DOC);

  it('documents every table and view, and nothing that does not exist', () => {
    expect([...documented.keys()].sort()).toEqual([...live.keys()].sort());
  });

  for (const [name, columns] of live) {
    it(`lists exactly the columns of ${name}, in order`, () => {
      expect(documented.get(name)).toEqual(columns);
    });
  }

  it('gives an example query for every table and view', () => {
    const text = readFileSync(DOC, 'utf8');
    for (const name of live.keys()) {
      const section = text.split(`### \`${name}\``)[1]?.split('\n### ')[0] ?? '';
      expect(section, name).toMatch(/```sql\n[\s\S]*?\bSELECT\b/i);
    }
  });
});
