/**
 * Trailers (`Reviewed-by: Name <email>`, `Fixes: abc123 ("...")`, `Link: https://...`) found the
 * way b4 finds them in follow-up mail (`LoreMessage.find_trailers(body, followup=True)` and
 * `LoreTrailer`):
 * - everything after the first `-- ` signature line is ignored;
 * - a trailer is any line `Name: value` (leading blanks allowed, the name at least two characters
 *   and starting with a letter, digit or `_`), so quoted `> Acked-by:` lines never match;
 * - a value must hold an address (`x@y.z`), except for Fixes, Link, BugLink, Closes,
 *   Obsoleted-by, Change-Id, Base-Commit, Subject and Date; URLs are only accepted in Link,
 *   BugLink and Closes; names must be ASCII; Phone/Mail/E-mail lines are never trailers;
 * - b4 does not require a trailer block: a lone `Reviewed-by:` in a reply counts.
 * b4 reads a patch's own trailers more leniently (no address needed); we apply the follow-up
 * rules everywhere, so an address-less `Signed-off-by: Foo` is never a trailer here.
 */
import { PY_NOT_S, PY_S, PY_W, pyStrip } from './python-text.js';

export interface TrailerPerson {
  /** Display name, possibly empty. */
  name: string;
  email: string;
}

export interface Trailer {
  /** Canonical spelling: `Reviewed-by`, `Co-developed-by`, `Cc`, `Fixes`... */
  name: string;
  /** The value; for an address, normalised to `Name <email>` (or the bare address). */
  value: string;
  /** The address of a person trailer (and of `Cc:`), else null. */
  person: TrailerPerson | null;
  /** b4's "extinfo": a trailing `# comment`, or a `[for the foo parts]` line below. */
  comment: string | null;
  /** The source line (after unwrapping a wrapped Fixes: or address). */
  line: string;
}

const IGNORED_NAMES = new Set(['phone', 'mail', 'email', 'e-mail', 'prerequisite-message-id']);
// Mail headers pasted into a message: only trailers before any other line.
const HEADER_NAMES = new Set(['subject', 'date', 'from']);
const LINK_NAMES = new Set(['link', 'buglink', 'closes']);
const NON_PERSON_NAMES = new Set([...LINK_NAMES, 'fixes', 'subject', 'date', 'obsoleted-by', 'change-id', 'base-commit']);
// Trailers whose value is never parsed as an address.
const UTILITY_NAMES = new Set(['fixes', 'link', 'buglink', 'closes', 'obsoleted-by', 'message-id', 'change-id', 'base-commit', 'based-on']);

const CANONICAL_NAMES = new Map(
  [
    'Signed-off-by', 'Acked-by', 'Reviewed-by', 'Tested-by', 'Reported-by', 'Suggested-by',
    'Co-developed-by', 'Nacked-by', 'Requested-by', 'Debugged-by', 'Cc', 'Fixes', 'Link', 'BugLink',
    'Closes', 'Message-ID', 'Change-Id', 'Base-Commit',
  ].map((n) => [n.toLowerCase(), n]),
);

