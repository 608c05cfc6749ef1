/**
 * Real documents in the formats users bring, built here from real text (no binary fixtures in the
 * repository): a PDF (hand-written objects, Helvetica, one text line per `Tj`), a Word document and an
 * EPUB (ZIPs written with fflate), an HTML page with the boilerplate real pages carry.
 */
import { strToU8, zipSync } from "fflate";

/** Printable ASCII for PDF strings in WinAnsi Helvetica: typographic quotes and dashes folded. */
function ascii(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/[^\x20-\x7e]/g, "?");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * A PDF whose pages hold `paragraphs` as wrapped 11pt lines, a blank line between paragraphs.
 * `textLayer: false` draws no text at all (what a scanned page looks like to a text extractor).
 */
export function makePdf(paragraphs: readonly string[], options: { textLayer?: boolean } = {}): Buffer {
  const lines: string[] = [];
  for (const p of paragraphs) lines.push(...wrap(ascii(p), 90), "");
  const perPage = 52;
  const pages: string[][] = [];
  for (let i = 0; i < lines.length; i += perPage) pages.push(lines.slice(i, i + perPage));
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) - 1 + 1; // 1-based object numbers
  const catalog = add("");
  const pagesObj = add("");
  const font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  const kids: number[] = [];
  for (const page of pages) {
    const ops =
      options.textLayer === false
        ? "0.5 g 72 72 468 648 re f"
        : [
            "BT /F1 11 Tf 13 TL 72 740 Td",
            ...page.map((l) => `(${l.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj T*`),
            "ET",
          ].join("\n");
    const content = add(`<< /Length ${Buffer.byteLength(ops, "latin1")} >>\nstream\n${ops}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj - 1] =
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`;
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A Word document: `sections` as Heading 1 paragraphs, each followed by its paragraphs. */
export function makeDocx(sections: readonly { title: string; paragraphs: readonly string[] }[]): Buffer {
  const para = (text: string, style?: string) =>
    `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ""}<w:r><w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r></w:p>`;
  const body = sections
    .flatMap((s) => [para(s.title, "Heading1"), ...s.paragraphs.map((p) => para(p))])
    .join("");
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}<w:sectPr/></w:body></w:document>`;
  return Buffer.from(
    zipSync({
      "[Content_Types].xml": strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
      "word/document.xml": strToU8(document),
    }),
  );
}

/** An EPUB: one XHTML chapter per section, in a spine that lists them in reverse file-name order. */
export function makeEpub(chapters: readonly { title: string; paragraphs: readonly string[] }[]): Buffer {
  const files: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {
    mimetype: [strToU8("application/epub+zip"), { level: 0 }],
    "META-INF/container.xml": strToU8(
      '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
    ),
  };
  // File names run backwards so only the spine gives the reading order.
  const ids = chapters.map((_, i) => `ch${chapters.length - i}`);
  chapters.forEach((c, i) => {
    files[`OEBPS/${ids[i]}.xhtml`] = strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>${xmlEscape(c.title)}</title><style>p{margin:0}</style></head><body><h1>${xmlEscape(c.title)}</h1>${c.paragraphs.map((p) => `<p>${xmlEscape(p)}</p>`).join("")}</body></html>`,
    );
  });
  const manifest = ids
    .map((id) => `<item id="${id}" href="${id}.xhtml" media-type="application/xhtml+xml"/>`)
    .join("");
  const spine = ids.map((id) => `<itemref idref="${id}"/>`).join("");
  files["OEBPS/content.opf"] = strToU8(
    `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/><manifest>${manifest}</manifest><spine>${spine}</spine></package>`,
  );
  return Buffer.from(zipSync(files));
}

/** A web page: navigation, a script, a style sheet, a cookie banner and a footer around an article. */
export function makeHtml(title: string, paragraphs: readonly string[]): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${xmlEscape(title)} | The Daily Site</title>
<style>body { font-family: serif } .nav { display: flex }</style>
<script>window.analytics = { track: function () { return "tracking pixel"; } };</script></head>
<body>
<header><nav class="nav"><a href="/">Home</a> <a href="/world">World news</a> <a href="/sport">Sport</a></nav></header>
<div class="cookie">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<article>
<header><h1>${xmlEscape(title)}</h1><p class="byline">By a staff writer</p></header>
${paragraphs.map((p) => `<p>${xmlEscape(p)}</p>`).join("\n")}
<aside>Read more: ten things you did not know about tables.</aside>
</article>
<footer><p>Copyright The Daily Site. All rights reserved. Subscribe to our newsletter.</p></footer>
<script>document.write("injected script text");</script>
</body></html>`;
}
