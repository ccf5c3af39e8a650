/**
 * Subject parsing: Patchwork's `clean_subject`, `subject_check`, `split_prefixes`,
 * `parse_series_marker` and `parse_version`, plus the version spellings b4 also understands.
 */
import { PY_S, PY_SPACE, normaliseSpace, pyStrip } from './python-text.js';

export interface SubjectInfo {
  /** Patchwork's rendered name: kept prefixes merged into one `[a,b]` group, e.g.
   * `[RFC,00/11] Support externally allocated memory in DPDK`. Not cut to 255 characters. */
  name: string;
  /** The subject without `Re:`/`Fwd:` and without any leading `[...]` group. */
  title: string;
  /** The prefix tokens Patchwork keeps (`PATCH` and the drop list removed), in subject order. */
  prefixes: string[];
  /** Patchwork's `subject_check`: starts with `Re:`/`RE `/`re:`... A reply is a comment. */
  isReply: boolean;
  /** Starts with `Fw:`/`Fwd:`. Patchwork strips it but does not treat the mail as a comment. */
  isForward: boolean;
  /** `x` of an `x/n` or `x of n` marker (0 for a cover letter), or null. */
  counter: number | null;
  /** `n` of the marker, or null. */
  total: number | null;
  /** Revision: Patchwork's rules, then b4's extra spellings (see `parseVersion`). */
  version: number;
  /** Revision exactly as Patchwork computes it (`PATCHv3`, `RFCv2`, `v5.1` give 1 there). */
  pwVersion: number;
  /** The version token as written (`v3`, `V2`, `v5.1`), or null when none was found. */
  versionText: string | null;
  /** A prefix token starts with `RFC`. */
  rfc: boolean;
  /** A prefix token starts with `RESEND`. */
  resend: boolean;
}

// Patchwork's `re_re`: one leading Re:/Fw:/Fwd: (or the word followed by a space).
const REPLY_OR_FORWARD = new RegExp(`^(?:re|fwd?)[:${PY_SPACE}]${PY_S}*`, 'i');
// Patchwork's `subject_check`: only Re: makes a comment.
const REPLY = new RegExp(`^re[:${PY_SPACE}]`, 'i');
const FORWARD = new RegExp(`^fwd?[:${PY_SPACE}]`, 'i');
// One leading bracket group and the rest of the subject (no newlines remain after normalising).
const BRACKET_GROUP = new RegExp(`^\\[([^\\]]*)\\]${PY_S}*(.*)$`);
// Mercurial's `[PATCH 1 of 5]`: keep "1 of 5" as one token.
const MERCURIAL_MARKER = /^PATCH ([0-9]+ of [0-9]+)(.*)$/;
const PREFIX_SEPARATORS = new RegExp(`[,${PY_SPACE}]+`);
// `parse_series_marker` matches `.*?([0-9]+)(?:/| of )([0-9]+)$`: the trailing digits, a
// separator right before them, and the whole digit run before that (`PATCH1/8`, `v2PATCH1/4`).
const SEPARATORS = ['/', ' of '];
const VERSION_PREFIX = /^[vV]([0-9]+)$/;
const VERSION_IN_NAME = /\(([vV]([0-9]+))\)/;
// b4 reads `[PATCHv3]` as PATCH v3; we also read `RFCv2` the same way.
const GLUED_VERSION = /^(?:patch|rfc)(v([0-9]+))$/i;
// `v5.1`: a point release of v5; the integer part is used, the text is kept.
const DOTTED_VERSION = /^[vV]([0-9]+)\.[0-9]+$/;

/**
 * Parses a decoded subject. `dropPrefixes` are compared case-insensitively; `PATCH` is always
 * dropped (Patchwork passes the project's link name; list tags like `dpdk-dev` belong here too).
 */
