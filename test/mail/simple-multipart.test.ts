import { describe, expect, it } from 'vitest';
import { parseMultipart } from '../../src/mail/mime.js';
import { simpleMultipartLeaves } from '../../src/mail/simple-multipart.js';
import { parseMessage } from '../../src/mail/parse-message.js';

const SIGNED_TYPE = 'multipart/signed; micalg=pgp-sha512;\n\tprotocol="application/pgp-signature"; boundary="sig42"';
const signed = (text: string, textHead = 'Content-Type: text/plain; charset=utf-8\nContent-Disposition: inline') =>
  `This is an OpenPGP/MIME signed message.\n--sig42\n${textHead}\n\n${text}\n--sig42\n` +
  'Content-Type: application/pgp-signature; name="signature.asc"\nContent-Description: OpenPGP digital signature\n' +
  'Content-Disposition: attachment; filename="signature.asc"\n\n-----BEGIN PGP SIGNATURE-----\nAAAA\n-----END PGP SIGNATURE-----\n--sig42--\n\nepilogue\n';

/** The hand path's leaves, which must be mailparser's whenever there are any. */
async function leaves(contentType: string, body: string, boundary = 'sig42', cte: string | null = null) {
  const bytes = Buffer.from(body, 'latin1');
  const simple = simpleMultipartLeaves(contentType, boundary, cte, bytes);
  const library = await parseMultipart(contentType, cte, bytes, 1000);
  if (simple !== null) expect(simple).toEqual(library);
  return simple;
}

describe('simpleMultipartLeaves', () => {
  it('splits a signed message as mailparser does: type, parameters, disposition, file name, bytes', async () => {
    const parts = await leaves(SIGNED_TYPE, signed('Hello,\n\nthe patch:\n--- a/x\n+++ b/x\n-- \nsignature'));
    expect(parts).not.toBeNull();
    expect(parts!.map((p) => [p.contentType.mime, p.contentType.params, p.disposition, p.filename])).toEqual([
      ['text/plain', { charset: 'utf-8' }, 'inline', null],
      ['application/pgp-signature', { name: 'signature.asc' }, 'attachment', 'signature.asc'],
    ]);
    expect(parts![0].bytes.toString()).toBe('Hello,\n\nthe patch:\n--- a/x\n+++ b/x\n-- \nsignature');
  });

  it('decodes quoted-printable as mailparser (libqp): soft breaks, escapes, blanks at line ends dropped', async () => {
    const qp = 'caf=C3=A9 =\nand more  \nkept =3D and =ZZ  \t\nend=';
    const parts = await leaves(SIGNED_TYPE, signed(qp, 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: Quoted-Printable'));
    expect(parts![0].bytes.toString()).toBe('café and more\nkept = and =ZZ\nend');
  });

  it('decodes base64 written plainly (lines of whole quartets, padding at the end) as mailparser does', async () => {
    const encoded = Buffer.from('a patch, gzipped or not\n'.repeat(5)).toString('base64').replace(/.{76}/g, '$&\n');
    const parts = await leaves(SIGNED_TYPE, signed(encoded, 'Content-Type: application/gzip; name="x.gz"\nContent-Transfer-Encoding: base64'));
    expect(parts![0].bytes.toString()).toBe('a patch, gzipped or not\n'.repeat(5));
    expect(parts![0].filename).toBe('x.gz');
  });

  it('leaves to mailparser what it does not mirror', async () => {
    const text = 'Hello\n';
    const odd = [
      ['CRLF line ends', SIGNED_TYPE, signed(text).replace(/\n/g, '\r\n')],
      ['a delimiter line with trailing blanks', SIGNED_TYPE, signed(text).replace('--sig42\nContent-Type: app', '--sig42 \nContent-Type: app')],
      ['no closing delimiter', SIGNED_TYPE, signed(text).replace('--sig42--', '')],
      ['a delimiter after the close', SIGNED_TYPE, `${signed(text)}--sig42\n`],
      ['a close before any part', SIGNED_TYPE, `--sig42--\n${signed(text)}`],
      ['a nested multipart', SIGNED_TYPE, signed(text, 'Content-Type: multipart/mixed; boundary="in"')],
      ['an embedded message', SIGNED_TYPE, signed(text, 'Content-Type: message/rfc822')],
      ['base64 padded inside', SIGNED_TYPE, signed('SGk=\nSGVsbG8K', 'Content-Type: text/plain\nContent-Transfer-Encoding: base64')],
      ['base64 with other characters', SIGNED_TYPE, signed('SGVs bG8K', 'Content-Type: text/plain\nContent-Transfer-Encoding: base64')],
      ['an encoded file name', SIGNED_TYPE, signed(text, 'Content-Type: text/plain; name="=?utf-8?q?caf=C3=A9?="')],
      ['an RFC 2231 parameter', SIGNED_TYPE, signed(text, "Content-Type: text/plain; name*=utf-8''caf%C3%A9")],
      ['a comment', SIGNED_TYPE, signed(text, 'Content-Type: text/plain (comment)')],
      ['two Content-Types', SIGNED_TYPE, signed(text, 'Content-Type: text/plain\nContent-Type: text/html')],
      ['no Content-Type', SIGNED_TYPE, signed(text, 'Content-Disposition: inline')],
      ['non-ASCII part headers', SIGNED_TYPE, signed(text, 'Content-Type: text/plain; name="caf\xe9"')],
      ['a part without headers', SIGNED_TYPE, signed(text, '')],
      ['an empty part body', SIGNED_TYPE, signed('').replace('\n\n\n--sig42', '\n\n--sig42')],
      ['a boundary with a space', 'multipart/mixed; boundary="a b"', signed(text).replace(/sig42/g, 'a b')],
      ['a comment in the root type', `${SIGNED_TYPE} (c)`, signed(text)],
    ] as const;
    for (const [what, type, body] of odd) {
      expect(await leaves(type, body, type.includes('"a b"') ? 'a b' : 'sig42'), what).toBeNull();
    }
    expect(await leaves(SIGNED_TYPE, signed(text), 'sig42', 'base64'), 'a root transfer encoding').toBeNull();
  });

  it('is what parseMessage uses for such a message, with the same body', async () => {
    const mail = Buffer.from(`From: a@example.org\nSubject: s\nMessage-Id: <m@x>\nContent-Type: ${SIGNED_TYPE}\n\n${signed('the text')}`);
    const outcome = await parseMessage(mail);
    expect(outcome.ok && outcome.message.body).toBe('the text');
    expect(outcome.ok && outcome.message.attachments).toEqual([
      { filename: 'signature.asc', contentType: 'application/pgp-signature', size: 62, disposition: 'attachment' },
    ]);
  });
});
