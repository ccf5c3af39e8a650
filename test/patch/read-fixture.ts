import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/patch');

/** A hand-written fixture from test/fixtures/patch, as text. */
export function readFixture(name: string): string {
  return fs.readFileSync(path.join(dir, name), 'utf8');
}