const SIGNATURE = '\n-- \n';
// b4 rejoins two common wrappings: `Fixes: abc (“long\n title”)` and `Name\n<email>`.
const WRAPPED_FIXES = /^(\S+:\s+[\da-f]+\s+\([^)]+)\n([^\n]+\))/gm;
// b4's `[^<]+` may run over many lines (quadratic on long texts); one line is what it means.
const WRAPPED_ADDRESS = /^(\S+:\s+[^<\n]+)\n(<[^>\n]+>)$/gm;
// Longer lines are never trailers: keeps the regexes below linear on pasted blobs.
const MAX_TRAILER_LINE = 2000;
const TRAILER_LINE = new RegExp(`^${PY_S}*(${PY_W}${PY_NOT_S}+):${PY_S}+(${PY_NOT_S}[^]*)$`, 'u');
// b4's `\S+@\S+\.\S+`, written so that it cannot backtrack quadratically on long values.
const HAS_ADDRESS = new RegExp(`${PY_NOT_S}@${PY_NOT_S}+\\.${PY_NOT_S}`, 'u');
const HAS_URL = /https?:\/\//;
const HASH_COMMENT = new RegExp(`^([^]*${PY_NOT_S})(${PY_S}+#[^#]+)$`, 'u');
const BRACKET_NOTE = /^\s*\[[^\]]+\]\s*$/;
const MAILTO_JUNK = /<mailto:[^>]+>/g;
const ANGLE_ADDRESS = /^(.*?)<([^<>\s]+@[^<>\s]+)>(.*)$/;
const BARE_ADDRESS = /[^\s<>()[\],;:"']+@[^\s<>()[\],;:"']+/;
const PERSON_NAME = /-by$/i;
const ASCII = /^[\x00-\x7f]*$/;

/** Whether a trailer name is a person trailer (`*-by`). */
export function isPersonTrailer(name: string): boolean {
  return PERSON_NAME.test(name);
}

/** Canonical spelling of a trailer name: known names as git writes them, others `Xxx-yyy`. */
export function canonicalTrailerName(name: string): string {
  const lower = name.toLowerCase();
  return CANONICAL_NAMES.get(lower) ?? lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** Trailers of a text (a reply, or a commit message), in text order. */
export function findTrailers(text: string): Trailer[] {
  const body = unwrap(beforeSignature(text.replace(/\r\n/g, '\n')));
  const trailers: Trailer[] = [];
  let sawOther = false;
  let lastWasTrailer = false;
  // The lines of `body` (as split('\n') gives them, the empty one after the last `\n` too),
  // walked by offset: a line becomes a string only when it may be a trailer or its note.
  // `colon` is the first `:` at or after the line's start, so a text is searched for one once.
  let colon = -1;
  for (let start = 0, end = 0; start <= body.length; start = end + 1) {
    end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    if (colon < start) colon = body.indexOf(':', start);
    if (colon < 0) colon = body.length;
    // Most lines have no colon: no need to run the (Unicode, so slower) trailer expression.
    const line = colon < end && end - start <= MAX_TRAILER_LINE ? body.slice(start, end) : null;
    const m = line === null ? null : TRAILER_LINE.exec(line);
    if (m) {
      const trailer = readTrailer(m[1], m[2], line!, sawOther);
      // Rejected trailer-shaped lines are skipped without counting as "other" text (as b4).
      if (trailer) {
        trailers.push(trailer);
        lastWasTrailer = true;
      }
      continue;
    }
    if (lastWasTrailer && end - start > 2) {
      const note = line ?? body.slice(start, end);
      if (BRACKET_NOTE.test(note)) {
        trailers[trailers.length - 1].comment ??= note.trim();
        lastWasTrailer = false;
        continue;
      }
    }
    lastWasTrailer = false;
    sawOther = true;
  }
  return trailers;
}

const SPACE = /\s/;
const HEX = /[\da-f]/;

/**
 * False when WRAPPED_FIXES cannot match `text`: no `(` has, going back, blanks, hex digits,
 * blanks and a `:` (`Fixes: 0123abcd (`). V8 tries that expression at every position of the
 * text; this looks only at the few `(` and the characters right before them, each once.
 */
export function mayHoldWrappedFixes(text: string): boolean {
  const back = (from: number, kind: RegExp): number => {
    let i = from;
    while (i > 0 && kind.test(text[i - 1])) i--;
    return i;
  };
  for (let open = text.indexOf('('); open >= 0; open = text.indexOf('(', open + 1)) {
    const blanks = back(open, SPACE);
    if (blanks === open) continue;
    const digits = back(blanks, HEX);
    if (digits === blanks) continue;
    const colon = back(digits, SPACE);
    if (colon < digits && colon > 0 && text[colon - 1] === ':') return true;
  }
  return false;
}

function beforeSignature(text: string): string {
  if (text.startsWith('-- \n')) return '\n';
  const cut = text.indexOf(SIGNATURE);
  return pyStrip(cut >= 0 ? text.slice(0, cut) : text) + '\n';
}

function unwrap(text: string): string {
  const fixed = mayHoldWrappedFixes(text) ? text.replace(WRAPPED_FIXES, '$1 $2') : text;
  // An address wrapped onto a line of its own starts that line with `<`: most texts have none,
  // and looking for one is cheaper than trying the expression at every line.
  return fixed.includes('\n<') ? fixed.replace(WRAPPED_ADDRESS, '$1 $2') : fixed;
}

function readTrailer(rawName: string, rawValue: string, line: string, sawOther: boolean): Trailer | null {
  const lname = rawName.toLowerCase();
  if (IGNORED_NAMES.has(lname)) return null;
  if (sawOther && HEADER_NAMES.has(lname)) return null;
  if (!ASCII.test(lname)) return null;
  if (!HAS_ADDRESS.test(rawValue) && !NON_PERSON_NAMES.has(lname)) return null;
  if (HAS_URL.test(rawValue) && !LINK_NAMES.has(lname)) return null;

  let value = rawValue;
  let comment: string | null = null;
  const hash = HASH_COMMENT.exec(rawValue);
  if (hash) {
    value = hash[1];
    comment = pyStrip(hash[2]);
  }
  const name = canonicalTrailerName(rawName);
  if (UTILITY_NAMES.has(lname) || value.includes('://') || !HAS_ADDRESS.test(value)) {
    return { name, value, person: null, comment, line };
  }
  const parsed = parsePerson(value.replace(MAILTO_JUNK, ''));
  if (!parsed) return { name, value, person: null, comment, line };
  const extra = parsed.rest.trim();
  return {
    name,
    value: parsed.person.name ? `${parsed.person.name} <${parsed.person.email}>` : parsed.person.email,
    person: parsed.person,
    comment: comment ?? (extra ? extra : null),
    line,
  };
}

/** `Name <email>`, `"Name" <email>`, `email (Name)` or a bare `email`. */
function parsePerson(value: string): { person: TrailerPerson; rest: string } | null {
  const angle = ANGLE_ADDRESS.exec(value);
  if (angle) {
    return { person: { name: cleanName(angle[1]), email: angle[2] }, rest: angle[3] };
  }
  const bare = BARE_ADDRESS.exec(value);
  if (!bare) return null;
  const around = value.slice(0, bare.index) + value.slice(bare.index + bare[0].length);
  return { person: { name: cleanName(around.replace(/[()]/g, ' ')), email: bare[0] }, rest: '' };
}

function cleanName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  return name.length >= 2 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).trim() : name;
}
