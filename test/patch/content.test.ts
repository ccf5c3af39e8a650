import { describe, expect, it } from 'vitest';
import { cleanContent, extractPatchContent } from '../../src/patch/content.js';
import { parsePullRequest } from '../../src/patch/pull-request.js';
import { pyStrip } from '../../src/patch/python-text.js';
import type { TextPart } from '../../src/types.js';
import { readFixture } from './read-fixture.js';

const plain = (text: string): TextPart => ({ subtype: 'plain', text, filename: null });
const DIFF = '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n';

describe('extractPatchContent (patch path)', () => {
  it('keeps commit message, notes and diffstat; drops the signature', () => {
    const got = extractPatchContent([plain(readFixture('git-format-patch.txt'))], false);
    expect(got.diff!.startsWith('diff --git a/drivers/frob/core.c')).toBe(true);
    expect(got.content).toBe(
      'The frobnicator leaked a reference when the probe failed half way.\nRelease it on the error path.\n\n' +
        'Fixes: 0123456789ab ("frob: add the frobnicator")\nReported-by: Ann Tester <ann@example.org>\nSigned-off-by: Bob Hacker <bob@example.com>\n' +
        '---\nv2: drop the extra label (Carol)\n\n drivers/frob/core.c | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)',
    );
    expect(got.pullUrl).toBeNull();
  });

  it('Patchwork InlinePatchTest / SignatureCommentTest / UpdateCommentTest / ListFooterTest', () => {
    expect(extractPatchContent([plain('Test for attached patch\n' + DIFF)], false)).toEqual({ diff: DIFF, content: 'Test for attached patch', pullUrl: null });
    expect(extractPatchContent([plain('Test comment\nmore comment\n-- \nsig\n' + DIFF)], false).content).toBe('Test comment\nmore comment');
    expect(extractPatchContent([plain('Test comment\nmore comment\n---\nUpdate: test update\n' + DIFF)], false).content).toBe(
      'Test comment\nmore comment\n---\nUpdate: test update',
    );
    const footer = 'Test comment\nmore comment\n_______________________________________________\nLinuxppc-dev mailing list\n' + DIFF;
    expect(extractPatchContent([plain(footer)], false)).toEqual({ diff: DIFF, content: 'Test comment\nmore comment', pullUrl: null });
  });

  it('a text/x-patch or text/x-diff attachment is the diff, the last one winning', () => {
    const parts: TextPart[] = [
      plain('Body with an inline diff\n' + DIFF),
      { subtype: 'x-patch', text: 'first attachment', filename: 'a.patch' },
      { subtype: 'x-diff', text: 'second attachment', filename: 'b.diff' },
      plain('trailing text'),
    ];
    const got = extractPatchContent(parts, false);
    expect(got.diff).toBe('second attachment');
    expect(got.content).toBe('Body with an inline diff\ntrailing text');
  });

  it('HTML parts are ignored', () => {
    const got = extractPatchContent([{ subtype: 'html', text: '<div>diff</div>', filename: null }, plain('hello\n' + DIFF)], false);
    expect(got).toEqual({ diff: DIFF, content: 'hello', pullUrl: null });
  });

  it('NUL bytes are removed from diff and content', () => {
    const got = extractPatchContent([plain('he\0llo\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\0\n+b\n')], false);
    expect(got.content).toBe('hello');
    expect(got.diff).toBe('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n');
  });

  it('no text parts: empty content, no diff', () => {
    expect(extractPatchContent([], false)).toEqual({ diff: null, content: '', pullUrl: null });
  });
});

describe('extractPatchContent (reply path)', () => {
  it('never looks for a diff, joins the plain parts, cleans them', () => {
    const got = extractPatchContent([plain('> quoted\n\nLooks good.\n' + DIFF), { subtype: 'html', text: '<p>x</p>', filename: null }, plain('  second part \n-- \nsig')], true);
    expect(got.diff).toBeNull();
    expect(got.content).toBe('> quoted\n\nLooks good.\n' + DIFF + 'second part');
  });
});

