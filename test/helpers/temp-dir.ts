/**
 * Temporary directories for tests, removed when the test file that made them is done: tests
 * must not fill /tmp (the corpus suite once left 24 GB there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Vitest evaluates this module once per test file, while it collects that file's tests: the hook
// belongs to the file.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new, empty directory under the system's temporary folder, named `<prefix>XXXXXX`. */
export function tempDir(prefix = 'listindex-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
