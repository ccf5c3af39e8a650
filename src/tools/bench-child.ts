/**
 * One measured run, in its own process so that its peak RSS is its own:
 *   node dist/tools/bench-child.js import|floor <archive> <db> [floor script]
 * Prints one JSON line last: messages, stored, bytes, seconds, peakRssBytes.
 *
 * The floor is the shared one (../shared/bench/floor.mjs), run as it is: this process sets its
 * arguments and loads it, so that its time and peak RSS are measured exactly as the import's.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importPaths } from '../import/pipeline.js';

async function importRun(archive: string, db: string) {
  // Timed around the whole call, not by its own summary: linking, and closing the database
  // (which checkpoints the last of the WAL) are work the import caused.
  const started = performance.now();
  const summary = await importPaths(db, [archive]);
  return { messages: summary.messagesFound, stored: summary.stored, bytes: summary.bytes, seconds: (performance.now() - started) / 1000 };
}

async function floorRun(archive: string, db: string, script: string) {
  process.argv = [process.argv[0], script, archive, db];
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);
  // The floor prints its own JSON line; it is kept and the measured one printed after it.
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  const started = performance.now();
  await import(pathToFileURL(resolve(script)).href);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write = write;
  const own = JSON.parse(printed.trim().split('\n').pop()!) as { messages: number };
  return { messages: own.messages, stored: own.messages, bytes: 0, seconds };
}

const [mode, archive, db, script] = process.argv.slice(2);
const result = mode === 'floor' ? await floorRun(archive, db, script) : await importRun(archive, db);
process.stdout.write(JSON.stringify({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
