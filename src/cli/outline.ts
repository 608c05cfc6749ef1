/**
 * `lcm outline FILE|-`: a document as an outline of concepts (sections from its headings, one concept
 * per sentence) with the compression it shows. Formats: a readable tree (text), the editable outline
 * file (md, reads back with the TUI and server), or JSON with source spans (json).
 */
import { extname } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { type InputDocument, readInput } from "../inputs/read-input.js";
import type { DocumentFormat, Outline } from "../planner/outline.js";
import { outlineJsonChunks } from "../planner/outline-json.js";
import { outlineMarkdownChunks } from "../planner/outline-markdown.js";
import { outlineStats } from "../planner/outline-stats.js";
import { FIELDS } from "../requests/fields.js";
import { FLORES_CODE_MUST_BE, isFloresCode } from "../requests/language-code.js";
import { readOutlineOrDocument } from "../requests/outline-or-document.js";
import { MAX_SEGMENT_CHARS } from "../segment/types.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { UsageError } from "../util/errors.js";
import { stripControl } from "../util/sanitize.js";
import { writeStdoutChunks } from "../util/stdout.js";
import {
  action,
  type CommonOptions,
  type OutputFormat,
  progressEnabled,
  withCommonOptions,
} from "./common.js";
import { fieldOption } from "./field-options.js";
import { outlineTextChunks } from "./outline-text.js";

interface OutlineFlags extends CommonOptions {
  maxChars: number;
  markdown?: boolean;
  plain?: boolean;
  lang?: string;
  output?: string;
}

export function registerOutline(program: Command): void {
  const command = program
    .command("outline")
    .description(
      "Show a document as an outline of concepts: sections from its headings, one concept per sentence " +
        "(at most --max-chars characters), code blocks, tables, HTML and front matter kept as opaque " +
        "blocks. Prints how many tokens became how many concepts.",
    )
    .argument(
      "<file>",
      "a document (Markdown, plain text, PDF, Word .docx, EPUB, HTML: read by content), a saved outline (.md or .json), or - for stdin",
    );
  withCommonOptions(command)
    .addOption(
      fieldOption(FIELDS.maxChars, {
        help: `${FIELDS.maxChars.help} (${FIELDS.maxChars.min}..${FIELDS.maxChars.max})`,
        default: MAX_SEGMENT_CHARS,
      }),
    )
    .addOption(
      new Option("--markdown", "read the input as Markdown (default: by extension, else sniffed)").conflicts(
        "plain",
      ),
    )
    .addOption(
      new Option("--plain", "read the input as plain text: blank lines separate paragraphs").conflicts(
        "markdown",
      ),
    )
    .option(
      "--lang <code>",
      "FLORES-200 code of the document's language, a segmentation hint (e.g. jpn_Jpan)",
      parseLang,
    )
    .option(
      "-o, --output <file>",
      "write the result to FILE (atomically) instead of stdout; .json/.md imply --format",
    )
    .addHelpText(
      "after",
      `
Formats:
  text  a tree: headings, numbered concepts, [opaque blocks], and a stats line
  md    the outline file: headings and one "- concept" line each, ids/spans/pins in comments;
        edit it by hand; \`lcm outline FILE.md\` shows a saved outline again
  json  {"stats": {"chars", "tokens", "concepts", "ratio", "token_source", ...},
         "sections": [{"id", "title", "level", "span", "concepts": [{"id", "text", "span", "pinned"}],
                       "opaque": [{"id", "kind", "at", "span", "text"}], "sections": [...]}], ...}
        spans are [start, end) offsets (UTF-16 code units) into the input

tokens counts the concepts' text with the codec tokenizer when one is loaded, otherwise with an
estimate ("token_source": "estimate"; see src/planner/token-estimate.ts).

Examples:
  $ lcm outline examples/problems-of-philosophy.md
  $ lcm outline notes.txt --format json > notes.outline.json
  $ cat report | lcm outline - --markdown
  $ lcm outline book.txt -o book.outline.md        save an editable outline
  $ lcm outline article.txt --lang fra_Latn --max-chars 200`,
    )
    .action(action(runOutline));
}

async function runOutline(file: string, flags: OutlineFlags, command: Command): Promise<void> {
  const format = outputFormat(flags, command);
  const input = await readInput(file);
  const showProgress = progressEnabled(flags) && input.text.length > 1_000_000;
  const outline = readOutline(file, input, flags, showProgress);
  // Terminal control sequences never leave lcm: text output is sanitised line by line, JSON escapes
  // every control character, and the Markdown outline (opaque blocks verbatim) is cut here, whether it
  // goes to a terminal, a pipe or a file.
  const chunks =
    format === "json"
      ? outlineJsonChunks(outline, outlineStats(outline), input.locations)
      : format === "md"
        ? mapChunks(outlineMarkdownChunks(outline), stripControl)
        : outlineTextChunks(outline, outlineStats(outline), input.locations);
  if (flags.output) {
    await writeFileAtomic(flags.output, chunks);
    if (!flags.quiet) process.stderr.write(`lcm: wrote ${flags.output}\n`);
  } else {
    await writeStdoutChunks(chunks);
  }
}

function* mapChunks(chunks: Iterable<string>, f: (chunk: string) => string): Generator<string> {
  for (const chunk of chunks) yield f(chunk);
}

/**
 * The document's outline, or a saved outline given back (`lcm outline notes.outline.md`, or a `.json`
 * one) as it is, not outlined again; --markdown or --plain reads it as a document instead.
 */
function readOutline(
  file: string,
  input: InputDocument,
  flags: OutlineFlags,
  showProgress: boolean,
): Outline {
  const forced: DocumentFormat | undefined = flags.markdown ? "markdown" : flags.plain ? "plain" : undefined;
  const read = readOutlineOrDocument(
    { text: input.text, path: file === "-" ? null : file, name: input.name, format: input.format },
    {
      asDocument: forced !== undefined,
      format: forced,
      jsonHint: " (use --plain to read it as text)",
      lang: flags.lang,
      maxChars: flags.maxChars,
      onProgress: showProgress
        ? (done, total) => process.stderr.write(`\rlcm: outlining ${Math.round((done / total) * 100)}%`)
        : undefined,
    },
  );
  if (showProgress && !read.fromOutlineFile) process.stderr.write("\r\u001b[K");
  return read.outline;
}

function outputFormat(flags: OutlineFlags, command: Command): OutputFormat {
  if (flags.output && command.getOptionValueSource("format") === "default") {
    const ext = extname(flags.output).toLowerCase();
    if (ext === ".json") return "json";
    if (ext === ".md" || ext === ".markdown") return "md";
  }
  return flags.format;
}

function parseLang(value: string): string {
  if (!isFloresCode(value)) throw new UsageError(`--lang must be ${FLORES_CODE_MUST_BE}, got '${value}'`);
  return value;
}
