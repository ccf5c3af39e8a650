import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitPatch } from '../../src/patch/diff.js';
import { diffFiles, diffstat, formatDiffstat, patchworkHash } from '../../src/patch/hash.js';
import { readFixture } from './read-fixture.js';
import { pyStrip } from '../../src/patch/python-text.js';

/** hasher.py as Patchwork writes it, a line at a time: the reference the fast version must equal. */
function lineByLineHash(diff: string): string {
  const kept: string[] = [];
  for (const line of (pyStrip(diff.replace(/\r/g, '')) + '\n').split('\n')) {
    if (line === '') continue;
    if (line.startsWith('--- ') || line.startsWith('+++ ')) {
      const m = /^(---|\+\+\+) (\S+)/.exec(line);
      kept.push(m ? `${m[1]} ${m[1] === '---' ? 'a/' : 'b/'}${m[2].split('/').slice(1).join('/')}` : line);
    } else if (line.startsWith('@')) {
      const m = /^@@ -[0-9]+(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@/.exec(line);
      if (m) kept.push(`@@ -${m[1] ?? 1} +${m[2] ?? 1} @@`);
    } else if (line.startsWith(' ') || line.startsWith('-') || line.startsWith('+')) kept.push(line);
  }
  return createHash('sha1').update(kept.length ? kept.join('\n') + '\n' : '').digest('hex');
}

const diffOf = (fixture: string) => splitPatch(readFixture(fixture)).diff!;
const SMALL = '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n';

describe('patchworkHash', () => {
  // Literals computed by a Python transcription of Patchwork's hasher.py on the same input; the
  // implementation itself is checked against every hash Patchwork stored in the corpus
  // (corpus-test/patch-conformance.test.ts: 28 series files; patch-watchdog.test.ts: 5,487 patches).
  it('matches values computed by Patchwork\'s algorithm in Python', () => {
    expect(patchworkHash(SMALL)).toBe('cb5cfbb4d46dfb6574fd54915d173483676d6079');
    expect(patchworkHash(diffOf('git-format-patch.txt'))).toBe('2596808e098378b59076e1f2e5d2dc8b123d2bfb');
    expect(patchworkHash(diffOf('plain-unified.txt'))).toBe('982e4f2ec5d4337e47306f33beef8a16fa4ca0d7');
    expect(patchworkHash(diffOf('cvs-index.txt'))).toBe('c3d5e56cb86c8243dbb4f6e7f98146ffe8fbc891');
    expect(patchworkHash(diffOf('binary.txt'))).toBe('9054f757c93d3abe708eeffb0ab8ca368531d51b');
  });

  it('ignores line numbers, hunk context text, CRs, git header lines and the path prefix', () => {
    const moved = 'diff --git a/x b/x\r\nindex 1..2\r\n--- foo/x\r\n+++ bar/x\r\n@@ -100,1 +200 @@ int main()\r\n-a\r\n+b\r\n';
    expect(patchworkHash(moved)).toBe(patchworkHash(SMALL));
  });

  it('a rename with no content hashes nothing (SHA-1 of the empty string)', () => {
    expect(patchworkHash(diffOf('rename-only.txt'))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('strips the diff first, so a final one-space context line is lost (as in Patchwork)', () => {
    expect(patchworkHash('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n \n')).toBe('2ee823d693ce6a7a784d9bc12e2d77852a92df78');
    expect(patchworkHash('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n')).toBe('2ee823d693ce6a7a784d9bc12e2d77852a92df78');
  });

  it('changes when any added or removed line changes (property)', () => {
    fc.assert(
      // The diff is stripped before hashing (Patchwork's hasher), so whitespace at the ends of the
      // last line cannot count: generate lines that start and end with a visible character.
      fc.property(fc.stringMatching(/^[!-~]([ -~]{0,18}[!-~])?$/).filter((s) => s !== 'b'), (other) => {
        expect(patchworkHash(SMALL.replace('+b', `+${other}`))).not.toBe(patchworkHash(SMALL));
      }),
    );
  });

  it('is 40 lowercase hex characters', () => {
    fc.assert(fc.property(fc.string(), (s) => /^[0-9a-f]{40}$/.test(patchworkHash(s))));
  });
});

describe('patchworkHash against a line-by-line transcription', () => {
  // The kept lines are hashed as runs of the diff's own text; runs end at empty, dropped and
  // rewritten lines, and at the end of the text (where the stripped diff has no line break).
  const line = fc.constantFrom(
    ' ctx', '-old', '+new', '', ' ', '--- a/dir/f.c', '+++ b/dir/f.c', '--- x', '+++', '@@ -1,3 +1,4 @@ f()',
    '@@ -7 +7 @@', '@@ bad', 'diff --git a/f b/f', 'index 1..2 100644', 'Binary', '-- ', ' trailing  ', '+\r', '\\ No newline',
  );
  it('gives the same hash on any mix of diff lines, line ends and ends of text (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.constantFrom('', '\n', '\n\n', ' \n'), (lines, eol, end) => {
        const diff = lines.join(eol) + end;
        expect(patchworkHash(diff)).toBe(lineByLineHash(diff));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('diffFiles', () => {
  it('git diff: a/ b/ prefixes dropped, lines counted inside hunks only', () => {
    expect(diffFiles(diffOf('git-format-patch.txt'))).toEqual([{ path: 'drivers/frob/core.c', oldPath: null, added: 2, removed: 1, binary: false }]);
  });

  it('plain unified diff with differing first components and timestamps', () => {
    expect(diffFiles(diffOf('plain-unified.txt'))).toEqual([{ path: 'README', oldPath: null, added: 1, removed: 1, binary: false }]);
  });

  it('CVS Index: path kept whole (Patchwork would cut bfd/)', () => {
    expect(diffFiles(diffOf('cvs-index.txt'))).toEqual([{ path: 'bfd/elflink.c', oldPath: null, added: 1, removed: 0, binary: false }]);
  });

  it('rename reports the new path', () => {
    expect(diffFiles(diffOf('rename-only.txt'))).toEqual([{ path: 'lib/new-name.c', oldPath: 'lib/old-name.c', added: 0, removed: 0, binary: false }]);
  });

  it('binary then text file', () => {
    expect(diffFiles(diffOf('binary.txt'))).toEqual([
      { path: 'logo.png', oldPath: null, added: 0, removed: 0, binary: true },
      { path: 'notes.txt', oldPath: null, added: 1, removed: 0, binary: false },
    ]);
  });

  it('new, deleted, mode-only, --no-prefix, quoted and spaced names', () => {
    const diff = [
      'diff --git a/new.c b/new.c', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/new.c', '@@ -0,0 +1,2 @@', '+a', '+b',
      'diff --git a/old.c b/old.c', 'deleted file mode 100644', 'index 1111111..0000000', '--- a/old.c', '+++ /dev/null', '@@ -1 +0,0 @@', '-a',
      'diff --git a/run.sh b/run.sh', 'old mode 100644', 'new mode 100755',
      'diff --git pixel.bmp pixel.bmp', 'index 1..2 100644', 'Binary files pixel.bmp and pixel.bmp differ',
      'diff --git "a/caf\\303\\251.txt" "b/caf\\303\\251.txt"', 'index 1..2 100644', '--- "a/caf\\303\\251.txt"', '+++ "b/caf\\303\\251.txt"', '@@ -1 +1 @@', '-x', '+y',
      'diff --git a/my file.txt b/my file.txt', 'index 1..2 100644', '--- a/my file.txt\t', '+++ b/my file.txt\t', '@@ -1 +1 @@', '-x', '+y',
      '-- ', '2.45.0', '',
    ].join('\n');
    expect(diffFiles(diff).map((f) => [f.path, f.added, f.removed, f.binary])).toEqual([
      ['new.c', 2, 0, false],
      ['old.c', 0, 1, false],
      ['run.sh', 0, 0, false],
      ['pixel.bmp', 0, 0, true],
      ['café.txt', 1, 1, false],
      ['my file.txt', 1, 1, false],
    ]);
  });

  it('nothing for text without a diff', () => {
    expect(diffFiles('just words\n--\n')).toEqual([]);
  });
});

describe('diffstat', () => {
  it('totals and git wording', () => {
    const stat = diffstat(diffFiles(diffOf('binary.txt')));
    expect(stat).toEqual({ files: 2, added: 1, removed: 0 });
    expect(formatDiffstat(stat)).toBe('2 files changed, 1 insertion(+)');
    expect(formatDiffstat({ files: 1, added: 0, removed: 0 })).toBe('1 file changed, 0 insertions(+), 0 deletions(-)');
    expect(formatDiffstat({ files: 3, added: 0, removed: 2 })).toBe('3 files changed, 2 deletions(-)');
  });
});
