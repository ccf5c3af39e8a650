/**
 * A patch series as git send-email writes it (cover, patches threaded to it, replies with
 * trailers), each patch creating its own file so that the series applies to an empty repository.
 */
export interface SeriesMailOptions {
  /** Message-Id stem: `<stem.N@example.org>` (N = 0 for the cover). */
  stem: string;
  patches: number;
  version?: number;
  subject: string;
  from?: string;
  /** The cover's date, ms since 1970; each following message one minute later. */
  startMs: number;
  /** Patch numbers that get a reply with `Reviewed-by: Rita Reviewer <rita@example.org>`. */
  reviewed?: number[];
  listId?: string;
}

const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

export function seriesMbox(o: SeriesMailOptions): string {
  const from = o.from ?? 'Sam Sender <sam@example.org>';
  const listId = o.listId ?? 'dev.lists.example.org';
  const v = o.version && o.version > 1 ? ` v${o.version}` : '';
  const width = String(o.patches).length;
  const num = (n: number) => String(n).padStart(width, '0');
  const cover = `<${o.stem}.0@example.org>`;
  const out: string[] = [];
  const mail = (headers: string[], body: string, at: number) =>
    out.push(`From sender@example.org ${new Date(at).toUTCString()}\n${headers.join('\n')}\nDate: ${rfc2822(at)}\nList-Id: <${listId}>\n\n${body}\n`);
  mail([`From: ${from}`, `Subject: [PATCH${v} ${num(0)}/${o.patches}] ${o.subject}`, `Message-Id: ${cover}`],
    `This series ${o.subject}.\n\n-- \n2.43.0\n`, o.startMs);
  for (let n = 1; n <= o.patches; n++) {
    const file = `${o.stem}/file${num(n)}.txt`;
    mail([`From: ${from}`, `Subject: [PATCH${v} ${num(n)}/${o.patches}] ${o.stem}: add file ${n}`, `Message-Id: <${o.stem}.${n}@example.org>`,
      `In-Reply-To: ${cover}`, `References: ${cover}`],
    `Add file ${n} of the series.\n\nSigned-off-by: ${from}\n---\n ${file} | 1 +\n 1 file changed, 1 insertion(+)\n\n` +
      `diff --git a/${file} b/${file}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1 @@\n+line ${n} of ${o.stem}\n-- \n2.43.0\n`,
    o.startMs + n * 60_000);
  }
  for (const n of o.reviewed ?? []) {
    mail(['From: Rita Reviewer <rita@example.org>', `Subject: Re: [PATCH${v} ${num(n)}/${o.patches}] ${o.stem}: add file ${n}`,
      `Message-Id: <${o.stem}.${n}.review@example.org>`, `In-Reply-To: <${o.stem}.${n}@example.org>`, `References: ${cover} <${o.stem}.${n}@example.org>`],
    `Looks good.\n\nReviewed-by: Rita Reviewer <rita@example.org>\n`, o.startMs + (o.patches + n) * 60_000);
  }
  return out.join('\n');
}
