import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Where the shared corpus is: $LISTINDEX_CORPUS, else ../shared/corpus beside the repository.
 * Missing corpus is an error, never a reason to skip.
 */
export function corpusDir(): string {
  const dir = process.env.LISTINDEX_CORPUS ?? resolve(import.meta.dirname, '../../shared/corpus');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`corpus not found at ${dir}: set LISTINDEX_CORPUS or put shared/corpus beside the repository`);
  }
  return dir;
}

export function corpusFile(...parts: string[]): string {
  const path = resolve(corpusDir(), ...parts);
  if (!existsSync(path)) throw new Error(`corpus file missing: ${path}`);
  return path;
}
