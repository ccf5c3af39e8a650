/**
 * Writes the bundled samples/ (what `npm start` imports): a generated list archive as mboxrd
 * and as .gz, a Maildir folder, a git format-patch file, a single .eml, and an mbox of
 * hand-made edge cases. Deterministic: running it again rewrites the same bytes.
 *
 *   node dist/tools/make-samples.js samples
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateArchive, toMboxrd } from './archive-generator.js';
import type { GeneratedMessage } from './archive-generator.js';

export function writeSamples(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const messages = [...generateArchive({ count: 300, seed: 7 })];
  const first = messages.slice(0, 220);
  const second = messages.slice(220);
  writeFileSync(join(dir, 'list-2024-01.mbox'), Buffer.concat(first.map(toMboxrd)));
  // gzip with a fixed header (no mtime) so the bytes are the same on every run.
  writeFileSync(join(dir, 'list-2024-02.mbox.gz'), gzipSync(Buffer.concat(second.map(toMboxrd)), { level: 9 }));
  writeMaildir(join(dir, 'maildir'), [...generateArchive({ count: 6, seed: 99, domain: 'maildir.example.org' })]);
  writeFileSync(join(dir, '0001-watchdog-fix-timeout.patch'), FORMAT_PATCH);
  writeFileSync(join(dir, 'question.eml'), SINGLE_EML.replace(/\n/g, '\r\n'));
  writeFileSync(join(dir, 'edge-cases.mbox'), edgeCases());
}

function writeMaildir(dir: string, messages: GeneratedMessage[]): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  messages.forEach((m, i) => {
    const folder = i % 3 === 0 ? 'new' : 'cur';
    const name = `17000000${String(i).padStart(2, '0')}.M${i}P1000.sample${folder === 'cur' ? ':2,S' : ''}`;
    writeFileSync(join(dir, folder, name), Buffer.from(m.text, m.encoding));
  });
  writeFileSync(join(dir, 'tmp', '.keep'), '');
}

const FORMAT_PATCH = `From 5d1a2f0c9e8b7a6d5c4b3a29180716253a4b5c6d Mon Sep 17 00:00:00 2001
From: Ada Lovelace <ada@example.org>
Date: Tue, 5 Mar 2024 10:12:00 +0100
Subject: [PATCH] watchdog: fix timeout rounding

The timeout was rounded down, so a 1.5 s timeout became 1 s.

Signed-off-by: Ada Lovelace <ada@example.org>
---
 src/file1.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/src/file1.c b/src/file1.c
index 0000001..0000002 100644
--- a/src/file1.c
+++ b/src/file1.c
@@ -9,3 +9,3 @@
 /* file 1 line 9 */
-/* file 1 line 10 */
+/* file 1 line 10: rounded up */
 /* file 1 line 11 */
-- 
2.43.0

`;

const SINGLE_EML = `Return-Path: <grace@navy.example.mil>
Received: from mail.dev.lists.example.org (mail.dev.lists.example.org [192.0.2.10])
	by archive.dev.lists.example.org (Postfix) with ESMTPS id 4AB12
	for <archive@dev.lists.example.org>; Wed, 6 Mar 2024 08:00:05 +0000
From: Grace Hopper <grace@navy.example.mil>
To: dev@lists.example.org
Subject: =?UTF-8?Q?Caf=C3=A9_meeting_=E2=80=94_agenda?=
Date: Wed, 6 Mar 2024 09:00:00 +0100
Message-ID: <agenda-2024-03-06@navy.example.mil>
List-Id: Example development list <dev.lists.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Agenda for the café meeting:

1. watchdog_register_device() locking
2. the v3 series

Grace
`;

/** Hand-made cases: each is a thing real archives contain that an importer must not trip on. */
function edgeCases(): Buffer {
  const parts: Buffer[] = [];
  const add = (text: string, encoding: BufferEncoding = 'utf8') =>
    parts.push(Buffer.concat([Buffer.from('From edge@example Thu Jan  1 00:00:00 1970\n'), Buffer.from(text, encoding), Buffer.from('\n')]));
  // 1. No Message-Id: gets a synthetic one from its content.
  add(`From: No Id <noid@example.org>\nSubject: a message without Message-Id\nDate: Thu, 7 Mar 2024 10:00:00 +0000\nList-Id: <dev.lists.example.org>\n\nThere is no Message-Id header here.\n`);
  // 2. A Date far in the future: the first Received date is used instead.
  add(`Received: from a (a [192.0.2.1]) by b.example.org with ESMTP id X1; Thu, 7 Mar 2024 11:00:01 +0000\nFrom: Future <future@example.org>\nSubject: I come from 2043\nDate: Sat, 7 Mar 2043 11:00:00 +0000\nMessage-Id: <future-2043@example.org>\nList-Id: <dev.lists.example.org>\n\nMy clock is wrong.\n`);
  // 3. Body lines starting with From, escaped mboxrd style (one > is removed on import).
  add(`From: Quoter <quoter@example.org>\nSubject: Re: escaping\nDate: Thu, 7 Mar 2024 12:00:00 +0000\nMessage-Id: <escaping@example.org>\nIn-Reply-To: <agenda-2024-03-06@navy.example.mil> (message from Grace Hopper)\nList-Id: <dev.lists.example.org>\n\n>From the top: this line began with "From " before escaping.\n>>From this one began with ">From ".\n`);
  // 4. Raw 8-bit Latin-1 in headers and body, no charset declared.
  add(`From: Fran\xe7ois M\xfcller <fm@example.fr>\nSubject: caf\xe9 cr\xe8me\nDate: Thu, 7 Mar 2024 13:00:00 +0100\nMessage-Id: <latin1-raw@example.fr>\nList-Id: <dev.lists.example.org>\n\nR\xe9sum\xe9 attached.\n`, 'latin1');
  // 5. An unknown charset and a pipermail-style From.
  add(`From: bob at example.net (Bob Builder)\nSubject: =?x-unknown-charset?Q?strange?= subject\nDate: 7 Mar 2024 14:00 GMT\nMessage-Id: <unknown-charset@example.net>\nX-Mailing-List: dev.lists.example.org\nContent-Type: text/plain; charset=x-unknown-charset\n\nThe charset is not one anybody knows.\n`);
  // 6. CRLF line endings inside an LF mbox, folded headers.
  add(`From: Crlf User <crlf@example.org>\r\nSubject: a folded\r\n subject line\r\nDate: Thu, 7 Mar 2024 15:00:00 +0000\r\nMessage-Id:\r\n <crlf-folded@example.org>\r\nList-Id: Example development list\r\n <dev.lists.example.org>\r\n\r\nWindows line endings.\r\n`);
  // 7. Not a message at all: a field-like first line, then binary junk and no mail header.
  //    Kept in the rejects table with the reason.
  add(`Garbage: \x01\x02\x03 this is not an email\n\n\xff\xfe\x00\x00 binary junk\n`, 'latin1');
  // 8. The same message twice (a duplicate: stored once).
  const dup = `From: Twice <twice@example.org>\nSubject: sent twice\nDate: Thu, 7 Mar 2024 16:00:00 +0000\nMessage-Id: <twice@example.org>\nList-Id: <dev.lists.example.org>\n\nSame bytes, twice.\n`;
  add(dup);
  add(dup);
  // 9. Same Message-Id, different content: both kept, the second flagged as a duplicate id.
  add(dup.replace('Same bytes, twice.', 'Same id, other text.'));
  return Buffer.concat(parts);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeSamples(process.argv[2] ?? 'samples');
}
