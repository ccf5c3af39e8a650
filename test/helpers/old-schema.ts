/**
 * An index as an older release left it: undoes the schema steps after `version`, newest first,
 * and sets user_version, so that a test can check what the upgrade does. One list for every
 * test: a new schema step adds its undo here.
 */
import type { Database } from 'better-sqlite3';

const UNDO: Record<number, string> = {
  6: 'DROP TABLE link_facts;',
  // Step 7 declared the FTS table again; undoing it to the old declaration is the sqlite-utils test's own business.
  7: '',
  8: 'ALTER TABLE occurrences DROP COLUMN line_ends; ALTER TABLE sources DROP COLUMN replaced_by_import;',
  9: 'ALTER TABLE covers DROP COLUMN total; ALTER TABLE covers DROP COLUMN version;',
  10: 'DROP TABLE purged_messages; DROP TABLE purges; ALTER TABLE sources DROP COLUMN git_commit;',
  12: 'DROP INDEX messages_import;',
  13: `UPDATE messages SET diff_text = substr(body, diff_start, diff_length) WHERE diff_start IS NOT NULL;
    ALTER TABLE messages DROP COLUMN diff; ALTER TABLE messages DROP COLUMN diff_start;
    ALTER TABLE messages DROP COLUMN diff_length; ALTER TABLE messages RENAME COLUMN diff_text TO diff;`,
  14: `DROP INDEX series_list; CREATE TABLE series_after_14 AS SELECT * FROM series; DROP TABLE series;
    CREATE TABLE series (id INTEGER PRIMARY KEY, list_id INTEGER REFERENCES lists(id), name TEXT, date TEXT,
      submitter_id INTEGER REFERENCES people(id), version INTEGER NOT NULL, version_text TEXT, total INTEGER NOT NULL,
      received_total INTEGER NOT NULL, received_all INTEGER NOT NULL, rfc INTEGER NOT NULL, cover_id INTEGER REFERENCES messages(id),
      previous_id INTEGER REFERENCES series(id), next_id INTEGER REFERENCES series(id), latest_id INTEGER REFERENCES series(id),
      change_id TEXT, key_msgid TEXT NOT NULL UNIQUE);
    INSERT INTO series SELECT * FROM series_after_14; DROP TABLE series_after_14;
    CREATE INDEX series_submitter ON series(submitter_id, date); CREATE INDEX series_date ON series(date);
    DROP INDEX link_facts_msgid; CREATE INDEX link_facts_msgid ON link_facts(msgid) WHERE duplicate = 0;`,
  15: `DROP TABLE link_series; DROP TABLE link_references; DROP TABLE link_subject_tags; DROP TABLE link_trailer_senders; DROP INDEX covers_name;
    DROP INDEX series_change_id; DELETE FROM settings WHERE key IN ('linked_position', 'linked_count');`,
  16: 'ALTER TABLE headers DROP COLUMN folding;',
  17: `DROP INDEX attachments_size; DROP INDEX series_total; DROP VIEW series_state; DROP VIEW series_missing;
    CREATE VIEW series_state AS SELECT s.id AS series_id, count(p.message_id) AS patches, count(p.commit_ref) AS accepted,
      CASE WHEN count(p.commit_ref) = 0 THEN NULL WHEN count(p.commit_ref) = count(p.message_id) THEN 'accepted'
      ELSE 'partly accepted' END AS state FROM series s LEFT JOIN patches p ON p.series_id = s.id GROUP BY s.id;
    CREATE VIEW series_missing AS WITH RECURSIVE expected(series_id, number, total) AS (
      SELECT id, 1, total FROM series WHERE total >= 1 UNION ALL SELECT series_id, number + 1, total FROM expected WHERE number < total)
      SELECT e.series_id AS series_id, e.number AS number FROM expected e
      WHERE NOT EXISTS (SELECT 1 FROM patches p WHERE p.series_id = e.series_id AND p.number = e.number);`,
  18: `DROP VIEW series_missing; CREATE VIEW series_missing AS WITH RECURSIVE numbers(number) AS (
      SELECT 1 UNION ALL SELECT number + 1 FROM numbers WHERE number < (SELECT max(total) FROM series))
      SELECT s.id AS series_id, n.number AS number FROM series s JOIN numbers n ON n.number <= s.total
      WHERE NOT EXISTS (SELECT 1 FROM patches p WHERE p.series_id = s.id AND p.number = n.number);`,
  11: `DROP VIEW series_state; DROP TABLE commits; DROP INDEX patches_commit; ALTER TABLE patches DROP COLUMN state;
    ALTER TABLE patches DROP COLUMN commit_ref; ALTER TABLE patches DROP COLUMN commit_method; ALTER TABLE patches DROP COLUMN commit_score;`,
};

export function backToSchema(db: Database, version: number): void {
  // listindex runs with foreign keys off (store/database.ts); a plain handle has them on, and
  // the undo of a step that makes a table again (series, step 14) would then fail.
  db.pragma('foreign_keys = OFF');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let step = current; step > version; step--) {
    if (!(step in UNDO)) throw new Error(`test/helpers/old-schema.ts: no undo for schema step ${step}`);
    db.exec(UNDO[step]);
  }
  db.pragma(`user_version = ${version}`);
}
