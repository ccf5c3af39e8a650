import { describe, expect, it } from 'vitest';
import { collectTrailers, findPatchTrailers, sameAddress } from '../../src/patch/trailer-collection.js';
import type { TrailerSource } from '../../src/patch/trailer-collection.js';

const COVER = '<cover@x>';
const P1 = '<p1@x>';
const P2 = '<p2@x>';

function msg(partial: Partial<TrailerSource> & { msgid: string }): TrailerSource {
  return { inReplyTo: [], references: [], isPatch: false, isReply: true, counter: null, body: '', ...partial };
}

const patchBody = (n: number) => `Patch ${n}.\n\nSigned-off-by: Author <author@example.org>\n---\n a | 1 +\n\ndiff --git a/a b/a\n`;

const thread: TrailerSource[] = [
  msg({ msgid: COVER, isReply: false, counter: 0, body: 'Cover.\n\nSigned-off-by: Author <author@example.org>' }),
  msg({ msgid: P1, isPatch: true, isReply: false, counter: 1, inReplyTo: [COVER], references: [COVER], body: patchBody(1) }),
  msg({ msgid: P2, isPatch: true, isReply: false, counter: 2, inReplyTo: [COVER], references: [COVER], body: patchBody(2) }),
  msg({
    msgid: '<r1@x>', inReplyTo: [P2], references: [COVER, P2], from: { name: 'Rev One', email: 'rev1@example.org' },
    body: '> Signed-off-by: Author <author@example.org>\n\nReviewed-by: Rev One <rev1@example.org>\nCc: someone@example.org',
  }),
  msg({
    msgid: '<r2@x>', inReplyTo: ['<r1@x>'], references: [COVER, P2, '<r1@x>'], from: { name: 'Tess', email: 'tess+lists@example.org' },
    body: 'Tested-by: Tess <tess@example.org>\nReviewed-by: Someone Else <else@example.org>',
  }),
  msg({ msgid: '<r3@x>', inReplyTo: [COVER], references: [COVER], from: { name: 'Ack Er', email: 'acker@example.org' }, body: 'For the series:\nAcked-by: Ack Er <acker@example.org>' }),
  msg({ msgid: '<r4@x>', inReplyTo: ['<unknown@x>'], references: [COVER, P1, '<unknown@x>'], from: { name: 'Late', email: 'late@example.org' }, body: 'Reviewed-by: Late <late@example.org>' }),
];

const summary = (map: Map<string, { name: string; value: string; via: string }[]>, id: string) =>
  map.get(id)!.map((t) => `${t.via} ${t.name}: ${t.value}`);

describe('collectTrailers', () => {
  it('own trailers, then replies (walking up through replies), then cover replies', () => {
    const got = collectTrailers(thread);
    expect([...got.keys()]).toEqual([P1, P2]);
    expect(summary(got, P1)).toEqual([
      'patch Signed-off-by: Author <author@example.org>',
      'reply Reviewed-by: Late <late@example.org>',
      'cover Acked-by: Ack Er <acker@example.org>',
    ]);
    expect(summary(got, P2)).toEqual([
      'patch Signed-off-by: Author <author@example.org>',
      'reply Reviewed-by: Rev One <rev1@example.org>',
      'reply Tested-by: Tess <tess@example.org>',
      'cover Acked-by: Ack Er <acker@example.org>',
    ]);
  });

  it('records where each trailer came from', () => {
    const got = collectTrailers(thread);
    expect(got.get(P2)!.map((t) => t.source)).toEqual([P2, '<r1@x>', '<r2@x>', '<r3@x>']);
  });

  it('sloppy mode keeps trailers naming someone other than the sender; Cc from replies never', () => {
    const got = collectTrailers(thread, { sloppy: true });
    expect(summary(got, P2)).toContain('reply Reviewed-by: Someone Else <else@example.org>');
    expect(summary(got, P2).some((t) => t.includes('Cc:'))).toBe(false);
  });

  it('drops duplicates by name and value, keeping the first', () => {
    const dup = [...thread, msg({ msgid: '<r5@x>', inReplyTo: [P2], from: { name: 'Rev One', email: 'rev1@example.org' }, body: 'reviewed-by: Rev One <REV1@example.org>' })];
    expect(summary(collectTrailers(dup), P2).filter((t) => t.includes('Rev One'))).toHaveLength(1);
  });

  it('a 0/N reply is a follow-up, not a cover; unanswered follow-ups are dropped', () => {
    const msgs = [
      msg({ msgid: P1, isPatch: true, isReply: false, counter: 1, body: patchBody(1) }),
      msg({ msgid: '<x@x>', counter: 0, isReply: true, inReplyTo: [P1], body: 'Acked-by: A <a@example.org>' }),
      msg({ msgid: '<y@x>', inReplyTo: ['<nowhere@x>'], body: 'Acked-by: B <b@example.org>' }),
    ];
    expect(summary(collectTrailers(msgs), P1)).toEqual(['patch Signed-off-by: Author <author@example.org>', 'reply Acked-by: A <a@example.org>']);
  });

  it('cover trailers go to the patches of the nearest cover only', () => {
    const V2 = '<cover-v2@x>';
    const msgs = [
      ...thread,
      msg({ msgid: V2, isReply: false, counter: 0, inReplyTo: [COVER], references: [COVER], body: 'v2 cover' }),
      msg({ msgid: '<v2p1@x>', isPatch: true, isReply: false, counter: 1, inReplyTo: [V2], references: [COVER, V2], body: patchBody(1) }),
    ];
    expect(summary(collectTrailers(msgs), '<v2p1@x>')).toEqual(['patch Signed-off-by: Author <author@example.org>']);
  });

  it('survives reply loops', () => {
    const msgs = [
      msg({ msgid: P1, isPatch: true, isReply: false, body: patchBody(1) }),
      msg({ msgid: '<a@x>', inReplyTo: ['<b@x>'], body: 'Acked-by: A <a@example.org>' }),
      msg({ msgid: '<b@x>', inReplyTo: ['<a@x>'], body: 'Acked-by: B <b@example.org>' }),
    ];
    expect(summary(collectTrailers(msgs), P1)).toEqual(['patch Signed-off-by: Author <author@example.org>']);
  });
});

describe('findPatchTrailers', () => {
  it('reads the last paragraph before --- or the diff', () => {
    expect(findPatchTrailers('Subject line body.\n\nReviewed-by: A <a@example.org>\n\nSigned-off-by: B <b@example.org>\n---\nAcked-by: C <c@example.org>\n').map((t) => t.name)).toEqual(['Signed-off-by']);
    expect(findPatchTrailers('Body.\n\nAcked-by: C <c@example.org>\n\ndiff --git a/x b/x\n').map((t) => t.name)).toEqual(['Acked-by']);
  });
});

describe('sameAddress (b4 email_eq)', () => {
  it('case, +tags and parent domains', () => {
    expect(sameAddress('Foo@Example.org', 'foo@example.org')).toBe(true);
    expect(sameAddress('foo+kernel@example.org', 'foo@example.org')).toBe(true);
    expect(sameAddress('foo@linux.intel.com', 'foo@intel.com')).toBe(true);
    expect(sameAddress('foo@example.net', 'foo@example.com')).toBe(false);
    expect(sameAddress('bar@intel.com', 'foo@intel.com')).toBe(false);
  });
});
