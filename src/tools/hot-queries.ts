/**
 * The documented queries that read the large tables, as docs/schema.md gives them (the same text:
 * test/store/query-plan.test.ts checks it): the query-plan test checks that each reads through
 * an index, and the benchmark times them on a large index. `onGeneratedArchive` puts the
 * generator's names in place of the documentation's.
 */
export const HOT_QUERIES = {
  messageById: `SELECT * FROM messages WHERE msgid = '<20250410082616.1855860-1-daniel.lezcano@linaro.org>'`,
  messagesPerMonth: `SELECT l.list_id, substr(m.date, 1, 7) AS month, count(*) AS messages
    FROM lists l JOIN messages m ON m.list_id = l.id
    WHERE m.date >= date((SELECT max(date) FROM messages), 'start of month', '-11 months') GROUP BY 1, 2 ORDER BY 1, 2`,
  foldedFields: `SELECT h.name, count(*) FROM messages m CROSS JOIN headers h ON h.message_id = m.id
    WHERE m.date >= date((SELECT max(date) FROM messages), '-30 days') AND h.folding LIKE '%n%'
    GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
  patchMailers: `SELECT h.value AS mailer, count(*) FROM messages m CROSS JOIN headers h ON h.message_id = m.id
    WHERE m.kind = 'patch' AND m.date >= date((SELECT max(date) FROM messages), '-30 days')
    AND h.name = 'X-Mailer' COLLATE NOCASE GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
  relays: `SELECT r.by_host, count(*) AS messages, min(r.date) AS first_seen FROM messages m CROSS JOIN received r ON r.message_id = m.id
    WHERE m.date >= date((SELECT max(date) FROM messages), '-30 days') GROUP BY r.by_host ORDER BY messages DESC LIMIT 10`,
  repliesTo: `SELECT m.date, m.sender, m.subject FROM message_references r JOIN messages m ON m.id = r.message_id
    WHERE r.header = 'in-reply-to' AND r.msgid = '<agenda-2024-03-06@navy.example.mil>'`,
  largestAttachments: `SELECT m.subject, a.filename, a.content_type, a.size FROM attachments a
    JOIN messages m ON m.id = a.message_id ORDER BY a.size DESC LIMIT 10`,
  openSeriesOfSubmitter: `SELECT s.id, s.date, s.version, s.received_total || '/' || s.total AS got, s.name
    FROM series s JOIN people p ON p.id = s.submitter_id
    WHERE p.email = 'daniel.lezcano@linaro.org' AND s.latest_id = s.id ORDER BY s.date DESC`,
  crossPosted: `SELECT s.key_msgid, group_concat(l.list_id, ' ') AS lists FROM series s CROSS JOIN lists l ON l.id = s.list_id
    WHERE s.date >= date((SELECT max(date) FROM series), '-30 days') GROUP BY s.key_msgid HAVING count(*) > 1`,
  seriesMissingReview: `SELECT s.id, s.date, s.name FROM series s WHERE s.latest_id = s.id AND NOT EXISTS (
      SELECT 1 FROM patches p JOIN trailers t ON t.patch_id = p.message_id
      WHERE p.series_id = s.id AND t.name IN ('Reviewed-by', 'Acked-by'))
    ORDER BY s.date DESC LIMIT 50`,
  patchesOfSeries: `SELECT p.number, p.name, m.diff_hash FROM patches p JOIN messages m ON m.id = p.message_id
    WHERE p.series_id = 12 ORDER BY p.number`,
  discussionOfPatch: `SELECT m.date, m.sender, m.body FROM comments c JOIN messages m ON m.id = c.message_id
    WHERE c.patch_id = (SELECT id FROM messages WHERE msgid = '<20250410082616.1855860-2-daniel.lezcano@linaro.org>')
    ORDER BY m.date`,
  patchesTouchingFile: `SELECT m.date, pa.name FROM patch_files f JOIN patches pa ON pa.message_id = f.message_id
    JOIN messages m ON m.id = f.message_id WHERE f.path = 'drivers/watchdog/watchdog_dev.c' ORDER BY m.date`,
  newestSeries: `SELECT id, date, submitter_name, 'v' || version, received_total || '/' || total, name
    FROM series_overview ORDER BY date DESC LIMIT 20`,
  messagesInSeveralFiles: `SELECT m.msgid, (SELECT count(DISTINCT o.source_id) FROM occurrences o WHERE o.message_id = m.id) AS files
    FROM messages m WHERE m.date >= date((SELECT max(date) FROM messages), '-30 days') AND files > 1`,
  fullTextFunction: `SELECT m.date, m.subject FROM messages_fts f JOIN messages m ON m.id = f.rowid
    WHERE messages_fts MATCH 'watchdog_register_device' ORDER BY rank LIMIT 20`,
  newestOfList: `SELECT date, from_name, subject FROM message_overview WHERE list_id = 'linux-watchdog.vger.kernel.org'
    ORDER BY date DESC LIMIT 20`,
  missingParent: `SELECT * FROM ghost_references WHERE msgid = '<20250410082616.1855860-1-daniel.lezcano@linaro.org>'`,
  missingParents: `SELECT r.msgid, count(*) AS referenced_by FROM messages m CROSS JOIN message_references r ON r.message_id = m.id
    WHERE m.date >= date((SELECT max(date) FROM messages), '-30 days')
    AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.msgid = r.msgid) GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
  slowestRelays: `SELECT by_host, count(*) AS hops, avg(delay_seconds) AS avg_delay FROM received_delays
    WHERE message_id IN (SELECT id FROM messages WHERE date >= date((SELECT max(date) FROM messages), '-30 days'))
    GROUP BY by_host HAVING hops > 10 ORDER BY avg_delay DESC LIMIT 10`,
  partlyApplied: `SELECT s.id, s.name, x.accepted || '/' || x.patches AS applied FROM series s JOIN series_state x ON x.series_id = s.id
    WHERE s.date >= date((SELECT max(date) FROM series), '-90 days') AND x.state = 'partly accepted' AND s.latest_id = s.id
    ORDER BY s.date DESC`,
  missingPatches: `SELECT s.id, s.name, (SELECT group_concat(x.number) FROM series_missing x WHERE x.series_id = s.id) AS missing
    FROM series s WHERE s.received_all = 0 AND s.date >= date((SELECT max(date) FROM series), '-30 days')`,
};

/**
 * A hot query with the generated archive's names for the documentation's: its list, a submitter
 * with many series, a word in a tenth of its patches (it has no C function names), one of its
 * files, and for every Message-Id the one given (the bench gives the message with the most direct replies).
 */
export function onGeneratedArchive(sql: string, msgid: string): string {
  return sql.replaceAll("'linux-watchdog.vger.kernel.org'", "'dev.lists.example.org'")
    .replaceAll("'daniel.lezcano@linaro.org'", "'ada@example.org'")
    .replaceAll("'watchdog_register_device'", "'boot'")
    .replaceAll("'drivers/watchdog/watchdog_dev.c'", "'src/file10.c'")
    .replace(/'<[^'>]+>'/g, `'${msgid.replaceAll("'", "''")}'`);
}
