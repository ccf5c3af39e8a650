/**
 * SQL of `listindex commits`: the patches a commit may come from, the commits already read, and
 * what was found (the `commits` table, and `patches.state`, `commit_ref`, `commit_method`,
 * `commit_score`).
 */
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

export type CommitMethod = 'exact' | 'similar' | 'stated';

/** A patch as the matcher sees it before reading its diff. */
export interface PatchCandidate {
  id: number;
  msgid: string;
  date: string | null;
  /** `date` in milliseconds since 1970; -Infinity when the patch has no date. */
  time: number;
  authorName: string | null;
  authorEmail: string | null;
  /** patches.name: the prefixes are still on it. */
  name: string;
  diffHash: string | null;
  files: string[];
  /** The commit it was matched to already, if any. */
  commitRef: string | null;
}

export interface CommitRow {
  sha: string;
  repository: string;
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerDate: string;
  subject: string;
  diffHash: string | null;
  statedMsgid: string | null;
  patchId: number | null;
  method: CommitMethod | null;
  score: number | null;
  checkedUpTo: number;
}

export class CommitStore {
  private readonly diffOf: Statement;
  private readonly messageByMsgid: Statement;
  private readonly upsertCommit: Statement;
  private readonly acceptPatch: Statement;

  constructor(private readonly db: SqliteDatabase) {
    this.diffOf = db.prepare('SELECT diff FROM messages WHERE id = ?').pluck();
    this.messageByMsgid = db.prepare(`SELECT m.id, pa.message_id IS NOT NULL AS is_patch FROM messages m
      LEFT JOIN patches pa ON pa.message_id = m.id WHERE m.msgid = ? ORDER BY m.duplicate_of IS NOT NULL, m.id LIMIT 1`);
    this.upsertCommit = db.prepare(`INSERT INTO commits (sha, repository, author_name, author_email, author_date, committer_date,
        subject, diff_hash, stated_msgid, patch_id, method, score, checked_up_to)
      VALUES (@sha, @repository, @authorName, @authorEmail, @authorDate, @committerDate, @subject, @diffHash, @statedMsgid,
        @patchId, @method, @score, @checkedUpTo)
      ON CONFLICT (sha) DO UPDATE SET patch_id = excluded.patch_id, method = excluded.method, score = excluded.score,
        checked_up_to = excluded.checked_up_to`);
    // A patch keeps the first commit found for it.
    this.acceptPatch = db.prepare(`UPDATE patches SET state = 'accepted', commit_ref = ?, commit_method = ?, commit_score = ?
      WHERE message_id = ? AND commit_ref IS NULL`);
  }

  /** The highest message id: commits matched against an index up to it need not be tried again. */
  lastMessageId(): number {
    return (this.db.prepare('SELECT coalesce(max(id), 0) FROM messages').pluck().get() as number);
  }

  /** Commits already read: whether each was matched, and against which messages. */
  knownCommits(): Map<string, { matched: boolean; checkedUpTo: number }> {
    const known = new Map<string, { matched: boolean; checkedUpTo: number }>();
    for (const [sha, matched, checkedUpTo] of this.db.prepare('SELECT sha, patch_id IS NOT NULL, checked_up_to FROM commits').raw().iterate() as Iterable<[string, number, number]>) {
      known.set(sha, { matched: matched === 1, checkedUpTo });
    }
    return known;
  }

  /** Every patch with a diff (pull requests have none), with its files. */
  candidates(): PatchCandidate[] {
    const rows = this.db.prepare(`SELECT m.id, m.msgid, m.date, pe.name AS authorName, pe.email AS authorEmail, pa.name,
        m.diff_hash AS diffHash, pa.commit_ref AS commitRef
      FROM patches pa JOIN messages m ON m.id = pa.message_id LEFT JOIN people pe ON pe.id = m.from_id
      WHERE m.diff IS NOT NULL ORDER BY m.id`).all() as Omit<PatchCandidate, 'files' | 'time'>[];
    const files = new Map<number, string[]>();
    for (const [id, path] of this.db.prepare('SELECT message_id, path FROM patch_files ORDER BY message_id, position').raw().iterate() as Iterable<[number, string]>) {
      let list = files.get(id);
      if (list === undefined) files.set(id, (list = []));
      list.push(path);
    }
    return rows.map((r) => ({ ...r, time: r.date === null ? -Infinity : Date.parse(r.date), files: files.get(r.id) ?? [] }));
  }

  diff(patchId: number): string {
    return (this.diffOf.get(patchId) as string | null) ?? '';
  }

  /** The first stored message with this Message-Id, and whether it is a patch. */
  message(msgid: string): { id: number; isPatch: boolean } | null {
    const row = this.messageByMsgid.get(msgid) as { id: number; is_patch: number } | undefined;
    return row ? { id: row.id, isPatch: row.is_patch === 1 } : null;
  }

  /** Stores a commit and marks its patches accepted (those without a commit yet): in one transaction per call. */
  write(commits: { row: CommitRow; patches: number[] }[]): number {
    let accepted = 0;
    this.db.transaction(() => {
      for (const { row, patches } of commits) {
        this.upsertCommit.run(row);
        for (const id of patches) accepted += this.acceptPatch.run(row.sha, row.method, row.score, id).changes;
      }
    }).immediate();
    return accepted;
  }
}