export function parseSubject(subject: string, dropPrefixes: string[] = []): SubjectInfo {
  const normalised = normaliseSpace(subject);
  const drop = new Set(dropPrefixes.map((p) => p.toLowerCase()));
  drop.add('patch');

  let rest = normaliseSpace(normalised.replace(REPLY_OR_FORWARD, ' '));
  const allTokens: string[] = [];
  const prefixes: string[] = [];
  for (let m = BRACKET_GROUP.exec(rest); m; m = BRACKET_GROUP.exec(rest)) {
    const tokens = splitPrefixes(m[1]);
    allTokens.push(...tokens);
    prefixes.push(...tokens.filter((t) => !drop.has(t.toLowerCase())));
    rest = m[2];
  }
  const title = normaliseSpace(rest);
  const name = prefixes.length ? `[${prefixes.join(',')}] ${title}` : title;
  const marker = parseSeriesMarker(prefixes);
  const version = parseVersion(name, prefixes);

  return {
    name,
    title,
    prefixes,
    isReply: REPLY.test(normalised),
    isForward: FORWARD.test(normalised),
    counter: marker?.counter ?? null,
    total: marker?.total ?? null,
    version: version.version,
    pwVersion: version.pwVersion,
    versionText: version.text,
    rfc: allTokens.some((t) => t.toLowerCase().startsWith('rfc')),
    resend: allTokens.some((t) => t.toLowerCase().startsWith('resend')),
  };
}

/** Patchwork's `split_prefixes`: tokens of one bracket group, split on commas and spaces. */
export function splitPrefixes(group: string): string[] {
  const tokens: string[] = [];
  let rest = group;
  const hg = MERCURIAL_MARKER.exec(group);
  if (hg) {
    tokens.push('PATCH', hg[1]);
    rest = hg[2];
  }
  tokens.push(...rest.split(PREFIX_SEPARATORS).filter((t) => t !== ''));
  return tokens;
}

/** Patchwork's `parse_series_marker`: the first prefix ending in `x/n` or `x of n`. */
export function parseSeriesMarker(prefixes: string[]): { counter: number; total: number } | null {
  for (const prefix of prefixes) {
    const marker = seriesMarkerOf(prefix);
    if (marker) return marker;
  }
  return null;
}

// Scanned by hand: the regex form backtracks quadratically on long runs of digits.
function seriesMarkerOf(token: string): { counter: number; total: number } | null {
  const totalStart = digitRunStart(token, token.length);
  if (totalStart === token.length) return null;
  const separator = SEPARATORS.find((sep) => token.endsWith(sep, totalStart));
  if (!separator) return null;
  const counterEnd = totalStart - separator.length;
  const counterStart = digitRunStart(token, counterEnd);
  if (counterStart === counterEnd) return null;
  return { counter: Number(token.slice(counterStart, counterEnd)), total: Number(token.slice(totalStart)) };
}

/** Start of the run of ASCII digits that ends at `end` (`end` itself when there is none). */
function digitRunStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && text[start - 1] >= '0' && text[start - 1] <= '9') start--;
  return start;
}

/**
 * The revision. Patchwork: the first prefix `vN`/`VN`, else `(vN)` anywhere in the name, else 1.
 * Where Patchwork finds nothing, `version` also reads b4's glued `PATCHv3` (and `RFCv2`) and the
 * integer part of `v5.1`; `pwVersion` stays Patchwork's answer for exact compatibility.
 */
export function parseVersion(name: string, prefixes: string[]): { version: number; pwVersion: number; text: string | null } {
  for (const prefix of prefixes) {
    const m = VERSION_PREFIX.exec(prefix);
    if (m) return { version: Number(m[1]), pwVersion: Number(m[1]), text: prefix };
  }
  const inName = VERSION_IN_NAME.exec(name);
  const pwVersion = inName ? Number(inName[2]) : 1;
  for (const prefix of prefixes) {
    const glued = GLUED_VERSION.exec(prefix);
    if (glued) return { version: Number(glued[2]), pwVersion, text: glued[1] };
    const dotted = DOTTED_VERSION.exec(prefix);
    if (dotted) return { version: Number(dotted[1]), pwVersion, text: prefix };
  }
  return inName ? { version: pwVersion, pwVersion, text: inName[1] } : { version: 1, pwVersion: 1, text: null };
}

/** Patchwork's `Series._format_name`: the cover's name without its single leading `[...]` group. */
export function seriesNameFromCover(name: string): string {
  const m = BRACKET_GROUP.exec(name);
  return m ? m[2] : pyStrip(name);
}
