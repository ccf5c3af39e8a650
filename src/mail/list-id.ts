/** The list a message came through: Patchwork's `find_project` header rules (reference §1.2). */
import type { HeaderField } from '../types.js';

/** Headers that name the list, in the order Patchwork tries them. */
const LIST_HEADERS = ['list-id', 'x-mailing-list', 'x-list'];

export interface ListIdentity {
  listId: string | null;
  listName: string | null;
}

/**
 * Patchwork's `.*<([^>]+)>.*`: the greedy `.*` makes the LAST `<` that opens a non-empty
 * `<...>` win. Done with lastIndexOf/indexOf so that hostile values stay linear.
 */
function lastBracketed(v: string): [number, number] | null {
  const lastGt = v.lastIndexOf('>');
  if (lastGt < 0) return null;
  let lt = v.lastIndexOf('<', lastGt);
  while (lt >= 0) {
    const gt = v.indexOf('>', lt + 1);
    if (gt > lt + 1) return [lt, gt + 1];
    lt = lt > 0 ? v.lastIndexOf('<', lt - 1) : -1;
  }
  return null;
}

/** Reads one decoded List-Id-like value: the last `<...>`, else a single bare token. */
export function parseListId(value: string): ListIdentity | null {
  const v = value.trim();
  if (v === '') return null;
  const m = lastBracketed(v);
  if (m !== null) {
    const name = v.slice(0, m[0]).trim().replace(/^"(.*)"$/s, '$1').trim();
    return { listId: v.slice(m[0] + 1, m[1] - 1), listName: name === '' ? null : name };
  }
  if (/^\S+$/.test(v)) return { listId: v, listName: null };
  return null;
}

/**
 * The list identity from the headers (first occurrence of each header that yields one).
 * `first` gives the first field of a lower-case name: the parser's index of the headers, so that
 * no field name is lower-cased again for this.
 */
export function findListId(first: (lowerName: string) => HeaderField | null): ListIdentity {
  for (const wanted of LIST_HEADERS) {
    const field = first(wanted);
    if (field === null) continue;
    const found = parseListId(field.value);
    if (found !== null) return found;
  }
  return { listId: null, listName: null };
}
