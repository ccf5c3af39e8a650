/**
 * Prepared records cross from a parse worker to the writer with all their bytes (compressed raw
 * message, body, content, diff) in one ArrayBuffer that is moved, not copied: structured cloning
 * would copy ~15 MB a batch on each side, and the writer's thread bounds the import.
 */
import type { PreparedRecord } from '../store/records.js';

type ByteField = Uint8Array | null;

function byteFields(record: PreparedRecord): ByteField[] {
  return record.type === 'message'
    ? [record.compressed, record.texts.body, record.texts.content, record.texts.diff]
    : [record.compressed];
}

/** Copies every byte field of `records` into one buffer and points the fields at it. */
export function packRecordBytes(records: PreparedRecord[]): ArrayBuffer {
  let total = 0;
  for (const r of records) for (const f of byteFields(r)) total += f?.byteLength ?? 0;
  const packed = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  const view = (f: ByteField): ByteField => {
    if (f === null) return null;
    packed.set(f, at);
    at += f.byteLength;
    return packed.subarray(at - f.byteLength, at);
  };
  for (const r of records) {
    r.compressed = view(r.compressed)!;
    if (r.type === 'message') {
      r.texts = { body: view(r.texts.body)!, content: view(r.texts.content), diff: view(r.texts.diff) };
    }
  }
  return packed.buffer;
}
