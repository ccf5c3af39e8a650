/**
 * The proof that the hand-split multipart path (src/mail/simple-multipart.ts) gives what
 * mailparser gives: every multipart message of the shared corpus, mail files and list archives,
 * split both ways, the leaves compared (types and parameters, disposition, file name, bytes).
 */
import { describe, it, expect } from 'vitest';
import fg from 'fast-glob';
import { join } from 'node:path';
import { readSource } from '../src/input/read-source.js';
import { unescapeFromLines } from '../src/input/unescape.js';
import { parseHeaderBlock } from '../src/mail/header-block.js';
import { parseContentType } from '../src/mail/content-type.js';
import { parseMultipart } from '../src/mail/mime.js';
import { simpleMultipartLeaves } from '../src/mail/simple-multipart.js';
import { corpusDir } from './corpus-path.js';

// Expected outputs and documentation; the list archives (*.gz) are mail and are read here.
const NOT_MAIL = ['**/*.json', '**/*.md', '**/*.verify', 'b4/*.txt', 'lists/linux-watchdog-b4-golden/**'];

describe('simple multipart path', () => {
  it('gives every multipart message of the corpus it takes the leaves mailparser gives', async () => {
    const root = corpusDir();
    const files = fg.sync('**/*', { cwd: root, ignore: NOT_MAIL, dot: true, onlyFiles: true }).sort();
    let multipart = 0;
    let taken = 0;
    const differing: string[] = [];
    for (const file of files) {
      for await (const m of readSource({ path: join(root, file), kind: 'mbox', size: null })) {
        const bytes = unescapeFromLines(Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength), m.escaping ?? 'mboxrd');
        const block = parseHeaderBlock(bytes, Number.POSITIVE_INFINITY);
        const field = (name: string) => block?.fields.find((f) => f.name.toLowerCase() === name) ?? null;
        const ct = field('content-type');
        if (ct === null) continue;
        const type = parseContentType(ct.raw);
        const boundary = type.params.boundary;
        if (type.type !== 'multipart' || !boundary) continue;
        multipart++;
        const cte = field('content-transfer-encoding');
        const body = bytes.subarray(block!.bodyOffset);
        const simple = simpleMultipartLeaves(ct.raw, boundary, cte === null ? null : cte.raw, body);
        if (simple === null) continue;
        taken++;
        const library = await parseMultipart(ct.raw, cte === null ? null : cte.raw, body, 1000).catch((e: Error) => e.message);
        const same = typeof library !== 'string' && library.length === simple.length && library.every((leaf, i) =>
          JSON.stringify({ ...leaf, bytes: leaf.bytes.toString('base64') }) === JSON.stringify({ ...simple[i], bytes: simple[i].bytes.toString('base64') }));
        if (!same) differing.push(`${file} at ${m.offset}`);
      }
    }
    expect(differing).toEqual([]);
    // Most multipart list mail is of the simple shape (PGP-signed patches and replies).
    expect(multipart).toBeGreaterThan(700);
    expect(taken / multipart).toBeGreaterThan(0.5);
    console.log(`simple multipart path: ${taken} of ${multipart} multipart messages`);
  }, 600_000);
});
