import { describe, expect, it } from 'vitest';
import { measureMime, parseMultipart } from '../../src/mail/mime.js';

const nested = (depth: number): string => {
  let body = 'leaf\n';
  for (let i = depth; i >= 1; i--) {
    body = `--b${i}\nContent-Type: ${i === depth ? 'text/plain' : `multipart/mixed; boundary="b${i + 1}"`}\n\n${body}\n--b${i}--\n`;
  }
  return body;
};

describe('measureMime', () => {
  it('counts parts and depth of a simple message', () => {
    const body = Buffer.from('pre\n--b\nContent-Type: text/plain\n\na\n--b\nContent-Type: text/plain\n\nb\n--b--\n');
    expect(measureMime(body, 'b')).toEqual({ parts: 2, depth: 1 });
  });

  it('measures nesting', () => {
    expect(measureMime(Buffer.from(nested(5)), 'b1')).toEqual({ parts: 5, depth: 5 });
  });

  it('does not count sibling multiparts as nesting', () => {
    const sibling = (n: number) => `--outer\nContent-Type: multipart/alternative; boundary="in${n}"\n\n--in${n}\n\nx\n--in${n}--\n`;
    const body = Buffer.from([1, 2, 3, 4, 5, 6].map(sibling).join('') + '--outer--\n');
    expect(measureMime(body, 'outer')).toEqual({ parts: 12, depth: 2 });
  });

  it('stops as soon as a limit is exceeded', () => {
    const many = Buffer.from('--b\n\nx\n'.repeat(100_000));
    expect(measureMime(many, 'b', { maxParts: 10, maxDepth: 50 }).parts).toBe(11);
    const deep = Buffer.from('Content-Type: multipart/mixed; boundary=x\n'.repeat(100_000));
    expect(measureMime(deep, 'b', { maxParts: 10, maxDepth: 50 }).depth).toBe(51);
  });

  it('ignores diff lines that look like delimiters', () => {
    expect(measureMime(Buffer.from('--b\n\n--- a/x\n+++ b/x\n--b--\n'), 'b').parts).toBe(1);
  });
});

describe('parseMultipart', () => {
  it('returns every leaf, text included, in MIME order with raw transfer-decoded bytes', async () => {
    const body = Buffer.from(
      [
        '--a',
        'Content-Type: multipart/alternative; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'caf=E9',
        '--b',
        'Content-Type: text/html',
        '',
        '<p>x</p>',
        '--b--',
        '--a',
        'Content-Type: text/x-diff; name="fix.diff"',
        'Content-Disposition: inline; filename="fix.diff"',
        '',
        'diff --git a/x b/x',
        '--a',
        'Content-Type: image/png',
        'Content-Transfer-Encoding: base64',
        '',
        'iVBORw0KGgo=',
        '--a--',
        '',
      ].join('\n'),
    );
    const leaves = await parseMultipart('multipart/mixed; boundary="a"', null, body, 1000);
    expect(leaves.map((l) => [l.contentType.mime, l.disposition, l.filename])).toEqual([
      ['text/plain', null, null],
      ['text/html', null, null],
      ['text/x-diff', 'inline', 'fix.diff'],
      ['image/png', null, null],
    ]);
    // Charset decoding is ours, not mailparser's: the bytes arrive undecoded.
    expect(leaves[0].bytes).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(leaves[0].contentType.params.charset).toBe('iso-8859-1');
    expect(leaves[3].bytes).toEqual(Buffer.from('89504e470d0a1a0a', 'hex'));
  });

  it('rejects after the timeout', async () => {
    // 2,000 parts take mailparser hundreds of milliseconds, far past 1 ms. (A body of one part
    // could be parsed before a timer of 0 ms came due: on a warm process it mostly was.)
    const body = Buffer.from('--a\n\nx\n'.repeat(2000) + '--a--\n');
    await expect(parseMultipart('multipart/mixed; boundary="a"', null, body, 5000, 1)).rejects.toThrow(/longer than 1 ms/);
  });
});