describe('cleanContent', () => {
  it('cuts at the first signature or underscore line, strips', () => {
    expect(cleanContent('  a\nb\n-- \nsig\n-- \nmore')).toBe('a\nb');
    expect(cleanContent('a\n_\nfooter')).toBe('a');
    expect(cleanContent('a\n-- b\nc')).toBe('a\n-- b\nc');
    expect(cleanContent('a\n--\nnot a signature')).toBe('a\n--\nnot a signature');
  });
});

describe('parsePullRequest', () => {
  const request = (url: string, wording = 'git repository') =>
    `Hi Linus,\n\nThe following changes since commit e10117d36ef758da0690c95ecffc09d5dd7da479:\n\n  Linux 5.4-rc1 (2019-09-30)\n\nare available in the ${wording} at:\n\n${url}\n\nfor you to fetch changes up to abc:\n`;

  it('git, git+ssh, ssh, http URLs with a branch', () => {
    for (const url of ['git://git.kernel.org/pub/scm/x.git next', 'git+ssh://git.kernel.org/x.git next', 'ssh://git.kernel.org/x.git next', 'http://git.kernel.org/x.git next', 'git@github.com:me/x.git for-linus']) {
      expect(parsePullRequest(request(`  ${url}`)), url).toBe(url);
    }
  });

  it('"Git repository" (git 2.14.3+), no branch, trailing spaces', () => {
    expect(parsePullRequest(request('  git://git.kernel.org/pub/scm/net ', 'Git repository'))).toBe('git://git.kernel.org/pub/scm/net');
    expect(parsePullRequest(request('  git://host/x.git tags/foo-v5.6/soc   ', 'Git repository'))).toBe('git://host/x.git tags/foo-v5.6/soc');
  });

  it('a URL wrapped onto the next line is joined with a space', () => {
    expect(parsePullRequest(request('  https://git.kernel.org/pub/x/linux.git/\ntags/v5.4-next-soc'))).toBe('https://git.kernel.org/pub/x/linux.git/ tags/v5.4-next-soc');
  });

  it('nothing without the git request-pull wording', () => {
    expect(parsePullRequest('please pull git://host/x.git master')).toBeNull();
    expect(parsePullRequest('The following changes since commit abc:\n\nno repository line\n')).toBeNull();
  });
});

// cleanContent finds the signature line without a lookbehind, for speed; it must cut exactly
// where Patchwork's regex does.
describe('cleanContent against the lookbehind form of Patchwork\'s regex', () => {
  it('cuts at the same place for any text made of signature-like pieces', async () => {
    const fc = (await import('fast-check')).default;
    const reference = (text: string) => text.replace(/(?:^|(?<=\n))(?:-- |_+)\n[\s\S]*/, '');
    const piece = fc.constantFrom('-- \n', '--\n', '-- x\n', '_\n', '___\n', '__ \n', '\n', 'a', ' ', '-', '_', 'text\n', '\r\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), (text) => {
        expect(cleanContent(text)).toBe(pyStrip(reference(text)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parsePullRequest: the intro line', () => {
  const request = (intro: string) =>
    `${intro}The following changes since commit 1234:\n\n  x\n\nare available in the git repository at:\n\n  git://git.kernel.org/pub/scm/a.git tags/b\n`;
  it('counts only at the start of a line, after any mid-line mention', () => {
    expect(parsePullRequest(request(''))).toBe('git://git.kernel.org/pub/scm/a.git tags/b');
    expect(parsePullRequest(request('quoted: '))).toBeNull();
    expect(parsePullRequest(`see "The following changes since commit" below\n${request('')}`)).toBe('git://git.kernel.org/pub/scm/a.git tags/b');
    expect(parsePullRequest(request('the following changes since commit...\n'))).toBe('git://git.kernel.org/pub/scm/a.git tags/b');
  });
});
