/**
 * A deterministic generator of real-looking mailing-list traffic: patch series with cover
 * letters, versions (v1 → v2 → v3 threaded or not), review replies carrying trailers,
 * discussion threads, Received chains, and the encodings real lists see (RFC 2047 names,
 * quoted-printable, base64, Latin-1, multipart attachments, `From ` lines in bodies).
 *
 * The same seed always gives the same bytes: samples/ and the benchmark's scaled archives are
 * made with it. The patches are real unified diffs against `baseFile()`, so `git am` applies them.
 */

export interface GeneratedMessage {
  /** The message (headers + body) with LF line endings, before mbox escaping. */
  text: string;
  msgid: string;
  /** How the text is written to bytes: Latin-1 bodies are written as Latin-1. */
  encoding: 'utf8' | 'latin1';
}

interface Person {
  name: string;
  email: string;
}

const PEOPLE: Person[] = [
  { name: 'Ada Lovelace', email: 'ada@example.org' },
  { name: 'José García', email: 'jose.garcia@example.es' },
  { name: 'Jürgen Groß', email: 'jgross@example.de' },
  { name: 'Grace Hopper', email: 'grace@navy.example.mil' },
  { name: 'Linus Example', email: 'linus@example.com' },
  { name: 'Zhang Wei', email: 'zhang.wei@example.cn' },
  { name: 'Ingrid Ødegård', email: 'ingrid@example.no' },
  { name: 'Sam O\'Neil', email: 'sam@example.ie' },
  { name: 'Priya Raman', email: 'priya@example.in' },
  { name: 'Tom Maintainer', email: 'tom@kernel.example.org' },
];

const SUBSYSTEMS = ['watchdog', 'net/ice', 'mem', 'drm/panel', 'mmc', 'crypto', 'eal', 'i2c'];
const VERBS = ['fix', 'add support for', 'remove', 'rework', 'document', 'simplify', 'convert', 'clean up'];
const OBJECTS = ['timeout handling', 'the pretimeout governor', 'error paths', 'device tree bindings',
  'memory fragmentation', 'reset on probe', 'locking in the IRQ handler', 'stale comments'];

export const LIST = { id: 'dev.lists.example.org', name: 'Example development list', address: 'dev@lists.example.org' };

/** Small fast seeded PRNG (mulberry32): deterministic across platforms. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The file every generated patch applies to: `src/<n>.c` has BASE_LINES numbered lines. */
export const BASE_LINES = 40;
export function baseFile(fileIndex: number): string {
  let out = '';
  for (let i = 1; i <= BASE_LINES; i++) out += `/* file ${fileIndex} line ${i} */\n`;
  return out;
}

