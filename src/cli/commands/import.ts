import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { importPaths } from '../../api/open-index.js';
import type { ImportOptions, ImportProgress, ImportSummary } from '../../api/open-index.js';
import { basename } from 'node:path';
import { ListindexError } from '../../errors.js';
import { exclusiveFlags, renderTable } from '../output.js';
import { EXIT } from '../exit-codes.js';

interface ImportFlags {
  db: string;
  listId?: string;
  workers?: string;
  mboxFormat: string;
  maxMessageSize: string;
  quiet?: boolean;
  json?: boolean;
  dropPrefix?: string[];
  full?: boolean;
  relink?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Import mbox files (also .gz), .eml files, Maildir folders, public-inbox git repositories, directories, globs or - (stdin)')
    .argument('<inputs...>', 'files, folders, public-inbox repositories, glob patterns (quote them), or - for standard input')
    .option('--db <file>', 'the index to create or add to', 'listindex.db')
    .option('--list-id <id>', 'use this list id for every message instead of the List-Id header')
    .option('--workers <n>', 'parse threads (default: one per core but one; 0 = main thread only)')
    .option('--mbox-format <format>', 'how ">From " lines are escaped: mboxrd (un-escape one level) or mboxo (keep)', 'mboxrd')
    .option('--max-message-size <MiB>', 'reject (keeping the head of) messages larger than this', '64')
    .option('--full', 'read every input whole, even files unchanged since the last import')
    .option('--relink', 'link series, versions and trailers of the whole index again, not only the new mail (the reference result)')
    .option('-q, --quiet', 'no progress bar and no summary')
    .option('--json', 'print the summary as JSON')
    .option('--drop-prefix <tag...>', 'subject tags to leave out of patch names (remembered), besides PATCH and the list\'s own tag')
    .addHelpText('after', `
Examples:
  listindex import archive.mbox --db list.db
  listindex import 'archives/**/*.mbox*' ~/Maildir/lists/dpdk --db dpdk.db
  zcat old.mbox.gz | listindex import - --list-id dev.dpdk.org --db dpdk.db
  listindex import ~/mirrors/lore/linux-watchdog --db watchdog.db   # a public-inbox v2 folder (git/N.git)

Importing the same archive again stores nothing new: files unchanged since they were last read
are skipped, an mbox that grew is read from where the last import stopped, and a public-inbox
repository from the commit after the last one read (--full reads everything again). Messages that cannot be parsed are kept,
raw, in the rejects table with the reason. Exit code 0: all inputs read; 1: some input could
not be read (the rest was imported); 2: usage error.`)
    .action(async (inputs: string[], flags: ImportFlags) => {
      exclusiveFlags(flags, ['quiet', 'json']);
      const options = parseFlags(flags);
      // Shown at once: finding the inputs and starting the workers takes a moment on large archives.
      const progress = !flags.quiet && !flags.json && process.stderr.isTTY ? new ProgressDisplay(process.stderr) : null;
      const controller = new AbortController();
      const onSigint = () => {
        progress?.stop();
        process.stderr.write('\nlistindex: stopping after the current batch (Ctrl-C again to kill)...\n');
        controller.abort();
        process.off('SIGINT', onSigint);
      };
      process.on('SIGINT', onSigint);
      let summary: ImportSummary;
      try {
        summary = await importPaths(flags.db, inputs, { ...options, signal: controller.signal, onProgress: (p) => progress?.update(p) });
      } finally {
        progress?.stop();
        process.off('SIGINT', onSigint);
      }
      for (const warning of summary.warnings) process.stderr.write(`listindex: warning: ${warning.message}\n`);
      for (const error of summary.unreadable) process.stderr.write(`listindex: ${error.message}\n`);
      if (flags.json) process.stdout.write(JSON.stringify(summaryJson(summary), null, 2) + '\n');
      else if (!flags.quiet) printSummary(summary, flags.db);
      const noMail = summary.stored + summary.duplicates === 0 && summary.unchanged === 0 && summary.status === 'complete' && summary.unreadable.length === 0;
      if (noMail) {
        const rejected = summary.rejected ? ` (${summary.rejected} rejected as not mail: select * from rejects)` : '';
        process.stderr.write(`listindex: no mail found in ${inputs.join(', ')}${rejected}\n`);
      }
      if (summary.status === 'interrupted') {
        process.stderr.write(`listindex: interrupted; run the same command again to finish (nothing is imported twice)\n`);
      }
      process.exitCode = summary.status === 'interrupted' ? EXIT.INTERRUPTED : summary.unreadable.length || noMail ? EXIT.FAILED : EXIT.OK;
    });
}

function parseFlags(flags: ImportFlags): ImportOptions {
  const workers = flags.workers === undefined ? undefined : Number(flags.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) {
    throw new ListindexError('USAGE', `--workers takes a whole number, not "${flags.workers}"`);
  }
  if (flags.mboxFormat !== 'mboxrd' && flags.mboxFormat !== 'mboxo') {
    throw new ListindexError('USAGE', `--mbox-format is mboxrd or mboxo, not "${flags.mboxFormat}"`);
  }
  const maxMiB = Number(flags.maxMessageSize);
  if (!(maxMiB > 0)) throw new ListindexError('USAGE', `--max-message-size takes a positive number of MiB`);
  return {
    listId: flags.listId, workers, escaping: flags.mboxFormat, maxMessageBytes: Math.round(maxMiB * 1024 * 1024),
    dropPrefixes: flags.dropPrefix, full: flags.full, relink: flags.relink,
  };
}

function summaryJson(s: ImportSummary) {
  const place = (e: ListindexError) => ({ file: e.file, byteOffset: e.byteOffset, error: e.message });
  return { ...s, unreadable: s.unreadable.map(place), warnings: s.warnings.map(place) };
}

