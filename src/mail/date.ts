/**
 * Dates as written in mail: RFC 5322 and the broken forms real archives hold (no weekday,
 * two-digit years, named zones, `+0100 (CET)`, extra spaces, no seconds, asctime order,
 * `29-Apr-2019`, ISO 8601). Parsed by hand into UTC milliseconds; `Date.parse` is not used
 * because it reads zone-less strings as local time and accepts far too much.
 */

export interface ParsedDate {
  /** Milliseconds since the epoch, UTC. */
  time: number;
  /** Set when part of the date had to be guessed (no zone, unknown zone, no time of day). */
  warning: string | null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Named zones in minutes east of UTC: RFC 5322's, plus the ones mail clients actually write. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, bst: 60, ist: 330, cet: 60, met: 60, mez: 60,
  cest: 120, mest: 120, mesz: 120, eet: 120, eest: 180, west: 60, msk: 180, msd: 240,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  jst: 540, kst: 540, hkt: 480, sgt: 480, awst: 480, acst: 570, acdt: 630, aest: 600,
  aedt: 660, nzst: 720, nzdt: 780, wib: 420, pht: 480,
};

const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d+)?)?(.*)$/;
const NUMERIC_ZONE = /^([+-])(\d{1,2}):?(\d{2})?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;

function monthIndex(word: string): number {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return -1;
  const i = MONTHS.indexOf(w.slice(0, 3));
  if (i < 0) return -1;
  // "sept", "june", "july" and the full names are fine; "marble" is not a month.
  return MONTH_NAMES[i].startsWith(w) || w === 'sept' ? i : -1;
}

function numericZone(tok: string): number | null {
  const m = NUMERIC_ZONE.exec(tok);
  if (!m) return null;
  let hh: number;
  let mm: number;
  if (m[3] === undefined) {
    // `+2` or `+02`: hours only. `+0200` matched as hh=02, mm=00 by the optional colon branch.
    hh = Number(m[2]);
    mm = 0;
  } else {
    hh = Number(m[2]);
    mm = Number(m[3]);
  }
  if (hh > 23 || mm > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hh * 60 + mm);
}

function fixYear(y: number, digits: number): number {
  if (digits <= 2) return y > 68 ? 1900 + y : 2000 + y;
  if (digits === 3) return 1900 + y;
  return y;
}

function build(
  year: number, month: number, day: number, h: number, mi: number, s: number, zone: number,
): number | null {
  if (year < 1000 || year > 9999 || month < 0 || month > 11 || day < 1 || day > 31) return null;
  if (h > 23 || mi > 59 || s > 60) return null;
  if (s === 60) s = 59; // a leap second: keep it inside its minute
  const t = Date.UTC(year, month, day, h, mi, s);
  if (new Date(t).getUTCDate() !== day) return null; // 31 Feb and the like
  return t - zone * 60000;
}

function stripComments(s: string): string {
  let out = s;
  for (let i = 0; i < 4 && out.includes('('); i++) {
    const next = out.replace(/\([^()]*\)/g, ' ');
    if (next === out) break;
    out = next;
  }
  const open = out.indexOf('(');
  return open >= 0 ? out.slice(0, open) : out;
}

/**
 * The fields of a date in the RFC 5322 form nearly every header uses, or null. Read by hand,
 * exactly what this expression accepts:
 *   ^\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+([+-])(\d{2})(\d{2})(?:\s+\([^()]*\))?\s*$
 * because it runs for the Date and every Received hop of every message, and the expression's
 * nine captured strings, turned into numbers one by one, cost more than the reading.
 * `month` is the three letters in lower case.
 */
