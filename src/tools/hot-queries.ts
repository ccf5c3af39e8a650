/**
 * The queries maintainers ask most, as documented in docs/schema.md: the query-plan test checks
 * that they use indexes, and the benchmark times them on a large index. The names and addresses
 * are those of the archive generator.
 */
export const HOT_QUERIES = {
  openSeriesOfSubmitter: `SELECT s.id, s.date, s.version, s.received_total || '/' || s.total AS got, s.name
    FROM series s JOIN people p ON p.id = s.submitter_id
    WHERE p.email = 'ada@example.org' AND s.latest_id = s.id ORDER BY s.date DESC`,
  seriesMissingReview: `SELECT s.id, s.name FROM series s WHERE s.latest_id = s.id AND s.id NOT IN (
    SELECT p.series_id FROM trailers t JOIN patches p ON p.message_id = t.patch_id
    WHERE t.name IN ('Reviewed-by', 'Acked-by') AND p.series_id IS NOT NULL)`,
  fullTextFunction: `SELECT m.date, m.subject FROM messages_fts f JOIN messages m ON m.id = f.rowid
    WHERE messages_fts MATCH 'watchdog_register_device' ORDER BY rank LIMIT 20`,
  messageById: `SELECT * FROM messages WHERE msgid = '<x@example.org>'`,
  repliesTo: `SELECT m.date, m.subject FROM message_references r JOIN messages m ON m.id = r.message_id
    WHERE r.header = 'in-reply-to' AND r.msgid = '<x@example.org>'`,
};
