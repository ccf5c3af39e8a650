import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/patch/classify.js';
import { parseSubject } from '../../src/patch/subject.js';

const classify = (subject: string | null, diff: string | null, content = 'text', pullUrl: string | null = null) =>
  classifyMessage({ subject: subject === null ? null : parseSubject(subject), diff, content, pullUrl });

describe('classifyMessage', () => {
  it('patches: a diff or a pull URL, not a reply', () => {
    expect(classify('[PATCH 1/2] foo', 'diff')).toBe('patch');
    expect(classify('[GIT PULL] foo', null, 'text', 'git://x next')).toBe('patch');
    expect(classify('foo', 'diff')).toBe('patch');
    // A 0/N mail carrying a diff (--interdiff) is a patch too.
    expect(classify('[PATCH 0/2] foo', 'diff')).toBe('patch');
  });

  it('cover letters: 0/N without a diff, not a reply', () => {
    expect(classify('[PATCH 0/2] foo', null)).toBe('cover-candidate');
    expect(classify('[PATCH 00/11] foo', null)).toBe('cover-candidate');
    expect(classify('Re: [PATCH 0/2] foo', null)).toBe('comment-candidate');
  });

  it('everything else with content may be a comment', () => {
    expect(classify('Re: [PATCH 1/2] foo', 'diff')).toBe('comment-candidate');
    expect(classify('[PATCH 3/5] foo', null)).toBe('comment-candidate');
    expect(classify('Fwd: [PATCH 0/2] foo', null)).toBe('cover-candidate');
  });

  it('nothing to keep: no subject, or neither diff nor content', () => {
    expect(classify(null, 'diff')).toBe('other');
    expect(classify('Re: foo', null, '')).toBe('other');
  });
});
