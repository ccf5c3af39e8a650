/**
 * `listindex import` of public-inbox repositories through the built CLI: mixed with other
 * inputs, incremental, a purge reported, and a clear one-line error without git.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOk, withDb, STACK_FRAME } from './run-cli.js';
import { commitMessages, epochDir, makeV2Inbox, publicInboxMbox, watchdogMessages } from '../helpers/public-inbox.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('listindex-cli-pi-');
let mail: Buffer[];

beforeAll(async () => {
  mail = await watchdogMessages(40);
});

function tableValue(out: string, what: string): string | undefined {
  return out.split('\n').find((l) => l.startsWith(`${what} `))?.slice(what.length).trim();
}

describe('listindex import <public-inbox repository>', () => {
  it('imports a v2 inbox folder beside an mbox, then only what is new, and reports a purge', () => {
    const inbox = join(dir, 'lore', 'linux-watchdog');
    const [, oldHead] = makeV2Inbox(inbox, [mail.slice(0, 15), mail.slice(15, 25)]);
    const mbox = join(dir, 'more.mbox');
    writeFileSync(mbox, publicInboxMbox(mail.slice(25, 30)));
    const db = join(dir, 'cli.db');

    const first = cliOk(['import', inbox, mbox, '--db', db]);
    expect(first.err).toBe('');
    expect([tableValue(first.out, 'files'), tableValue(first.out, 'messages'), tableValue(first.out, 'stored')]).toEqual(['3', '30', '30']);

    const again = cliOk(['import', inbox, mbox, '--db', db]);
    expect([tableValue(again.out, 'unchanged files'), tableValue(again.out, 'messages')]).toEqual(['3', '0']);
    expect(again.out).toContain('nothing new');

    const epoch = epochDir(inbox, 1);
    const newHead = commitMessages(epoch, mail.slice(16, 25).map((add) => ({ add })), { rewrite: true });
    const purged = cliOk(['import', inbox, '--db', db]);
    expect(purged.out).toContain(`purge noticed: ${epoch}: history rewritten, commit ${oldHead} is no longer in it; read again, messages kept: select * from purges\n`);
    withDb(db, (d) => {
      expect(d.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(30);
      expect(d.prepare('SELECT old_commit, new_commit, messages FROM purges').get()).toEqual({ old_commit: oldHead, new_commit: newHead, messages: 1 });
    });
    const json = JSON.parse(cliOk(['import', inbox, '--db', db, '--json']).out) as { purges: unknown[]; unchanged: number };
    expect([json.purges, json.unchanged]).toEqual([[], 2]);

    // The export of the epoch is the mbox public-inbox would write of it now.
    const exported = cliOk(['export', '--db', db, '--source', epoch]).stdout;
    expect(exported.equals(publicInboxMbox(mail.slice(16, 25)))).toBe(true);
  });

  it('says in one line that git is needed, and imports the other inputs', () => {
    const inbox = join(dir, 'no-git-inbox');
    makeV2Inbox(inbox, [mail.slice(0, 3)]);
    const mbox = join(dir, 'no-git.mbox');
    writeFileSync(mbox, publicInboxMbox(mail.slice(3, 6)));
    const emptyBin = join(dir, 'empty-bin');
    mkdirSync(emptyBin);
    const db = join(dir, 'no-git.db');
    const r = cli(['import', inbox, mbox, '--db', db], { env: { PATH: emptyBin } });
    expect(r.status).toBe(1);
    expect(r.err).toBe(`listindex: ${epochDir(inbox, 0)}: git is not installed (or not on PATH): install git to import public-inbox repositories\n`);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(tableValue(r.out, 'stored')).toBe('3');
    // With git back, the inbox is read; the mbox is unchanged.
    const later = cliOk(['import', inbox, mbox, '--db', db]);
    expect([tableValue(later.out, 'stored'), tableValue(later.out, 'unchanged files')]).toEqual(['3', '1']);
  });
});
