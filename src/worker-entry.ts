/**
 * Where a worker thread's compiled entry file is. Worker threads must run JavaScript: the file
 * beside the calling module when that module is itself compiled, else (running from the
 * TypeScript sources, as in tests) the same place in the build output.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** `file` beside the module at `callerUrl` (its `import.meta.url`), compiled; null when missing. */
export function workerEntry(callerUrl: string, file: string): string | null {
  const callerDir = dirname(fileURLToPath(callerUrl));
  const root = dirname(here);
  const compiled = here.endsWith('.js') ? join(callerDir, file) : join(root, '..', 'dist', relative(root, callerDir), file);
  return existsSync(compiled) ? compiled : null;
}
