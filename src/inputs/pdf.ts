/**
 * PDF -> text with Mozilla's pdf.js (the reader Firefox uses; Apache-2.0, maintained, no native code):
 * each page's text items in their order, a line break where the PDF ends a line, a blank line where
 * the gap to the next line is well above the line height (a new paragraph) and between pages. A word
 * hyphenated across a line end is joined. A PDF with no text layer (a scan) or behind a password is
 * one clear error saying what to do.
 */
import { UsageError } from "../util/errors.js";
import type { SourceMap } from "./source-locations.js";

/** What pageText reads of pdf.js's text items. */
interface PageItem {
  str: string;
  hasEOL: boolean;
  transform: number[];
  height: number;
}

/** The text, pages apart by a blank line, and where each page starts in it. */
export async function pdfToText(
  bytes: Uint8Array,
  name: string,
): Promise<{ text: string; locations: SourceMap }> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  let doc: Awaited<ReturnType<typeof pdfjs.getDocument>["promise"]>;
  try {
    doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    const kind = (error as { name?: string }).name;
    if (kind === "PasswordException") {
      throw new UsageError(`${name}: the PDF is password-protected; save an unprotected copy and try again`);
    }
    throw new UsageError(`${name}: not a readable PDF (${(error as Error).message})`);
  }
  try {
    const pages: string[] = [];
    const locations: { start: number; location: { page: number } }[] = [];
    let offset = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const text = pageText(content.items.flatMap((i) => ("str" in i ? [i] : [])));
      page.cleanup();
      if (!text.trim()) continue;
      locations.push({ start: offset, location: { page: n } });
      pages.push(text);
      offset += text.length + 2;
    }
    const text = pages.join("\n\n");
    if (!text.trim()) {
      throw new UsageError(
        `${name}: the PDF has no text layer (a scan?): run OCR first, e.g. ocrmypdf in.pdf out.pdf`,
      );
    }
    return { text, locations };
  } finally {
    await doc.destroy();
  }
}

function pageText(items: readonly PageItem[]): string {
  let out = "";
  let lastY: number | null = null;
  let lineHeight = 0;
  for (const item of items) {
    const y = item.transform[5];
    if (
      lastY !== null &&
      out &&
      !out.endsWith("\n") &&
      Math.abs(y - lastY) > Math.max(2, item.height * 0.5)
    ) {
      out += "\n"; // a new line the PDF did not mark with hasEOL
    }
    if (lastY !== null && lineHeight > 0 && lastY - y > lineHeight * 1.8 && !out.endsWith("\n\n")) {
      out = `${out.replace(/\n?$/, "")}\n\n`; // a gap well above the line height: a new paragraph
    }
    if (item.str) {
      // "exam-" at a line end + "ple": one word again.
      if (out.endsWith("-\n") && /^\p{Ll}/u.test(item.str)) out = out.slice(0, -2);
      out += item.str;
    }
    if (item.hasEOL) out += "\n";
    if (item.str.trim()) {
      if (item.height > 0) lineHeight = item.height;
      lastY = y;
    }
  }
  return out.replace(/[ \t]+\n/g, "\n").trim();
}
