/**
 * `lcm eval summarization`: scores a system's summaries (a predictions file, or a command run per
 * document) with ROUGE-1/2/L/Lsum, OVL-3 and REP-4, next to the Lead-k and centroid baselines on the
 * same records. JSON on stdout by default; `--format text` prints a table.
 * `lcm eval codec` lives in eval-codec.ts, `lcm eval next-concept` in eval-next-concept.ts.
 */
import { basename } from "node:path";
import type { Command } from "commander";
import { readPredictions, readSummarizationData } from "../eval/datasets.js";
import type { RougeType } from "../eval/rouge.js";
import type { LengthStats, SystemReport } from "../eval/summarization-eval.js";
import { evaluateSummarization, type SummarizationEvalReport } from "../eval/summarization-run.js";
import { UsageError } from "../util/errors.js";
import { toDisplayLine } from "../util/sanitize.js";
import {
  action,
  type CommonOptions,
  parseNumber,
  parsePositiveInt,
  progressEnabled,
  withCommonOptions,
  writeOut,
} from "./common.js";
import { registerEvalCodec } from "./eval-codec.js";
import { registerEvalNextConcept } from "./eval-next-concept.js";

interface SummarizationFlags extends CommonOptions {
  data: string;
  system?: string;
  predictions?: string;
  baselinesOnly?: boolean;
  baselines: boolean;
  limit?: number;
  leadK?: number;
  timeout: number;
  stem?: boolean;
}

export function registerEval(program: Command): void {
  const evalCommand = program
    .command("eval")
    .description("Measure quality with the field's standard metrics (ROUGE, chrF, BLEU, OVL-3, REP-4)");

  withCommonOptions(
    evalCommand
      .command("summarization")
      .description(
        "Score summaries against references: ROUGE-1/2/L/Lsum (rouge-score compatible, max over\n" +
          "references), OVL-3 (copying from the document), REP-4 (repetition), lengths; plus the Lead-k\n" +
          "and TF-IDF centroid baselines on the same data. Without --system or --predictions, only the\n" +
          "baselines are scored.",
      )
      .requiredOption("--data <file>", 'JSONL (optionally .gz) of {"id", "document", "summaries": [...]}')
      .option("--system <command>", "shell command run per document: document on stdin, summary on stdout")
      .option("--predictions <file>", 'JSONL (optionally .gz) of {"id", "summary"}')
      .option("--baselines-only", "score only the baselines")
      .option("--no-baselines", "skip the baselines")
      .option("--limit <n>", "evaluate only the first N records", parsePositiveInt("--limit"))
      .option(
        "--lead-k <k>",
        "sentences in both baselines (default: median reference sentences)",
        parsePositiveInt("--lead-k"),
      )
      .option(
        "--timeout <seconds>",
        "per-document time limit for --system",
        parseNumber("--timeout", 0.001, 86400),
        120,
      )
      .option(
        "--stem",
        "Porter-stem ROUGE tokens (rouge-score's use_stemmer; off by default, as the LCM paper)",
      ),
    ["json", "text"],
    "json",
  )
    .addHelpText(
      "after",
      `
Examples:
  $ lcm eval summarization --data bbc.jsonl.gz                      baselines only
  $ lcm eval summarization --data bbc.jsonl.gz --predictions out.jsonl --format text
  $ lcm eval summarization --data bbc.jsonl.gz --system 'lcm summarize -' --timeout 60

A failed, timed-out or missing summary scores zero and is counted under "failures".`,
    )
    .action(action(runSummarization));

  registerEvalCodec(evalCommand);
  registerEvalNextConcept(evalCommand);
}

async function runSummarization(flags: SummarizationFlags): Promise<void> {
  if (flags.system !== undefined && flags.predictions !== undefined) {
    throw new UsageError("give either --system or --predictions, not both");
  }
  if (flags.baselinesOnly && (flags.system !== undefined || flags.predictions !== undefined)) {
    throw new UsageError("--baselines-only cannot be combined with --system or --predictions");
  }
  const hasSystem = flags.system !== undefined || flags.predictions !== undefined;
  if (!flags.baselines && !hasSystem) throw new UsageError("--no-baselines leaves nothing to evaluate");

  let records = await readSummarizationData(flags.data);
  if (flags.limit !== undefined) records = records.slice(0, flags.limit);
  const predictions = flags.predictions !== undefined ? await readPredictions(flags.predictions) : undefined;

  const showProgress = progressEnabled(flags);
  const report = await evaluateSummarization(records, {
    predictions,
    system:
      flags.system !== undefined ? { command: flags.system, timeoutMs: flags.timeout * 1000 } : undefined,
    baselines: flags.baselines,
    leadK: flags.leadK,
    useStemmer: Boolean(flags.stem),
    onProgress: showProgress
      ? (done, total, phase) => {
          process.stderr.write(`\rlcm eval: ${phase} ${done}/${total}`);
          if (done === total) process.stderr.write("\n");
        }
      : undefined,
  });

  if (flags.format === "json") {
    writeOut(JSON.stringify({ data: flags.data, ...report }, null, 2));
  } else {
    writeOut(formatTable(flags.data, report));
  }
}

const COLUMNS: [string, RougeType][] = [
  ["R-1", "rouge1"],
  ["R-2", "rouge2"],
  ["R-L", "rougeL"],
  ["R-Lsum", "rougeLsum"],
];

function formatTable(dataPath: string, report: SummarizationEvalReport): string {
  const pct = (x: number) => (100 * x).toFixed(2).padStart(7);
  const num = (x: number, digits = 1) => x.toFixed(digits).padStart(7);
  const header = `${"".padEnd(14)}${COLUMNS.map(([h]) => h.padStart(7)).join("")}${["OVL-3", "REP-4", "words", "sents", "fails"].map((h) => h.padStart(7)).join("")}`;
  const row = (label: string, r: SystemReport) =>
    `${toDisplayLine(label).slice(0, 13).padEnd(14)}${COLUMNS.map(([, t]) => pct(r.rouge[t].fmeasure)).join("")}` +
    `${pct(r.ovl3)}${pct(r.rep4)}${num(r.length.meanWords)}${num(r.length.meanSentences)}${String(r.failures).padStart(7)}`;
  const lengthRow = (label: string, l: LengthStats) =>
    `${label.padEnd(14)}${"".padStart(7 * (COLUMNS.length + 2))}${num(l.meanWords)}${num(l.meanSentences)}`;

  const c = report.config;
  const lines = [
    `${toDisplayLine(basename(dataPath))}: ${report.records} records`,
    `ROUGE F-measure x100, max over references, stemmer ${c.rouge.stemmer ? "on" : "off"}; OVL-3, REP-4 x100 on word n-grams`,
    `baselines use k = ${c.leadK} sentences (${c.leadKSource})`,
    "",
    header,
  ];
  if (report.system) lines.push(row("system", report.system));
  if (report.baselines) {
    lines.push(row(report.baselines.lead.name, report.baselines.lead));
    lines.push(row(report.baselines.centroid.name, report.baselines.centroid));
  }
  lines.push(lengthRow("references", report.references));
  if (report.system && report.system.errors.length > 0) {
    lines.push("", `failures (${report.system.failures}; first ${report.system.errors.length}):`);
    for (const e of report.system.errors) lines.push(`  ${toDisplayLine(e.id)}: ${toDisplayLine(e.error)}`);
  }
  return lines.join("\n");
}
