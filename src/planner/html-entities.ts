/** The HTML character references Markdown text commonly uses, decoded for plain concept text. */

export const ENTITY_PATTERN = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g;

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  ndash: "\u2013",
  mdash: "\u2014",
  hellip: "\u2026",
  lsquo: "\u2018",
  rsquo: "\u2019",
  ldquo: "\u201c",
  rdquo: "\u201d",
  laquo: "\u00ab",
  raquo: "\u00bb",
  copy: "\u00a9",
  shy: "",
};

/** Decodes one `&...;` reference; null when it is unknown (then it stays as written). */
export function decodeEntity(entity: string): string | null {
  const body = entity.slice(1, -1);
  if (body[0] === "#") {
    const code =
      body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return null;
    return String.fromCodePoint(code);
  }
  return Object.hasOwn(NAMED, body) ? NAMED[body] : null;
}