function rfc2822Date(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** RFC 2047 B-encoding for non-ASCII display names, as MUAs write them. */
function encodeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(name)) return /[,.'"]/.test(name) ? `"${name.replace(/"/g, '\\"')}"` : name;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
}

function address(p: Person): string {
  return `${encodeName(p.name)} <${p.email}>`;
}

function quotedPrintable(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let line = '';
  let out = '';
  for (const b of bytes) {
    let piece: string;
    if (b === 0x0a) {
      out += line + '\n';
      line = '';
      continue;
    }
    piece = (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + piece.length > 75) {
      out += line + '=\n';
      line = '';
    }
    line += piece;
  }
  return out + line;
}

function base64Lines(data: Buffer): string {
  return data.toString('base64').replace(/(.{76})/g, '$1\n');
}

interface Thread {
  cover: string | null;
  patches: { msgid: string; subject: string; author: Person }[];
}

/**
 * Generates `count` messages (at least; a series is never cut in half) starting at `startMs`.
 * Each call with the same arguments yields the same messages.
 */
export function* generateArchive(options: {
  count: number; seed?: number; startMs?: number; domain?: string;
  /** Multiplies the quiet gaps (between threads, before replies; not the seconds between the
   * patches of one series): at 1, ~10 hours a message on average, a quiet list's pace; a busy
   * list's archive of a million messages needs ~0.01 to end before today. */
  timeScale?: number;
}): Generator<GeneratedMessage> {
  const random = new Random(options.seed ?? 1);
  const domain = options.domain ?? 'example.org';
  let clock = options.startMs ?? Date.UTC(2024, 0, 8, 9, 0, 0);
  let produced = 0;
  let serial = 0;
  const nextId = (who: Person) => `<${(clock / 1000).toString(36)}.${++serial}-${who.email.split('@')[0]}@${domain}>`;
  const timeScale = options.timeScale ?? 1;
  const tick = (minSeconds: number, maxSeconds: number) =>
    (clock += Math.round(random.int(minSeconds, maxSeconds) * (minSeconds >= 600 ? timeScale : 1)) * 1000);
  const recentThreads: Thread[] = [];

  while (produced < options.count) {
    const roll = random.next();
    if (roll < 0.72) {
      const author = random.pick(PEOPLE);
      const subsystem = random.pick(SUBSYSTEMS);
      const title = `${subsystem}: ${random.pick(VERBS)} ${random.pick(OBJECTS)}`;
      const total = random.chance(0.35) ? 1 : random.int(2, 6);
      const versions = random.chance(0.3) ? random.int(2, 3) : 1;
      const fileBase = random.int(0, 50);
      let previous: Thread | null = null;
      for (let version = 1; version <= versions; version++) {
        const thread: Thread = { cover: null, patches: [] };
        const tag = (n: number) => `[PATCH${version > 1 ? ` v${version}` : ''}${total > 1 ? ` ${n}/${total}` : ''}]`;
        // A v2 is sometimes sent in reply to the v1 cover, as git send-email --in-reply-to does.
        const threadTo = previous && random.chance(0.4) ? previous.cover ?? previous.patches[0]?.msgid ?? null : null;
        if (total > 1) {
          const id = nextId(author);
          thread.cover = id;
          yield mail({ id, from: author, subject: `${tag(0)} ${title}`, date: clock, inReplyTo: threadTo, references: threadTo ? [threadTo] : [],
            body: coverBody(random, title, total, version, author), random, xMailer: 'git-send-email 2.43.0' });
          produced++;
          tick(1, 3);
        }
        for (let n = 1; n <= total; n++) {
          const id = nextId(author);
          const parent = thread.cover ?? threadTo;
          const subject = `${tag(n)} ${n === 1 ? title : `${subsystem}: ${random.pick(VERBS)} ${random.pick(OBJECTS)}`}`;
          yield mail({ id, from: author, subject, date: clock, inReplyTo: parent, references: parent ? [...(threadTo && thread.cover ? [threadTo] : []), parent] : [],
            body: patchBody(random, fileBase + n, version, author, n), random, xMailer: 'git-send-email 2.43.0' });
          thread.patches.push({ msgid: id, subject, author });
          produced++;
          tick(1, 3);
        }
        recentThreads.push(thread);
        if (recentThreads.length > 20) recentThreads.shift();
        previous = thread;
        tick(3600, 86400 * 3);
      }
    } else if (roll < 0.95 && recentThreads.length) {
      // A review: reply to a patch or cover of a recent series, maybe with a trailer.
      const thread = random.pick(recentThreads);
      const target = random.chance(0.25) && thread.cover ? { msgid: thread.cover, subject: 'cover', author: thread.patches[0]?.author } : random.pick(thread.patches);
      if (!target || !target.author) continue;
      const reviewer = random.pick(PEOPLE.filter((p) => p !== target.author));
      const id = nextId(reviewer);
      const refs = [thread.cover, target.msgid].filter((x, i, all): x is string => !!x && all.indexOf(x) === i);
      const trailer = random.pick(['Reviewed-by', 'Acked-by', 'Tested-by', null, null]);
      const subject = `Re: ${target.subject === 'cover' ? '[PATCH] cover' : target.subject}`;
      yield mail({ id, from: reviewer, subject, date: tick(600, 86400), inReplyTo: target.msgid, references: refs,
        body: replyBody(random, target.author!, reviewer, trailer), random });
      produced++;
    } else {
      const author = random.pick(PEOPLE);
      const id = nextId(author);
      const subject = `question about ${random.pick(SUBSYSTEMS)} ${random.pick(OBJECTS)}`;
      yield mail({ id, from: author, subject, date: tick(600, 7200), inReplyTo: null, references: [], random,
        body: `Hello,\n\nFrom what I can see, ${subject} changed recently.\nIs that expected?\n\nThanks,\n${author.name}\n`, latin1: random.chance(0.3) });
      produced++;
      if (random.chance(0.7)) {
        const answerer = random.pick(PEOPLE);
        yield mail({ id: nextId(answerer), from: answerer, subject: `Re: ${subject}`, date: tick(600, 7200), inReplyTo: id, references: [id], random,
          body: `On ${rfc2822Date(clock - 3600_000)}, ${author.name} wrote:\n> Is that expected?\n\nYes, see the changelog.\n\n-- \n${answerer.name}\n` });
        produced++;
      }
    }
  }
}

function coverBody(random: Random, title: string, total: number, version: number, author: Person): string {
  let body = `This series does ${title.split(': ')[1]}.\n\nIt was tested on ${random.int(2, 9)} boards.\n`;
  if (version > 1) body += `\nChanges in v${version}:\n - addressed review comments\n - rebased on the latest tree\n`;
  body += `\n${author.name} (${total}):\n`;
  for (let i = 1; i <= total; i++) body += `  patch ${i}\n`;
  return body + `\n-- \n2.43.0\n`;
}

function patchBody(random: Random, fileIndex: number, version: number, author: Person, n: number): string {
  const line = random.int(2, BASE_LINES - 3);
  const path = `src/file${fileIndex}.c`;
  const old = `/* file ${fileIndex} line ${line} */`;
  const changed = `/* file ${fileIndex} line ${line}: changed by ${author.email.split('@')[0]} v${version} */`;
  const context = (i: number) => ` /* file ${fileIndex} line ${i} */\n`;
  let body = `The code around line ${line} was wrong; this fixes it (patch ${n}).\n\n`;
  if (random.chance(0.1)) body += `From the original report:\n> it fails on boot\n\n`;
  body += `Signed-off-by: ${author.name} <${author.email}>\n---\n`;
  if (version > 1) body += `v${version}: reworded the commit message\n\n`;
  body += ` ${path} | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n`;
  body += `diff --git a/${path} b/${path}\nindex 0000001..0000002 100644\n--- a/${path}\n+++ b/${path}\n`;
  body += `@@ -${line - 1},3 +${line - 1},3 @@\n${context(line - 1)}-${old}\n+${changed}\n${context(line + 1)}`;
  return body + `-- \n2.43.0\n`;
}

function replyBody(random: Random, author: Person, reviewer: Person, trailer: string | null): string {
  let body = `On ${random.int(1, 28)} Mar 2024, ${author.name} wrote:\n> The code around line was wrong; this fixes it.\n> \n> Signed-off-by: ${author.name} <${author.email}>\n\n`;
  body += random.pick(['Looks good to me.', 'Nice cleanup.', 'Please split this patch.', 'Does this need a Fixes: tag?']) + '\n';
  if (trailer) body += `\n${trailer}: ${reviewer.name} <${reviewer.email}>\n`;
  return body;
}

interface MailSpec {
  id: string;
  from: Person;
  subject: string;
  date: number;
  inReplyTo: string | null;
  references: string[];
  body: string;
  random: Random;
  xMailer?: string;
  latin1?: boolean;
}

function mail(spec: MailSpec): GeneratedMessage {
  const { random } = spec;
  const received = [
    `from mail.${LIST.id} (mail.${LIST.id} [192.0.2.${random.int(1, 254)}])\n\tby archive.${LIST.id} (Postfix) with ESMTPS id ${random.int(0x10000, 0xfffff).toString(16).toUpperCase()}\n\tfor <archive@${LIST.id}>; ${rfc2822Date(spec.date + 4000)}`,
    `from smtp.${spec.from.email.split('@')[1]} (smtp.${spec.from.email.split('@')[1]} [198.51.100.${random.int(1, 254)}])\n\tby mail.${LIST.id} (Postfix) with ESMTP id ${random.int(0x10000, 0xfffff).toString(16).toUpperCase()};\n\t${rfc2822Date(spec.date + 2000)}`,
  ];
  const headers: string[] = received.map((r) => `Received: ${r}`);
  headers.push(`From: ${address(spec.from)}`, `To: ${LIST.address}`, `Subject: ${spec.subject}`, `Date: ${rfc2822Date(spec.date)}`, `Message-Id: ${spec.id}`);
  if (spec.inReplyTo) headers.push(`In-Reply-To: ${spec.inReplyTo}`);
  if (spec.references.length) headers.push(`References: ${spec.references.join('\n ')}`);
  if (spec.xMailer) headers.push(`X-Mailer: ${spec.xMailer}`);
  headers.push(`List-Id: ${LIST.name} <${LIST.id}>`, `MIME-Version: 1.0`);
  const encoding = spec.latin1 ? 'latin1' : random.pick(['8bit', '8bit', '8bit', '7bit', 'qp', 'base64', 'multipart'] as const);
  // Patches are only ever sent 8bit/7bit by git; keep the other encodings for prose.
  const isPatch = spec.body.includes('\ndiff --git ');
  const chosen = isPatch && encoding !== '7bit' ? '8bit' : encoding;
  let body: string;
  switch (chosen) {
    case 'latin1':
      headers.push('Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit');
      body = spec.body + `\nGrüße aus Köln\n`;
      break;
    case 'qp':
      headers.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable');
      body = quotedPrintable(spec.body + `\nMerci — ${spec.from.name}\n`);
      break;
    case 'base64':
      headers.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64');
      body = base64Lines(Buffer.from(spec.body, 'utf8')) + '\n';
      break;
    case 'multipart': {
      const boundary = `=-=boundary-${random.int(100000, 999999)}=-=`;
      headers.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
      const attachment = Buffer.from(`log line 1\nlog line 2: error ${random.int(1, 99)}\n`);
      body = `This is a multi-part message in MIME format.\n--${boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${spec.body}\n--${boundary}\n` +
        `Content-Type: application/octet-stream; name="dmesg.log"\nContent-Disposition: attachment; filename="dmesg.log"\nContent-Transfer-Encoding: base64\n\n${base64Lines(attachment)}\n--${boundary}--\n`;
      break;
    }
    default:
      headers.push('Content-Type: text/plain; charset=utf-8', `Content-Transfer-Encoding: ${chosen}`);
      body = spec.body;
  }
  return { text: headers.join('\n') + '\n\n' + body, msgid: spec.id, encoding: chosen === 'latin1' ? 'latin1' : 'utf8' };
}

/** Writes messages as mboxrd: a From_ line, `>*From ` lines escaped, a blank line after each. */
export function toMboxrd(message: GeneratedMessage): Buffer {
  const escaped = message.text.replace(/^(>*From )/gm, '>$1');
  const text = `From mboxrd@z Thu Jan  1 00:00:00 1970\n${escaped}${escaped.endsWith('\n') ? '' : '\n'}\n`;
  return Buffer.from(text, message.encoding);
}
