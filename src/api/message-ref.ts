/**
 * What people paste to name a message: `<id@host>`, `id@host`, `id:…` or `mid:…` (notmuch,
 * mutt), a public-inbox or lore URL (`https://lore.kernel.org/r/<id>/`, `…/<list>/<id>/T/`), or a
 * row id. Pure: gives the Message-Id (bracketed) or the number.
 */
export function parseMessageRef(text: string): number | string {
  let ref = text.trim();
  if (/^\d+$/.test(ref)) return Number(ref);
  const url = /^https?:\/\/[^/]+\/(?:r\/|[^/]+\/)?([^/]+)(?:\/.*)?$/i.exec(ref);
  if (url && safeDecode(url[1]).includes('@')) ref = safeDecode(url[1]);
  ref = ref.replace(/^(?:mid|id):/i, '');
  ref = ref.replace(/^<|>$/g, '');
  return `<${ref}>`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
