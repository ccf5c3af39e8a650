import { describe, it, expect } from 'vitest';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { gunzipMembers } from '../../src/input/gunzip.js';
import type { TrailingBytes } from '../../src/input/gunzip.js';

/** Feeds `bytes` in chunks of `size` (member boundaries then fall anywhere in a chunk). */
async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function gunzip(bytes: Buffer, size = 7): Promise<{ out: Buffer; trailing: TrailingBytes[] }> {
  const trailing: TrailingBytes[] = [];
  const parts: Buffer[] = [];
  for await (const part of gunzipMembers(chunks(bytes, size), (t) => trailing.push(t))) parts.push(part);
  return { out: Buffer.concat(parts), trailing };
}

const text = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `line ${i} of the text\n`).join(''));

describe('gunzipMembers', () => {
  it('reads concatenated members and zero padding, in any chunking', async () => {
    const a = text(5000);
    const b = text(300);
    const gz = Buffer.concat([gzipSync(a), gzipSync(b), Buffer.alloc(512)]);
    for (const size of [1, 7, 4096, 1 << 20]) {
      const r = await gunzip(gz, size);
      expect(r.out.equals(Buffer.concat([a, b]))).toBe(true);
      expect(r.trailing).toEqual([]);
    }
  });

  it('ends at bytes that are not gzip, and says where they start and how many there are', async () => {
    const a = text(20000);
    const gz = gzipSync(a);
    const r = await gunzip(Buffer.concat([gz, Buffer.from('junk\n')]), 65536);
    expect(r.out.equals(a)).toBe(true);
    expect(r.trailing).toEqual([{ offset: gz.length, bytes: 5 }]);
  });

  it('reads the optional header fields (extra, name, comment, header CRC)', async () => {
    const a = text(100);
    const body = deflateRawSync(a);
    const header = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3]), Buffer.from([3, 0, 1, 2, 3]),
      Buffer.from('name.mbox\0'), Buffer.from('a comment\0'), Buffer.from([0, 0]),
    ]);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(gzipSync(a).readUInt32LE(gzipSync(a).length - 8), 0);
    trailer.writeUInt32LE(a.length, 4);
    expect((await gunzip(Buffer.concat([header, body, trailer]))).out.equals(a)).toBe(true);
  });

  it('fails on a wrong CRC and on a truncated member, with zlib error codes', async () => {
    const gz = gzipSync(text(1000));
    const bad = Buffer.from(gz);
    bad[bad.length - 6] ^= 0xff;
    await expect(gunzip(bad)).rejects.toMatchObject({ code: 'Z_DATA_ERROR', message: 'incorrect data check' });
    await expect(gunzip(gz.subarray(0, gz.length - 20))).rejects.toMatchObject({ code: 'Z_BUF_ERROR' });
    await expect(gunzip(gz.subarray(0, gz.length - 3))).rejects.toMatchObject({ code: 'Z_BUF_ERROR' });
  });
});
