import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitPatch } from '../../src/patch/diff.js';
import { readFixture } from './read-fixture.js';

// Expected outputs were cross-checked with a transcription of Patchwork's parse_patch run by
// Python on the same fixtures (the strings are Python's output).
describe('splitPatch on hand-written patches', () => {
  it('git format-patch: commit message, notes and diffstat stay in the comment', () => {
    const { diff, comment } = splitPatch(readFixture('git-format-patch.txt'));
    expect(diff).toBe(
      'diff --git a/drivers/frob/core.c b/drivers/frob/core.c\nindex 1111111..2222222 100644\n--- a/drivers/frob/core.c\n+++ b/drivers/frob/core.c\n' +
        '@@ -10,6 +10,7 @@ static int frob_probe(struct device *dev)\n \tret = frob_init(frob);\n \tif (ret)\n-\t\treturn ret;\n+\t\tgoto err_put;\n+\treturn 0;\n \n \treturn 0;\n }\n',
    );
    expect(comment).toBe(
      'The frobnicator leaked a reference when the probe failed half way.\nRelease it on the error path.\n\n' +
        'Fixes: 0123456789ab ("frob: add the frobnicator")\nReported-by: Ann Tester <ann@example.org>\nSigned-off-by: Bob Hacker <bob@example.com>\n' +
        '---\nv2: drop the extra label (Carol)\n\n drivers/frob/core.c | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)\n\n-- \n2.45.0\n\n\n',
    );
  });

  it('plain unified diff (no diff line, timestamps)', () => {
    const { diff, comment } = splitPatch(readFixture('plain-unified.txt'));
    expect(diff).toBe(
      '--- old/README\t2024-01-01 10:00:00.000000000 +0100\n+++ new/README\t2024-01-02 10:00:00.000000000 +0100\n@@ -1,3 +1,3 @@\n Hello\n-Wrold\n+World\n Bye\n',
    );
    expect(comment).toBe('Quick fix for the README typo.\n\n\n');
  });

  it('CVS Index: diff keeps its header block', () => {
    const { diff, comment } = splitPatch(readFixture('cvs-index.txt'));
    expect(diff).toBe(
      'Index: bfd/elflink.c\n===================================================================\nRCS file: /cvs/src/src/bfd/elflink.c,v\nretrieving revision 1.430\n' +
        'diff -u -p -r1.430 elflink.c\n--- bfd/elflink.c\t15 Nov 2011 11:33:57 -0000\t1.430\n+++ bfd/elflink.c\t5 Dec 2011 20:15:50 -0000\n@@ -5,2 +5,3 @@\n a\n+b\n c\n',
    );
    expect(comment).toBe('Fix a crash in the linker.\n\n\n');
  });

  it('rename without content: the extended header is the whole diff', () => {
    const { diff, comment } = splitPatch(readFixture('rename-only.txt'));
    expect(diff).toBe('diff --git a/lib/old-name.c b/lib/new-name.c\nsimilarity index 100%\nrename from lib/old-name.c\nrename to lib/new-name.c\n');
    expect(comment).toContain(' rename lib/{old-name.c => new-name.c} (100%)\n');
    expect(comment!.endsWith('-- \n2.45.0\n\n')).toBe(true);
  });

  it('GIT binary patch, then a text file whose mode/index lines leak into the comment (Patchwork quirk)', () => {
    const { diff, comment } = splitPatch(readFixture('binary.txt'));
    expect(diff).toBe(
      'diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..1111111111111111111111111111111111111111\n' +
        'GIT binary patch\nliteral 12\nTcmZ?wbhEHbWMp7u00000\n\nliteral 0\nHcmV?d00001\n\n' +
        'diff --git a/notes.txt b/notes.txt\n--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+logo added\n',
    );
    expect(comment).toBe(
      'Add the logo.\n\n---\n logo.png | Bin 0 -> 12 bytes\n 1 file changed, 0 insertions(+), 0 deletions(-)\n\nnew file mode 100644\nindex 0000000..3333333\n\n',
    );
  });

  it('a commit-message line starting with "diff " drags the rest of the message into the diff (issue #462)', () => {
    const { diff, comment } = splitPatch(readFixture('diff-word-in-message.txt'));
    expect(comment).toBe('The old code compared the wrong fields.\n\n');
    expect(diff!.startsWith('diff between the two structs was never checked.\nSo check it.\n\nSigned-off-by:')).toBe(true);
    expect(diff!.endsWith('@@ -1 +1 @@\n-x\n+y\n')).toBe(true);
  });

  it('words merely starting with "diff" are comment', () => {
    const text = 'Lines can start with words beginning in "diff"\ndifficult\nDifferent\n';
    expect(splitPatch(text)).toEqual({ diff: null, comment: text + '\n' });
  });

  it('"\\ No newline at end of file" stays in the diff, uncounted', () => {
    const { diff, comment } = splitPatch(readFixture('no-newline.txt'));
    expect(diff).toBe(
      'diff --git a/VERSION b/VERSION\nindex 1111111..2222222 100644\n--- a/VERSION\n+++ b/VERSION\n@@ -1 +1 @@\n-1.0\n\\ No newline at end of file\n+1.1\n\\ No newline at end of file\n',
    );
    expect(comment).toBe('Drop the trailing newline.\n\n-- \n2.45.0\n\n');
  });

  it('a --- line without +++ is comment, and so is a +++ without a hunk', () => {
    expect(splitPatch('text\n--- not a diff\nmore').diff).toBeNull();
    expect(splitPatch('--- a/x\n+++ b/x\nno hunk\n').diff).toBeNull();
  });

  it('empty input', () => {
    expect(splitPatch('')).toEqual({ diff: null, comment: '\n' });
  });

  it('moves every line to exactly one side (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('diff --git a/x b/x', 'index 1..2 100644', '--- a/x', '+++ b/x', '@@ -1 +1 @@', '@@ -1,2 +1 @@', '-a', '+b', ' c', '', '---', 'Index: x', 'GIT binary patch', 'rename from x', '\\ No newline at end of file'),
      fc.string({ maxLength: 8 }).filter((s) => !s.includes('\n')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const text = lines.join('\n');
        const { diff, comment } = splitPatch(text);
        const out = [...(diff ?? '').split('\n').slice(0, -1), ...(comment ?? '').split('\n').slice(0, -1)].sort();
        expect(out).toEqual(text.split('\n').sort());
      }),
    );
  });
});
