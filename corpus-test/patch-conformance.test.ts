/**
 * Conformance of src/patch with what Patchwork and b4 produced on their own test data:
 * (a) Patchwork's series fixtures: every stored patch's name, hash, diff and pull URL, and every
 *     message's classification;
 * (b) Patchwork's single-mail fixtures: diff presence and pull URLs as its parser tests expect;
 * (c) b4's follow-up trailer fixtures: the trailers b4 added to each patch.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyMessage, collectTrailers, extractPatchContent, findPatchTrailers, findTrailers, parseSubject,
  patchworkHash, seriesNameFromCover,
} from '../src/patch/index.js';
import type { TrailerSource } from '../src/patch/index.js';
import { corpusDir, readMail, splitMbox } from './patch-mail-helper.js';
import type { CrudeMail, ExpectedPatch } from './patch-mail-helper.js';

// parsearchive ran with this project (see expected/README.md): its link name is dropped.
const LINKNAME = 'test-project-0';

interface ExpectedSeries {
  name: string;
  cover_msgid: string | null;
  cover_name: string | null;
  patches: ExpectedPatch[];
}
interface Expected {
  series: ExpectedSeries[];
  patches_without_series: ExpectedPatch[];
  messages: Record<string, 'patch' | 'cover' | 'comment'>;
}

/** An mbox, or a single message file (Patchwork's mail fixtures mostly have no `From ` line). */
async function readMbox(file: string): Promise<CrudeMail[]> {
  const data = fs.readFileSync(file);
  const raws = data.subarray(0, 5).toString('latin1') === 'From ' ? splitMbox(data) : [data];
  return Promise.all(raws.map(readMail));
}

function analyse(mail: CrudeMail, drop: string[] = [LINKNAME]) {
  const subject = mail.subject === null ? null : parseSubject(mail.subject, drop);
  const content = extractPatchContent(mail.textParts, subject?.isReply ?? false);
  return { subject, ...content, kind: classifyMessage({ subject, ...content }) };
}

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

