/**
 * Plain text -> structure blocks. Plain text is often hard-wrapped (e-mail, Project Gutenberg, man
 * pages), so a single line break is just a space; a blank line (only whitespace on it) ends a
 * paragraph. Every paragraph is one prose block. CRLF and CR line ends work as they are: spans index the
 * original text directly.
 *
 * Headings in plain text are guessed conservatively. A paragraph is a heading candidate when it is a
 * single line of at most 80 characters that is
 *   (a) a numbered division: "Chapter 3", "BOOK II. THE CITY", "Part One: ..." (chapter, book, part,
 *       section, lecture, letter, canto, act, scene, appendix + a numeral, roman numeral or number word),
 *   (b) in capitals: at least 3 letters, no lower-case letter, not ending in `,` or `;`, or
 *   (c) a lone roman numeral ("IV." - a sub-division, level 2; the others are level 1).
 * Candidates become headings only if there are at least 2 of them and they make up at most a third of
 * the paragraphs (so an all-caps poem or a list of names stays prose). Otherwise the text has no headings
 * and build-outline groups its paragraphs into numbered parts.
 */
import { MappedTextBuilder } from "./mapped-text.js";
import { normalizeText } from "./outline.js";
import type { HeadingBlock, ProseBlock, StructureBlock } from "./structure.js";

// A line break, then one or more lines holding only spaces. `\r(?!\n)` keeps CRLF from reading as two.
const PARAGRAPH_BREAK = /(?:\r\n|\r(?!\n)|\n)(?:[ \t\f\v\u00a0]*(?:\r\n|\r(?!\n)|\n))+/g;
const NUMBER_WORD =
  "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last";
const DIVISION = new RegExp(
  `^(?:chapter|book|part|section|lecture|letter|canto|act|scene|appendix)\\s+(?:[0-9]+|[ivxlcdm]+|${NUMBER_WORD})\\b`,
  "i",
);
const ROMAN_ALONE = /^[IVXLC]+\.?$/;
const MAX_HEADING_CHARS = 80;

interface Paragraph {
  start: number;
  end: number;
}

export function plainStructure(source: string): StructureBlock[] {
  const paragraphs = splitParagraphs(source).flatMap((p) => utterances(source, p));
  const headingLevels = detectHeadings(source, paragraphs);
  const blocks: StructureBlock[] = [];
  paragraphs.forEach((p, i) => {
    const level = headingLevels?.[i] ?? 0;
    if (level > 0) {
      const heading: HeadingBlock = {
        kind: "heading",
        level,
        title: normalizeText(source.slice(p.start, p.end)),
        span: [p.start, p.end],
      };
      blocks.push(heading);
    } else {
      blocks.push(proseBlock(source, p));
    }
  });
  return blocks;
}

function splitParagraphs(source: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  const push = (from: number, to: number) => {
    let start = from;
    let end = to;
    while (start < end && /\s/.test(source[start])) start++;
    while (end > start && /\s/.test(source[end - 1])) end--;
    if (end > start) paragraphs.push({ start, end });
  };
  let last = 0;
  PARAGRAPH_BREAK.lastIndex = 0;
  for (let m = PARAGRAPH_BREAK.exec(source); m; m = PARAGRAPH_BREAK.exec(source)) {
    push(last, m.index);
    last = m.index + m[0].length;
  }
  push(last, source.length);
  return paragraphs;
}

// A speaker label opening a line: "Grad A: ", "#Person1#: ", "Dr. Smith: ", "MARIA: ".
const SPEAKER_LINE = /^[ \t]*#?[\p{Lu}\p{Lt}\p{N}][\p{L}\p{N} .'#_-]{0,30}:[ \t]+\S/u;
const MIN_UTTERANCES = 3;

/**
 * A transcript with one `Name: text` utterance per line (meetings, dialogues) is not hard-wrapped
 * prose: joining its lines would run speakers together into one concept. When most lines of a
 * paragraph (at least 3, and 60%) open with a speaker label, every labelled line starts a paragraph of
 * its own; unlabelled lines continue the utterance before them.
 */
function utterances(source: string, p: Paragraph): Paragraph[] {
  const lines: Paragraph[] = [];
  const LINE = /[^\r\n]+/g;
  const text = source.slice(p.start, p.end);
  for (let m = LINE.exec(text); m; m = LINE.exec(text)) {
    lines.push({ start: p.start + m.index, end: p.start + m.index + m[0].length });
  }
  if (lines.length < MIN_UTTERANCES) return [p];
  const labelled = lines.map((l) => SPEAKER_LINE.test(source.slice(l.start, l.end)));
  const count = labelled.filter(Boolean).length;
  if (count < MIN_UTTERANCES || count < 0.6 * lines.length) return [p];
  const out: Paragraph[] = [];
  lines.forEach((line, i) => {
    const last = out[out.length - 1];
    if (labelled[i] || !last) out.push({ ...line });
    else last.end = line.end;
  });
  return out;
}

function proseBlock(source: string, p: Paragraph): ProseBlock {
  const builder = new MappedTextBuilder();
  builder.appendSource(source.slice(p.start, p.end), p.start);
  const mapped = builder.finish();
  return {
    kind: "prose",
    text: mapped.text,
    sourceSpan: (start, end) => [mapped.sourceStart(start), mapped.sourceEnd(end - 1)],
  };
}

/** Heading level per paragraph index (0 = prose), or null when the text shows no reliable headings. */
function detectHeadings(source: string, paragraphs: Paragraph[]): number[] | null {
  const levels = paragraphs.map((p) => headingLevel(source, p));
  const count = levels.filter((l) => l > 0).length;
  if (count < 2 || count * 3 > paragraphs.length) return null;
  return levels;
}

function headingLevel(source: string, p: Paragraph): number {
  if (p.end - p.start > MAX_HEADING_CHARS) return 0;
  const line = source.slice(p.start, p.end);
  if (/[\r\n]/.test(line)) return 0;
  if (ROMAN_ALONE.test(line)) return 2;
  if (DIVISION.test(line) && !/[,;]$/.test(line)) return 1;
  const letters = line.match(/\p{L}/gu)?.length ?? 0;
  if (letters >= 3 && !/\p{Ll}/u.test(line) && /\p{Lu}/u.test(line) && !/[,;]$/.test(line)) return 1;
  return 0;
}
