import type { Command } from 'commander';
import { matchCommits } from '../../api/open-index.js';
import { EXIT } from '../exit-codes.js';

interface CommitsFlags {
  db: string;
  repo: string;
  rev?: string;
  quiet?: boolean;
  json?: boolean;
}

export function registerCommits(program: Command): void {
  program
    .command('commits')
    .description('Find which patches of the index were committed to a git repository')
    .requiredOption('--repo <path>', 'the git repository the patches were applied to')
    .option('--rev <range>', 'the commits to read, as git rev-list takes them (default HEAD)')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('-q, --quiet', 'no summary')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', `
Examples:
  listindex commits --repo ~/src/liburing --db io-uring.db
  listindex commits --repo ~/src/linux --rev v6.8..v6.9 --db io-uring.db

Each commit is matched to the patch it came from: the same diff (Patchwork's hash), a Link: or
Message-Id: trailer naming the patch, or a similar patch (same files, mostly the same changed
lines, title and author). Matched patches get state 'accepted' and commit_ref (the commit's SHA).
Only commits not read before are read (and unmatched ones again once newer mail is imported).`)
    .action(async (flags: CommitsFlags) => {
      const summary = await matchCommits(flags.db, flags.repo, { rev: flags.rev });
      if (flags.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      } else if (!flags.quiet) {
        const m = summary.matched;
        process.stdout.write(`${summary.inRange} commits in range, ${summary.read} read; matched: ${m.exact} exact, ` +
          `${m.stated} stated, ${m.similar} similar; ${summary.patchesAccepted} patches accepted (${summary.seconds.toFixed(1)} s)\n`);
      }
      process.exitCode = EXIT.OK;
    });
}