describe('Patchwork series fixtures', () => {
  const seriesDir = corpusDir('patchwork', 'series');
  const expectedDir = corpusDir('patchwork', 'expected');
  const files = fs.readdirSync(seriesDir).filter((f) => f.endsWith('.mbox')).sort();

  it('covers every fixture that has an expected JSON', async () => {
    const expected = fs.readdirSync(expectedDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(28);
    expect(expected.map((f) => f.replace(/\.json$/, '.mbox')).sort()).toEqual(files);
  });

  for (const file of files) {
    it(file, async () => {
      const expected = JSON.parse(
        fs.readFileSync(path.join(expectedDir, file.replace(/\.mbox$/, '.json')), 'utf8'),
      ) as Expected;
      const mails = new Map((await readMbox(path.join(seriesDir, file))).map((m) => [m.msgid, m]));
      const patches = [...expected.series.flatMap((s) => s.patches), ...expected.patches_without_series];
      for (const p of patches) {
        const mail = mails.get(p.msgid);
        expect(mail, p.msgid).toBeDefined();
        const got = analyse(mail!);
        expect(got.kind, p.msgid).toBe('patch');
        expect(got.subject!.name, p.msgid).toBe(p.name);
        expect(got.diff === null ? null : patchworkHash(got.diff), p.msgid).toBe(p.hash);
        expect(got.diff === null ? null : sha1(got.diff), p.msgid).toBe(p.diff_sha1);
        expect(got.pullUrl, p.msgid).toBe(p.pull_url);
      }
      for (const s of expected.series.filter((x) => x.cover_msgid)) {
        const got = analyse(mails.get(s.cover_msgid!)!);
        expect(got.kind).toBe('cover-candidate');
        expect(got.subject!.name).toBe(s.cover_name);
        expect(seriesNameFromCover(got.subject!.name)).toBe(s.name);
      }
      for (const [msgid, kind] of Object.entries(expected.messages)) {
        const got = analyse(mails.get(msgid)!);
        if (kind === 'patch') expect(got.kind, msgid).toBe('patch');
        if (kind === 'cover') expect(got.kind, msgid).toBe('cover-candidate');
        if (kind === 'comment') expect(['comment-candidate', 'cover-candidate'], msgid).toContain(got.kind);
      }
    });
  }
});

describe('Patchwork single-mail fixtures (test_parser.py expectations)', () => {
  const mailDir = corpusDir('patchwork', 'mail');
  const read = async (name: string) => {
    const [mail] = await readMbox(path.join(mailDir, name));
    return extractPatchContent(mail.textParts, false);
  };

  const pullRequests: Record<string, string | null> = {
    '0001-git-pull-request.mbox': 'git://git.kernel.org/pub/scm/linux/kernel/git/benh/powerpc.git next',
    '0002-git-pull-request-wrapped.mbox': 'git://git.kernel.org/pub/scm/linux/kernel/git/benh/powerpc.git next',
    '0004-git-pull-request-git+ssh.mbox': 'git+ssh://git.kernel.org/pub/scm/linux/kernel/git/benh/powerpc.git next',
    '0005-git-pull-request-ssh.mbox': 'ssh://git.kernel.org/pub/scm/linux/kernel/git/benh/powerpc.git next',
    '0006-git-pull-request-http.mbox': 'http://git.kernel.org/pub/scm/linux/kernel/git/benh/powerpc.git next',
    '0017-git-pull-request-git-2-14-3.mbox': 'git://git.kernel.org/pub/scm/linux/kernel/git/davem/net',
  };
  for (const [name, url] of Object.entries(pullRequests)) {
    it(`${name}: a pull request without a diff`, async () => {
      const got = await read(name);
      expect(got.diff).toBeNull();
      expect(got.content).not.toBe('');
      expect(got.pullUrl).toBe(url);
    });
  }

  it('0003: pull request with a diff', async () => {
    const got = await read('0003-git-pull-request-with-diff.mbox');
    expect(got.pullUrl).toBe('git://git.kernel.org/pub/scm/linux/kernel/git/tip/linux-2.6-tip.git x86-fixes-for-linus');
    expect(got.diff!.startsWith('diff --git a/arch/x86/include/asm/smp.h')).toBe(true);
  });

  it('0023: newline inside the URL', async () => {
    expect((await read('0023-git-pull-request-newline-in-url.mbox')).pullUrl).toBe(
      'https://git.kernel.org/pub/scm/linux/kernel/git/matthias.bgg/linux.git/ tags/v5.4-next-soc',
    );
  });

  it('0024: trailing spaces', async () => {
    expect((await read('0024-git-pull-request-trailing-space.mbox')).pullUrl).toBe(
      'git://git.kernel.org/pub/scm/linux/kernel/git/nsekhar/linux-davinci.git tags/davinci-for-v5.6/soc',
    );
  });

  it('0007: CVS Index: diff', async () => {
    expect((await read('0007-cvs-format-diff.mbox')).diff!.startsWith('Index')).toBe(true);
  });

  it('0008/0009: renames', async () => {
    const rename = (await read('0008-git-rename.mbox')).diff!;
    expect(rename.split('\nrename from ').length - 1).toBe(2);
    expect(rename.split('\nrename to ').length - 1).toBe(2);
    const withDiff = await read('0009-git-rename-with-diff.mbox');
    expect(withDiff.content).not.toBe('');
    expect(withDiff.diff!.split('\nrename from ').length - 1).toBe(2);
    expect(withDiff.diff!.split('\n-a\n+b').length - 1).toBe(1);
  });

  it('0011: no newline at end of file', async () => {
    const got = await read('0011-no-newline-at-end-of-file.mbox');
    expect(got.diff!.startsWith('diff --git a/tools/testing/selftests/powerpc/Makefile')).toBe(true);
    expect(got.content.trimEnd().endsWith('\\ No newline at end of file')).toBe(false);
    expect(got.diff!.trimEnd().endsWith('\\ No newline at end of file')).toBe(true);
    expect(got.diff!.split('\\ No newline at end of file').length - 1).toBe(2);
  });

  for (const name of [
    '0010-invalid-charset.mbox', '0013-with-utf8-body.mbox', '0014-with-unencoded-utf8-headers.mbox',
    '0015-with-invalid-utf8-headers.mbox', '0016-no-subject.mbox', '0021-git-empty-new-file.mbox',
    '0022-git-mode-change.mbox', '0012-invalid-header-char.mbox',
  ]) {
    it(`${name}: diff and content`, async () => {
      const got = await read(name);
      expect(got.diff).not.toBeNull();
      expect(got.content).not.toBe('');
    });
  }

  it('0019/0020: HTML parts ignored', async () => {
    const patch = await read('0019-multipart-patch.mbox');
    expect(patch.diff).not.toBeNull();
    expect(patch.diff).not.toContain('<div');
    expect(patch.content).not.toContain('<div');
    const [mail] = await readMbox(path.join(mailDir, '0020-multipart-comment.mbox'));
    const comment = extractPatchContent(mail.textParts, true);
    expect(comment.content).not.toBe('');
    expect(comment.content).not.toContain('<div');
  });

  it('0025-0027: binary patches', async () => {
    for (const name of ['0025-git-add-binary-file.mbox', '0026-git-add-mixed-binary-text-files.mbox', '0027-git-modify-binary-file.mbox']) {
      const got = await read(name);
      expect(got.content, name).not.toBe('');
      expect(got.diff!.startsWith('diff --git pixel.bmp pixel.bmp'), name).toBe(true);
      expect(got.diff, name).toContain('GIT binary patch\n');
      expect(got.diff, name).toContain('literal 142\n');
      expect(got.diff, name).toContain('literal 0\n');
    }
    expect((await read('0026-git-add-mixed-binary-text-files.mbox')).diff).toContain('diff --git quit.sh quit.sh\n');
  });
});

describe('b4 follow-up trailer fixtures', () => {
  const b4Dir = corpusDir('b4');

  /** What our collection attaches to each patch of a thread, as `Name: value` lines. */
  function collect(mails: CrudeMail[], sloppy = false): Map<string, string[]> {
    const sources: TrailerSource[] = mails.map((mail) => {
      const subject = parseSubject(mail.subject ?? '');
      const content = extractPatchContent(mail.textParts, subject.isReply);
      // b4 decides what a patch is by its own DIFF_RE: its fixtures use `@@@` hunk headers that
      // Patchwork's parser would not accept as a diff.
      const isPatch = !subject.isReply && B4_DIFF.test(plainText(mail));
      return {
        msgid: mail.msgid!,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        isPatch,
        isReply: subject.isReply,
        counter: subject.counter,
        // b4 reads a patch's whole text/plain body; Patchwork's content may hold diff debris.
        body: isPatch ? plainText(mail) : content.content,
        from: mail.from,
      };
    });
    const collected = collectTrailers(sources, { sloppy });
    return new Map([...collected].map(([id, list]) => [id, list.map((t) => `${t.name}: ${t.value}`)]));
  }

  const B4_DIFF = /^(---.*\n\+\+\+|GIT binary patch|diff --git \w\/\S+ \w\/\S+)/im;
  const plainText = (mail: CrudeMail) => mail.textParts.filter((p) => p.subtype === 'plain').map((p) => p.text).join('\n');

  /** The trailers b4 wrote into a patch, minus the configured sign-off of the test user. */
  function expectedTrailers(commitText: string): string[] {
    return findPatchTrailers(commitText)
      .map((t) => `${t.name}: ${t.value}`)
      .filter((t) => t !== 'Signed-off-by: Test Override <test-override@example.com>');
  }

  const cases = fs.readdirSync(b4Dir).filter((f) => /^trailers-followup-.*-ref-defaults\.txt$/.test(f)).sort();
  it('finds the default-option cases', async () => {
    expect(cases.length).toBe(11);
  });

  for (const refFile of cases) {
    it(refFile, async () => {
      const mbox = refFile.replace(/-ref-defaults\.txt$/, '.mbox');
      const got = collect(await readMbox(path.join(b4Dir, mbox)));
      const refs = await readMbox(path.join(b4Dir, refFile));
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(got.get(ref.msgid!), ref.msgid!).toEqual(expectedTrailers(plainText(ref)));
      }
    });
  }

  it('trailers-followup-single-ref-sloppy.txt (sender check off)', async () => {
    const got = collect(await readMbox(path.join(b4Dir, 'trailers-followup-single.mbox')), true);
    const [ref] = await readMbox(path.join(b4Dir, 'trailers-followup-single-ref-sloppy.txt'));
    expect(got.get(ref.msgid!)).toEqual(expectedTrailers(plainText(ref)));
  });

  it('trailers-followup-already-present.mbox: nothing new (quoted-indented copies, mismatched sender)', async () => {
    const mails = await readMbox(path.join(b4Dir, 'trailers-followup-already-present.mbox'));
    const got = collect(mails);
    const own = findPatchTrailers(plainText(mails[0])).map((t) => `${t.name}: ${t.value}`);
    expect(own.length).toBe(5);
    expect(got.get(mails[0].msgid!)).toEqual(own);
  });

  for (const [mbox, verify] of [
    ['trailers-thread-with-followups.mbox', 'trailers-thread-with-followups.verify'],
    ['trailers-thread-with-cover-followup.mbox', 'trailers-thread-with-cover-followup.verify'],
  ]) {
    it(verify, async () => {
      const mails = await readMbox(path.join(b4Dir, mbox));
      const got = collect(mails);
      // git log output: author email, subject, body; commits separated by `---` lines.
      const commits = fs.readFileSync(path.join(b4Dir, verify), 'utf8').split(/^---\n/m).filter((c) => c.trim());
      expect(commits.length).toBe(4);
      for (const commit of commits) {
        const [, subjectLine, ...body] = commit.split('\n');
        const patch = mails.find((m) => m.subject !== null && parseSubject(m.subject).title === subjectLine && !parseSubject(m.subject).isReply);
        expect(patch, subjectLine).toBeDefined();
        expect(got.get(patch!.msgid!), subjectLine).toEqual(expectedTrailers(body.join('\n')));
      }
    });
  }

  it('quoted trailers in replies are never found', async () => {
    const mails = await readMbox(path.join(b4Dir, 'trailers-followup-single.mbox'));
    const reply = mails.find((m) => m.msgid === '<fwup-message-2@example.com>')!;
    const text = extractPatchContent(reply.textParts, true).content;
    expect(findTrailers(text).map((t) => t.value)).toEqual(['Followup Reviewer2 <followup-reviewer2@example.com>']);
  });
});
