/**
 * `lcm encode FILE|- --lang L`: one concept per sentence of the document (segmented by the planner,
 * so the concepts are the outline's), as JSON with source spans or as a .npy matrix.
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { conceptJsonChunks, encodeNpy } from "../codec/concept-file.js";
import { readInput } from "../inputs/read-input.js";
import { detectLanguage } from "../languages/detect-language.js";
import { describeLanguage } from "../languages/languages.js";
import { buildOutline } from "../planner/build-outline.js";
import { detectFormat } from "../planner/document-format.js";
import type { Concept, Section } from "../planner/outline.js";
import { ruleSegmenter } from "../segment/rules.js";
import { UsageError } from "../util/errors.js";
import { writeStdout, writeStdoutChunks } from "../util/stdout.js";
import {
  type CodecFlags,
  interruptSignal,
  openCodec,
  progressLine,
  withCodecOptions,
} from "./codec-options.js";
import { action, withCommonOptions } from "./common.js";

interface EncodeFlags extends CodecFlags {
  lang?: string;
  out?: string;
  format: "json" | "npy";
}

export function registerEncode(program: Command): void {
  withCommonOptions(
    withCodecOptions(
      program
        .command("encode")
        .summary("One concept vector per sentence of a document (JSON with spans, or .npy)")
        .description(
          "Turn a document into concepts: one sentence embedding per sentence (Markdown structure and\n" +
            "code blocks are not encoded). JSON carries each concept's text and [start, end) span in the\n" +
            "input; npy writes the vectors alone as a float32 [N, D] matrix.",
        )
        .argument("<file>", "document to encode, or - for stdin")
        .option(
          "-l, --lang <code>",
          "language of the document, a FLORES-200 code such as eng_Latn (default: detected)",
        )
        .option("-o, --out <path>", "write to this file instead of stdout"),
    ),
    ["json", "npy"],
    "json",
  )
    .addHelpText(
      "after",
      `
Examples:
  $ lcm encode report.md --lang eng_Latn > concepts.json     concepts with text and spans
  $ lcm encode notes.txt --lang fra_Latn -f npy -o notes.npy  a float32 [N, D] matrix for NumPy
  $ lcm encode report.md | lcm decode - --lang deu_Latn       language detected, rendered in German

Concepts are cached on disk ($XDG_CACHE_HOME/lcm, default ~/.cache/lcm) by codec, language and
sentence, so encoding a document again is instant; --no-cache skips the cache. A sentence longer
than the codec's token limit is cut, with a warning naming it.`,
    )
    .action(action(runEncode));
}

async function runEncode(file: string, flags: EncodeFlags): Promise<void> {
  if (flags.format === "npy" && !flags.out && process.stdout.isTTY) {
    throw new UsageError("refusing to write binary .npy to a terminal: use --out FILE or a pipe");
  }
  const doc = await readInput(file);
  const codec = await openCodec(flags);
  const lang =
    flags.lang !== undefined ? codec.resolveLanguage(flags.lang) : detect(doc.text, codec.languages, flags);
  const format = detectFormat(doc.name === "<stdin>" ? null : doc.name, doc.text, doc.format);
  // Segmented as every command does (the given language, else buildOutline's own detection).
  const given = flags.lang !== undefined ? lang : undefined;
  const outline = buildOutline(doc.text, { segmenter: ruleSegmenter, format, lang: given });
  const sentences = sentenceConcepts(outline.sections);
  if (sentences.length === 0)
    throw new UsageError(`${doc.name}: no sentences to encode (only code or markup)`);

  const result = await codec.encode(
    sentences.map((c) => c.text),
    lang,
    { onProgress: progressLine("encode", flags), signal: interruptSignal() },
  );
  if (result.truncated.length > 0 && !flags.quiet) {
    process.stderr.write(
      `lcm: warning: ${result.truncated.length} sentence(s) exceeded the codec's ${codec.manifest.encoder.maxTokens} tokens and were cut (concepts ${result.truncated
        .slice(0, 10)
        .map((i) => i + 1)
        .join(", ")}${result.truncated.length > 10 ? ", ..." : ""})\n`,
    );
  }

  if (flags.format === "npy") {
    const bytes = encodeNpy(result.vectors, result.dim);
    if (flags.out) await writeFile(flags.out, bytes);
    else await writeStdout(bytes);
    return;
  }
  const chunks = conceptJsonChunks(
    {
      codec: { name: codec.name, version: codec.manifest.version, id: codec.id },
      lang,
      dim: result.dim,
      truncated: result.truncated,
      source: doc.name,
    },
    sentences.map((c, i) => ({ index: i, text: c.text, span: c.span, vector: result.vectors[i] })),
  );
  if (flags.out) await writeFile(flags.out, [...chunks].join(""));
  else await writeStdoutChunks(chunks);
}

/** The document's language among the codec's, said on stderr so a wrong guess is noticed. */
function detect(text: string, supported: readonly string[], flags: EncodeFlags): string {
  const found = detectLanguage(text.slice(0, 100_000), { supported });
  if (!flags.quiet) {
    process.stderr.write(
      `lcm: language: ${describeLanguage(found.lang)}, detected (${found.method}, confidence ${found.confidence.toFixed(2)}); --lang overrides\n`,
    );
  }
  return found.lang;
}

/** Sentence concepts in document order: a section's own concepts, then its subsections'. */
function sentenceConcepts(sections: readonly Section[]): Concept[] {
  return sections.flatMap((s) => [
    ...s.concepts.filter((c) => c.kind === "sentence"),
    ...sentenceConcepts(s.sections),
  ]);
}
