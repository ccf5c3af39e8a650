import type { Command } from 'commander';
import { isLoopback, startServer } from '../../server/server.js';
import { ListindexError } from '../../errors.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the index read-only over HTTP: Patchwork\'s REST API for git-pw and CI, public-inbox URLs for b4')
    .option('--db <file>', 'the index', 'listindex.db')
    .option('--host <address>', 'the address to listen on (other than loopback, anyone who reaches it can read the index)', '127.0.0.1')
    .option('--port <n>', 'the port', '8000')
    .option('--base-url <url>', 'the URL clients reach the server at, for links in answers (default: from each request\'s Host)')
    .option('--timeout <seconds>', 'the time budget of one request: past it the answer is 503', '10')
    .addHelpText('after', `
Examples:
  listindex serve --db dpdk.db
  git config pw.server http://127.0.0.1:8000/api/1.3 && git config pw.project dpdk && git pw series list
  git config b4.midmask http://127.0.0.1:8000/all/%s && b4 am <msgid>
See docs/serve.md.`)
    .action(async (opts: { db: string; host: string; port: string; baseUrl?: string; timeout: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ListindexError('USAGE', '--port takes a number from 0 to 65535');
      const timeout = Number(opts.timeout);
      if (!(timeout > 0)) throw new ListindexError('USAGE', '--timeout takes a positive number of seconds');
      if (opts.baseUrl && !/^https?:\/\/[^\s]+$/.test(opts.baseUrl)) throw new ListindexError('USAGE', '--base-url takes an http:// or https:// URL');
      const running = await startServer({ db: opts.db, host: opts.host, port, baseUrl: opts.baseUrl, timeoutMs: timeout * 1000 });
      if (!isLoopback(opts.host)) {
        process.stderr.write(`listindex: warning: listening on ${opts.host}, not loopback: anyone who can reach this address can read the index\n`);
      }
      process.stdout.write(`listindex: serving ${opts.db} read-only at ${running.url}/ (Patchwork API ${running.url}/api/1.3/, public-inbox ${running.url}/all/)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });
}