export function matchRfc5322(text: string): {
  day: number; month: string; year: number; h: number; mi: number; s: number; sign: number; zh: number; zm: number;
} | null {
  const n = text.length;
  let i = skipSpaces(text, 0);
  // An optional weekday: three letters, maybe a comma, blanks.
  if (isLetter(text, i) && isLetter(text, i + 1) && isLetter(text, i + 2)) {
    let j = i + 3;
    if (text.charCodeAt(j) === 0x2c) j++;
    const after = skipSpaces(text, j);
    if (after === j) return null;
    i = after;
  }
  const dayDigits = isDigit(text, i + 1) ? 2 : 1;
  if (!isDigit(text, i)) return null;
  const day = digits(text, i, dayDigits);
  i += dayDigits;
  const monthAt = skipSpaces(text, i);
  if (monthAt === i || !isLetter(text, monthAt) || !isLetter(text, monthAt + 1) || !isLetter(text, monthAt + 2)) return null;
  const month = text.slice(monthAt, monthAt + 3).toLowerCase();
  const yearAt = skipSpaces(text, monthAt + 3);
  if (yearAt === monthAt + 3 || !allDigits(text, yearAt, 4)) return null;
  const timeAt = skipSpaces(text, yearAt + 4);
  if (timeAt === yearAt + 4 || !allDigits(text, timeAt, 2) || text.charCodeAt(timeAt + 2) !== 0x3a) return null;
  if (!allDigits(text, timeAt + 3, 2) || text.charCodeAt(timeAt + 5) !== 0x3a || !allDigits(text, timeAt + 6, 2)) return null;
  const zoneAt = skipSpaces(text, timeAt + 8);
  const signChar = text.charCodeAt(zoneAt);
  if (zoneAt === timeAt + 8 || (signChar !== 0x2b && signChar !== 0x2d) || !allDigits(text, zoneAt + 1, 4)) return null;
  // Then an optional (comment) after blanks, and only blanks to the end.
  let end = skipSpaces(text, zoneAt + 5);
  if (end < n && text.charCodeAt(end) === 0x28 && end > zoneAt + 5) {
    let close = end + 1;
    while (close < n && text.charCodeAt(close) !== 0x29 && text.charCodeAt(close) !== 0x28) close++;
    if (close === n || text.charCodeAt(close) !== 0x29) return null;
    end = skipSpaces(text, close + 1);
  }
  if (end !== n) return null;
  return {
    day, month, year: digits(text, yearAt, 4),
    h: digits(text, timeAt, 2), mi: digits(text, timeAt + 3, 2), s: digits(text, timeAt + 6, 2),
    sign: signChar === 0x2d ? -1 : 1, zh: digits(text, zoneAt + 1, 2), zm: digits(text, zoneAt + 3, 2),
  };
}

/** JavaScript's `\s` (without the u flag: the same set). */
function isSpaceCode(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpaceCode(text.charCodeAt(i))) i++;
  return i;
}

function isDigit(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 0x30 && c <= 0x39;
}

function isLetter(text: string, at: number): boolean {
  const c = text.charCodeAt(at) | 0x20;
  return c >= 0x61 && c <= 0x7a;
}

function allDigits(text: string, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) if (!isDigit(text, i)) return false;
  return true;
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return value;
}

