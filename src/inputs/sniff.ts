/**
 * What a file is, from its bytes (the extension is only a hint; users rename, and stdin has none):
 * PDF (%PDF-), a ZIP that is an EPUB (its first entry is `mimetype` = application/epub+zip) or a
 * Word document (word/document.xml), HTML (a doctype or an <html>/<head>/<body> tag near the start),
 * UTF-16 text (a byte-order mark), or text.
 */
export type DocumentKind = "pdf" | "epub" | "docx" | "zip" | "html" | "utf16le" | "utf16be" | "text";

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function sniffDocument(bytes: Uint8Array): DocumentKind {
  const head = Buffer.from(bytes.subarray(0, 4096));
  // A PDF starts with %PDF- (readers allow junk in the first 1 KB: then the file is binary). Text that
  // merely mentions "%PDF-" stays text.
  const pdfAt = head.subarray(0, 1024).indexOf("%PDF-");
  if (pdfAt === 0 || (pdfAt > 0 && head.includes(0))) return "pdf";
  if (ZIP_MAGIC.every((b, i) => head[i] === b)) {
    const latin = head.toString("latin1");
    if (latin.includes("mimetypeapplication/epub+zip")) return "epub";
    // The central directory at the end names every entry.
    const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 65_536))).toString("latin1");
    if (latin.includes("word/") || tail.includes("word/document.xml")) return "docx";
    if (tail.includes("META-INF/container.xml")) return "epub";
    return "zip";
  }
  if (head[0] === 0xff && head[1] === 0xfe) return "utf16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf16be";
  const start = head
    .toString("utf8", 0, 2048)
    .replace(/^\uFEFF/, "")
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
  if (/^<!doctype html|^<html[\s>]|^<\?xml[^>]*>\s*<!doctype html|^<\?xml[^>]*>\s*<html/.test(start))
    return "html";
  if (/^<(?:head|body|meta|title)[\s>]/.test(start)) return "html";
  return "text";
}
