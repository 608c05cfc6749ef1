/**
 * `lcm decode FILE|- --lang L`: concepts (JSON as `lcm encode` writes it, or .npy) -> text in any
 * language the codec knows, one line per concept.
 */
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { type ConceptRecord, decodeNpy, isNpy, parseConceptJson } from "../codec/concept-file.js";
import { DEFAULT_MAX_NEW_TOKENS } from "../codec/decoder.js";
import { decodeDocument, MAX_INPUT_BYTES } from "../inputs/read-input.js";
import { FIELDS } from "../requests/fields.js";
import { UsageError } from "../util/errors.js";
import { toDisplayLine } from "../util/sanitize.js";
import {
  type CodecFlags,
  interruptSignal,
  openCodec,
  progressLine,
  withCodecOptions,
} from "./codec-options.js";
import { action, withCommonOptions, writeOut } from "./common.js";
import { fieldOption } from "./field-options.js";

interface DecodeFlags extends CodecFlags {
  lang?: string;
  beam?: number;
  greedy?: boolean;
  maxTokens: number;
  format: "text" | "json";
}

export function registerDecode(program: Command): void {
  withCommonOptions(
    withCodecOptions(
      program
        .command("decode")
        .summary("Render concept vectors as text in a chosen language")
        .description(
          "Render concepts as text: reads the JSON that 'lcm encode' writes (or a bare array of\n" +
            "vectors, or a float32/float64 .npy [N, D] matrix) and prints one line per concept in the\n" +
            "language given, which need not be the one the concepts came from.",
        )
        .argument("<file>", "concepts file, or - for stdin")
        .option(
          "-l, --lang <code>",
          "output language, a FLORES-200 code such as fra_Latn (default: the concepts' own language)",
        )
        .addOption(
          fieldOption(FIELDS.beam, { help: "beam width (default: the codec's, 5 if it names none)" }),
        )
        .option("--greedy", "greedy decoding (beam 1): faster, usually a little worse")
        .addOption(fieldOption(FIELDS.maxTokens, { default: DEFAULT_MAX_NEW_TOKENS })),
    ),
    ["text", "json"],
    "text",
  )
    .addHelpText(
      "after",
      `
Examples:
  $ lcm decode concepts.json --lang eng_Latn                 render the concepts again
  $ lcm decode concepts.json --lang fra_Latn --format json   in French, with scores and source spans
  $ lcm decode vectors.npy --lang eng_Latn --greedy          faster, usually a little worse

Search: beam search with length-normalised scores, at most 128 tokens. The beam width defaults to
the codec's own choice (SONAR's is 5; the default codec's is 1: its beam search measured no better
than greedy decoding on held-out text).`,
    )
    .action(action(runDecode));
}

async function runDecode(file: string, flags: DecodeFlags): Promise<void> {
  const { name, bytes } = await readBytes(file);
  let concepts: ConceptRecord[];
  let sourceLang: string | undefined;
  if (isNpy(bytes)) concepts = decodeNpy(bytes, name).map((vector, index) => ({ index, vector }));
  else ({ concepts, lang: sourceLang } = parseConceptJson(decodeDocument(bytes, name), name));
  const wanted = flags.lang ?? sourceLang;
  if (wanted === undefined)
    throw new UsageError(`${name}: does not say its language; give the output language with --lang`);
  if (concepts.length === 0) throw new UsageError(`${name}: holds no concepts`);

  const codec = await openCodec(flags);
  const dim = concepts[0].vector.length;
  if (dim !== codec.dim) {
    throw new UsageError(
      `${name}: concepts have ${dim} dimensions, codec '${codec.name}' works with ${codec.dim}`,
    );
  }
  const lang = codec.resolveLanguage(wanted);
  const beam = flags.greedy ? 1 : (flags.beam ?? codec.manifest.decoder.defaultBeam);
  const decoded = await codec.decode(
    concepts.map((c) => c.vector),
    lang,
    {
      beam,
      maxNewTokens: flags.maxTokens,
      onProgress: progressLine("decode", flags),
      signal: interruptSignal(),
    },
  );
  if (flags.format === "json") {
    const rows = decoded.map((d, i) => ({
      index: concepts[i].index,
      text: d.text,
      span: concepts[i].span ?? null,
      source_text: concepts[i].text ?? null,
      score: Number(d.score.toFixed(6)),
    }));
    writeOut(
      JSON.stringify(
        {
          codec: codec.name,
          lang,
          search: beam === 1 ? "greedy" : `beam ${beam}`,
          concepts: rows,
        },
        null,
        2,
      ),
    );
    return;
  }
  // One line per concept, an empty rendering too: the line end is written whatever the text is.
  writeOut(decoded.map((d) => `${toDisplayLine(d.text)}\n`).join(""));
}

async function readBytes(file: string): Promise<{ name: string; bytes: Uint8Array }> {
  if (file === "-") {
    if (process.stdin.isTTY) throw new UsageError("no input: give a FILE, or pipe concepts into '-'");
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of process.stdin) {
      total += (chunk as Buffer).length;
      if (total > MAX_INPUT_BYTES)
        throw new UsageError(`<stdin>: over the ${MAX_INPUT_BYTES / 1048576} MB limit`);
      chunks.push(chunk as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    if (bytes.length === 0) throw new UsageError("<stdin>: empty input");
    return { name: "<stdin>", bytes };
  }
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new UsageError(`${file}: is a directory, expected a file`);
    if (info.size > MAX_INPUT_BYTES)
      throw new UsageError(`${file}: over the ${MAX_INPUT_BYTES / 1048576} MB limit`);
    const bytes = await readFile(file);
    if (bytes.length === 0) throw new UsageError(`${file}: file is empty`);
    return { name: file, bytes };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`${file}: no such file`);
    throw new UsageError(`${file}: cannot read (${code ?? "unknown error"})`);
  }
}
