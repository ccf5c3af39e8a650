/**
 * Importing public-inbox repositories (built with git from linux-watchdog's real mail): the
 * index equals that of an mbox of the same messages in commit order; re-imports read only new
 * commits and new epochs; a purge is noticed, recorded, and loses nothing.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths } from '../../src/import/pipeline.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDatabase } from '../../src/store/database.js';
import { exportMbox } from '../../src/store/reader.js';
import { contentDigest } from '../helpers/content-digest.js';
import { commitMessages, epochDir, initBare, makeV2Inbox, publicInboxMbox, v1Path, watchdogMessages } from '../helpers/public-inbox.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('listindex-pi-import-');
let mail: Buffer[];

beforeAll(async () => {
  mail = await watchdogMessages(200);
});

function withIndex<T>(file: string, fn: (db: SqliteDatabase) => T): T {
  const db = openDatabase(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Each occurrence in source order: what an export walks. */
function occurrenceOrder(db: SqliteDatabase): unknown[] {
  return db.prepare(`SELECT o.from_line, o.message_id, o.reject_id FROM occurrences o JOIN sources s ON s.id = o.source_id
    ORDER BY s.path, o.source_offset`).raw().all();
}

describe('importing public-inbox repositories', () => {
  it('gives the index an mbox of the same messages in commit order gives, and the same export', async () => {
    const inbox = join(dir, 'same');
    makeV2Inbox(inbox, [mail.slice(0, 120), mail.slice(120, 150)]);
    const mbox = join(dir, 'same.mbox');
    writeFileSync(mbox, publicInboxMbox(mail.slice(0, 150)));

    const fromGit = join(dir, 'same-git.db');
    const fromMbox = join(dir, 'same-mbox.db');
    const git = await importPaths(fromGit, [inbox]);
    const plain = await importPaths(fromMbox, [mbox]);
    expect(git.unreadable).toEqual([]);
    expect([git.files, git.messagesFound, git.stored, git.duplicates, git.rejected]).toEqual([2, 150, plain.stored, plain.duplicates, plain.rejected]);
    expect({ ...git.linking, seconds: 0 }).toEqual({ ...plain.linking, seconds: 0 });

    const [a, b] = [fromGit, fromMbox].map((f) => withIndex(f, (db) => ({
      digest: contentDigest(db, { where: false }),
      order: occurrenceOrder(db),
      exported: Buffer.concat([...exportMbox(db)]),
      series: db.prepare('SELECT count(*) FROM series').pluck().get() as number,
    })));
    expect(a.series).toBeGreaterThan(0);
    expect(a.digest).toBe(b.digest);
    expect(a.order).toEqual(b.order);
    expect(a.exported.equals(b.exported)).toBe(true);

    // Same bytes, same identity: the inbox adds nothing to an index of its mbox.
    const both = await importPaths(fromMbox, [inbox]);
    expect([both.messagesFound, both.stored, both.duplicates]).toEqual([150, 0, 150]);
  });

  it('reads only new commits and new epochs again, and nothing from an unchanged inbox', async () => {
    const inbox = join(dir, 'grow');
    makeV2Inbox(inbox, [mail.slice(0, 40), mail.slice(40, 60)]);
    const db = join(dir, 'grow.db');
    expect((await importPaths(db, [inbox])).stored).toBe(60);

    const unchanged = await importPaths(db, [inbox]);
    expect([unchanged.files, unchanged.unchanged, unchanged.messagesFound, unchanged.linking]).toEqual([2, 2, 0, null]);

    commitMessages(epochDir(inbox, 1), mail.slice(60, 70).map((add) => ({ add })));
    const grown = await importPaths(db, [inbox]);
    expect([grown.unchanged, grown.messagesFound, grown.stored]).toEqual([1, 10, 10]);

    commitMessages(initBare(epochDir(inbox, 2)), mail.slice(70, 75).map((add) => ({ add })));
    const newEpoch = await importPaths(db, [inbox]);
    expect([newEpoch.files, newEpoch.unchanged, newEpoch.messagesFound, newEpoch.stored]).toEqual([3, 2, 5, 5]);

    // Read in steps, the messages are those a single import of the whole inbox stores, in the same
    // order and places. (People named only in trailers get other ids: linking runs after each step.)
    const once = join(dir, 'grow-once.db');
    await importPaths(once, [inbox]);
    const [a, b] = [db, once].map((f) => withIndex(f, (d) => [
      d.prepare('SELECT id, content_hash, source_offset FROM messages ORDER BY id').raw().all(), occurrenceOrder(d),
      d.prepare('SELECT path, kind, size, messages, read_offset, git_commit FROM sources ORDER BY id').raw().all(),
    ]));
    expect(a).toEqual(b);
    const state = withIndex(db, (d) => d.prepare(`SELECT path, kind, messages, read_offset, git_commit IS NOT NULL AS has_commit FROM sources ORDER BY path`).all());
    expect(state).toEqual([
      { path: epochDir(inbox, 0), kind: 'git', messages: 40, read_offset: 39, has_commit: 1 },
      { path: epochDir(inbox, 1), kind: 'git', messages: 30, read_offset: 29, has_commit: 1 },
      { path: epochDir(inbox, 2), kind: 'git', messages: 5, read_offset: 4, has_commit: 1 },
    ]);
  });

  it('notices a purge: records it and the messages gone, keeps them, and the source exports as it is now', async () => {
    const inbox = join(dir, 'purge');
    const [, oldHead] = makeV2Inbox(inbox, [mail.slice(0, 10), mail.slice(10, 20)]);
    const db = join(dir, 'purge.db');
    await importPaths(db, [inbox]);
    const epoch = epochDir(inbox, 1);
    // public-inbox-purge rewrites the epoch without the purged messages (here the 3rd and 7th).
    const kept = mail.slice(10, 20).filter((_, i) => i !== 2 && i !== 6);
    const newHead = commitMessages(epoch, kept.map((add) => ({ add })), { rewrite: true, time: 1_700_000_000 });

    const summary = await importPaths(db, [inbox]);
    expect(summary.purges).toEqual([{ source: epoch, oldCommit: oldHead, newCommit: newHead }]);
    expect([summary.unchanged, summary.messagesFound, summary.stored, summary.duplicates]).toEqual([1, 8, 0, 8]);
    withIndex(db, (d) => {
      expect(d.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(20);
      expect(d.prepare(`SELECT p.old_commit, p.new_commit, p.messages, s.path FROM purges p JOIN sources s ON s.id = p.source_id`).all())
        .toEqual([{ old_commit: oldHead, new_commit: newHead, messages: 2, path: epoch }]);
      const gone = d.prepare(`SELECT m.content_hash FROM purged_messages pm JOIN messages m ON m.id = pm.message_id ORDER BY m.id`).pluck().all();
      const hashes = d.prepare(`SELECT content_hash FROM messages ORDER BY id`).pluck().all();
      expect(gone).toEqual([hashes[12], hashes[16]]);
      expect(Buffer.concat([...exportMbox(d, { sources: [epoch] })]).equals(publicInboxMbox(kept))).toBe(true);
      expect(d.prepare(`SELECT messages, read_offset, git_commit FROM sources WHERE path = ?`).get(epoch))
        .toEqual({ messages: 8, read_offset: 7, git_commit: newHead });
    });

    // After the purge the epoch is read on from its new head.
    commitMessages(epoch, [{ add: mail[20] }]);
    const after = await importPaths(db, [inbox]);
    expect([after.purges, after.messagesFound, after.stored]).toEqual([[], 1, 1]);
  });

  it('finishes a purge whose import was stopped, and records it once', async () => {
    const inbox = join(dir, 'purge-stopped');
    makeV2Inbox(inbox, [mail.slice(30, 60)]);
    const db = join(dir, 'purge-stopped.db');
    await importPaths(db, [inbox]);
    const epoch = epochDir(inbox, 0);
    const kept = mail.slice(31, 60);
    commitMessages(epoch, kept.map((add) => ({ add })), { rewrite: true });

    const controller = new AbortController();
    const stopped = await importPaths(db, [inbox], {
      batchSize: 5, signal: controller.signal, onProgress: (p) => { if (p.messagesFound >= 10) controller.abort(); },
    });
    expect(stopped.status).toBe('interrupted');
    expect(stopped.purges).toHaveLength(1);
    const resumed = await importPaths(db, [inbox]);
    expect(resumed.status).toBe('complete');
    expect(resumed.messagesFound).toBe(29);
    withIndex(db, (d) => {
      expect(d.prepare(`SELECT messages FROM purges`).pluck().all()).toEqual([1]);
      expect(d.prepare(`SELECT count(*) FROM purged_messages`).pluck().get()).toBe(1);
      expect(Buffer.concat([...exportMbox(d, { sources: [epoch] })]).equals(publicInboxMbox(kept))).toBe(true);
    });
  });

  it('records a repository as a git source before its first messages are written', async () => {
    const inbox = join(dir, 'kind');
    makeV2Inbox(inbox, [mail.slice(0, 30)]);
    const db = join(dir, 'kind.db');
    const kinds: unknown[] = [];
    await importPaths(db, [inbox], {
      batchSize: 5,
      onProgress: () => kinds.push(withIndex(db, (d) => d.prepare('SELECT kind FROM sources').pluck().all())),
    });
    expect(kinds.length).toBeGreaterThan(1);
    expect(kinds.every((k) => JSON.stringify(k) === '["git"]')).toBe(true);
  });

  it('imports a v1 repository in commit order', async () => {
    const repo = initBare(join(dir, 'v1.git'));
    commitMessages(repo, mail.slice(0, 30).map((add) => ({ add, path: v1Path(add) })));
    const fromGit = join(dir, 'v1.db');
    const fromMbox = join(dir, 'v1-mbox.db');
    const mbox = join(dir, 'v1.mbox');
    writeFileSync(mbox, publicInboxMbox(mail.slice(0, 30)));
    expect((await importPaths(fromGit, [repo])).stored).toBe(30);
    await importPaths(fromMbox, [mbox]);
    const [a, b] = [fromGit, fromMbox].map((f) => withIndex(f, (d) => contentDigest(d, { where: false })));
    expect(a).toBe(b);
  });

  it('parses in worker threads as it does on the main thread', async () => {
    const inbox = join(dir, 'workers');
    makeV2Inbox(inbox, [mail.slice(0, 200)]);
    const [threads, main] = [join(dir, 'w1.db'), join(dir, 'w0.db')];
    await importPaths(threads, [inbox], { workers: 1 });
    await importPaths(main, [inbox], { workers: 0 });
    const [a, b] = [threads, main].map((f) => withIndex(f, (d) => contentDigest(d)));
    expect(a).toBe(b);
  });
});
