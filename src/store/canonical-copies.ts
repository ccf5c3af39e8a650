/**
 * Which copy of a repeated Message-Id stands for the message. Two different messages can carry
 * the same Message-Id: a list's copy and a copy saved elsewhere, a copy re-delivered with other
 * headers, or a forged copy made to take a real patch's place. The copy that counts (in series,
 * threads and `show`) must not depend on which file was imported first, so it is chosen by a
 * rule on the copies themselves; every other copy points to it through `messages.duplicate_of`.
 *
 * The rule, first difference wins:
 *  1. a copy that came through a mailing list (it has a List-Id header) before one that did not;
 *  2. the copy that reached the archive first (the date of its topmost Received header, the last
 *     relay): a copy made after the original, with its Message-Id, arrives after it; copies with
 *     no Received date come last;
 *  3. the larger copy (a copy cut short, as the last message of an mbox being written is);
 *  4. the smaller content hash (SHA-1 of the bytes), so that the choice is always made.
 *
 * Series linking links the canonical copy and, for each other list a copy came through, the
 * first of that list's copies by the same rule: a series cross-posted to two lists (the same
 * Message-Ids, each list's List-Id) is a series of each list, as Patchwork creates it in every
 * project it was sent to, and each list has the series it would have alone. Copies that came
 * through no list are linked only when one of them is canonical. link_facts.duplicate marks the
 * copies not linked.
 */
import type { SqliteDatabase } from './database.js';

/** Copies of one Message-Id, the canonical one first. */
const COPIES_BY_RULE = `SELECT m.id, m.list_id FROM messages m LEFT JOIN received r ON r.message_id = m.id AND r.hop = 0
  WHERE m.msgid = ?
  ORDER BY EXISTS (SELECT 1 FROM headers h WHERE h.message_id = m.id AND h.name = 'List-Id' COLLATE NOCASE) DESC,
    r.date IS NULL, r.date, m.size DESC, m.content_hash`;

/**
 * Chooses the canonical copy of every Message-Id that a message stored after `afterId` shares
 * with another, and sets `duplicate_of` on all of its copies, and link_facts.duplicate on those
 * not linked (see above). Returns the rows changed.
 */
export function chooseCanonicalCopies(db: SqliteDatabase, afterId: number): number {
  // The whole index in one pass over the msgid index when it was never linked; else only the
  // messages stored since, by row id (NOT INDEXED: the planner would otherwise walk the whole
  // msgid index on every import).
  const repeated = (afterId <= 0
    ? db.prepare('SELECT msgid FROM messages GROUP BY msgid HAVING count(*) > 1').pluck().all()
    : db.prepare(`SELECT DISTINCT m.msgid FROM messages m NOT INDEXED WHERE m.id > ?
      AND EXISTS (SELECT 1 FROM messages o WHERE o.msgid = m.msgid AND o.id <> m.id)`).pluck().all(afterId)) as string[];
  if (repeated.length === 0) return 0;
  const copiesByRule = db.prepare(COPIES_BY_RULE).raw();
  const setMessages = db.prepare(`UPDATE messages SET duplicate_of = nullif(@canonical, id)
    WHERE msgid = @msgid AND duplicate_of IS NOT nullif(@canonical, id)`);
  const notLinked = 'message_id NOT IN (SELECT value FROM json_each(@linked))';
  const setFacts = db.prepare(`UPDATE link_facts SET duplicate = (${notLinked}) WHERE msgid = @msgid AND duplicate IS NOT (${notLinked})`);
  let changes = 0;
  for (const msgid of repeated) {
    const copies = copiesByRule.all(msgid) as [number, number | null][];
    const canonical = copies[0][0];
    // The canonical copy, then the first copy of each other list.
    const lists = new Set([copies[0][1]]);
    const linked = [canonical];
    for (const [id, list] of copies) {
      if (list === null || lists.has(list)) continue;
      lists.add(list);
      linked.push(id);
    }
    changes += setMessages.run({ canonical, msgid }).changes + setFacts.run({ linked: JSON.stringify(linked), msgid }).changes;
  }
  return changes;
}
