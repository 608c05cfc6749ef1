/**
 * The documents users bring -> text the planner reads. PDF, Word (.docx), EPUB and HTML are found by
 * their bytes (sniff.ts) and converted to Markdown text (headings -> sections); UTF-16 text is
 * decoded; anything else is left to the text reader (inputs/read-input.ts), which refuses what is not text.
 * The readers (and their libraries) load only when a file needs them: every command reads its input
 * through here, and most inputs are text.
 */
import { UsageError } from "../util/errors.js";
import { type DocumentKind, sniffDocument } from "./sniff.js";
import type { SourceMap } from "./source-locations.js";

export interface ConvertedDocument {
  kind: DocumentKind;
  /** Markdown for converted formats; the text itself for UTF-16 text. */
  text: string;
  format: "markdown" | null;
  /** Converted formats: where each block of `text` came from (page, chapter, element, paragraph). */
  locations?: SourceMap;
}

/** The document converted, or null when it is (or claims to be) plain UTF-8 text or Markdown. */
export async function convertDocument(bytes: Uint8Array, name: string): Promise<ConvertedDocument | null> {
  const kind = sniffDocument(bytes);
  switch (kind) {
    case "pdf":
      return { kind, ...(await (await import("./pdf.js")).pdfToText(bytes, name)), format: "markdown" };
    case "docx": {
      const { text, locations } = (await import("./docx.js")).docxToText(bytes, name);
      return { kind, text: nonEmpty(text, name, "Word document"), locations, format: "markdown" };
    }
    case "epub":
      return { kind, ...(await import("./epub.js")).epubToText(bytes, name), format: "markdown" };
    case "html": {
      const { htmlToText } = await import("./html-text.js");
      const { text, locations } = htmlToText(new TextDecoder("utf-8").decode(bytes));
      return { kind, text: nonEmpty(text, name, "web page"), locations, format: "markdown" };
    }
    case "zip":
      throw new UsageError(
        `${name}: a ZIP archive that is neither a Word document nor an EPUB: unpack it first`,
      );
    case "utf16le":
    case "utf16be": {
      const text = new TextDecoder(kind === "utf16le" ? "utf-16le" : "utf-16be").decode(bytes.subarray(2));
      return { kind, text, format: null };
    }
    case "text":
      return null;
  }
}

function nonEmpty(text: string, name: string, what: string): string {
  if (!text.trim()) throw new UsageError(`${name}: the ${what} holds no text to read`);
  return text;
}
