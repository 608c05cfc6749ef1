/**
 * Markdown or plain text? An explicit flag wins, then the file extension, then a look at the text
 * (stdin, unknown extensions): Markdown when the first 64 KB show enough Markdown-only constructs
 * (ATX headings, code fences, links, setext underlines, front matter, list items).
 */
import { extname } from "node:path";
import type { DocumentFormat } from "./outline.js";

const MARKDOWN_EXTENSIONS = new Set([".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdx"]);
const PLAIN_EXTENSIONS = new Set([".txt", ".text"]);
const SNIFF_CHARS = 65_536;

export function detectFormat(name: string | null, text: string, forced?: DocumentFormat): DocumentFormat {
  if (forced) return forced;
  if (name) {
    const ext = extname(name).toLowerCase();
    if (MARKDOWN_EXTENSIONS.has(ext)) return "markdown";
    if (PLAIN_EXTENSIONS.has(ext)) return "plain";
  }
  return looksLikeMarkdown(text) ? "markdown" : "plain";
}

export function looksLikeMarkdown(text: string): boolean {
  const sample = text.slice(0, SNIFF_CHARS);
  const count = (re: RegExp) => sample.match(re)?.length ?? 0;
  let score = 0;
  if (/^(?:---|\+\+\+)\r?\n/.test(sample)) score += 3;
  score += 3 * count(/^ {0,3}#{1,6}[ \t]+\S/gm);
  score += 3 * count(/^ {0,3}(?:```|~~~)/gm);
  score += 2 * count(/\[[^\]\n]+\]\([^)\s]+\)/g);
  score += 2 * count(/^\S[^\n]*\r?\n {0,3}(?:=+|-+)[ \t]*\r?$/gm);
  score += count(/^ {0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+\S/gm) >= 2 ? 2 : 0;
  score += count(/^ {0,3}>[ \t]?\S/gm) >= 2 ? 1 : 0;
  return score >= 3;
}
