/**
 * `lcm eval next-concept`: the LCM paper's pre-training metrics (l2, l2_r, contrastive accuracy,
 * paraphrase) of one model on any documents, next to the copy-previous and context-mean baselines
 * (src/eval/next-concept.ts computes them; definitions there). Inputs are listed like batch inputs
 * (files, directories walked for documents, glob patterns; src/batch/inputs.ts). The on-disk concept
 * cache is off: an evaluation measures the model, and decoded predictions would fill the cache.
 */
import type { Command } from "commander";
import { expandInputs } from "../batch/inputs.js";
import {
  DEFAULT_MAX_POSITIONS,
  evaluateNextConcept,
  type NextConceptDocument,
  type NextConceptReport,
  type NextConceptScores,
} from "../eval/next-concept.js";
import { readInput } from "../inputs/read-input.js";
import type { ModelKind } from "../lcm/model-kinds.js";
import { detectFormat } from "../planner/document-format.js";
import { FIELDS } from "../requests/fields.js";
import { openEngine } from "../requests/models.js";
import { toDisplayLine } from "../util/sanitize.js";
import { interruptSignal, withModelOption } from "./codec-options.js";
import {
  action,
  type CommonOptions,
  parsePositiveInt,
  progressEnabled,
  withCommonOptions,
  writeOut,
} from "./common.js";
import { fieldOption } from "./field-options.js";
import { type GenerationFlags, generationOptions, withSamplerOptions } from "./lcm-options.js";

interface NextConceptFlags extends CommonOptions, GenerationFlags {
  models?: string;
  lcm?: string;
  codec?: string;
  threads?: number;
  model?: ModelKind;
  beam?: number;
  sourceLang?: string;
  maxPositions: number;
}

export function registerEvalNextConcept(evalCommand: Command): void {
  withCommonOptions(
    withSamplerOptions(
      withModelOption(
        evalCommand
          .command("next-concept")
          .summary("the LCM paper's next-concept metrics (l2, l2_r, contrastive accuracy, paraphrase)")
          .description(
            "Next-concept prediction on your documents, the LCM paper's pre-training metrics: l2 (distance\n" +
              "of the predicted concept to the true next one, raw codec space), l2_r (the same after decoding\n" +
              "the prediction to text and encoding it again), contrastive accuracy (share of the other\n" +
              "concepts farther from the prediction than the true one) and paraphrase (how much closer to\n" +
              "the context the prediction stays than the true next sentence). Beside the model: copying the\n" +
              "previous concept and the mean of the context. Teacher-forced over the first --max-positions\n" +
              "sentences of each document; sampled models (diffusion, quant) drawn with the model's settings\n" +
              "and --seed.",
          )
          .argument("<inputs...>", "documents: files, directories (walked for documents) or glob patterns"),
      )
        .option("--lcm <name>", "LCM to use (default: the first one found; see 'lcm models list')")
        .option("--codec <name>", "codec to use (default: the one the LCM was trained on)")
        .option(
          "--threads <n>",
          "CPU threads for inference (default: LCM_THREADS, else all cores)",
          parsePositiveInt("--threads"),
        )
        .addOption(fieldOption(FIELDS.model))
        .option(
          "--max-positions <n>",
          "next concepts scored per document (the first N)",
          parsePositiveInt("--max-positions"),
          DEFAULT_MAX_POSITIONS,
        )
        .option("--source-lang <code>", "language of the documents (default: detected per section)"),
    ).addOption(
      fieldOption(FIELDS.beam, { help: "beam width of the decoder for l2_r (default: the codec's)" }),
    ),
    ["json", "text"],
    "json",
  )
    .addHelpText(
      "after",
      `
Examples:
  $ lcm eval next-concept examples/problems-of-philosophy.md --format text
  $ lcm eval next-concept docs/ --model base --max-positions 16      every document under docs/
  $ lcm eval next-concept 'papers/*.pdf' --lcm my-sonar-lcm --format json > next-concept.json

JSON: "model" and "baselines" ("copy_previous", "context_mean") each carry "l2", "l2_r",
"contrastive_accuracy" and "paraphrase" with the positions they average over; "codec_round_trip" is
the codec's own decode + re-encode distance of the true concepts.`,
    )
    .action(action(runNextConcept));
}

async function runNextConcept(inputs: string[], flags: NextConceptFlags): Promise<void> {
  const documents = await readDocuments(inputs);
  const engine = await openEngine({
    models: flags.models,
    lcm: flags.lcm,
    model: flags.model,
    codec: flags.codec,
    threads: flags.threads,
    cache: false,
  });
  const showProgress = progressEnabled(flags);
  let report: NextConceptReport;
  try {
    report = await evaluateNextConcept(
      engine,
      documents,
      {
        ...generationOptions(flags),
        beam: flags.beam,
        sourceLang: flags.sourceLang,
        maxPositions: flags.maxPositions,
      },
      {
        signal: interruptSignal(),
        onProgress: showProgress
          ? (e) =>
              process.stderr.write(
                `\r\u001b[Klcm eval next-concept: ${e.stage} ${e.done}/${e.total}${e.detail ? ` (${e.detail})` : ""}`,
              )
          : undefined,
      },
    );
  } finally {
    if (showProgress) process.stderr.write("\r\u001b[K");
    await engine.release();
  }
  writeOut(flags.format === "json" ? JSON.stringify(report, null, 2) : formatText(report));
}

/** Every input read now, so a missing or unreadable file is refused before any model loads. */
async function readDocuments(inputs: readonly string[]): Promise<NextConceptDocument[]> {
  const listed = await expandInputs(inputs);
  const documents: NextConceptDocument[] = [];
  for (const input of listed) {
    const doc = await readInput(input.path);
    documents.push({
      name: doc.name,
      text: doc.text,
      format: detectFormat(input.path === "-" ? null : input.path, doc.text, doc.format),
    });
  }
  return documents;
}

function formatText(report: NextConceptReport): string {
  const s = report.settings;
  const num = (x: number | null, digits: number) => (x === null ? "-" : x.toFixed(digits)).padStart(9);
  const row = (label: string, r: NextConceptScores) =>
    `${label.padEnd(24)}${num(r.l2, 3)}${num(r.l2_r, 3)}${num(r.contrastive_accuracy, 3)}${num(r.paraphrase, 3)}`;
  const sampler =
    report.model.kind === "diffusion"
      ? `seed ${s.seed}, ${s.sampler?.steps} steps, guidance ${s.sampler?.guidance}`
      : report.model.kind === "quant"
        ? `seed ${s.seed}, temperature ${s.sampler?.temperature}, top-p ${s.sampler?.topP}, guidance ${s.sampler?.guidance}`
        : "deterministic";
  const lines = [
    `${toDisplayLine(report.lcm.name)} (${s.model}; ${sampler}), codec ${toDisplayLine(report.codec.name)}: ` +
      `${report.documents.length} documents, ${report.model.positions} positions (at most ${s.maxPositions} per document)`,
    `distances in the ${report.space}; l2_r decodes with beam ${s.beam}`,
    "",
    `${"".padEnd(24)}${["l2", "l2_r", "CA", "PAR"].map((h) => h.padStart(9)).join("")}`,
    row(s.model, report.model),
    row("copy previous concept", report.baselines.copy_previous),
    row("mean of the context", report.baselines.context_mean),
    "",
    `codec round trip of the true concepts (|encode(decode(x)) - x|): ${report.codec_round_trip.l2.toFixed(3)}`,
  ];
  for (const skip of report.skipped) lines.push(`skipped ${toDisplayLine(skip.name)}: ${skip.reason}`);
  return lines.join("\n");
}
