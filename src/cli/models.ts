/**
 * `lcm models list|info|verify`: what models the tool finds (in discovery order), what a manifest
 * declares (for an LCM, its family and the `--model` values it runs: lcm/model-kinds.ts), and a full
 * check of a model: every graph loaded and compared with its manifest, then a round trip (encode ->
 * decode) with timings.
 */

import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { ConceptCodec } from "../codec/codec.js";
import { LcmModel } from "../lcm/model.js";
import { familyLabel, manifestFamily, manifestModels, modelNames } from "../lcm/model-kinds.js";
import { OneTowerModel } from "../lcm/one-tower.js";
import { QuantModel } from "../lcm/quant.js";
import { SeededRandom } from "../lcm/rng.js";
import { lcmFamily, readLcmSpec, readOneTowerSpec, readQuantSpec } from "../lcm/spec.js";
import type { CodecManifest, LcmManifest, ModelManifest } from "../models/manifest.js";
import { checkLcmCodecPairing } from "../models/manifest.js";
import { verifyChecksums } from "../models/model-files.js";
import { type ModelEntry, scanModels } from "../models/registry.js";
import { messageOf, UsageError } from "../util/errors.js";
import { toDisplayLine } from "../util/sanitize.js";
import { cosine } from "../util/vector-math.js";
import { withModelOption } from "./codec-options.js";
import { action, type CommonOptions, parsePositiveInt, withCommonOptions, writeOut } from "./common.js";

interface ModelsFlags extends CommonOptions {
  models?: string;
  threads?: number;
}

export function registerModels(program: Command): void {
  const models = program
    .command("models")
    .description("Find, describe and check the concept codecs and LCMs the tool can use")
    .addHelpText(
      "after",
      `
Examples:
  $ lcm models list                        what is installed, in the order it is searched
  $ lcm models info lcm-default-codec      languages, files, limits, licence, measured quality
  $ lcm models verify --models ~/sonar     check an exported model before using it

A model folder holds a manifest.json (kind "codec" or "lcm") and the files it names; a models
folder holds one such folder per model.`,
    );

  withCommonOptions(
    withModelOption(
      models
        .command("list")
        .description(
          "List models in discovery order: --models DIR / LCM_MODELS, then $XDG_DATA_HOME/lcm/models,\n" +
            "then the bundled models/default. The first codec listed is the one used by default.",
        ),
    ),
    ["text", "json"],
  ).action(action(runList));

  withCommonOptions(
    withModelOption(
      models
        .command("info")
        .description("Show a model's manifest: languages, files, limits, licence, measured quality")
        .argument("[name]", "model name (default: the first codec found)"),
    ),
    ["text", "json"],
  ).action(action(runInfo));

  withCommonOptions(
    withModelOption(
      models
        .command("verify")
        .description(
          "Check models: load every graph, compare input/output names and dims with the manifest, and\n" +
            "run a round trip (encode a sentence, decode it back) with timings",
        )
        .argument("[name]", "model name (default: every model found)")
        .option("--threads <n>", "CPU threads for inference", parsePositiveInt("--threads")),
    ),
    ["text", "json"],
  ).action(action(runVerify));
}

async function runList(flags: ModelsFlags): Promise<void> {
  const entries = await scanModels({ models: flags.models });
  if (flags.format === "json") {
    writeOut(
      JSON.stringify(
        entries.map((e) => ({
          dir: e.dir,
          source: e.root.source,
          ...(e.manifest ? summary(e.manifest) : { error: messageOf(e.error) }),
        })),
        null,
        2,
      ),
    );
    return;
  }
  if (entries.length === 0) {
    writeOut("no models found (give a folder with --models DIR or LCM_MODELS)");
    return;
  }
  const lines = entries.map((e) => {
    if (!e.manifest)
      return `BROKEN  ${e.dir}  [${e.root.source}]\n        ${toDisplayLine(messageOf(e.error))}`;
    const m = e.manifest;
    const what =
      m.kind === "codec"
        ? `${m.embeddingDim}-d, ${m.languages.length} language(s)`
        : `${familyText(m)}, on codec ${m.codec.name} (${m.codec.embeddingDim}-d)`;
    return `${m.kind.padEnd(6)}  ${m.name} v${m.version}  ${what}  ${e.dir}  [${e.root.source}]`;
  });
  writeOut(lines.join("\n"));
}

