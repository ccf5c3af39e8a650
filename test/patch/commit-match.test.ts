import { describe, it, expect } from 'vitest';
import {
  changeFacts, commitSubject, partialSimilarity, similarity, statedMessageIds, stripPrefixGroups, SIMILAR_THRESHOLD, WEIGHTS,
} from '../../src/patch/commit-match.js';
import type { MatchSide } from '../../src/patch/commit-match.js';

const DIFF = `diff --git a/io_uring/net.c b/io_uring/net.c
index 1111111..2222222 100644
--- a/io_uring/net.c
+++ b/io_uring/net.c
@@ -10,4 +10,3 @@ static int f(void)
 \tint a;
-\tint b = 1;
+\tint b = 2;
 \treturn a;
-- removed line that looks like a header
@@ -40,2 +40,3 @@
 x
+\ty  =  3;
 z
--
2.43.0
`;

describe('changeFacts', () => {
  it('reads files, and the changed lines inside hunks only, blanks collapsed', () => {
    const facts = changeFacts(DIFF);
    expect([...facts.files]).toEqual(['io_uring/net.c']);
    expect(facts.lineTotal).toBe(4);
    expect([...facts.lines.keys()]).toEqual(['-\tint b = 1;'.replace(/\s+/g, ' '), '+ int b = 2;', '-- removed line that looks like a header', '+ y = 3;']);
  });

  it('counts a line changed twice twice', () => {
    const diff = '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-x\n-x\n+y\n+y\n';
    expect(changeFacts(diff).lines.get('-x')).toBe(2);
    expect(changeFacts(diff).lineTotal).toBe(4);
  });
});

describe('similarity', () => {
  const side = (diff: string, title = 'io_uring/net: fix b', email = 'ann@example.org', name = 'Ann'): MatchSide =>
    ({ authorName: name, authorEmail: email, title, change: changeFacts(diff) });

  it('is 1 for the same change, title and author', () => {
    expect(similarity(side(DIFF), side(DIFF)).score).toBeCloseTo(1, 10);
  });

  it('drops with the changed lines: one of four lines changed', () => {
    const s = similarity(side(DIFF), side(DIFF.replace('y  =  3', 'y = 4')));
    expect(s.lines).toBeCloseTo(0.75, 10);
    expect(s.score).toBeCloseTo(1 - WEIGHTS.lines * 0.25, 10);
    expect(s.score).toBeGreaterThanOrEqual(SIMILAR_THRESHOLD);
  });

  it('never reaches the threshold on title, files and author alone', () => {
    const other = '--- a/io_uring/net.c\n+++ b/io_uring/net.c\n@@ -1 +1 @@\n-q\n+r\n';
    const s = similarity(side(DIFF), side(other));
    expect(s).toMatchObject({ lines: 0, files: 1, title: 1, author: 1 });
    expect(s.score).toBeLessThan(SIMILAR_THRESHOLD);
  });

  it('knows the author by address (any case), else by name', () => {
    expect(similarity(side(DIFF), side(DIFF, undefined, 'ANN@Example.org', 'Someone')).author).toBe(1);
    expect(similarity(side(DIFF), side(DIFF, undefined, 'ann@elsewhere.org', ' ann ')).author).toBe(1);
    expect(similarity(side(DIFF), side(DIFF, undefined, 'bob@example.org', 'Bob')).author).toBe(0);
  });

  it('bounds the score from what is known before the lines are compared', () => {
    const a = side(DIFF);
    const b = side(DIFF.replace('int b = 2', 'int b = 5'), 'io_uring/net: fix c');
    expect(partialSimilarity(a, b).bound).toBeGreaterThanOrEqual(similarity(a, b).score);
  });
});

describe('statedMessageIds', () => {
  it('finds the Message-Id in b4, public-inbox and msgid.link URLs, and in Message-Id trailers', () => {
    const message = `io_uring: fix

Signed-off-by: A <a@example.org>
Link: https://lore.kernel.org/r/20240101.123-1-a@example.org
Link: https://lore.kernel.org/io-uring/abc%2Bdef@example.org/
link: https://patch.msgid.link/x.y@z.org
Link: https://github.com/axboe/liburing/pull/12
Message-Id: <bracketed@example.org>
Message-ID: bare@example.org
`;
    expect(statedMessageIds(message)).toEqual([
      '<20240101.123-1-a@example.org>', '<abc+def@example.org>', '<x.y@z.org>', '<bracketed@example.org>', '<bare@example.org>',
    ]);
  });

  it('finds nothing in a message without such trailers', () => {
    expect(statedMessageIds('fix\n\nSee https://lore.kernel.org/r/a@b.c for why.\n')).toEqual([]);
  });
});

describe('titles', () => {
  it('takes a commit subject as git does: the first paragraph on one line', () => {
    expect(commitSubject('\nio_uring: a long\n subject line\n\nbody\n')).toBe('io_uring: a long subject line');
  });

  it('strips a patch name of its prefix groups', () => {
    expect(stripPrefixGroups('[v2,3/9] io_uring: fix [the] thing')).toBe('io_uring: fix [the] thing');
    expect(stripPrefixGroups('[a] [b] x')).toBe('x');
  });
});
