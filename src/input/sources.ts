import { promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { ListindexError } from '../errors.js';

/**
 * One input to read. `kind` is only a guess made from the name: readSource sniffs the bytes
 * (gzip magic, a leading `From ` line) and that decides. We guess 'message' for `.eml`/`.msg`,
 * MH-style all-digit names and Maildir entries, 'mbox' for everything else (archives come as
 * `.mbox`, `.mbx`, `.gz`, pipermail `.txt`, `git format-patch` `.patch`, or no extension at all).
 */
export interface SourceSpec {
  /** The path as the user wrote it (joined with directory entries), `-` for standard input. */
  path: string;
  kind: 'mbox' | 'message' | 'maildir-message' | 'stdin' | 'git';
  /** Size in bytes on disk (compressed size for .gz; for a git repository, of its packs), null for stdin and pipes. */
  size: number | null;
}

export interface ExpandedInputs {
  sources: SourceSpec[];
  /** One INPUT_UNREADABLE error per input (or directory inside it) that could not be read. */
  errors: ListindexError[];
  /** One INPUT_SKIPPED warning per entry of a folder or glob that is not a regular file. */
  warnings: ListindexError[];
}

/**
 * Expand files, directories (recursive, Maildir-aware), glob patterns and `-` into a sorted,
 * de-duplicated list of sources. Bad inputs become errors; the others still come through.
 * public-inbox repositories are sources of kind 'git': a bare git repository (a v2 epoch
 * `N.git`, a v1 inbox) is one source, a v2 inbox folder gives its epochs (`git/N.git`) in
 * epoch order; its other files (Xapian and SQLite indexes, locks) are not mail.
 */
export async function expandInputs(inputs: string[]): Promise<ExpandedInputs> {
  const found = new Map<string, SourceSpec>(); // key: absolute path, for de-duplication
  const errors: ListindexError[] = [];
  const warnings: ListindexError[] = [];
  // Folders and globs give only regular files: reading a FIFO found in a folder would wait for
  // a writer forever, and a device such as /dev/zero never ends. Given by name, a pipe or a
  // device is read: the user chose it (`<(zcat a.gz)`).
  const addFound = (file: string, stats: Stats, inMaildir: boolean): void => {
    if (stats.isFile()) add(fileSpec(file, stats, inMaildir));
    else if (!stats.isDirectory()) warnings.push(notRegular(file, stats));
  };
  const add = (spec: SourceSpec): void => {
    const key = spec.kind === 'stdin' ? '-' : path.resolve(spec.path);
    if (!found.has(key)) found.set(key, spec);
  };

  for (const input of inputs) {
    if (input === '-') {
      add({ path: '-', kind: 'stdin', size: null });
      continue;
    }
    let stats: Stats | null = null;
    try {
      stats = await fsp.stat(input);
    } catch (err) {
      // A literal path wins over a glob reading of it; only a missing path is tried as a glob.
      if (fg.isDynamicPattern(input)) {
        await expandGlob(input, addFound, add, errors);
        continue;
      }
      errors.push(unreadable(input, err));
      continue;
    }
    if (stats.isDirectory()) {
      if (!(await addGitSources(input, add, errors))) await walkDirectory(input, addFound, add, errors, new Set());
    }
    else add(fileSpec(input, stats, isInMaildir(input)));
  }

  const sources = [...found.values()].sort((a, b) => {
    const [x, y] = [sortKey(a.path), sortKey(b.path)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { sources, errors, warnings };
}

/** A glob: matched files are sources, matched folders are walked like folders given by name. */
/** Where a folder walk or a glob hands the entries it found (regular files are kept). */
/** A regular file found in a folder or by a glob (anything else is a warning). */
type AddFound = (file: string, stats: Stats, inMaildir: boolean) => void;
/** A source as it is (a git repository). */
type AddSource = (spec: SourceSpec) => void;

async function expandGlob(pattern: string, add: AddFound, addSource: AddSource, errors: ListindexError[]): Promise<void> {
  let matches: string[];
  try {
    matches = await fg(pattern, { onlyFiles: false, markDirectories: true, dot: false, followSymbolicLinks: true, suppressErrors: true });
  } catch (err) {
    errors.push(unreadable(pattern, err));
    return;
  }
  // Same skipping rules as a directory walk: Maildir tmp/ and index/lock files are not mail.
  const files: string[] = [];
  const dirs: string[] = [];
  for (const m of matches.sort()) {
    if (m.endsWith('/')) dirs.push(m.slice(0, -1));
    else if (!isJunkName(path.basename(m)) && !(await isInMaildirTmp(m))) files.push(m);
  }
  if (files.length === 0 && dirs.length === 0) {
    errors.push(new ListindexError('INPUT_UNREADABLE', `no file matches the pattern ${pattern}`, { file: pattern }));
    return;
  }
  for (const [file, stats] of await statAll(files, errors)) add(file, stats, isInMaildir(file));
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (!(await addGitSources(dir, addSource, errors))) await walkDirectory(dir, add, addSource, errors, seen);
  }
}

/**
 * Recursive walk. A Maildir (a folder with cur/ and/or new/) gives every file of cur/ and new/
 * as 'maildir-message'; its tmp/ (deliveries in progress) and the files beside cur/ and new/
 * (maildirfolder, uidlists: bookkeeping) are skipped; its other sub-folders are walked too
 * (nested Maildirs). Dot-files and dot-folders (so Maildir++ `.Folder`s as well) and index/lock
 * files such as `dovecot*` are skipped everywhere. Symlinks are followed, cycles cut.
 */
async function walkDirectory(
  dir: string,
  add: AddFound,
  addSource: AddSource,
  errors: ListindexError[],
  seen: Set<string>,
): Promise<void> {
  let names: string[];
  try {
    const real = await fsp.realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    names = (await fsp.readdir(dir)).filter((n) => !isJunkName(n)).sort();
  } catch (err) {
    errors.push(unreadable(dir, err));
    return;
  }
  const entries = await statAll(names.map((n) => path.join(dir, n)), errors);
  const isMaildir = entries.some(([full, st]) => st.isDirectory() && MAILDIR_SUBDIRS.has(path.basename(full)));
  for (const [full, stats] of entries) {
    const name = path.basename(full);
    if (stats.isDirectory()) {
      if (isMaildir && name === 'tmp') continue;
      if (!isMaildir && (await addGitSources(full, addSource, errors))) continue;
      if (isMaildir && MAILDIR_SUBDIRS.has(name)) await walkMaildirFolder(full, add, errors);
      else await walkDirectory(full, add, addSource, errors, seen);
    } else if (!isMaildir) {
      add(full, stats, false);
    }
  }
}

const MAILDIR_SUBDIRS = new Set(['cur', 'new']);

async function walkMaildirFolder(dir: string, add: AddFound, errors: ListindexError[]): Promise<void> {
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter((n) => !isJunkName(n));
  } catch (err) {
    errors.push(unreadable(dir, err));
    return;
  }
  for (const [full, stats] of await statAll(names.map((n) => path.join(dir, n)), errors)) {
    add(full, stats, true);
  }
}

/** stat many paths, a batch at a time (a Maildir can hold 100,000 files); failures become errors. */
async function statAll(files: string[], errors: ListindexError[]): Promise<[string, Stats][]> {
  const out: [string, Stats][] = [];
  for (let i = 0; i < files.length; i += 256) {
    const batch = files.slice(i, i + 256);
    const results = await Promise.allSettled(batch.map((f) => fsp.stat(f)));
    results.forEach((r, k) => {
      if (r.status === 'fulfilled') out.push([batch[k], r.value]);
      else errors.push(unreadable(batch[k], r.reason));
    });
  }
  return out;
}

function fileSpec(file: string, stats: Stats, inMaildir: boolean): SourceSpec {
  // Pipes (`<(zcat a.gz)`) and devices have no meaningful size but read fine as streams.
  const size = stats.isFile() ? stats.size : null;
  if (inMaildir) return { path: file, kind: 'maildir-message', size };
  const base = path.basename(file).toLowerCase();
  const message = /\.(eml|msg)$/.test(base) || /^\d+$/.test(base);
  return { path: file, kind: message ? 'message' : 'mbox', size };
}

/**
 * A public-inbox repository at `dir`: a bare git repository is one source; a v2 inbox folder
 * (with `git/N.git` epochs) gives its epochs. Returns false when `dir` is neither.
 */
async function addGitSources(dir: string, add: (s: SourceSpec) => void, errors: ListindexError[]): Promise<boolean> {
  if (await isGitDir(dir)) {
    add({ path: dir, kind: 'git', size: await packBytes(dir) });
    return true;
  }
  const gitFolder = path.join(dir, 'git');
  const names = await fsp.readdir(gitFolder).catch(() => null);
  const epochs = (names ?? []).filter((n) => EPOCH_NAME.test(n)).map((n) => path.join(gitFolder, n));
  const found: string[] = [];
  for (const epoch of epochs) if (await isGitDir(epoch)) found.push(epoch);
  if (found.length === 0) return false;
  for (const epoch of found) add({ path: epoch, kind: 'git', size: await packBytes(epoch) });
  if (found.length < epochs.length) errors.push(new ListindexError('INPUT_UNREADABLE', 'some epochs of this public-inbox folder are not git repositories (an unfinished clone?): the others were read', { file: gitFolder }));
  return true;
}

const EPOCH_NAME = /^\d+\.git$/;

/** A bare git repository (what `git clone --mirror` and grokmirror make): HEAD, objects/, refs/. */
async function isGitDir(dir: string): Promise<boolean> {
  const [head, objects, refs] = await Promise.all(['HEAD', 'objects', 'refs'].map((n) => fsp.stat(path.join(dir, n)).catch(() => null)));
  return !!head?.isFile() && !!objects?.isDirectory() && !!refs?.isDirectory();
}

/** Bytes of a repository's packs: what the import estimates its mail by (messages compress ~4x there). */
async function packBytes(dir: string): Promise<number> {
  const packDir = path.join(dir, 'objects', 'pack');
  const names = (await fsp.readdir(packDir).catch(() => [] as string[])).filter((n) => n.endsWith('.pack'));
  let total = 0;
  for (const n of names) total += (await fsp.stat(path.join(packDir, n)).catch(() => null))?.size ?? 0;
  return total;
}

/** Sources sort by path, but epochs by number: `git/2.git` before `git/10.git`. */
function sortKey(file: string): string {
  return file.replace(/(\d+)(\.git)$/, (_m, n: string, ext: string) => n.padStart(12, '0') + ext);
}

/** Dot-files, Dovecot indexes/uidlists and other mail-store bookkeeping: never mail. */
function isJunkName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('dovecot') || name === 'maildirfolder' || name.startsWith('courierimap');
}

/** A file directly in a `cur/` or `new/` folder: a Maildir entry. */
function isInMaildir(file: string): boolean {
  const parent = path.basename(path.dirname(path.resolve(file)));
  return parent === 'cur' || parent === 'new';
}

/** A file in the tmp/ folder of a Maildir (tmp/ with a cur/ or new/ beside it). */
async function isInMaildirTmp(file: string): Promise<boolean> {
  const dir = path.dirname(path.resolve(file));
  if (path.basename(dir) !== 'tmp') return false;
  const parent = path.dirname(dir);
  for (const sub of MAILDIR_SUBDIRS) {
    const st = await fsp.stat(path.join(parent, sub)).catch(() => null);
    if (st?.isDirectory()) return true;
  }
  return false;
}

function notRegular(file: string, stats: Stats): ListindexError {
  const what = stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'not a regular file';
  return new ListindexError('INPUT_SKIPPED', `skipped: ${what}, not a mail file; give it by name to read it`, { file });
}

function unreadable(input: string, err: unknown): ListindexError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String((err as Error)?.message ?? err);
  return new ListindexError('INPUT_UNREADABLE', `cannot read input: ${why}`, { file: input, cause: err });
}
