/**
 * ARCHITECTURE.md's picture, checked against the imports: each stage folder of src/ imports
 * only from earlier stages (and the shared files at src/'s top), and the CLI reaches the index
 * only through the facade (api/open-index.ts), never store/ or import/ directly.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../src');
/** The stages, in the order data flows through them (ARCHITECTURE.md). */
const STAGES = ['input', 'mail', 'patch', 'series', 'store', 'import', 'api', 'web', 'server', 'cli', 'tools'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of every file: [importing file's stage, imported file's stage or top-level file, text]. */
function edges(): { from: string; to: string; file: string; spec: string }[] {
  const out: { from: string; to: string; file: string; spec: string }[] = [];
  for (const file of files(SRC)) {
    const from = relative(SRC, file).split('/')[0];
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '(\.{1,2}\/[^']+)'/gms)) {
      const target = relative(SRC, resolve(dirname(file), m[1])).split('/')[0];
      if (target !== from) out.push({ from, to: target, file: relative(SRC, file), spec: m[1] });
    }
  }
  return out;
}

describe('the import directions of ARCHITECTURE.md', () => {
  it('knows every folder of src/ as a stage', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    expect(folders.sort()).toEqual([...STAGES].sort());
  });

  it('has each stage import only from earlier stages or the shared top-level files', () => {
    const wrong = edges().filter(({ from, to }) => STAGES.includes(from) && STAGES.includes(to) && STAGES.indexOf(to) > STAGES.indexOf(from))
      .map((e) => `${e.file} imports ${e.spec}`);
    expect(wrong).toEqual([]);
  });

  it('has the CLI reach the index only through the facade (and start the server)', () => {
    const allowed = new Set(['api/open-index.js', 'api/patchwork-json.js', 'api/content.js', 'api/message-ref.js']);
    const wrong = edges().filter((e) => e.from === 'cli' && STAGES.includes(e.to) && e.to !== 'server')
      .filter((e) => !allowed.has(relative(SRC, resolve(SRC, e.file, '..', e.spec))))
      .map((e) => `${e.file} imports ${e.spec}`);
    expect(wrong).toEqual([]);
  });

  it('sees the imports it checks (a wrong direction would be found)', () => {
    expect(edges().some((e) => e.from === 'import' && e.to === 'store')).toBe(true);
    expect(edges().some((e) => e.from === 'cli' && e.spec.endsWith('api/open-index.js'))).toBe(true);
  });
});
