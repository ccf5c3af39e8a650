/**
 * src/patch against a real archive: what Patchwork v3.1.3 stored for every message of
 * linux-watchdog (lists/linux-watchdog.patchwork.json), and what `b4 am` produced for one series
 * of it (lists/linux-watchdog-b4-golden).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyMessage, collectTrailers, extractPatchContent, findPatchTrailers, parseSubject, patchworkHash } from '../src/patch/index.js';
import type { TrailerSource } from '../src/patch/index.js';
import { corpusDir, parseCrudeMail, readMail, splitMbox } from './patch-mail-helper.js';
import type { CrudeMail, ExpectedPatch } from './patch-mail-helper.js';

// parsearchive ran with the project link name `linux-watchdog` (dropped from names).
const LINKNAME = 'linux-watchdog';
// Patchwork cuts Message-Ids to 255 characters.
const MSGID_MAX = 255;

interface Expected {
  series: { patches: ExpectedPatch[] }[];
  patches_without_series: ExpectedPatch[];
  messages: Record<string, 'patch' | 'cover' | 'comment'>;
}

const listDir = corpusDir('lists');
let mails: Map<string, CrudeMail>;
let raws: Map<string, Buffer>;
let expected: Expected;

beforeAll(async () => {
  const data = zlib.gunzipSync(fs.readFileSync(path.join(listDir, 'linux-watchdog.mboxrd.gz')));
  mails = new Map();
  raws = new Map();
  for (const raw of splitMbox(data)) {
    const mail = await readMail(raw);
    // Patchwork keeps the first copy of a repeated Message-Id.
    const id = mail.msgid?.slice(0, MSGID_MAX);
    if (id && !mails.has(id)) {
      mails.set(id, mail);
      raws.set(id, raw);
    }
  }
  expected = JSON.parse(fs.readFileSync(path.join(listDir, 'linux-watchdog.patchwork.json'), 'utf8')) as Expected;
}, 120_000);

function analyse(mail: CrudeMail) {
  const subject = mail.subject === null ? null : parseSubject(mail.subject, [LINKNAME]);
  const content = extractPatchContent(mail.textParts, subject?.isReply ?? false);
  return { subject, ...content, kind: classifyMessage({ subject, ...content }) };
}

const plainText = (mail: CrudeMail) => mail.textParts.filter((p) => p.subtype === 'plain').map((p) => p.text).join('\n');

describe('linux-watchdog as Patchwork stored it', () => {
  it('every patch: name, hash, exact diff and pull URL', () => {
    const patches = [...expected.series.flatMap((s) => s.patches), ...expected.patches_without_series];
    expect(patches.length).toBe(5487);
    const mismatches: string[] = [];
    for (const p of patches) {
      const got = analyse(mails.get(p.msgid)!);
      const diffSha1 = got.diff === null ? null : createHash('sha1').update(got.diff, 'utf8').digest('hex');
      const hash = got.diff === null ? null : patchworkHash(got.diff);
      if (got.kind !== 'patch') mismatches.push(`${p.msgid}: kind ${got.kind}`);
      if (got.subject?.name !== p.name) mismatches.push(`${p.msgid}: name ${got.subject?.name}`);
      if (hash !== p.hash) mismatches.push(`${p.msgid}: hash ${hash}`);
      if (diffSha1 !== p.diff_sha1) {
        // src/mail turns CRLF bodies into LF, Patchwork keeps the CRs (the hash ignores them):
        // the exact diff must then come out of the byte-faithful crude reader.
        const crude = extractPatchContent(parseCrudeMail(raws.get(p.msgid)!).textParts, false).diff;
        const crudeSha1 = crude === null ? null : createHash('sha1').update(crude, 'utf8').digest('hex');
        if (crudeSha1 !== p.diff_sha1 || crude!.replace(/\r/g, '') !== got.diff!.replace(/\r/g, '')) mismatches.push(`${p.msgid}: diff differs`);
      }
      if (got.pullUrl !== p.pull_url) mismatches.push(`${p.msgid}: pull URL ${got.pullUrl}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('every stored message: the database-free part of the classification agrees', () => {
    const mismatches: string[] = [];
    for (const [msgid, kind] of Object.entries(expected.messages)) {
      const got = analyse(mails.get(msgid)!).kind;
      const ok = kind === 'patch' ? got === 'patch'
        : kind === 'cover' ? got === 'cover-candidate'
          : got === 'comment-candidate' || got === 'cover-candidate';
      if (!ok) mismatches.push(`${msgid}: stored as ${kind}, classified ${got}`);
    }
    expect(Object.keys(expected.messages).length).toBe(15264);
    expect(mismatches).toEqual([]);
  });
});

describe('linux-watchdog as b4 am applied one series', () => {
  it('v4 of "Add the NXP S32 Watchdog": the trailers of each patch', async () => {
    const sources: TrailerSource[] = [...mails.values()].map((mail) => {
      const got = analyse(mail);
      const isPatch = got.kind === 'patch';
      return {
        msgid: mail.msgid!,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        isPatch,
        isReply: got.subject?.isReply ?? false,
        counter: got.subject?.counter ?? null,
        body: isPatch ? plainText(mail) : got.content,
        from: mail.from,
      };
    });
    const collected = collectTrailers(sources);
    const goldenDir = path.join(listDir, 'linux-watchdog-b4-golden');
    const golden = await Promise.all(splitMbox(fs.readFileSync(path.join(goldenDir, 'v4_20250410_daniel_lezcano_add_the_nxp_s32_watchdog.mbx'))).map(readMail));
    expect(golden.length).toBe(2);
    for (const patch of golden) {
      const want = findPatchTrailers(plainText(patch)).map((t) => `${t.name}: ${t.value}`);
      const got = collected.get(patch.msgid!)!.map((t) => `${t.name}: ${t.value}`);
      expect(got, patch.msgid!).toEqual(want);
    }
  });
});
