/**
 * Word documents (.docx, Office Open XML) -> Markdown text: the body's paragraphs in order, those with
 * a heading style ("Heading 1".."Heading 6", "Title") as headings, list paragraphs as list items, table
 * cells as paragraphs. Text runs, tabs and breaks are kept; fields, comments and drawings are not.
 */
import { Parser } from "htmlparser2";
import { UsageError } from "../util/errors.js";
import type { SourceMap } from "./source-locations.js";
import { readZip, zipText } from "./zip.js";

/** The body as Markdown, and where each paragraph starts (its number among the non-empty ones). */
export function docxToText(bytes: Uint8Array, name: string): { text: string; locations: SourceMap } {
  const entries = readZip(bytes, name, "Word");
  const xml = zipText(entries, "word/document.xml");
  if (xml === null) throw new UsageError(`${name}: a ZIP without word/document.xml, not a Word document`);
  const blocks: string[] = [];
  const locations: { start: number; location: { paragraph: number } }[] = [];
  let offset = 0;
  let text = "";
  let level = 0;
  let list = false;
  let inText = false;
  const parser = new Parser(
    {
      onopentag(tag, attrs) {
        if (tag === "w:p") {
          text = "";
          level = 0;
          list = false;
        } else if (tag === "w:pstyle") {
          const style = (attrs["w:val"] ?? "").toLowerCase();
          const m = /^(?:heading|berschrift|titre|t[ií]tulo)\s*([1-6])$/.exec(style);
          if (m) level = Number(m[1]);
          else if (style === "title") level = 1;
          else if (/list/.test(style)) list = true;
        } else if (tag === "w:numpr") list = true;
        else if (tag === "w:t") inText = true;
        else if (tag === "w:tab") text += " ";
        else if (tag === "w:br" || tag === "w:cr") text += "\n";
      },
      ontext(data) {
        if (inText) text += data;
      },
      onclosetag(tag) {
        if (tag === "w:t") inText = false;
        else if (tag === "w:p") {
          const line = text.replace(/[ \t]+/g, " ").trim();
          if (!line) return;
          const block =
            level > 0 ? `${"#".repeat(level)} ${line.replace(/\s+/g, " ")}` : list ? `- ${line}` : line;
          blocks.push(block);
          locations.push({ start: offset, location: { paragraph: blocks.length } });
          offset += block.length + 2;
        }
      },
    },
    { xmlMode: true, decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(xml);
  parser.end();
  return { text: blocks.join("\n\n"), locations };
}
