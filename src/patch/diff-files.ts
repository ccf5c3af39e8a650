/** The files a diff touches, with line counts, and a git-style diffstat summary. */

export interface DiffFile {
  /** Path after the change (the new name of a rename), without the `a/`/`b/` style prefix. */
  path: string;
  /** Path before a rename or copy, else null. */
  oldPath: string | null;
  added: number;
  removed: number;
  /** A `GIT binary patch` or `Binary files ... differ` section. */
  binary: boolean;
}

export interface Diffstat {
  files: number;
  added: number;
  removed: number;
}

interface Section {
  gitPaths: [string, string] | null;
  index: string | null;
  oldSide: string | null;
  newSide: string | null;
  renameFrom: string | null;
  renameTo: string | null;
  added: number;
  removed: number;
  binary: boolean;
  /** Seen anything past the `Index:`/`diff` line that opened it. */
  hasBody: boolean;
}

const HUNK_HEADER = /^@@ -[0-9]+(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@/;
const RENAME_OR_COPY = /^(rename|copy) (from|to) (.*)$/;
const BINARY_MARKER = /^(?:GIT binary patch|Binary files .* differ)$/;
const EXTENDED_HEADER = /^(?:old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|index) /;
const DEV_NULL = '/dev/null';
const MINUS = 0x2d;
const PLUS = 0x2b;
const BACKSLASH = 0x5c;
// git's mnemonic prefixes (a/ b/, and c/ i/ o/ w/ with diff.mnemonicPrefix).
const MNEMONIC_PREFIXES = new Set(['a', 'b', 'c', 'i', 'o', 'w']);

/**
 * Files touched by a diff, in diff order. Lines are counted inside hunks only (by the hunk
 * header's counts, as Patchwork does), so a signature after the diff is not counted.
 *
 * Paths: like Patchwork's `find_filenames`, the first path component is dropped, but only when
 * it is a prefix: a git mnemonic (`a/`, `b/`...) or a component that differs between the old and
 * new side (`linux.orig/` vs `linux/`). CVS/SVN `Index:` paths and `--no-prefix` paths are kept
 * whole, where Patchwork would cut their first directory. Renames and copies report the new path.
 */
export function diffFiles(diff: string): DiffFile[] {
  const sections: Section[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  const open = (): Section => {
    const section: Section = {
      gitPaths: null, index: null, oldSide: null, newSide: null, renameFrom: null, renameTo: null,
      added: 0, removed: 0, binary: false, hasBody: false,
    };
    sections.push(section);
    return section;
  };

  // Lines found with indexOf: inside a hunk (most of a diff) only a line's first character
  // counts, and no string is made for it.
  for (let start = 0, next = 0; start <= diff.length; start = next) {
    let end = diff.indexOf('\n', start);
    if (end < 0) end = diff.length;
    next = end + 1;
    const section: Section | null = sections.length ? sections[sections.length - 1] : null;
    if (section !== null && (oldLeft > 0 || newLeft > 0)) {
      const first = start < end ? diff.charCodeAt(start) : -1;
      if (first === MINUS) {
        section.removed++;
        oldLeft--;
      } else if (first === PLUS) {
        section.added++;
        newLeft--;
      } else if (first !== BACKSLASH) {
        oldLeft--;
        newLeft--;
      }
      continue;
    }
    const raw = diff.slice(start, end);
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('Index: ')) {
      open().index = line.slice('Index: '.length).trim();
    } else if (line.startsWith('diff ')) {
      // CVS puts its `diff -u ...` command line after `Index:`: same file.
      const target = section && section.index !== null && !section.hasBody ? section : open();
      if (line.startsWith('diff --git ')) target.gitPaths = parseGitPaths(line.slice('diff --git '.length));
    } else if (line.startsWith('--- ')) {
      // A second `---` after a `+++` or a hunk: concatenated plain diffs, a new file.
      const target = section === null || section.newSide !== null || section.oldSide !== null ? open() : section;
      target.oldSide = parseSidePath(line.slice(4));
      target.hasBody = true;
    } else if (line.startsWith('+++ ') && section !== null) {
      section.newSide = parseSidePath(line.slice(4));
      section.hasBody = true;
    } else if (section !== null) {
      const hunk = HUNK_HEADER.exec(line);
      const rename = RENAME_OR_COPY.exec(line);
      if (hunk) {
        oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
        newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
        section.hasBody = true;
      } else if (rename) {
        if (rename[2] === 'from') section.renameFrom = unquote(rename[3]);
        else section.renameTo = unquote(rename[3]);
        section.hasBody = true;
      } else if (BINARY_MARKER.test(line)) {
        section.binary = true;
        section.hasBody = true;
      } else if (EXTENDED_HEADER.test(line)) {
        section.hasBody = true;
      }
    }
  }
  return sections.flatMap((s) => {
    const file = toFile(s);
    return file ? [file] : [];
  });
}

function toFile(s: Section): DiffFile | null {
  const base = { added: s.added, removed: s.removed, binary: s.binary };
  if (s.renameTo !== null) return { path: s.renameTo, oldPath: s.renameFrom, ...base };
  if (s.index !== null) return { path: s.index, oldPath: null, ...base };
  const [oldRaw, newRaw] = s.gitPaths ?? [s.oldSide, s.newSide];
  const oldSide = s.oldSide ?? oldRaw;
  const newSide = s.newSide ?? newRaw;
  const chosen = newSide !== null && newSide !== DEV_NULL ? newSide : oldSide;
  if (chosen === null || chosen === DEV_NULL) return null;
  const other = chosen === newSide ? oldSide : newSide;
  return { path: stripPrefix(chosen, other), oldPath: null, ...base };
}

/** Drops the first component when it is a diff prefix rather than part of the path. */
function stripPrefix(path: string, otherSide: string | null): string {
  const slash = path.indexOf('/');
  if (slash <= 0) return path;
  const first = path.slice(0, slash);
  const otherFirst = otherSide && otherSide !== DEV_NULL ? otherSide.split('/')[0] : null;
  const isPrefix = MNEMONIC_PREFIXES.has(first) || (otherFirst !== null && otherFirst !== first);
  return isPrefix ? path.slice(slash + 1) : path;
}

/** The path of a `---`/`+++` line: up to a tab (GNU diff's timestamp, git's space marker). */
function parseSidePath(rest: string): string {
  if (rest.startsWith('"')) return unquote(rest);
  const tab = rest.indexOf('\t');
  return (tab >= 0 ? rest.slice(0, tab) : rest).trimEnd();
}

/** The two paths of `diff --git A B`, quoted or not; null when they cannot be told apart. */
function parseGitPaths(rest: string): [string, string] | null {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    if (end < 0) return null;
    const second = rest.slice(end + 2);
    return [unquote(rest.slice(0, end + 1)), unquote(second)];
  }
  const quoted = rest.indexOf(' "');
  if (quoted >= 0) return [rest.slice(0, quoted), unquote(rest.slice(quoted + 1))];
  // Unquoted names may hold spaces: split where both halves name the same file.
  for (let i = rest.indexOf(' '); i >= 0; i = rest.indexOf(' ', i + 1)) {
    const a = rest.slice(0, i);
    const b = rest.slice(i + 1);
    if (a === b || a.slice(a.indexOf('/')) === b.slice(b.indexOf('/'))) return [a, b];
  }
  const space = rest.indexOf(' ');
  return space < 0 ? null : [rest.slice(0, space), rest.slice(space + 1)];
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
const ESCAPE = /\\([0-7]{3}|[\s\S])/g;

/** Undoes git's C-style quoting (`"a/caf\303\251"`: octal escapes are UTF-8 bytes). */
function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  const end = closingQuote(text);
  const body = text.slice(1, end < 0 ? text.length : end);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const m of body.matchAll(ESCAPE)) {
    chunks.push(Buffer.from(body.slice(last, m.index), 'utf8'));
    const code = m[1].length === 3 ? parseInt(m[1], 8) & 0xff : C_ESCAPES[m[1]];
    chunks.push(code === undefined ? Buffer.from(m[1], 'utf8') : Buffer.from([code]));
    last = m.index + m[0].length;
  }
  chunks.push(Buffer.from(body.slice(last), 'utf8'));
  return Buffer.concat(chunks).toString('utf8');
}

/** Totals over a file list. */
export function diffstat(files: DiffFile[]): Diffstat {
  return {
    files: files.length,
    added: files.reduce((sum, f) => sum + f.added, 0),
    removed: files.reduce((sum, f) => sum + f.removed, 0),
  };
}

/** git's summary line: `2 files changed, 3 insertions(+), 1 deletion(-)`. */
export function formatDiffstat(stat: Diffstat): string {
  const parts = [`${stat.files} ${stat.files === 1 ? 'file' : 'files'} changed`];
  // git omits a zero count, unless both are zero.
  const bothZero = stat.added === 0 && stat.removed === 0;
  if (stat.added > 0 || bothZero) parts.push(`${stat.added} ${stat.added === 1 ? 'insertion' : 'insertions'}(+)`);
  if (stat.removed > 0 || bothZero) parts.push(`${stat.removed} ${stat.removed === 1 ? 'deletion' : 'deletions'}(-)`);
  return parts.join(', ');
}
