/**
 * JSON shaped like Patchwork's REST API (`/api/covers/<id>/`, `/api/patches/<id>/`,
 * `/api/comments/<id>/`, `/api/series/<id>/`), field for field (notes/patchwork-reference.md §4).
 * URL fields are filled from `baseUrl` when given, else empty strings, as in the seeds.
 */
import type { SeriesReader, SubmissionRow, SeriesRowOut, HeaderRow } from '../store/series-reader.js';
import { foldedHeaders, patchworkContent } from './content.js';

export interface RenderOptions {
  /** e.g. https://patches.example.org — without a trailing slash. */
  baseUrl?: string;
}

type Json = Record<string, unknown>;

/** Patchwork stores naive UTC datetimes and prints them without a zone. */
export function naiveUtc(date: string | null): string | null {
  return date ? date.replace(/Z$/, '') : null;
}

const bare = (msgid: string) => msgid.replace(/^<|>$/g, '').replace(/\//g, '%2F');

export class PatchworkRenderer {
  private readonly base: string;

  constructor(private readonly reader: SeriesReader, options: RenderOptions = {}) {
    this.base = options.baseUrl?.replace(/\/+$/, '') ?? '';
  }

  private url(path: string): string {
    return this.base ? `${this.base}${path}` : '';
  }

  private linkName(listRow: ReturnType<SeriesReader['list']>): string {
    if (!listRow) return '';
    return listRow.subject_tag ?? listRow.list_id.split('.')[0];
  }

  project(listId: number | null): Json {
    const l = this.reader.list(listId);
    const linkName = this.linkName(l);
    return {
      id: l?.id ?? null,
      url: l ? this.url(`/api/projects/${l.id}/`) : '',
      name: l?.name ?? l?.list_id ?? '',
      link_name: linkName,
      list_id: l?.list_id ?? '',
      list_email: l?.list_email ?? '',
      web_url: l ? this.url(`/project/${linkName}/`) : '',
      scm_url: '',
      webscm_url: '',
      list_archive_url: '',
      list_archive_url_format: '',
      commit_url_format: '',
    };
  }

  submitter(personId: number | null): Json {
    const p = this.reader.person(personId);
    return { id: p?.id ?? null, url: p ? this.url(`/api/people/${p.id}/`) : '', name: p?.name ?? null, email: p?.email ?? '' };
  }

  private webUrl(kind: 'cover' | 'patch' | 'comment', s: SubmissionRow): string {
    const l = this.reader.list(s.list);
    return this.url(`/project/${this.linkName(l)}/${kind}/${bare(s.msgid)}/`);
  }

  private embeddedSeries(series: SeriesRowOut | null): Json[] {
    if (!series) return [];
    return [{
      id: series.id,
      url: this.url(`/api/series/${series.id}/`),
      web_url: this.url(`/project/${this.linkName(this.reader.list(series.list_id))}/list/?series=${series.id}`),
      date: naiveUtc(series.date),
      name: series.name,
      version: series.version,
      mbox: this.url(`/series/${series.id}/mbox/`),
    }];
  }

  /** Patchwork's headers object: name → value, a list for repeated headers (Received). */
  static headersObject(rows: HeaderRow[]): Json {
    const out: Record<string, string | string[]> = {};
    for (const { name, text } of rows) {
      const existing = out[name];
      if (existing === undefined) out[name] = text;
      else if (Array.isArray(existing)) existing.push(text);
      else out[name] = [existing, text];
    }
    return out;
  }

  /** The fields covers and patches share, in Patchwork's order. */
  private head(kind: 'cover' | 'patch', s: SubmissionRow): Json {
    return {
      id: s.id,
      url: this.url(`/api/${kind === 'cover' ? 'covers' : 'patches'}/${s.id}/`),
      web_url: this.webUrl(kind, s),
      project: this.project(s.list),
      msgid: s.msgid,
      list_archive_url: '',
      date: naiveUtc(s.date),
      name: s.name,
    };
  }

  cover(s: SubmissionRow): Json {
    const web = this.webUrl('cover', s);
    return {
      ...this.head('cover', s),
      submitter: this.submitter(s.submitter),
      mbox: web ? `${web}mbox/` : '',
      series: this.embeddedSeries(this.reader.seriesOf(s.id)),
      comments: this.url(`/api/covers/${s.id}/comments/`),
      headers: PatchworkRenderer.headersObject(foldedHeaders(this.reader, s.id)),
      content: patchworkContent(s),
    };
  }

  patch(s: SubmissionRow): Json {
    const web = this.webUrl('patch', s);
    return {
      ...this.head('patch', s),
      commit_ref: null,
      pull_url: s.pull_url,
      state: 'new',
      archived: false,
      hash: s.diff_hash,
      submitter: this.submitter(s.submitter),
      delegate: null,
      mbox: web ? `${web}mbox/` : '',
      series: this.embeddedSeries(this.reader.seriesOf(s.id)),
      comments: this.url(`/api/patches/${s.id}/comments/`),
      check: 'pending',
      checks: this.url(`/api/patches/${s.id}/checks/`),
      tags: {},
      related: [],
      headers: PatchworkRenderer.headersObject(foldedHeaders(this.reader, s.id)),
      content: patchworkContent(s),
      diff: s.diff,
      prefixes: s.prefixes ? (JSON.parse(s.prefixes) as string[]) : [],
      // Not in Patchwork's API: the trailers collected from the patch, its replies and its cover.
      trailers: this.reader.trailers(s.id).map((t) => ({ name: t.name, value: t.value, origin: t.origin, msgid: t.given_in_msgid })),
    };
  }

  comment(s: SubmissionRow): Json {
    return {
      id: s.id,
      url: this.url(`/api/comments/${s.id}/`),
      web_url: this.webUrl('comment', s),
      msgid: s.msgid,
      list_archive_url: '',
      date: naiveUtc(s.date),
      subject: s.subject,
      submitter: this.submitter(s.submitter),
      content: patchworkContent(s),
      headers: PatchworkRenderer.headersObject(foldedHeaders(this.reader, s.id)),
      addressed: null,
    };
  }

  /** A message as the API object for its kind (an `other` message renders as a comment). */
  submission(s: SubmissionRow): Json {
    if (s.kind === 'cover') return this.cover(s);
    if (s.kind === 'patch') return this.patch(s);
    return this.comment(s);
  }

  series(series: SeriesRowOut): Json {
    const embedded = (s: SubmissionRow, kind: 'cover' | 'patch') => {
      const web = this.webUrl(kind, s);
      return {
        id: s.id,
        url: this.url(`/api/${kind === 'cover' ? 'covers' : 'patches'}/${s.id}/`),
        web_url: web,
        msgid: s.msgid,
        list_archive_url: '',
        date: naiveUtc(s.date),
        name: s.name,
        mbox: web ? `${web}mbox/` : '',
      };
    };
    const cover = series.cover_id === null ? null : this.reader.submission(series.cover_id);
    const [embeddedOne] = this.embeddedSeries(series);
    return {
      id: series.id,
      url: embeddedOne.url,
      web_url: embeddedOne.web_url,
      project: this.project(series.list_id),
      name: series.name,
      date: naiveUtc(series.date),
      submitter: this.submitter(series.submitter_id),
      version: series.version,
      total: series.total,
      received_total: series.received_total,
      received_all: series.received_all === 1,
      mbox: embeddedOne.mbox,
      cover_letter: cover ? embedded(cover, 'cover') : null,
      patches: this.reader.seriesPatches(series.id).map((p) => embedded(p, 'patch')),
      // Not in Patchwork's API: the revisions this index linked.
      previous_version: series.previous_id,
      next_version: series.next_id,
      latest_version: series.latest_id,
    };
  }
}
