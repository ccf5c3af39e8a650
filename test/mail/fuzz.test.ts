import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';

const headerNames = [
  'From', 'To', 'Cc', 'Subject', 'Date', 'Message-Id', 'In-Reply-To', 'References', 'Received',
  'List-Id', 'X-Mailing-List', 'X-list', 'Content-Type', 'Content-Transfer-Encoding',
  'Content-Disposition', 'MIME-Version', 'X-Junk',
];
const nasty = [
  '=?', '?=', '=?utf-8?q?', '=?x\0y?b?', '=C3', '<', '>', '"', '(', ')', ';', ',', ':', '\\', '\n', '\r\n',
  '\n ', '\t', '\0', '\u00e9', '\u009c', 'multipart/mixed; boundary=b', '--b', '--b--', 'base64',
  'quoted-printable', 'text/html', 'charset=', ' at ', '@', '[1.2.3.4]', 'from', 'by', 'with', 'id',
  'Mon, 29 Apr 2019 12:15:58 +0200', '2043', '99', 'GMT', 'PDT',
];

const soupValue = fc
  .array(fc.oneof(fc.constantFrom(...nasty), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 12 })
  .map((parts) => parts.join(''));

const headerSoup = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...headerNames), soupValue), { minLength: 1, maxLength: 15 }),
    fc.constantFrom('\n', '\r\n'),
    soupValue,
  )
  // The first field is always From, so there is always something to call a message.
  .map(([fields, eol, body]) =>
    Buffer.from([['From', 'a@example.com'], ...fields].map(([n, v]) => `${n}: ${v}`).join(eol) + eol + eol + body, 'utf8'),
  );

describe('parseMessage never throws', () => {
  it('on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const outcome = await parseMessage(Buffer.from(bytes));
        expect(typeof outcome.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('on random header soup', async () => {
    await fc.assert(
      fc.asyncProperty(headerSoup, async (bytes) => {
        const outcome = await parseMessage(bytes);
        expect(outcome.ok).toBe(true);
        if (outcome.ok) {
          const m = outcome.message;
          expect(m.msgid.length).toBeGreaterThan(0);
          expect(m.msgid.length).toBeLessThanOrEqual(255);
          expect(m.date === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(m.date)).toBe(true);
          for (const h of m.headers) expect(h.raw.includes('\0') || h.value.includes('\0')).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});