function summary(m: ModelManifest) {
  return m.kind === "codec"
    ? {
        kind: m.kind,
        name: m.name,
        version: m.version,
        embedding_dim: m.embeddingDim,
        languages: m.languages,
      }
    : {
        kind: m.kind,
        name: m.name,
        version: m.version,
        codec: m.codec,
        family: manifestFamily(m),
        models: modelNames(manifestModels(m)),
      };
}

/** "Two-Tower (--model two-tower, diffusion, base)", for the text listings. */
function familyText(m: LcmManifest): string {
  const models = manifestModels(m);
  if (models.length === 0) return `family ${toDisplayLine(manifestFamily(m))} (not one this version runs)`;
  return `${familyLabel(lcmFamily(m))} (--model ${modelNames(models).join(", ")})`;
}

async function pickEntry(entries: ModelEntry[], name: string | undefined): Promise<ModelEntry> {
  const match = entries.find((e) => (name === undefined ? true : e.manifest?.name === name));
  if (!match) {
    const known = entries.flatMap((e) => (e.manifest ? [e.manifest.name] : []));
    throw new UsageError(
      name === undefined
        ? "no models found (give a folder with --models DIR or LCM_MODELS)"
        : `no model named '${name}'${known.length > 0 ? ` (found: ${known.join(", ")})` : ""}`,
    );
  }
  if (match.error) throw match.error;
  return match;
}

async function runInfo(name: string | undefined, flags: ModelsFlags): Promise<void> {
  const entries = await scanModels({ models: flags.models });
  const entry = await pickEntry(
    name === undefined ? entries.filter((e) => e.error || e.manifest?.kind === "codec") : entries,
    name,
  );
  const m = entry.manifest!;
  if (flags.format === "json") {
    const lcm = m.kind === "lcm" ? { family: manifestFamily(m), models: modelNames(manifestModels(m)) } : {};
    writeOut(JSON.stringify({ dir: m.dir, source: entry.root.source, ...lcm, manifest: m.raw }, null, 2));
    return;
  }
  const lines = [`${m.kind} ${m.name} v${m.version}`, `  folder: ${m.dir} [${entry.root.source}]`];
  if (m.license) lines.push(`  licence: ${m.license}`);
  if (m.kind === "codec") {
    lines.push(
      `  concepts: ${m.embeddingDim}-d`,
      `  languages (${m.languages.length}): ${m.languages.join(" ")}`,
      `  tokenizer: ${m.tokenizer.file} (sentencepiece, offset ${m.tokenizer.pieceOffset}, tags ${m.tokenizer.langTagFormat}, pad/unk/bos/eos ${Object.values(m.tokenizer.specialIds).join("/")})`,
      `  encoder: ${m.encoder.file} (${await sizeOf(m, m.encoder.file)}), at most ${m.encoder.maxTokens} tokens`,
      `  decoder: ${m.decoder.file} (${await sizeOf(m, m.decoder.file)}), ${m.decoder.layers} layers x ${m.decoder.heads} heads x ${m.decoder.headDim}, vocabulary ${m.decoder.vocabSize}, trained up to ${m.decoder.maxTokens} tokens`,
    );
    if (m.weights) lines.push(`  weights: ${m.weights}`);
  } else {
    lines.push(
      `  family: ${familyText(m)}`,
      `  trained on codec: ${m.codec.name} (${m.codec.embeddingDim}-d)`,
    );
  }
  for (const section of ["quality", "provenance", "training"]) {
    if (m.raw[section] !== undefined)
      lines.push(`  ${section}: ${toDisplayLine(JSON.stringify(m.raw[section]))}`);
  }
  writeOut(lines.join("\n"));
}

async function sizeOf(m: CodecManifest, file: string): Promise<string> {
  try {
    return `${((await stat(join(m.dir, file))).size / 1048576).toFixed(1)} MB`;
  } catch {
    return "missing";
  }
}

interface VerifyReport {
  dir: string;
  kind: string;
  name: string;
  ok: boolean;
  error?: string;
  /** The files against the manifest's sha256s: "match", or "none recorded" (an older export). */
  checksums?: "match" | "none recorded";
  load_ms?: { encoder: number; decoder: number };
  round_trip?: {
    lang: string;
    source: string;
    decoded: string;
    encode_ms: number;
    decode_ms: number;
    beam: number;
    cosine: number;
  };
  note?: string;
}

