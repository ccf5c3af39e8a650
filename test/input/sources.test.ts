import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandInputs } from '../../src/input/sources.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Make a file tree: `files` maps relative paths to contents. */
function tree(files: Record<string, string>): string {
  const root = tempDir('listindex-src-');
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}

describe('expandInputs', () => {
  it('expands a Maildir: cur/ and new/ only, no tmp/, dot-files or dovecot files; nested folders too', async () => {
    const root = tree({
      'cur/1.host:2,S': 'a',
      'new/2.host': 'bb',
      'tmp/3.host': 'c',
      'cur/.hidden': 'x',
      'dovecot-uidlist': 'x',
      'dovecot.index': 'x',
      '.mh_sequences': 'x',
      maildirfolder: '',
      'sub/new/4.host': 'd',
      '.Sent/cur/5.host': 'e',
    });
    const { sources, errors } = await expandInputs([root]);
    expect(errors).toEqual([]);
    expect(sources).toEqual([
      { path: path.join(root, 'cur/1.host:2,S'), kind: 'maildir-message', size: 1 },
      { path: path.join(root, 'new/2.host'), kind: 'maildir-message', size: 2 },
      { path: path.join(root, 'sub/new/4.host'), kind: 'maildir-message', size: 1 },
    ]);
  });

  it('walks plain directories, sorts by path, de-duplicates, guesses kinds from names', async () => {
    const root = tree({ 'b/z.mbox': 'z', 'a.mbox.gz': 'g', 'b/one.eml': 'e', 'mh/17': 'm', 'c/.dot.mbox': 'd' });
    const { sources, errors } = await expandInputs([path.join(root, 'b'), root, path.join(root, 'b', '..', 'a.mbox.gz')]);
    expect(errors).toEqual([]);
    expect(sources.map((s) => [path.relative(root, s.path), s.kind])).toEqual([
      ['a.mbox.gz', 'mbox'],
      ['b/one.eml', 'message'],
      ['b/z.mbox', 'mbox'],
      ['mh/17', 'message'],
    ]);
  });

  it('expands globs with **, skipping Maildir tmp/', async () => {
    const root = tree({ 'x/2014/a.mbox': '1', 'x/2015/deep/b.mbox': '2', 'x/c.txt': '3', 'md/tmp/t.mbox': '4', 'md/cur/k': '5' });
    const { sources, errors } = await expandInputs([`${root}/**/*.mbox`]);
    expect(errors).toEqual([]);
    expect(sources.map((s) => path.relative(root, s.path))).toEqual(['x/2014/a.mbox', 'x/2015/deep/b.mbox']);
  });

  it('reports missing paths and empty globs as INPUT_UNREADABLE, and goes on with the rest', async () => {
    const root = tree({ 'ok.mbox': 'x' });
    const missing = path.join(root, 'missing.mbox');
    const noMatch = path.join(root, '*.nothing');
    const { sources, errors } = await expandInputs([missing, path.join(root, 'ok.mbox'), noMatch, '-']);
    expect(sources).toEqual([
      { path: '-', kind: 'stdin', size: null },
      { path: path.join(root, 'ok.mbox'), kind: 'mbox', size: 1 },
    ]);
    expect(errors.map((e) => [e.code, e.file])).toEqual([
      ['INPUT_UNREADABLE', missing],
      ['INPUT_UNREADABLE', noMatch],
    ]);
    expect(errors[0].message).toContain(missing);
  });
});

describe('expandInputs with globs matching folders', () => {
  it('walks a folder matched by a glob like a folder given by name', async () => {
    const root = tree({ 'lists/a/cur/1': 'x', 'lists/a/tmp/2': 'y', 'lists/b.mbox': 'z' });
    const { sources, errors } = await expandInputs([`${root}/lists/*`]);
    expect(errors).toEqual([]);
    expect(sources.map((s) => [path.relative(root, s.path), s.kind])).toEqual([
      ['lists/a/cur/1', 'maildir-message'],
      ['lists/b.mbox', 'mbox'],
    ]);
  });
});
