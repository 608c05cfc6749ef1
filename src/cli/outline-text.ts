/**
 * The human-readable outline: headings (`#` per level), numbered concepts under them, opaque blocks as
 * one bracketed line, and a stats line. All document text goes through toDisplayLine, so escape
 * sequences and control characters in a document never reach the terminal. For a PDF, Word, EPUB or
 * HTML document every concept line ends with where it is in that file (‹p. 12›, ‹ch. 3 › p[2]›).
 */
import { locate, locationLabel, type SourceMap } from "../inputs/source-locations.js";
import type { Concept, Outline, Section } from "../planner/outline.js";
import type { OutlineStats } from "../planner/outline-stats.js";
import { toDisplayLine } from "../util/sanitize.js";

const LINES_PER_CHUNK = 2048;

export function* outlineTextChunks(
  outline: Outline,
  stats: OutlineStats,
  locations?: SourceMap,
): Generator<string> {
  const lines: string[] = [];
  let number = 0;
  function* visit(section: Section, depth: number): Generator<string> {
    const indent = "  ".repeat(depth);
    if (section.level > 0) {
      const target = section.targetLength !== undefined ? `  (target: ${section.targetLength} concepts)` : "";
      if (lines.length > 0 || number > 0) lines.push("");
      lines.push(
        `${indent}${"#".repeat(section.level)} ${toDisplayLine(section.title) || "(untitled)"}${target}`,
      );
    }
    for (const concept of section.concepts) {
      if (concept.kind === "sentence") number++;
      const location = locate(locations, concept.span);
      const where = location ? `  ‹${toDisplayLine(locationLabel(location))}›` : "";
      lines.push(`${indent}  ${conceptLine(concept, number)}${where}`);
      if (lines.length >= LINES_PER_CHUNK) {
        yield `${lines.join("\n")}\n`;
        lines.length = 0;
      }
    }
    for (const child of section.sections) yield* visit(child, depth + 1);
  }
  for (const section of outline.sections) yield* visit(section, 0);
  if (lines.length > 0) lines.push("");
  lines.push(statsLine(stats));
  yield `${lines.join("\n")}\n`;
}

function conceptLine(concept: Concept, number: number): string {
  const pin = concept.pinned ? " [pinned]" : "";
  if (concept.kind === "opaque") return `[${describeOpaque(concept)}]${pin}`;
  return `${number}. ${toDisplayLine(concept.text)}${pin}`;
}

function describeOpaque(concept: Concept): string {
  const lines = concept.text.split("\n").length;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  switch (concept.block) {
    case "code":
      return `code block, ${count(lines, "line")}`;
    case "table":
      return `table, ${count(Math.max(0, lines - 2), "row")}`;
    case "html":
      return `HTML, ${count(lines, "line")}`;
    case "front_matter":
      return `front matter, ${count(lines, "line")}`;
    case "rule":
      return "rule";
    case "definition":
      return "link definition";
    default:
      return `block, ${count(lines, "line")}`;
  }
}

export function statsLine(stats: OutlineStats): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const source = stats.token_source === "estimate" ? "estimated" : "tokenizer";
  const count = (value: number, what: string) => `${n(value)} ${what}${value === 1 ? "" : "s"}`;
  const opaque = stats.opaque_blocks > 0 ? ` · ${count(stats.opaque_blocks, "opaque block")}` : "";
  return (
    `${count(stats.chars, "char")} · ${count(stats.tokens, "token")} (${source}) · ${count(stats.concepts, "concept")} · ` +
    `${stats.ratio} tokens/concept · ${count(stats.sections, "section")}${opaque}`
  );
}
