/**
 * The SQL schema: the contract with users. Every table, column and view here is documented in
 * docs/schema.md, and test/store/schema-doc.test.ts fails when the two differ.
 *
 * Migrations are append-only: an index built by an older release opens in a newer one, which
 * runs the missing steps (PRAGMA user_version counts the steps applied).
 */
/** The largest patch number `series_missing` lists (schema step 18). */
export const MISSING_NUMBERS_MAX = 9999;

export const MIGRATIONS: readonly string[] = [
  /* 1: messages, headers, hops, references, people, lists, attachments, rejects, imports */ `
CREATE TABLE imports (
  id              INTEGER PRIMARY KEY,
  started_at      TEXT NOT NULL,          -- UTC ISO-8601
  finished_at     TEXT,                   -- NULL while running or after a crash
  arguments       TEXT NOT NULL,          -- JSON array of the inputs given
  status          TEXT NOT NULL,          -- running | complete | interrupted | failed
  files           INTEGER NOT NULL DEFAULT 0,
  unreadable      INTEGER NOT NULL DEFAULT 0, -- inputs that could not be read
  messages_found  INTEGER NOT NULL DEFAULT 0,
  stored          INTEGER NOT NULL DEFAULT 0,
  duplicates      INTEGER NOT NULL DEFAULT 0, -- same content already stored
  rejected        INTEGER NOT NULL DEFAULT 0,
  bytes           INTEGER NOT NULL DEFAULT 0,
  seconds         REAL
);

CREATE TABLE sources (
  id              INTEGER PRIMARY KEY,
  path            TEXT NOT NULL UNIQUE,   -- as given (resolved to an absolute path)
  kind            TEXT NOT NULL,          -- mbox | message | maildir-message | stdin
  size            INTEGER,                -- bytes on disk at the last import
  messages        INTEGER NOT NULL DEFAULT 0, -- messages found in it at the last import
  last_import_id  INTEGER REFERENCES imports(id)
);

CREATE TABLE lists (
  id              INTEGER PRIMARY KEY,
  list_id         TEXT NOT NULL UNIQUE,   -- e.g. linux-watchdog.vger.kernel.org
  name            TEXT                    -- display part of List-Id, if any
);

CREATE TABLE people (
  id              INTEGER PRIMARY KEY,
  email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name            TEXT,                   -- latest non-empty name seen (by message date)
  name_date       TEXT                    -- date of the message that gave that name
);

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  msgid           TEXT NOT NULL,          -- first <...> of Message-Id, brackets kept
  msgid_synthetic INTEGER NOT NULL DEFAULT 0, -- 1: no usable Message-Id, made from the content hash
  duplicate_of    INTEGER REFERENCES messages(id), -- an earlier message with the same msgid, other content
  content_hash    TEXT NOT NULL UNIQUE,   -- SHA-1 of the raw bytes after the From_ line
  list_id         INTEGER REFERENCES lists(id),
  subject         TEXT,                   -- decoded (RFC 2047), unfolded
  sender          TEXT,                   -- From as displayed: Name <email>
  from_id         INTEGER REFERENCES people(id),
  date            TEXT,                   -- UTC ISO-8601 (YYYY-MM-DDTHH:MM:SSZ)
  date_raw        TEXT,                   -- the Date header as written
  date_source     TEXT NOT NULL,          -- date | received | none
  in_reply_to     TEXT,                   -- first In-Reply-To msgid
  body            TEXT NOT NULL,          -- text/plain parts decoded to UTF-8
  size            INTEGER NOT NULL,       -- bytes of raw, uncompressed
  raw             BLOB NOT NULL,          -- raw bytes after the From_ line, deflate-compressed
  source_id       INTEGER REFERENCES sources(id), -- where it was first seen
  source_offset   INTEGER,
  import_id       INTEGER NOT NULL REFERENCES imports(id),
  warnings        TEXT                    -- JSON array of parse warnings, or NULL
);
CREATE INDEX messages_msgid ON messages(msgid);
CREATE INDEX messages_date ON messages(date);
CREATE INDEX messages_from ON messages(from_id, date);
CREATE INDEX messages_list ON messages(list_id, date);

-- A rowid table, not WITHOUT ROWID: header rows are often larger than SQLite's in-page limit
-- for WITHOUT ROWID tables (DKIM signatures...), which then nearly doubles their size.
CREATE TABLE headers (
  message_id      INTEGER NOT NULL REFERENCES messages(id),
  position        INTEGER NOT NULL,       -- 0-based order in the message
  name            TEXT NOT NULL,          -- as written
  value           TEXT NOT NULL,          -- unfolded, RFC 2047 decoded
  raw             TEXT                    -- as written, folding kept; NULL when identical to value
);
CREATE INDEX headers_message ON headers(message_id, position);

CREATE TABLE received (
  message_id      INTEGER NOT NULL REFERENCES messages(id),
  hop             INTEGER NOT NULL,       -- 0 = topmost Received header (last relay)
  from_host       TEXT,
  from_ip         TEXT,
  by_host         TEXT,
  protocol        TEXT,                   -- the "with" clause
  smtp_id         TEXT,                   -- the "id" clause
  for_address     TEXT,                   -- the "for" clause
  date            TEXT,                   -- UTC ISO-8601, from the text after ';'
  header_position INTEGER NOT NULL,       -- headers.position of this Received header (its full text)
  PRIMARY KEY (message_id, hop)
) WITHOUT ROWID;

CREATE TABLE message_references (
  message_id      INTEGER NOT NULL REFERENCES messages(id),
  header          TEXT NOT NULL,          -- in-reply-to | references
  position        INTEGER NOT NULL,       -- order within that header (references: oldest first)
  msgid           TEXT NOT NULL,          -- the referenced Message-Id, brackets kept
  PRIMARY KEY (message_id, header, position)
) WITHOUT ROWID;
CREATE INDEX message_references_msgid ON message_references(msgid);

CREATE TABLE attachments (
  message_id      INTEGER NOT NULL REFERENCES messages(id),
  position        INTEGER NOT NULL,
  filename        TEXT,
  content_type    TEXT NOT NULL,
  size            INTEGER NOT NULL,       -- decoded bytes
  disposition     TEXT,                   -- attachment | inline | NULL
  PRIMARY KEY (message_id, position)
) WITHOUT ROWID;

CREATE TABLE rejects (
  id              INTEGER PRIMARY KEY,
  content_hash    TEXT NOT NULL UNIQUE,
  source_id       INTEGER REFERENCES sources(id),
  source_offset   INTEGER,
  size            INTEGER NOT NULL,       -- bytes of the message (raw may hold only a head of it)
  reason          TEXT NOT NULL,
  raw             BLOB NOT NULL,          -- deflate-compressed bytes, as found
  import_id       INTEGER NOT NULL REFERENCES imports(id)
);

CREATE TABLE occurrences (
  source_id       INTEGER NOT NULL REFERENCES sources(id),
  source_offset   INTEGER NOT NULL,       -- byte offset of the From_ line (decompressed stream)
  from_line       TEXT,                   -- the mbox From_ line, NULL for single-message files
  message_id      INTEGER REFERENCES messages(id),
  reject_id       INTEGER REFERENCES rejects(id),
  PRIMARY KEY (source_id, source_offset)
) WITHOUT ROWID;
CREATE INDEX occurrences_message ON occurrences(message_id);

-- Full-text search over subject, sender and body; '_' is a token character so that
-- function names such as watchdog_register_device are one word.
CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, sender, body,
  content='messages', content_rowid='id',
  tokenize="unicode61 tokenchars '_'"
);
-- Merge index segments less eagerly than FTS5's default (4): bulk imports write much less.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);

-- Referenced Message-Ids never seen as a message: the "ghost" parents of threads.
CREATE VIEW ghost_references AS
  SELECT r.msgid AS msgid, count(*) AS referenced_by, min(m.date) AS first_referenced
  FROM message_references r JOIN messages m ON m.id = r.message_id
  WHERE NOT EXISTS (SELECT 1 FROM messages x WHERE x.msgid = r.msgid)
  GROUP BY r.msgid;

-- Delay between consecutive hops: how long each relay held the message.
CREATE VIEW received_delays AS
  SELECT a.message_id AS message_id, a.hop AS hop, a.by_host AS by_host, b.by_host AS previous_by_host,
         a.date AS date,
         CAST(round((julianday(a.date) - julianday(b.date)) * 86400) AS INTEGER) AS delay_seconds
  FROM received a JOIN received b ON b.message_id = a.message_id AND b.hop = a.hop + 1
  WHERE a.date IS NOT NULL AND b.date IS NOT NULL;

-- One row per message with its list, sender and thread parent, ready to read.
CREATE VIEW message_overview AS
  SELECT m.id AS id, m.msgid AS msgid, l.list_id AS list_id, m.date AS date, m.subject AS subject,
         p.name AS from_name, p.email AS from_email, m.in_reply_to AS in_reply_to,
         m.duplicate_of IS NOT NULL AS is_duplicate, m.size AS size
  FROM messages m LEFT JOIN lists l ON l.id = m.list_id LEFT JOIN people p ON p.id = m.from_id;
`,
  /* 2: patches, covers, comments, series, versions, trailers, files touched */ `
ALTER TABLE messages ADD COLUMN kind TEXT;       -- patch | cover | comment | other (set by linking)
ALTER TABLE messages ADD COLUMN content TEXT;    -- Patchwork's content: the text without diff and signature
ALTER TABLE messages ADD COLUMN diff TEXT;       -- the diff carried by the message, if any
ALTER TABLE messages ADD COLUMN diff_hash TEXT;  -- Patchwork's normalised SHA-1 of the diff
ALTER TABLE messages ADD COLUMN pull_url TEXT;   -- git request-pull URL and branch, if any
ALTER TABLE messages ADD COLUMN own_trailers TEXT; -- JSON: trailers written in this message itself
ALTER TABLE messages ADD COLUMN change_id TEXT;  -- b4's change-id: line, if any
ALTER TABLE messages ADD COLUMN patchwork_hint TEXT; -- X-Patchwork-Hint, lower case: 'ignore' keeps it out of series
CREATE INDEX messages_kind ON messages(kind, date);
CREATE INDEX messages_diff_hash ON messages(diff_hash) WHERE diff_hash IS NOT NULL;

ALTER TABLE lists ADD COLUMN subject_tag TEXT;   -- the list's own subject tag, e.g. dpdk-dev, detected

CREATE TABLE settings (
  key             TEXT PRIMARY KEY,
  value           TEXT NOT NULL               -- JSON
);

CREATE TABLE patch_files (
  message_id      INTEGER NOT NULL REFERENCES messages(id),
  position        INTEGER NOT NULL,
  path            TEXT NOT NULL,              -- first path component (a/ b/) removed
  added           INTEGER NOT NULL,
  removed         INTEGER NOT NULL,
  binary          INTEGER NOT NULL,
  PRIMARY KEY (message_id, position)
) WITHOUT ROWID;
CREATE INDEX patch_files_path ON patch_files(path);

CREATE TABLE series (
  id              INTEGER PRIMARY KEY,
  list_id         INTEGER REFERENCES lists(id),
  name            TEXT,
  date            TEXT,
  submitter_id    INTEGER REFERENCES people(id),
  version         INTEGER NOT NULL,
  version_text    TEXT,
  total           INTEGER NOT NULL,
  received_total  INTEGER NOT NULL,
  received_all    INTEGER NOT NULL,
  rfc             INTEGER NOT NULL,
  cover_id        INTEGER REFERENCES messages(id),
  previous_id     INTEGER REFERENCES series(id),
  next_id         INTEGER REFERENCES series(id),
  latest_id       INTEGER REFERENCES series(id),
  change_id       TEXT,
  key_msgid       TEXT NOT NULL UNIQUE        -- the cover's (else the first patch's) msgid: keeps ids stable
);
CREATE INDEX series_submitter ON series(submitter_id, date);
CREATE INDEX series_date ON series(date);

CREATE TABLE patches (
  message_id      INTEGER PRIMARY KEY REFERENCES messages(id),
  series_id       INTEGER REFERENCES series(id),
  number          INTEGER,
  name            TEXT NOT NULL,
  prefixes        TEXT NOT NULL              -- JSON array
);
CREATE INDEX patches_series ON patches(series_id, number);

CREATE TABLE covers (
  message_id      INTEGER PRIMARY KEY REFERENCES messages(id),
  series_id       INTEGER REFERENCES series(id),
  name            TEXT NOT NULL
);
CREATE INDEX covers_series ON covers(series_id);

CREATE TABLE comments (
  message_id      INTEGER PRIMARY KEY REFERENCES messages(id),
  parent_id       INTEGER NOT NULL REFERENCES messages(id),
  patch_id        INTEGER REFERENCES messages(id),
  cover_id        INTEGER REFERENCES messages(id)
);
CREATE INDEX comments_patch ON comments(patch_id);
CREATE INDEX comments_cover ON comments(cover_id);

CREATE TABLE trailers (
  patch_id        INTEGER NOT NULL REFERENCES messages(id),
  position        INTEGER NOT NULL,
  name            TEXT NOT NULL,
  value           TEXT NOT NULL,
  person_id       INTEGER REFERENCES people(id),
  given_in        INTEGER NOT NULL REFERENCES messages(id),
  origin          TEXT NOT NULL,
  PRIMARY KEY (patch_id, position)
) WITHOUT ROWID;
CREATE INDEX trailers_name ON trailers(name, patch_id);
CREATE INDEX trailers_person ON trailers(person_id);

CREATE VIEW series_overview AS
  SELECT s.id AS id, l.list_id AS list_id, s.date AS date, p.name AS submitter_name, p.email AS submitter_email,
         s.version AS version, s.received_total AS received_total, s.total AS total, s.received_all AS received_all,
         s.name AS name, c.msgid AS cover_msgid, s.previous_id AS previous_id, s.latest_id AS latest_id,
         (SELECT count(*) FROM trailers t JOIN patches pa ON pa.message_id = t.patch_id
           WHERE pa.series_id = s.id AND t.name IN ('Reviewed-by', 'Acked-by')) AS reviews
  FROM series s LEFT JOIN lists l ON l.id = s.list_id LEFT JOIN people p ON p.id = s.submitter_id
  LEFT JOIN messages c ON c.id = s.cover_id;

CREATE VIEW patch_overview AS
  SELECT pa.message_id AS id, m.msgid AS msgid, pa.series_id AS series_id, pa.number AS number, pa.name AS name,
         m.date AS date, pe.name AS submitter_name, pe.email AS submitter_email, m.diff_hash AS hash,
         m.pull_url AS pull_url,
         (SELECT count(*) FROM trailers t WHERE t.patch_id = pa.message_id AND t.name = 'Reviewed-by') AS reviewed,
         (SELECT count(*) FROM trailers t WHERE t.patch_id = pa.message_id AND t.name = 'Acked-by') AS acked,
         (SELECT count(*) FROM trailers t WHERE t.patch_id = pa.message_id AND t.name = 'Tested-by') AS tested,
         (SELECT count(*) FROM comments c WHERE c.patch_id = pa.message_id) AS comments
  FROM patches pa JOIN messages m ON m.id = pa.message_id LEFT JOIN people pe ON pe.id = m.from_id;

CREATE VIEW series_missing AS
  WITH RECURSIVE expected(series_id, number, total) AS (
    SELECT id, 1, total FROM series WHERE total >= 1
    UNION ALL SELECT series_id, number + 1, total FROM expected WHERE number < total
  )
  SELECT e.series_id AS series_id, e.number AS number FROM expected e
  WHERE NOT EXISTS (SELECT 1 FROM patches p WHERE p.series_id = e.series_id AND p.number = e.number);
`,
  /* 3: incremental imports: what each source looked like when last read */ `
ALTER TABLE sources ADD COLUMN head_sha1 TEXT;     -- SHA-1 of the file's first 64 KiB, as on disk
ALTER TABLE sources ADD COLUMN read_offset INTEGER; -- where its last message starts: the next import resumes there
`,
  /* 4: full-text index tuning for bulk imports */ `
-- FTS5 writes its pending terms out as a new segment every 1 MB by default, so one import batch
-- became several small segments for automerge to merge again. With 32 MB, a batch's terms are
-- written once, at its commit: 10% less writer time on linux-watchdog with 1,000-message batches.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', 33554432);
`,
  /* 5: raw bytes compressed with Brotli; rows written before keep deflate and say so */ `
ALTER TABLE messages ADD COLUMN raw_compression TEXT NOT NULL DEFAULT 'deflate'; -- brotli | deflate (raw deflate)
ALTER TABLE rejects ADD COLUMN raw_compression TEXT NOT NULL DEFAULT 'deflate';
`,
  /* 6: what series linking reads of each message, narrow and in the order it reads it */ `
-- Linking reads every message on every import. In messages, the columns it reads are stored
-- after the body and the raw bytes, so each read walks past them; here a message takes ~500
-- bytes, kept in linking order. The import writes each message's row with the message; linking
-- adds any that are missing (an index made before this step).
CREATE TABLE link_facts (
  date            TEXT NOT NULL,          -- messages.date, '' when it has none (sorts first, as NULL does there)
  msgid           TEXT NOT NULL,
  message_id      INTEGER NOT NULL UNIQUE REFERENCES messages(id),
  list_id         INTEGER,
  from_id         INTEGER,
  subject         TEXT,
  has_diff        INTEGER NOT NULL,       -- 1: messages.diff is set
  pull_url        TEXT,
  duplicate       INTEGER NOT NULL,       -- 1: messages.duplicate_of is set
  ignored         INTEGER NOT NULL,       -- 1: X-Patchwork-Hint: ignore
  diff_hash       TEXT,
  own_trailers    TEXT,
  change_id       TEXT,
  in_reply_to     TEXT,                   -- JSON array of Message-Ids, or NULL when none
  refs            TEXT,                   -- JSON array of the References, oldest first, or NULL
  PRIMARY KEY (date, msgid, message_id)
) WITHOUT ROWID;
-- Linking finds messages by Message-Id (the first copy of each) in this narrow index, not in
-- messages_msgid, whose every hit has to read the message's row to check duplicate_of.
CREATE INDEX link_facts_msgid ON link_facts(msgid) WHERE duplicate = 0;
`,
  /* 7: the full-text index declared so that sqlite-utils and Datasette find it */ `
-- They look for content="messages" or content=[messages] in the table's declaration, not
-- content='messages'. The same index, declared again, and rebuilt from the messages: a
-- one-time cost on an existing index (the rebuild reads every body).
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, sender, body,
  content="messages", content_rowid="id",
  tokenize="unicode61 tokenchars '_'"
);
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);
INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', 33554432);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
`,
  /* 8: each copy rebuilt exactly; earlier versions of rewritten sources kept apart */ `
-- Copies with the same content but for their trailing line breaks are one message (its hash
-- leaves them out); each occurrence keeps its own, so export gives each source back exactly.
ALTER TABLE occurrences ADD COLUMN line_ends TEXT;  -- the CR/LF bytes this copy ends with; NULL: as the stored raw
-- A source read again that holds other messages than before (rewritten, a new stdin stream):
-- its earlier version keeps its occurrences under a source row of its own.
ALTER TABLE sources ADD COLUMN replaced_by_import INTEGER REFERENCES imports(id);
`,
  /* 9: a cover's own n/N total and version; the next import links again */ `
-- A cover can miscount its patches (00/23 before 24 patches): its series takes the patches'
-- total and version, and the cover keeps its own here, as written.
ALTER TABLE covers ADD COLUMN total INTEGER;    -- N of the cover's own 0/N
ALTER TABLE covers ADD COLUMN version INTEGER;  -- the cover's own version (1 when none is written)
-- Linking fills these, and chooses the canonical copy of each repeated Message-Id by its rule
-- (messages.duplicate_of): forget how far the index was linked, so that the next import links it all.
DELETE FROM settings WHERE key = 'linked_up_to';
`,
  /* 10: public-inbox git repositories: the last commit read of each, and purges noticed */ `
-- For a git source, occurrences.source_offset is the commit's position (0-based, first-parent
-- order from the root) and read_offset the position of git_commit.
ALTER TABLE sources ADD COLUMN git_commit TEXT;    -- git sources: the last commit read; the next import reads the commits after it

-- A purge (public-inbox-purge, or any rewrite) replaces an epoch's history: the last commit
-- read is no longer in it. The epoch is read again whole; its messages stay in the index.
CREATE TABLE purges (
  id              INTEGER PRIMARY KEY,
  source_id       INTEGER NOT NULL REFERENCES sources(id),
  import_id       INTEGER NOT NULL REFERENCES imports(id), -- the import that noticed it
  old_commit      TEXT NOT NULL,          -- the last commit read before: not in the new history
  new_commit      TEXT NOT NULL,          -- the head of the rewritten history
  messages        INTEGER                 -- messages the source no longer has; NULL until it was read again in full
);
CREATE TABLE purged_messages (
  purge_id        INTEGER NOT NULL REFERENCES purges(id),
  message_id      INTEGER NOT NULL REFERENCES messages(id), -- kept in the index, gone from the source
  PRIMARY KEY (purge_id, message_id)
) WITHOUT ROWID;
`,
  /* 11: which patches were committed: the commits read from repositories, and each patch's commit */ `
-- listindex commits: patches.commit_ref is Patchwork's field (the full SHA); how it was found
-- and the score are beside it. state is 'accepted' with a commit, else NULL (not decided here).
ALTER TABLE patches ADD COLUMN state TEXT;          -- 'accepted' when a commit carries it, else NULL
ALTER TABLE patches ADD COLUMN commit_ref TEXT;     -- full SHA of that commit
ALTER TABLE patches ADD COLUMN commit_method TEXT;  -- exact | similar | stated
ALTER TABLE patches ADD COLUMN commit_score REAL;   -- similarity 0..1 (1 for exact)
CREATE INDEX patches_commit ON patches(commit_ref) WHERE commit_ref IS NOT NULL;

CREATE TABLE commits (
  id              INTEGER PRIMARY KEY,
  sha             TEXT NOT NULL UNIQUE,   -- full SHA-1 (or SHA-256) of the commit
  repository      TEXT NOT NULL,          -- the repository it was first read from (absolute path)
  author_name     TEXT,
  author_email    TEXT,
  author_date     TEXT,                   -- UTC ISO-8601
  committer_date  TEXT,                   -- UTC ISO-8601
  subject         TEXT NOT NULL,
  diff_hash       TEXT,                   -- Patchwork's hash of the commit's diff; NULL when it changes no lines
  stated_msgid    TEXT,                   -- first Message-Id a Link: or Message-Id: trailer names, if any
  patch_id        INTEGER REFERENCES messages(id), -- the patch it came from, or NULL
  method          TEXT,                   -- exact | similar | stated, or NULL
  score           REAL,                   -- similarity of commit and patch, 0..1
  checked_up_to   INTEGER NOT NULL        -- highest messages.id when it was matched: unmatched commits are tried again when newer mail exists
);
CREATE INDEX commits_patch ON commits(patch_id);

-- A series is accepted when every patch received is, partly accepted when some are.
CREATE VIEW series_state AS
  SELECT s.id AS series_id, count(p.message_id) AS patches, count(p.commit_ref) AS accepted,
         CASE WHEN count(p.commit_ref) = 0 THEN NULL
              WHEN count(p.commit_ref) = count(p.message_id) THEN 'accepted'
              ELSE 'partly accepted' END AS state
  FROM series s LEFT JOIN patches p ON p.series_id = s.id GROUP BY s.id;
`,
  /* 12: messages by import, for the server's events */ `
-- Events are dated by the import that stored their message; each import's first and last
-- message are found here instead of by reading every message.
CREATE INDEX messages_import ON messages(import_id, id);
`,
  /* 13: a patch's diff is kept once: as the part of the body it is */ `
-- The diff of nearly every patch is a stretch of its body, which was stored a second time in
-- diff. Now diff is computed from the body on read (substr, in characters, as instr counts
-- them); diff_text holds it only when it is not in the body (a diff from an attachment, say).
ALTER TABLE messages RENAME COLUMN diff TO diff_text;  -- the diff, when it is not a stretch of body
ALTER TABLE messages ADD COLUMN diff_start INTEGER;    -- where the diff starts in body (1-based, in characters)
ALTER TABLE messages ADD COLUMN diff_length INTEGER;   -- its length in characters
ALTER TABLE messages ADD COLUMN diff TEXT GENERATED ALWAYS AS (
  CASE WHEN diff_start IS NULL THEN diff_text ELSE substr(body, diff_start, diff_length) END) VIRTUAL;
-- Rows written before: the same, once.
UPDATE messages SET diff_start = instr(body, diff_text), diff_length = length(diff_text), diff_text = NULL
  WHERE diff_text IS NOT NULL AND instr(body, diff_text) > 0;
`,
  /* 14: a series per list: a series cross-posted to several lists is a series of each */ `
-- A series is known by its list and its key Message-Id, no longer by the key alone: SQLite
-- cannot drop a UNIQUE constraint, so the table is made again, ids kept (copied aside rather
-- than renamed: ALTER TABLE RENAME would check the views that name series).
CREATE TABLE series_before_14 AS SELECT * FROM series;
DROP TABLE series;
CREATE TABLE series (
  id              INTEGER PRIMARY KEY,
  list_id         INTEGER REFERENCES lists(id),
  name            TEXT,
  date            TEXT,
  submitter_id    INTEGER REFERENCES people(id),
  version         INTEGER NOT NULL,
  version_text    TEXT,
  total           INTEGER NOT NULL,
  received_total  INTEGER NOT NULL,
  received_all    INTEGER NOT NULL,
  rfc             INTEGER NOT NULL,
  cover_id        INTEGER REFERENCES messages(id),
  previous_id     INTEGER REFERENCES series(id),
  next_id         INTEGER REFERENCES series(id),
  latest_id       INTEGER REFERENCES series(id),
  change_id       TEXT,
  key_msgid       TEXT NOT NULL               -- the cover's (else the first patch's) msgid: with list_id, keeps ids stable
);
INSERT INTO series SELECT id, list_id, name, date, submitter_id, version, version_text, total, received_total,
  received_all, rfc, cover_id, previous_id, next_id, latest_id, change_id, key_msgid FROM series_before_14;
DROP TABLE series_before_14;
CREATE INDEX series_submitter ON series(submitter_id, date);
CREATE INDEX series_date ON series(date);
-- Also finds a list's series (per-list counts).
CREATE UNIQUE INDEX series_list ON series(list_id, key_msgid);
-- A Message-Id now has a linked copy on each list it came through: linking finds a message's
-- own list's copy in the index alone.
DROP INDEX link_facts_msgid;
CREATE INDEX link_facts_msgid ON link_facts(msgid, list_id) WHERE duplicate = 0;
-- Each list a copy came through now links its own copy: the next import links it all.
DELETE FROM settings WHERE key = 'linked_up_to';
`,
  /* 15: linking's own state, so that an import links only its new mail */ `
-- What series linking needs to go on from where it stopped, as Patchwork keeps its
-- SeriesReference in SQL: an import then links only the messages after the last one linked
-- (and what they touch) instead of the whole index. A full relink rewrites it.
CREATE TABLE link_series (
  ordinal         INTEGER PRIMARY KEY,    -- the series' place in creation (linking) order, from 0
  series_id       INTEGER NOT NULL REFERENCES series(id),
  title           TEXT NOT NULL           -- normalised title of its cover (else lowest patch), '' when none: version linking groups by it
);
CREATE INDEX link_series_series ON link_series(series_id);
CREATE INDEX link_series_title ON link_series(title) WHERE title <> '';
CREATE TABLE link_references (
  list_key        INTEGER NOT NULL,       -- lists.id, 0 for mail of no list
  msgid           TEXT NOT NULL,          -- a Message-Id registered to the series
  ordinal         INTEGER NOT NULL,       -- link_series.ordinal
  PRIMARY KEY (list_key, msgid)
) WITHOUT ROWID;
CREATE TABLE link_subject_tags (
  list_id         INTEGER NOT NULL REFERENCES lists(id),
  tag             TEXT NOT NULL,          -- a candidate subject tag, lower case; '' counts every subject of the list
  count           INTEGER NOT NULL,       -- subjects that open with it
  PRIMARY KEY (list_id, tag)
) WITHOUT ROWID;
-- A follow-up's trailers count only when they name its sender, by address or else by name, and
-- a person's name is the latest one seen: linking new mail links everything again when the name
-- of someone whose trailers named another address has changed.
CREATE TABLE link_trailer_senders (
  person_id       INTEGER PRIMARY KEY REFERENCES people(id), -- sent a follow-up with trailers naming another address
  name            TEXT                    -- people.name when that was linked
);
CREATE INDEX covers_name ON covers(name);
CREATE INDEX series_change_id ON series(change_id) WHERE change_id IS NOT NULL;
`,
  /* 16: a header field's folding, so that the headers rows give the header block back */ `
-- The white space of a field as written, in the compact form of src/mail/folding.ts: '' when
-- the field is 'Name: ' followed by coalesce(raw, value); NULL for rows written before this
-- step. A message whose header block its rows give back byte for byte keeps nothing in raw
-- (raw_compression 'rebuilt': the header block rebuilt from its headers rows, then body).
ALTER TABLE headers ADD COLUMN folding TEXT;
`,
  /* 17: the documented queries answer from indexes on a 1,000,000-message index */ `
-- The largest attachments, newest first pages and the like read the few rows they show: without
-- an index on size, "ORDER BY a.size DESC LIMIT 10" looked up the message of every attachment.
CREATE INDEX attachments_size ON attachments(size);
-- The two views were aggregates (GROUP BY) over every series: a query of a few series, joined or
-- filtered by date, computed the view for all of them first, as SQLite does not push a join into
-- an aggregate view. Per series (a scalar subquery on patches_series) they cost what is read.
DROP VIEW series_state;
CREATE VIEW series_state AS
  SELECT series_id, patches, accepted,
         CASE WHEN accepted = 0 THEN NULL WHEN accepted = patches THEN 'accepted' ELSE 'partly accepted' END AS state
  FROM (SELECT s.id AS series_id,
               (SELECT count(*) FROM patches p WHERE p.series_id = s.id) AS patches,
               (SELECT count(p.commit_ref) FROM patches p WHERE p.series_id = s.id) AS accepted
        FROM series s);
-- The numbers 1..N are made once, up to the largest total (series_total finds it), and joined
-- to each series; the recursive CTE made them for every series of the index, whatever the query asked.
CREATE INDEX series_total ON series(total);
DROP VIEW series_missing;
CREATE VIEW series_missing AS
  WITH RECURSIVE numbers(number) AS (
    SELECT 1 UNION ALL SELECT number + 1 FROM numbers WHERE number < (SELECT max(total) FROM series)
  )
  SELECT s.id AS series_id, n.number AS number FROM series s JOIN numbers n ON n.number <= s.total
  WHERE NOT EXISTS (SELECT 1 FROM patches p WHERE p.series_id = s.id AND p.number = n.number);
`,
  /* 18: series_missing counts to 9,999 at most */ `
-- A subject may claim any total ("[PATCH 1/99999999999]"), and the numbers were made up to the
-- largest total of the index at every query of the view: one such subject on a list made every
-- query of it run for hours. Numbers past MISSING_NUMBERS_MAX are not listed: the largest real
-- series known have totals of a few thousand.
DROP VIEW series_missing;
CREATE VIEW series_missing AS
  WITH RECURSIVE numbers(number) AS (
    SELECT 1 UNION ALL SELECT number + 1 FROM numbers WHERE number < min((SELECT max(total) FROM series), ${MISSING_NUMBERS_MAX})
  )
  SELECT s.id AS series_id, n.number AS number FROM series s JOIN numbers n ON n.number <= s.total
  WHERE NOT EXISTS (SELECT 1 FROM patches p WHERE p.series_id = s.id AND p.number = n.number);
`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