const PROBE: Record<string, string> = {
  eng_Latn: "The weather was mild, so we walked to the old harbour after lunch.",
  fra_Latn: "Il faisait doux, alors nous sommes allés au vieux port après le déjeuner.",
  deu_Latn: "Das Wetter war mild, also gingen wir nach dem Mittagessen zum alten Hafen.",
};

async function runVerify(name: string | undefined, flags: ModelsFlags): Promise<void> {
  const entries = (await scanModels({ models: flags.models })).filter(
    (e) => name === undefined || e.manifest?.name === name,
  );
  if (entries.length === 0) await pickEntry([], name);
  const codecs = entries.flatMap((e) => (e.manifest?.kind === "codec" ? [e.manifest] : []));
  const reports: VerifyReport[] = [];
  let firstError: unknown = null;
  for (const entry of entries) {
    const report: VerifyReport = {
      dir: entry.dir,
      kind: entry.manifest?.kind ?? "?",
      name: entry.manifest?.name ?? "?",
      ok: false,
    };
    try {
      if (entry.error) throw entry.error;
      const m = entry.manifest!;
      const problems = await verifyChecksums(m);
      if (problems && problems.length > 0) throw new UsageError(problems.join("; "));
      report.checksums = problems === null ? "none recorded" : "match";
      if (m.kind === "codec") await verifyCodec(m, flags, report);
      else {
        const codec = codecs.find((c) => c.name === m.codec.name) ?? codecs[0];
        if (!codec) throw new UsageError(`${m.path}: no codec found to pair it with`);
        checkLcmCodecPairing(m, codec);
        await verifyLcm(m, flags, report);
        report.note = `pairs with codec ${codec.name}; ${report.note}`;
      }
      report.ok = true;
    } catch (error) {
      report.error = messageOf(error);
      firstError ??= error;
    }
    reports.push(report);
  }
  if (flags.format === "json") writeOut(JSON.stringify(reports, null, 2));
  else writeOut(reports.map(formatReport).join("\n"));
  if (firstError) throw firstError;
}

/**
 * Opens every LCM graph of the manifest's family (their inputs and outputs are checked against the
 * manifest on load) and runs each once on a small random prompt: the outputs must have the contract's
 * shape and be finite.
 */
