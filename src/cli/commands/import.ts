import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { importPaths } from '../../import/pipeline.js';
import type { ImportOptions, ImportSummary } from '../../import/pipeline.js';
import { ListindexError } from '../../errors.js';
import { renderTable } from '../output.js';
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
      const options = parseFlags(flags);
      const progress = !flags.quiet && !flags.json && process.stderr.isTTY ? new ProgressDisplay() : null;
      const controller = new AbortController();
      const onSigint = () => {
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
      for (const error of summary.unreadable) process.stderr.write(`listindex: ${error.message}\n`);
      if (flags.json) process.stdout.write(JSON.stringify(summaryJson(summary), null, 2) + '\n');
      else if (!flags.quiet) printSummary(summary, flags.db);
      if (summary.status === 'interrupted') {
        process.stderr.write(`listindex: interrupted; run the same command again to finish (nothing is imported twice)\n`);
      }
      process.exitCode = summary.unreadable.length || summary.status === 'interrupted' ? EXIT.FAILED : EXIT.OK;
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
    dropPrefixes: flags.dropPrefix, full: flags.full,
  };
}

function summaryJson(s: ImportSummary) {
  return { ...s, unreadable: s.unreadable.map((e) => ({ file: e.file, byteOffset: e.byteOffset, error: e.message })) };
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

class ProgressDisplay {
  private readonly bar = new SingleBar(
    { format: 'importing [{bar}] {percentage}% | {messages} messages | {rate} msg/s | {file}', hideCursor: true, stream: process.stderr },
    Presets.shades_classic,
  );
  private readonly started = performance.now();
  private running = false;

  update(p: { messagesFound: number; bytesRead: number; bytesTotal: number; currentSource: string }): void {
    const seconds = (performance.now() - this.started) / 1000;
    const payload = { messages: p.messagesFound, rate: Math.round(p.messagesFound / Math.max(seconds, 0.001)), file: p.currentSource.split('/').pop() };
    if (!this.running) {
      this.bar.start(Math.max(p.bytesTotal, 1), 0, payload);
      this.running = true;
    }
    this.bar.update(Math.min(p.bytesRead, p.bytesTotal), payload);
  }

  stop(): void {
    if (this.running) this.bar.stop();
  }
}