/** Parses a date as found in Date or Received headers; null when it cannot be read. */
export function parseMailDate(text: string): ParsedDate | null {
  const quick = matchRfc5322(text);
  if (quick !== null) {
    const month = MONTHS.indexOf(quick.month);
    if (month >= 0 && quick.zh <= 23 && quick.zm <= 59) {
      const zone = quick.sign * (quick.zh * 60 + quick.zm);
      const t = build(quick.year, month, quick.day, quick.h, quick.mi, quick.s, zone);
      return t === null ? null : { time: t, warning: null };
    }
  }
  let s = text.includes('(') ? stripComments(text) : text;
  s = s.replace(/,/g, ' ').trim();
  if (s === '') return null;

  const iso = ISO_DATE.exec(s);
  if (iso) {
    const zone = iso[7] === undefined ? null : iso[7].toLowerCase() === 'z' ? 0 : numericZone(iso[7]);
    const t = build(+iso[1], +iso[2] - 1, +iso[3], +iso[4], +iso[5], iso[6] === undefined ? 0 : +iso[6], zone ?? 0);
    return t === null ? null : { time: t, warning: zone === null ? 'date without a time zone, taken as UTC' : null };
  }

  let day = -1;
  let month = -1;
  let year = -1;
  let h = -1;
  let mi = 0;
  let sec = 0;
  let zone: number | null = null;
  let warning: string | null = null;
  let half: 'am' | 'pm' | null = null;
  const numbers: string[] = [];

  for (const token of s.split(/\s+/)) {
    let tok = token;
    if (h < 0) {
      const tm = TIME.exec(tok);
      if (tm) {
        h = +tm[1];
        mi = +tm[2];
        sec = tm[3] === undefined ? 0 : +tm[3];
        tok = tm[4];
        if (tok === '') continue;
      }
    }
    const c = tok.charCodeAt(0);
    if (c === 0x2b || c === 0x2d) {
      // +0200, -0700, +02:00
      const z = numericZone(tok);
      if (z !== null && zone === null && /^[+-]\d{2}:?\d{2}$|^[+-]\d{1,2}$/.test(tok)) zone = z;
      else if (z === null && zone === null && /^[+-]\d+$/.test(tok)) warning = `impossible time zone ${tok} ignored`;
      continue;
    }
    if (/^\d+$/.test(tok)) {
      numbers.push(tok);
      continue;
    }
    let m = /^(\d{1,2})-([A-Za-z]{3,9})-(\d{2,4})$/.exec(tok);
    if (m) {
      day = +m[1];
      month = monthIndex(m[2]);
      year = fixYear(+m[3], m[3].length);
      continue;
    }
    m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(tok);
    if (m) {
      year = +m[1];
      month = +m[2] - 1;
      day = +m[3];
      continue;
    }
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{2,4})$/.exec(tok);
    if (m) {
      month = +m[1] - 1;
      day = +m[2];
      year = fixYear(+m[3], m[3].length);
      continue;
    }
    m = /^(gmt|utc|ut)([+-]\d{1,2}(?::?\d{2})?)$/i.exec(tok);
    if (m) {
      if (zone === null) zone = numericZone(m[2]) ?? 0;
      continue;
    }
    const word = tok.toLowerCase().replace(/\.$/, '');
    if (!/^[a-z]+$/.test(word)) continue;
    if (month < 0) {
      const mo = monthIndex(word);
      if (mo >= 0) {
        month = mo;
        continue;
      }
    }
    if (word.length >= 3 && WEEKDAYS.includes(word.slice(0, 3))) continue;
    if (word === 'am' || word === 'pm') {
      half = word;
      continue;
    }
    if (zone === null && h >= 0) {
      const named = ZONES[word];
      if (named !== undefined) zone = named;
      else if (word.length === 1) zone = 0; // military zones: RFC 5322 says treat as -0000
      else if (word.length <= 5) {
        zone = 0;
        warning = `unknown time zone ${tok}, taken as UTC`;
      }
    }
  }

  for (const n of numbers) {
    const v = Number(n);
    if (year < 0 && (n.length >= 3 || v > 31)) year = fixYear(v, n.length);
    else if (day < 0 && v >= 1 && v <= 31) day = v;
    else if (year < 0) year = fixYear(v, n.length);
  }
  if (month < 0 || day < 0 || year < 0) return null;
  if (h < 0) {
    h = 0;
    warning = 'date without a time of day, taken as midnight';
  }
  if (half === 'pm' && h < 12) h += 12;
  if (half === 'am' && h === 12) h = 0;
  if (zone === null) {
    zone = 0;
    warning = warning ?? 'date without a time zone, taken as UTC';
  }
  const t = build(year, month, day, h, mi, sec, zone);
  return t === null ? null : { time: t, warning };
}

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

/**
 * `2019-04-29T10:15:58Z` (UTC, whole seconds). By hand (days to civil date, H. Hinnant's
 * algorithm) because it runs for every Received hop, where `toISOString` was a tenth of a
 * millisecond per message; years outside 1000-9999 take the slow, general path.
 */
export function formatUtc(time: number): string {
  const seconds = Math.floor(time / 1000);
  const days = Math.floor(seconds / 86400);
  const rest = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (!Number.isFinite(year) || year < 1000 || year > 9999) return new Date(time).toISOString().slice(0, 19) + 'Z';
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest - h * 3600) / 60);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(rest - h * 3600 - m * 60)}Z`;
}
