import { describe, expect, it } from 'vitest';
import { prepareBatch } from '../../src/import/prepare.js';
import { packRecordBytes } from '../../src/import/pack-bytes.js';
import type { MessageInput, PreparedRecord } from '../../src/store/records.js';

const input = (index: number, text: string): MessageInput => ({
  source: 'test.mbox', offset: index * 1000, fromLine: 'From x', raw: Buffer.from(text), escaping: 'mboxrd', index,
});

const byteFields = (r: PreparedRecord) => (r.type === 'message' ? [r.compressed, r.texts.body, r.texts.content, r.texts.diff] : [r.compressed]);
const snapshot = (records: PreparedRecord[]) => records.map((r) => byteFields(r).map((f) => (f === null ? null : Buffer.from(f).toString('hex'))));

describe('packRecordBytes', () => {
  it('moves every byte field of a batch into one buffer, content unchanged', async () => {
    const patch = 'From: A <a@example.org>\nSubject: [PATCH] x\nMessage-Id: <p@x>\n\nfix\n\nSigned-off-by: A <a@example.org>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n';
    const reply = 'From: B <b@example.org>\nSubject: Re: x\nMessage-Id: <r@x>\nIn-Reply-To: <p@x>\n\nAcked-by: B <b@example.org>\n';
    const records = await prepareBatch([input(0, patch), input(1, reply), input(2, 'not a message\n')]);
    expect(records.map((r) => r.type)).toEqual(['message', 'message', 'reject']);
    const before = snapshot(records);

    const buffer = packRecordBytes(records);

    const fields = records.flatMap(byteFields);
    for (const f of fields) if (f !== null) expect(f.buffer).toBe(buffer);
    expect(buffer.byteLength).toBe(fields.reduce((sum, f) => sum + (f?.byteLength ?? 0), 0));
    expect(snapshot(records)).toEqual(before);
    // The diff is a stretch of the body: stored once, as part of it.
    const patch0 = records[0].type === 'message' ? records[0] : null;
    expect(patch0!.texts.diff).toBeNull();
    expect(patch0!.patch.diffStart).not.toBeNull();
    expect(Buffer.from(patch0!.texts.body).toString()).toContain('+b');
  });
});
