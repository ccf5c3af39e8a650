/**
 * A patch's diff is stored once, as a stretch of its body (schema step 13): `messages.diff` is
 * a generated column that must give exactly the diff the parser found, whatever characters come
 * before it, and an index made before the step must answer the same after it.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { patchFacts } from '../../src/import/prepare.js';
import { parseMessage } from '../../src/mail/parse-message.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { backToSchema } from '../helpers/old-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const DIFF = `---
 drivers/watchdog/wdt.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/drivers/watchdog/wdt.c b/drivers/watchdog/wdt.c
index 1111111..2222222 100644
--- a/drivers/watchdog/wdt.c
+++ b/drivers/watchdog/wdt.c
@@ -1,3 +1,3 @@
 /* caf\u00e9 \u{1F600} */
-int timeout = 30; /* \u6F22\u5B57 */
+int timeout = 60; /* \u{1D11E} */
 int nowayout;
`;

function mail(n: number, before: string, extra = ''): string {
  return `From dev@example.org Mon Jan  1 00:00:00 2024
From: Dev <dev@example.org>
To: list@example.org
Subject: [PATCH ${n}/3] watchdog: change timeout ${n}
Date: Mon, 1 Jan 2024 00:0${n}:00 +0000
Message-ID: <diff-${n}@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
${extra}
${before}

Signed-off-by: Dev <dev@example.org>
${DIFF}--
2.43.0

`;
}

// Characters outside the BMP count twice in a JS string and once in SQLite: before the diff,
// in it, and none at all.
const MAILS = [
  mail(1, 'Plain ASCII text before the diff.'),
  mail(2, 'Emoji \u{1F600}\u{1F680} and music \u{1D11E} before the diff, \u6F22\u5B57 too.'),
  mail(3, 'A lone surrogate \uD800 decoded from bad bytes, then the diff.'),
];

let db: SqliteDatabase;

beforeAll(async () => {
  const dir = tempDir('listindex-diff-');
  writeFileSync(join(dir, 'a.mbox'), MAILS.join(''));
  db = openDatabase(join(dir, 'diff.db'));
  await importPaths(db, [join(dir, 'a.mbox')], { workers: 0 });
});

async function expectedDiff(text: string): Promise<string> {
  const raw = Buffer.from(text.slice(text.indexOf('\n') + 1));
  const outcome = await parseMessage(raw, {});
  if (!outcome.ok) throw new Error(outcome.reason);
  return patchFacts(outcome.message).diff!;
}

describe('a diff stored as part of the body', () => {
  it('gives back exactly the diff the parser found, and stores no second copy', async () => {
    const rows = db.prepare(`SELECT msgid, diff, diff_text, diff_start, diff_length FROM messages ORDER BY msgid`).all() as
      { msgid: string; diff: string; diff_text: string | null; diff_start: number | null; diff_length: number | null }[];
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      expect(row.diff, row.msgid).toBe(await expectedDiff(MAILS[i]));
      expect(row.diff_text, row.msgid).toBeNull();
      expect(row.diff_start, row.msgid).toBeGreaterThan(1);
    }
  });

  it('is what an index made before schema 13 holds after the upgrade', () => {
    const path = db.name;
    const before = db.prepare('SELECT id, diff FROM messages ORDER BY id').raw().all();
    backToSchema(db, 12);
    expect(db.prepare('SELECT count(*) FROM messages WHERE diff IS NOT NULL').pluck().get()).toBe(3);
    db.close();
    db = openDatabase(path);
    expect(db.prepare('SELECT id, diff FROM messages ORDER BY id').raw().all()).toEqual(before);
    expect(db.prepare('SELECT count(*) FROM messages WHERE diff_text IS NOT NULL').pluck().get()).toBe(0);
  });
});