function printSummary(s: ImportSummary, db: string): void {
  const rate = s.seconds > 0 ? Math.round(s.messagesFound / s.seconds) : 0;
  const rows = [
    { what: 'files', value: s.files },
    { what: 'unchanged files', value: s.unchanged },
    { what: 'unreadable', value: s.unreadable.length },
    { what: 'messages', value: s.messagesFound },
    { what: 'stored', value: s.stored },
    { what: 'duplicates', value: s.duplicates },
    { what: 'rejected', value: s.rejected },
    { what: 'lists', value: s.lists.length },
    { what: 'seconds', value: `${s.seconds.toFixed(2)} (${rate} messages/s)` },
  ];
  if (s.linking) {
    rows.push(
      { what: 'series', value: s.linking.series },
      { what: 'patches', value: s.linking.patches },
      { what: 'covers', value: s.linking.covers },
      { what: 'comments', value: s.linking.comments },
    );
  }
  process.stdout.write(renderTable(rows, ['what', 'value']));
  if (s.lists.length) process.stdout.write(`lists: ${s.lists.join(', ')}\n`);
  for (const p of s.purges) {
    process.stdout.write(`purge noticed: ${p.source}: history rewritten, commit ${p.oldCommit} is no longer in it; read again, messages kept: select * from purges\n`);
  }
  for (const r of s.rejects.slice(0, 10)) process.stdout.write(`rejected: ${r.source}: byte ${r.offset}: ${r.reason}\n`);
  if (s.rejected > 10) process.stdout.write(`... and ${s.rejected - 10} more: select * from rejects\n`);
  if (s.stored === 0 && s.rejected === 0 && (s.messagesFound > 0 || s.unchanged > 0)) {
    process.stdout.write('nothing new: every message was already in the index\n');
  }
  process.stdout.write(`index: ${db}\n`);
}

/** What one frame of the progress display shows. */
export interface ProgressFrame {
  phase: 'starting' | 'reading' | 'linking' | 'done';
  /** 0 to 1. */
  fraction: number;
  /** Seconds left, estimated; null while unknown. */
  eta: number | null;
  messages: number;
  /** Messages a second. */
  rate: number;
  file: string;
}

/**
 * One line of progress, never wider than `width` (the terminal's columns, less one so that
 * the cursor never wraps): the file name is cut at its start, then left out, then the bar shrinks.
 */
export function progressLine(frame: ProgressFrame, width: number): string {
  const percent = `${Math.floor(Math.min(1, Math.max(0, frame.fraction)) * 100)}%`.padStart(4);
  const eta = frame.phase === 'reading' ? ` ETA ${frame.eta === null ? '--' : formatSeconds(frame.eta)}` : '';
  const label = { starting: 'looking for mail', reading: 'importing', linking: 'linking series', done: 'imported' }[frame.phase];
  const counts = frame.phase === 'starting' ? '' : ` | ${frame.messages.toLocaleString('en')} messages` + (frame.phase === 'reading' ? ` | ${frame.rate.toLocaleString('en')}/s` : '');
  const fixed = `${label} [] ${percent}${eta}${counts}`;
  const room = width - 1 - fixed.length;
  // A bar of 10 to 30 columns, leaving ~20 for the file name when there is room for both.
  const barWidth = Math.max(0, Math.min(room, Math.max(10, Math.min(30, room - 20))));
  const filled = Math.round(barWidth * Math.min(1, frame.fraction));
  let line = `${label} [${'='.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${percent}${eta}${counts}`;
  const fileRoom = width - 1 - line.length - 3;
  if (frame.file && frame.phase === 'reading' && fileRoom >= 8) {
    line += ` | ${frame.file.length > fileRoom ? '…' + frame.file.slice(frame.file.length - fileRoom + 1) : frame.file}`;
  }
  return line.length > width - 1 ? line.slice(0, Math.max(0, width - 1)) : line;
}

function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/**
 * The progress bar on a terminal: from the moment the command starts (looking for mail) to the
 * end of series linking, which follows the last batch, and at 100% when it stops. cli-progress
 * draws it (redraws, cursor, throttling); the line itself is `progressLine`.
 */
class ProgressDisplay {
  private readonly started = performance.now();
  private frame: ProgressFrame = { phase: 'starting', fraction: 0, eta: null, messages: 0, rate: 0, file: '' };
  private stopped = false;
  private readonly bar: SingleBar;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.bar = new SingleBar({
      stream, hideCursor: true, fps: 10, etaBuffer: 20,
      format: (_options, params) => progressLine({ ...this.frame, eta: this.frame.phase === 'reading' ? this.eta(params.eta) : null }, stream.columns || 80),
    }, Presets.shades_classic);
    this.bar.start(1000, 0);
  }

  update(p: ImportProgress): void {
    const seconds = (performance.now() - this.started) / 1000;
    const fraction = p.phase === 'linking' ? 1 : Math.min(1, p.bytesRead / Math.max(p.bytesTotal, 1));
    this.frame = {
      phase: p.phase, fraction, eta: null, messages: p.messagesFound,
      rate: Math.round(p.messagesFound / Math.max(seconds, 0.001)), file: basename(p.currentSource),
    };
    this.bar.update(Math.round(fraction * 1000));
  }

  /** cli-progress's estimate, in seconds; it gives NaN or Infinity before it has a rate. */
  private eta(value: number): number | null {
    return Number.isFinite(value) && this.frame.fraction > 0 ? value : null;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.frame.phase !== 'starting') this.frame = { ...this.frame, phase: 'done', fraction: 1 };
    this.bar.update(this.frame.phase === 'done' ? 1000 : this.bar.getProgress() * 1000);
    this.bar.stop();
  }
}
