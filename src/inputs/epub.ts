/**
 * E-books (.epub) -> Markdown text: the chapters in reading order (the package's spine), each read as
 * HTML (html-text.ts). A chapter that has no heading of its own gets one from the table of contents
 * or its file name, so every chapter is a section of the outline.
 */

import { posix } from "node:path";
import { Parser } from "htmlparser2";
import { UsageError } from "../util/errors.js";
import { htmlToText } from "./html-text.js";
import { type SourceMap, shiftSourceMap } from "./source-locations.js";
import { readZip, zipText } from "./zip.js";

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
}

function elements(xml: string): XmlElement[] {
  const out: XmlElement[] = [];
  const parser = new Parser(
    { onopentag: (name, attrs) => out.push({ name: name.replace(/^.*:/, ""), attrs }) },
    { xmlMode: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(xml);
  parser.end();
  return out;
}

/** The chapters as Markdown, and where each block starts: chapter number, title, file, element path. */
export function epubToText(bytes: Uint8Array, name: string): { text: string; locations: SourceMap } {
  const entries = readZip(bytes, name, "EPUB");
  if ([...entries.keys()].some((k) => k === "META-INF/encryption.xml")) {
    throw new UsageError(`${name}: an EPUB with encrypted (DRM) content, which lcm cannot read`);
  }
  const container = zipText(entries, "META-INF/container.xml");
  const opfPath = container && elements(container).find((e) => e.name === "rootfile")?.attrs["full-path"];
  const opf = opfPath ? zipText(entries, opfPath) : null;
  if (!opfPath || !opf)
    throw new UsageError(`${name}: an EPUB without its package file (META-INF/container.xml)`);
  const base = posix.dirname(opfPath);
  const items = elements(opf);
  const manifest = new Map(
    items
      .filter((e) => e.name === "item")
      .map((e) => [e.attrs.id, posix.normalize(posix.join(base, e.attrs.href ?? ""))]),
  );
  const spine = items
    .filter((e) => e.name === "itemref" && e.attrs.linear !== "no")
    .map((e) => manifest.get(e.attrs.idref));
  const parts: string[] = [];
  const locations: SourceMap[number][] = [];
  let offset = 0;
  for (const [i, path] of spine.entries()) {
    const file = path ? decodeURIComponent(path) : null;
    const xhtml = file ? zipText(entries, file) : null;
    if (!file || !xhtml) continue;
    const html = htmlToText(xhtml);
    if (!html.text.trim()) continue;
    const chapterTitle = /^#{1,6} (.*)/.exec(html.text)?.[1] || html.title || `Part ${i + 1}`;
    const heading = /^#{1,6} /.test(html.text) ? "" : `# ${html.title || `Part ${i + 1}`}\n\n`;
    // Chapters are numbered as the reader meets them: the spine's items that hold text.
    const chapter = { chapter: parts.length + 1, chapterTitle, file };
    locations.push({ start: offset, location: chapter });
    locations.push(...shiftSourceMap(html.locations, offset + heading.length, chapter));
    parts.push(heading + html.text);
    offset += heading.length + html.text.length + 2;
  }
  if (parts.length === 0) throw new UsageError(`${name}: an EPUB whose chapters hold no text`);
  return { text: parts.join("\n\n"), locations };
}
