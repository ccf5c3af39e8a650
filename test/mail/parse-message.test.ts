import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedMessage } from '../../src/types.js';
import { parseMessage, syntheticMessageId } from '../../src/mail/parse-message.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));

async function parsed(input: Buffer | string, options?: Parameters<typeof parseMessage>[1]): Promise<ParsedMessage> {
  const outcome = await parseMessage(typeof input === 'string' ? Buffer.from(input) : input, options);
  if (!outcome.ok) throw new Error(`expected ok, got ${outcome.reason}`);
  return outcome.message;
}

describe('parseMessage: fixtures', () => {
  it('DPDK mail with a raw 0x9C byte in a Received header (Patchwork 0012)', async () => {
    const m = await parsed(fixture('dpdk-invalid-header-char.eml'));
    expect(m.msgid).toBe('<1473941213-12345-1-git-send-email-ferdinand@example.net>');
    expect(m.listId).toBe('dev.dpdk.example.org');
    expect(m.listName).toBe('DPDK patches and discussions');
    expect(m.received).toHaveLength(2);
    expect(m.received[0]).toMatchObject({ hop: 0, byHost: 'dpdk.example.org', fromIp: '192.0.2.10', date: '2016-09-15T12:06:55Z' });
    expect(m.received[1]).toMatchObject({ hop: 1, byHost: 'buildhost.example.net', protocol: '\u009c' });
    expect(m.headers[2].raw).toBe('(from builder@localhost)\n\tby buildhost.example.net with \u009c id u8FC6rZs015035;\n\tThu, 15 Sep 2016 13:06:53 +0100');
    expect(m.date).toBe('2016-09-15T12:06:53Z');
    expect(m.warnings).toEqual([]);
  });

  it('folded Message-Id and Emacs-style In-Reply-To', async () => {
    const m = await parsed(fixture('emacs-in-reply-to.eml'));
    expect(m.msgid).toBe('<87lg8ex1yz.fsf@example.org>');
    expect(m.inReplyTo).toEqual(['<20180904120000.1234-2-bob@example.com>']);
    expect(m.references).toEqual(['<20180904120000.1234-1-bob@example.com>', '<20180904120000.1234-2-bob@example.com>']);
  });

  it('missing Message-Id gets a synthetic one', async () => {
    const bytes = fixture('no-message-id.eml');
    const m = await parsed(bytes);
    expect(m.msgidSynthetic).toBe(true);
    expect(m.msgid).toBe(syntheticMessageId(bytes));
    expect(m.msgid).toMatch(/^<[0-9a-f]{40}@listindex\.invalid>$/);
  });

  it('pipermail From and an asctime Date', async () => {
    const m = await parsed(fixture('pipermail-from.eml'));
    expect(m.from).toEqual({ name: 'John Doe', email: 'jdoe@example.com' });
    expect(m.date).toBe('2007-03-07T10:00:00Z');
    expect(m.msgidSynthetic).toBe(false);
  });

  it('multipart with a text/x-patch attachment', async () => {
    const m = await parsed(fixture('multipart-x-patch.eml'));
    expect(m.textParts.map((p) => [p.subtype, p.filename])).toEqual([
      ['plain', null],
      ['x-patch', '0001-fix-the-widget.patch'],
    ]);
    expect(m.textParts[1].text).toMatch(/^diff --git a\/widget.c b\/widget.c\n/);
    expect(m.body).toBe('Here is the fix, café included.\n');
    expect(m.attachments).toEqual([
      { filename: '0001-fix-the-widget.patch', contentType: 'text/x-patch', size: 139, disposition: 'attachment' },
      { filename: 'blob.bin', contentType: 'application/octet-stream', size: 8, disposition: 'attachment' },
    ]);
    expect(m.warnings).toEqual([]);
  });

  it('HTML-only mail: body is the HTML as text', async () => {
    const m = await parsed(fixture('html-only.eml'));
    expect(m.subject).toBe('Héllo world');
    expect(m.textParts.map((p) => p.subtype)).toEqual(['html']);
    expect(m.body).toBe('Café & croissant\n\nSecond line\nthird');
  });

  it.each([
    ['latin1-qp.eml', 'Grüße, a soft break and = sign.\n'],
    ['utf8-base64.eml', 'Rafał Miłecki\nline two\n'],
    ['latin1-base64.eml', 'Café crème\n'],
  ])('single-part body %s', async (name, body) => {
    const m = await parsed(fixture(name));
    expect(m.body).toBe(body);
    expect(m.textParts).toEqual([{ subtype: 'plain', text: body, filename: null }]);
    expect(m.warnings).toEqual([]);
  });

  it('single-part UTF-8 quoted-printable body', async () => {
    const m = await parsed(
      'From: a@example.com\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n' +
        'Rafa=C5=82 =\nMi=C5=82ecki\r\n',
    );
    expect(m.body).toBe('Rafał Miłecki\n');
  });

  it('bad base64 is decoded leniently with a warning', async () => {
    const m = await parsed(fixture('bad-base64.eml'));
    expect(m.body).toBe('hello world');
    expect(m.warnings).toEqual(['invalid characters in base64 body skipped']);
  });

  it('a Date in 2043 falls back to the Received date', async () => {
    const m = await parsed(fixture('date-2043.eml'));
    expect(m.date).toBe('2023-10-11T08:47:57Z');
    expect(m.dateSource).toBe('received');
    expect(m.dateRaw).toBe('Fri, 28 Aug 2043 01:17:41 +0800');
    expect(m.warnings[0]).toMatch(/future/);
    expect(m.listId).toBe('linux-watchdog@example.org');
  });

  it('invalid UTF-8 8-bit headers are read as Latin-1', async () => {
    const m = await parsed(fixture('invalid-utf8-headers.eml'));
    expect(m.subject).toBe('Grüße aus Köln');
    expect(m.from).toEqual({ name: 'Jörg Müller', email: 'joerg@example.de' });
    expect(m.headers.find((h) => h.name === 'X-Utf8')!.value).toBe('Rafał');
  });
});

