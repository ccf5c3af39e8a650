/**
 * Hostile input at scale: a 50 MB message, a 1 MB header line, 100,000 References, 1,000-deep
 * multipart nesting, invalid UTF-8, a truncated last message and a gzip bomb. Each bad one is
 * rejected or stored with a reason; every normal message is stored; memory and time stay bounded.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { hostileMbox, writeGzipBomb } from '../../src/tools/hostile-archive.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'listindex-hostile-'));
// The archives and databases here are 80-130 MB: none is left behind.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mboxPath = join(dir, 'hostile.mbox');
const bombPath = join(dir, 'bomb.mbox.gz');
const expected = hostileMbox();

beforeAll(async () => {
  writeFileSync(mboxPath, expected.mbox);
  await writeGzipBomb(bombPath, 256 * 1024 * 1024);
});

/** Runs the real CLI under /usr/bin/time-like accounting: returns its summary and peak RSS. */
function importMeasured(db: string, inputs: string[], extra: string[] = []) {
  const script = `
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(process.execPath, ${JSON.stringify([CLI, 'import', ...inputs, '--db', db, '--json', ...extra])}, { encoding: 'utf8', maxBuffer: 1 << 26 });
    process.stdout.write(JSON.stringify({ status: r.status, stdout: r.stdout, stderr: r.stderr, maxRssKb: require('node:process').resourceUsage().maxRSS }));`;
  const started = performance.now();
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = JSON.parse(r.stdout) as { status: number; stdout: string; stderr: string; maxRssKb: number };
  return { ...out, seconds: (performance.now() - started) / 1000, summary: out.stdout ? JSON.parse(out.stdout) : null };
}

describe('hostile archive', () => {
  it('stores every normal message, keeps every bad one with a reason, in bounded memory and time', () => {
    const db = join(dir, 'hostile.db');
    const run = importMeasured(db, [mboxPath, bombPath]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(0);
    const s = run.summary;
    expect(s.stored + s.duplicates + s.rejected).toBe(s.messagesFound);
    // Bounded: the 50 MB message and the 256 MB bomb never sit in memory whole several times over.
    expect(run.maxRssKb / 1024).toBeLessThan(900);
    expect(run.seconds).toBeLessThan(120);

    const h = new Database(db, { readonly: true });
    const stored = new Set(h.prepare('SELECT msgid FROM messages').pluck().all() as string[]);
    for (let n = 0; n < expected.normal; n++) expect(stored.has(`<normal-${n}@example.org>`), `normal ${n}`).toBe(true);
    expect(stored.has('<normal-99@example.org>'), 'the message after the bomb').toBe(true);
    // Each hostile case is either stored (with warnings where something was cut) or rejected with a reason.
    const rejects = h.prepare('SELECT reason, size FROM rejects').all() as { reason: string; size: number }[];
    for (const r of rejects) expect(r.reason.length).toBeGreaterThan(5);
    for (const name of ['many-references', 'deep-multipart', 'invalid-utf8', 'big-message']) {
      expect(stored.has(`<${name}@example.org>`) || rejects.length > 0, name).toBe(true);
    }
    // 100,000 References make a 2.5 MB header block: over the 1 MiB header limit, the fields past
    // it are dropped and the message says so; with a larger limit every reference is kept.
    const refsWarning = h.prepare(`SELECT warnings FROM messages WHERE msgid = '<many-references@example.org>'`).pluck().get() as string;
    expect(refsWarning).toMatch(/header block larger than/);
    expect(h.prepare(`SELECT warnings FROM messages WHERE msgid = '<huge-header-line@example.org>'`).pluck().get()).toMatch(/header block larger than/);
    // The last message, cut off in the middle of a header, is kept and says what is missing.
    expect(h.prepare(`SELECT count(*) FROM messages WHERE subject LIKE 'cut off%' AND msgid_synthetic = 1`).pluck().get()).toBe(1);
    const deep = h.prepare(`SELECT warnings FROM messages WHERE msgid = '<deep-multipart@example.org>'`).pluck().get() as string | null;
    expect(deep ?? '').toMatch(/nest|depth|part/i);
    // The bomb: one oversized "message" rejected with its real size, its head kept.
    const bomb = rejects.find((r) => r.size > 200 * 1024 * 1024);
    expect(bomb?.reason).toMatch(/larger than the size limit/);
    h.close();
  });
});
