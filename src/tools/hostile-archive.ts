/**
 * Pathological mail for testing limits (deterministic): each case sits between normal messages,
 * which must all be stored whatever happens to the bad ones.
 *   node dist/tools/hostile-archive.js <dir>   writes hostile.mbox and bomb.mbox.gz there
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';

export interface HostileCase {
  name: string;
  /** The message after its From_ line (LF line endings). */
  bytes: Buffer;
}

const normal = (n: number) => Buffer.from(
  `From: Normal Sender <normal${n}@example.org>\nSubject: normal message ${n}\nDate: Mon, 1 Jan 2024 10:${String(n % 60).padStart(2, '0')}:00 +0000\n` +
  `Message-Id: <normal-${n}@example.org>\nList-Id: <hostile.example.org>\n\nAn ordinary message, number ${n}.\n`);

function header(name: string, extra = ''): string {
  return `From: Hostile <hostile@example.org>\nSubject: ${name}\nDate: Mon, 1 Jan 2024 09:00:00 +0000\nMessage-Id: <${name}@example.org>\nList-Id: <hostile.example.org>\n${extra}`;
}

export function hostileCases(options: { bigMessageBytes?: number } = {}): HostileCase[] {
  const big = options.bigMessageBytes ?? 50 * 1024 * 1024;
  const line = 'a large body line that goes on and on, 0123456789 abcdefghijklmnopqrstuvwxyz\n';
  const refs = Array.from({ length: 100_000 }, (_, i) => `<ref-${i}@example.org>`).join('\n ');
  let nested = '';
  for (let depth = 0; depth < 1000; depth++) nested += `Content-Type: multipart/mixed; boundary="b${depth}"\n\n--b${depth}\n`;
  nested += 'Content-Type: text/plain\n\ninnermost text\n';
  for (let depth = 999; depth >= 0; depth--) nested += `--b${depth}--\n`;
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256 || 0x80;
  return [
    { name: 'big-message', bytes: Buffer.concat([Buffer.from(header('big-message') + '\n'), Buffer.from(line.repeat(Math.ceil(big / line.length)))]) },
    { name: 'huge-header-line', bytes: Buffer.from(header('huge-header-line', `X-Junk: ${'x'.repeat(1024 * 1024)}\n`) + '\nbody\n') },
    { name: 'many-references', bytes: Buffer.from(header('many-references', `References: ${refs}\nIn-Reply-To: <ref-99999@example.org>\n`) + '\nbody\n') },
    { name: 'deep-multipart', bytes: Buffer.from(header('deep-multipart', 'MIME-Version: 1.0\n') + nested) },
    { name: 'invalid-utf8', bytes: Buffer.concat([Buffer.from(header('invalid-utf8', 'X-Bad: ')), junk.subarray(0, 200).map((b) => (b === 0x0a ? 0x41 : b)), Buffer.from('\nContent-Type: text/plain; charset=utf-8\n\n'), junk.map((b) => (b === 0x0a || b === 0x46 ? 0x41 : b)), Buffer.from('\n')]) },
  ];
}

/** An mbox: normal, hostile, normal, hostile..., normal, then a last message cut off mid-header. */
export function hostileMbox(options: { bigMessageBytes?: number } = {}): { mbox: Buffer; normal: number; hostile: string[] } {
  const parts: Buffer[] = [];
  const from = Buffer.from('From hostile@example.org Mon Jan  1 00:00:00 2024\n');
  let n = 0;
  const cases = hostileCases(options);
  for (const c of cases) {
    parts.push(from, normal(n++), Buffer.from('\n'), from, c.bytes, Buffer.from('\n'));
  }
  parts.push(from, normal(n++), Buffer.from('\n'));
  parts.push(from, Buffer.from('From: Truncated <trunc@example.org>\nSubject: cut off in the midd'));
  return { mbox: Buffer.concat(parts), normal: n, hostile: [...cases.map((c) => c.name), 'truncated'] };
}

/** A gzip bomb: `decompressedBytes` of zeros behind a From_ line, a few hundred KB compressed. */
export async function writeGzipBomb(path: string, decompressedBytes: number): Promise<void> {
  const gzip = createGzip({ level: 9 });
  const out = createWriteStream(path);
  gzip.pipe(out);
  gzip.write('From bomb@example.org Mon Jan  1 00:00:00 2024\nFrom: Bomb <bomb@example.org>\nSubject: bomb\n\n');
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < decompressedBytes; written += zeros.length) {
    if (!gzip.write(zeros)) await once(gzip, 'drain');
  }
  gzip.write('\n\nFrom after@example.org Mon Jan  1 00:00:00 2024\n');
  gzip.write(normal(99));
  gzip.end();
  await once(out, 'close');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const dir = process.argv[2] ?? '.';
  writeFileSync(join(dir, 'hostile.mbox'), hostileMbox().mbox);
  await writeGzipBomb(join(dir, 'bomb.mbox.gz'), 1024 * 1024 * 1024);
}