describe('parseMessage: inline cases', () => {
  const base = 'From: A <a@example.com>\nDate: Mon, 29 Apr 2019 12:15:58 +0200\nMessage-Id: <m@x>\n';

  it('CRLF input', async () => {
    const m = await parsed(base.replace(/\n/g, '\r\n') + 'Subject: crlf\r\n\r\nline 1\r\nline 2\r\n');
    expect(m.subject).toBe('crlf');
    expect(m.body).toBe('line 1\nline 2\n');
  });

  it('subject: RFC 2047 split words; null when absent', async () => {
    const m = await parsed(`${base}Subject: =?utf-8?q?=C3?=\n =?utf-8?q?=A9t=C3=A9?=\n\n`);
    expect(m.subject).toBe('été');
    expect((await parsed(`${base}\nbody`)).subject).toBeNull();
  });

  it('unknown charset and NUL in charset name', async () => {
    const m = await parsed(`${base}Subject: =?x-bogus?q?caf=E9?= =?utf\0-8?q?=C3=A9?=\n\n`);
    expect(m.subject).toBe('caféé');
    const body = await parsed(
      Buffer.concat([Buffer.from(`${base}Content-Type: text/plain; charset=x-bogus\n\ncaf`), Buffer.from([0xe9])]),
    );
    expect(body.body).toBe('café');
    expect(body.warnings).toEqual(['unknown charset "x-bogus", guessed']);
  });

  it('To and Cc lists, several headers', async () => {
    const m = await parsed(`${base}To: "B, Bee" <b@x>, c@x\nCc: d@x\nCc: E <e@x>\n\n`);
    expect(m.to).toEqual([{ name: 'B, Bee', email: 'b@x' }, { name: null, email: 'c@x' }]);
    expect(m.cc.map((a) => a.email)).toEqual(['d@x', 'e@x']);
  });

  it('list id: List-Id, then X-Mailing-List, then X-list; forced by options', async () => {
    expect((await parsed(`${base}List-Id: <linux-watchdog.vger.kernel.org>\n\n`)).listId).toBe('linux-watchdog.vger.kernel.org');
    const both = await parsed(`${base}List-Id:   \nX-Mailing-List: linux-watchdog@vger.kernel.org\n\n`);
    expect(both.listId).toBe('linux-watchdog@vger.kernel.org');
    expect((await parsed(`${base}X-list: "A list" <a.list.example>\n\n`)).listName).toBe('A list');
    expect((await parsed(`${base}List-Id: not an id\n\n`)).listId).toBeNull();
    const forced = await parsed(`${base}List-Id: Name <x.y>\n\n`, { listId: 'forced.example' });
    expect([forced.listId, forced.listName]).toEqual(['forced.example', null]);
  });

  it('In-Reply-To and References: several headers, duplicates removed', async () => {
    const m = await parsed(`${base}In-Reply-To: <p@x>\nIn-Reply-To: q@x\nReferences: <o@x> <p@x>\nReferences: <p@x>\n\n`);
    expect(m.inReplyTo).toEqual(['<p@x>', 'q@x']);
    expect(m.references).toEqual(['<o@x>', '<p@x>']);
  });

  it('date: unparsable → Received; none → null', async () => {
    const recv = 'Received: from a (a [192.0.2.1]) by b with ESMTP id 1; Tue, 30 Apr 2019 00:00:00 +0000\n';
    const m = await parsed(`${recv}From: a@x\nDate: yesterday\n\n`);
    expect([m.date, m.dateSource, m.dateRaw]).toEqual(['2019-04-30T00:00:00Z', 'received', 'yesterday']);
    const before1970 = await parsed(`${recv}From: a@x\nDate: Mon, 1 Jan 1900 00:00:00 +0000\n\n`);
    expect(before1970.dateSource).toBe('received');
    const none = await parsed('From: a@x\nSubject: s\n\n');
    expect([none.date, none.dateSource, none.dateRaw]).toEqual([null, 'none', null]);
    const future = await parsed('From: a@x\nDate: Fri, 28 Aug 2999 01:17:41 +0800\n\n');
    expect([future.date, future.dateSource]).toEqual([null, 'none']);
  });

  it('multipart: plain parts joined, html ignored when plain exists', async () => {
    const m = await parsed(
      `${base}Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/plain\n\none\n--x\nContent-Type: text/html\n\n<p>two</p>\n--x--\n`,
    );
    expect(m.body).toBe('one');
    expect(m.textParts.map((p) => p.subtype)).toEqual(['plain', 'html']);
  });

  it('multipart over the part limit: raw body kept with a warning', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => `--x\nContent-Type: text/plain\n\npart ${i}\n`).join('');
    const m = await parsed(`${base}Content-Type: multipart/mixed; boundary=x\n\n${parts}--x--\n`, { maxParts: 10 });
    expect(m.textParts).toHaveLength(1);
    expect(m.body).toContain('part 19');
    expect(m.warnings[0]).toMatch(/over the limits/);
  });

  it('multipart nested beyond maxDepth: raw body kept', async () => {
    let body = 'leaf\n';
    for (let i = 60; i >= 2; i--) body = `--b${i}\nContent-Type: multipart/mixed; boundary="b${i + 1}"\n\n${body}--b${i}--\n`;
    const m = await parsed(`${base}Content-Type: multipart/mixed; boundary="b2"\n\n${body}`);
    expect(m.warnings.some((w) => /depth/.test(w))).toBe(true);
    expect(m.body).toContain('leaf');
  });

  it('multipart without boundary or parts: raw body', async () => {
    const m = await parsed(`${base}Content-Type: multipart/mixed\n\nhello\n`);
    expect(m.body).toBe('hello\n');
    expect(m.warnings).toEqual(['multipart without a boundary: body kept as plain text']);
  });

  it('an embedded message as the whole body is walked like a multipart', async () => {
    const m = await parsed(
      `${base}Content-Type: message/rfc822\n\nFrom: inner@example.com\nContent-Type: multipart/mixed; boundary=q\n\n` +
        '--q\nContent-Type: text/plain\n\ninner text\n--q\nContent-Type: text/x-diff\n\ndiff --git a/x b/x\n--q--\n',
    );
    expect(m.textParts.map((p) => [p.subtype, p.text])).toEqual([
      ['plain', 'inner text'],
      ['x-diff', 'diff --git a/x b/x'],
    ]);
    expect(m.body).toBe('inner text');
  });

  it('an empty multipart has no text parts', async () => {
    const m = await parsed(`${base}Content-Type: multipart/mixed; boundary=x\n\n`);
    expect([m.body, m.textParts]).toEqual(['', []]);
  });

  it('single non-text part: an attachment and no text', async () => {
    const m = await parsed(
      `${base}Content-Type: application/pdf; name="a.pdf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment\n\nJVBERi0=\n`,
    );
    expect(m.body).toBe('');
    expect(m.textParts).toEqual([]);
    expect(m.attachments).toEqual([{ filename: 'a.pdf', contentType: 'application/pdf', size: 5, disposition: 'attachment' }]);
  });

  it('NUL bytes and an unknown transfer encoding', async () => {
    const m = await parsed(`${base}Content-Transfer-Encoding: x-uuencode\n\na\0b\n`);
    expect(m.body).toBe('ab\n');
    expect(m.warnings[0]).toMatch(/unknown Content-Transfer-Encoding/);
  });

  it('copes with headers holding 150k ids or addresses', async () => {
    const ids = Array.from({ length: 150_000 }, (_, i) => `<${i}@x>`).join(' ');
    const addrs = Array.from({ length: 150_000 }, (_, i) => `u${i}@x`).join(', ');
    const m = await parsed(`${base}References: ${ids}\nTo: ${addrs}\n\n`, { maxHeaderBytes: 8 * 1024 * 1024 });
    expect(m.references).toHaveLength(150_000);
    expect(m.to).toHaveLength(150_000);
  });

  it('a NaN or zero limit falls back to the default instead of switching the limit off', async () => {
    const parts = Array.from({ length: 1100 }, () => '--x\n\np\n').join('');
    const m = await parsed(`${base}Content-Type: multipart/mixed; boundary=x\n\n${parts}--x--\n`, { maxParts: Number.NaN, maxDepth: 0 });
    expect(m.warnings.some((w) => /over the limits.*limits 1000 and 50/.test(w))).toBe(true);
  });

  it('gives ok:false only when there is no message at all', async () => {
    for (const input of ['', '\n\n', 'hello world\n', 'note: not a mail header\n\nbody']) {
      const outcome = await parseMessage(Buffer.from(input));
      expect(outcome.ok).toBe(false);
    }
    const junk = await parseMessage(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0a]));
    expect(junk).toEqual({ ok: false, reason: expect.stringMatching(/no header block/) });
  });
});