async function verifyLcm(m: LcmManifest, flags: ModelsFlags, report: VerifyReport): Promise<void> {
  if (lcmFamily(m) === "one_tower") return verifyOneTower(m, flags, report);
  if (lcmFamily(m) === "quant") return verifyQuant(m, flags, report);
  const spec = readLcmSpec(m);
  const started = performance.now();
  const model = await LcmModel.load(spec, { threads: flags.threads });
  try {
    const loadMs = performance.now() - started;
    const rows = 3;
    const prompt = Float32Array.from({ length: rows * spec.dim }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const { context, width } = await model.contextualize(prompt, rows);
    const denoiser = await model.conditioned(context, rows, width);
    const x0 = await denoiser.predict(prompt.subarray(0, spec.dim), 50, 2);
    const checks: [string, Float32Array, number][] = [
      ["contextualizer", context, rows * width],
      ["denoiser", x0, 2 * spec.dim],
    ];
    if (model.hasBase) checks.push(["base", await model.predictNext(prompt, rows), spec.dim]);
    checkOutputs(m, checks);
    report.note = `Two-Tower graphs run (${checks.map((c) => c[0]).join(", ")}; ${model.denoiserForm} denoiser), load ${Math.round(loadMs)} ms`;
  } finally {
    await model.release();
  }
}

/** The One-Tower's prefix and step graphs (docs/lcm-contract.md, "One-Tower"), run as verifyLcm runs the Two-Tower's. */
async function verifyOneTower(m: LcmManifest, flags: ModelsFlags, report: VerifyReport): Promise<void> {
  const spec = readOneTowerSpec(m);
  const started = performance.now();
  const model = await OneTowerModel.load(spec, { threads: flags.threads });
  try {
    const loadMs = performance.now() - started;
    const rows = 3;
    const prompt = Float32Array.from({ length: rows * spec.dim }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const denoiser = await model.conditioned(prompt, rows);
    const x0 = await denoiser.predict(prompt.subarray(0, spec.dim), Math.min(50, spec.trainSteps - 1), 2);
    checkOutputs(m, [["one_tower_prefix + one_tower_step", x0, 2 * spec.dim]]);
    report.note = `One-Tower graphs run (one_tower_prefix, one_tower_step), load ${Math.round(loadMs)} ms`;
  } finally {
    await model.release();
  }
}

/** The Quant-LCM's prefix and step graphs and codebooks (docs/lcm-contract.md, "Quant-LCM"): one guided concept. */
async function verifyQuant(m: LcmManifest, flags: ModelsFlags, report: VerifyReport): Promise<void> {
  const spec = readQuantSpec(m);
  const started = performance.now();
  const model = await QuantModel.load(spec, { threads: flags.threads });
  try {
    const loadMs = performance.now() - started;
    const rows = 3;
    const prompt = Float32Array.from({ length: rows * spec.dim }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const prefix = await model.prefix(prompt, rows);
    const settings = { guidance: 2, temperature: 1, topP: 1, topK: 0 };
    const { concept } = await model.sample(prefix, rows, settings, new SeededRandom(0));
    checkOutputs(m, [["quant_prefix + quant_step", Float32Array.from(concept), spec.dim]]);
    report.note = `Quant-LCM graphs run (quant_prefix, quant_step; ${spec.codebooks} x ${spec.units} codebooks), load ${Math.round(loadMs)} ms`;
  } finally {
    await model.release();
  }
}

/** Each graph's output has the contract's size and only finite values. */
function checkOutputs(m: LcmManifest, checks: [string, Float32Array, number][]): void {
  for (const [graph, out, size] of checks) {
    if (out.length !== size || !out.every(Number.isFinite)) {
      throw new UsageError(
        `${m.dir}: the ${graph} graph returned ${out.length} values (expected ${size}) or non-finite ones`,
      );
    }
  }
}

async function verifyCodec(m: CodecManifest, flags: ModelsFlags, report: VerifyReport): Promise<void> {
  let t = performance.now();
  const codec = await ConceptCodec.load(m, { threads: flags.threads, cache: false });
  try {
    const encoderMs = performance.now() - t;
    t = performance.now();
    await codec.decoder();
    const decoderMs = performance.now() - t;
    report.load_ms = { encoder: Math.round(encoderMs), decoder: Math.round(decoderMs) };
    const lang = m.languages.includes("eng_Latn") ? "eng_Latn" : m.languages[0];
    const source = PROBE[lang] ?? PROBE.eng_Latn;
    t = performance.now();
    const [vector] = (await codec.encode([source], lang)).vectors;
    const encodeMs = performance.now() - t;
    t = performance.now();
    const [decoded] = await codec.decode([vector], lang);
    const decodeMs = performance.now() - t;
    const [again] = (await codec.encode([decoded.text], lang)).vectors;
    report.round_trip = {
      lang,
      source,
      decoded: decoded.text,
      encode_ms: Math.round(encodeMs * 10) / 10,
      decode_ms: Math.round(decodeMs),
      beam: m.decoder.defaultBeam,
      cosine: Math.round(cosine(vector, again) * 1e4) / 1e4,
    };
  } finally {
    await codec.release();
  }
}

function formatReport(r: VerifyReport): string {
  if (!r.ok) return `FAIL  ${r.kind} ${r.name}  ${r.dir}\n      ${toDisplayLine(r.error ?? "")}`;
  const lines = [`ok    ${r.kind} ${r.name}  ${r.dir}`];
  if (r.checksums === "match") lines.push("      every file matches the manifest's sha256");
  else if (r.checksums)
    lines.push("      no checksums in the manifest (exported before they were recorded): files not compared");
  if (r.load_ms)
    lines.push(
      `      graphs match the manifest; load ${r.load_ms.encoder} ms encoder, ${r.load_ms.decoder} ms decoder`,
    );
  if (r.round_trip) {
    const rt = r.round_trip;
    lines.push(
      `      round trip (${rt.lang}): encode ${rt.encode_ms} ms, decode ${rt.decode_ms} ms (beam ${rt.beam}), cosine(source, re-encoded output) ${rt.cosine}`,
      `        in:  ${toDisplayLine(rt.source)}`,
      `        out: ${toDisplayLine(rt.decoded)}`,
    );
  }
  if (r.note) lines.push(`      ${r.note}`);
  return lines.join("\n");
}
