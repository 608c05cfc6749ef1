/**
 * `lcm eval codec`: auto-encoding chrF/BLEU per language, translation through the concept space and xsim
 * retrieval error, for the codec found by the usual model discovery (--models, LCM_MODELS, user dir,
 * bundled). The metrics live in src/eval/codec-eval.ts; this is the shell around them. The on-disk
 * concept cache is off: an evaluation measures the model, and would otherwise fill the cache.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { ConceptCodec } from "../codec/codec.js";
import { type CodecEvalReport, evaluateCodec } from "../eval/codec-eval.js";
import { readMultiway } from "../eval/datasets.js";
import { findCodec } from "../models/registry.js";
import { UsageError } from "../util/errors.js";
import { toDisplayLine } from "../util/sanitize.js";
import {
  action,
  type CommonOptions,
  parsePositiveInt,
  progressEnabled,
  withCommonOptions,
  writeOut,
} from "./common.js";

interface CodecFlags extends CommonOptions {
  data: string;
  langs: string;
  models?: string;
  codec?: string;
  limit?: number;
  pivot?: string;
  pairs?: string;
  beam?: number;
  greedy?: boolean;
  xsimMargin: "absolute" | "ratio" | "distance";
  batchSize: number;
}

export function registerEvalCodec(evalCommand: Command): void {
  withCommonOptions(
    evalCommand
      .command("codec")
      .description(
        "Evaluate the concept codec on aligned sentences: auto-encoding chrF2/chrF++/BLEU per language,\n" +
          "translation through the concept space (encode in one language, decode into another) and xsim\n" +
          "error (cross-lingual nearest-neighbour retrieval, by raw cosine and with each side's mean\n" +
          "removed). chrF and BLEU are sacrebleu-compatible.",
      )
      .requiredOption("--data <dir>", "folder of aligned <lang>.txt[.gz] files, one sentence per line")
      .requiredOption("--langs <codes>", "comma-separated FLORES-200 codes, e.g. eng_Latn,fra_Latn")
      .option(
        "--models <dir>",
        "model folder or folder of model folders (default: LCM_MODELS, user dir, bundled)",
      )
      .option("--codec <name>", "the codec to use when several are installed")
      .option("--limit <n>", "only the first N sentences of each file", parsePositiveInt("--limit"))
      .option(
        "--pivot <lang>",
        "pair every language with this one (default eng_Latn if given, else the first)",
      )
      .option("--pairs <list>", "explicit directions instead, e.g. fra_Latn:eng_Latn,eng_Latn:deu_Latn")
      .option(
        "--beam <n>",
        "beam width for decoding (default: the codec's, 5 if it names none)",
        parsePositiveInt("--beam"),
      )
      .option("--greedy", "greedy decoding (beam 1)")
      .addOption(
        new Option("--xsim-margin <margin>", "xsim neighbour scoring (LASER's default is ratio)")
          .choices(["absolute", "ratio", "distance"])
          .default("absolute"),
      )
      .option("--batch-size <n>", "sentences per encode/decode call", parsePositiveInt("--batch-size"), 64),
    ["json", "text"],
    "json",
  )
    .addHelpText(
      "after",
      `
Example:
  $ lcm eval codec --data shared/data/parallel/ntrex128 --langs eng_Latn,fra_Latn,deu_Latn --limit 200 --format text`,
    )
    .action(action(runCodecEval));
}

function parseLangs(value: string): string[] {
  const langs = [
    ...new Set(
      value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (langs.length === 0) throw new UsageError("--langs needs at least one language code");
  return langs;
}

function parsePairs(value: string, langs: readonly string[]): [string, string][] {
  return value.split(",").map((item) => {
    const [source, target, extra] = item.split(":").map((s) => s.trim());
    if (!source || !target || extra !== undefined)
      throw new UsageError(`--pairs: '${item}' is not SOURCE:TARGET`);
    for (const lang of [source, target]) {
      if (!langs.includes(lang)) throw new UsageError(`--pairs: ${lang} is not in --langs`);
    }
    return [source, target];
  });
}

async function runCodecEval(flags: CodecFlags): Promise<void> {
  const langs = parseLangs(flags.langs);
  const pairs = flags.pairs !== undefined ? parsePairs(flags.pairs, langs) : undefined;
  if (flags.pivot !== undefined && !langs.includes(flags.pivot)) {
    throw new UsageError(`--pivot ${flags.pivot} is not in --langs`);
  }
  const sentences = await readMultiway(flags.data, langs, flags.limit);
  const manifest = await findCodec({ models: flags.models, name: flags.codec });
  const codec = await ConceptCodec.load(manifest, { cache: false });
  const showProgress = progressEnabled(flags);
  const beam = flags.greedy ? 1 : (flags.beam ?? codec.manifest.decoder.defaultBeam);
  try {
    const report = await evaluateCodec(
      sentences,
      {
        encode: async (batch, lang) => (await codec.encode(batch, lang)).vectors,
        decode: async (batch, lang) => (await codec.decode(batch, lang, { beam })).map((s) => s.text),
      },
      {
        pairs,
        pivot: flags.pivot,
        batchSize: flags.batchSize,
        xsimMargin: flags.xsimMargin,
        onProgress: showProgress ? (step) => process.stderr.write(`lcm eval: ${step}\n`) : undefined,
      },
    );
    const header = {
      data: flags.data,
      sentences: sentences[langs[0]].length,
      codec: { name: codec.name, dim: codec.dim, dir: manifest.dir },
      config: {
        beam,
        xsimMargin: flags.xsimMargin,
        chrf: "chrF2 and chrF++ (sacrebleu)",
        bleu: "sacrebleu 13a",
      },
    };
    writeOut(
      flags.format === "json"
        ? JSON.stringify({ ...header, ...report }, null, 2)
        : formatText(header, report),
    );
  } finally {
    await codec.release();
  }
}

function formatText(
  header: {
    data: string;
    sentences: number;
    codec: { name: string; dim: number };
    config: { beam: number; xsimMargin: string };
  },
  report: CodecEvalReport,
): string {
  const n = (x: number) => x.toFixed(2).padStart(8);
  const lines = [
    `codec ${toDisplayLine(header.codec.name)} (d=${header.codec.dim}), ${header.sentences} sentences per language, beam ${header.config.beam}`,
    "",
    `${"auto-encoding".padEnd(24)}${["chrF2", "chrF++", "BLEU"].map((h) => h.padStart(8)).join("")}`,
    ...report.autoencoding.map((r) => `${r.lang.padEnd(24)}${n(r.chrf)}${n(r.chrfpp)}${n(r.bleu)}`),
  ];
  if (report.translation.length > 0) {
    lines.push(
      "",
      `${"translation".padEnd(24)}${["chrF2", "chrF++", "BLEU"].map((h) => h.padStart(8)).join("")}`,
    );
    for (const r of report.translation)
      lines.push(`${`${r.source} -> ${r.target}`.padEnd(24)}${n(r.chrf)}${n(r.chrfpp)}${n(r.bleu)}`);
    lines.push("", `xsim error (${header.config.xsimMargin} margin)     raw   mean removed`);
    for (const x of report.xsim) {
      lines.push(
        `${`${x.source} -> ${x.target}`.padEnd(24)}${n(100 * x.errorRate)}%${n(100 * x.centredErrorRate)}%  (${x.errors}/${x.sentences} raw)`,
      );
    }
  }
  return lines.join("\n");
}
