/**
 * ConceptEngine: the codec and the LCM that belongs to it, opened together, plus the few concepts every
 * task needs (End-of-text, the model turn). The CLI, TUI and server open one and hand it to summarize()
 * and expandOutline().
 *
 * Which models: the LCM named (or the first found, in the order of docs/architecture.md, Models), then
 * the codec named, else the codec the LCM declares, else the first codec; an LCM paired with another
 * codec is refused with one line naming both.
 *
 * The LCM is whichever family its manifest declares (lcm/spec.ts lcmFamily): a Two-Tower (LcmModel,
 * with the Base-LCM beside it when the directory has one) or a One-Tower (OneTowerModel). A request
 * for a model the LCM does not offer is refused with one line naming what it has, and which installed
 * LCM has it (lcm/model-kinds.ts). The model asked for never changes which LCM is opened: `--models`
 * is searched first, not alone, so a quiet switch to another folder's LCM (and its codec) would be a
 * surprise.
 */
import { type CodecOptions, ConceptCodec } from "../codec/codec.js";
import { LcmModel } from "../lcm/model.js";
import {
  canonicalModel,
  type InstalledLcm,
  manifestModels,
  missingModelMessage,
  type OfferedModel,
  offeredModels,
} from "../lcm/model-kinds.js";
import { normalize } from "../lcm/normalizer.js";
import { OneTowerModel } from "../lcm/one-tower.js";
import {
  basePredictor,
  diffusionPredictor,
  type NextConceptPredictor,
  oneTowerPredictor,
  quantPredictor,
} from "../lcm/predictors.js";
import { QuantModel } from "../lcm/quant.js";
import type { GenerationSettings } from "../lcm/settings.js";
import { type LcmSpecCommon, lcmFamily, readLcmSpec, readOneTowerSpec, readQuantSpec } from "../lcm/spec.js";
import { checkLcmCodecPairing, type LcmManifest } from "../models/manifest.js";
import { type DiscoveryOptions, findCodec, scanModels } from "../models/registry.js";
import { NoModelError, UsageError } from "../util/errors.js";

export interface EngineOptions extends CodecOptions {
  /** `--models DIR` (searched first; also LCM_MODELS). */
  models?: string;
  /** Codec name; default: the one the LCM was trained on. */
  codec?: string;
  /** LCM name; default: the first LCM found. */
  lcm?: string;
  env?: NodeJS.ProcessEnv;
  /** Search only `models` / LCM_MODELS, not the user's data dir and the bundled models (tests). */
  onlyExplicit?: boolean;
}

export interface SpecialConcepts {
  endOfText: Float32Array;
  modelTurn: Float32Array;
}

/** An LCM of either diffusion family, opened. */
export type LcmRuntime = LcmModel | OneTowerModel | QuantModel;

export class ConceptEngine {
  private specials: Promise<SpecialConcepts> | null = null;

  constructor(
    readonly codec: ConceptCodec,
    readonly lcm: LcmRuntime,
    /** The LCMs discovery found (for "'x' has one" when a model is asked for that this LCM lacks). */
    private readonly installed: readonly InstalledLcm[] = [],
  ) {
    checkLcmCodecPairing(lcm.spec.manifest, codec.manifest);
  }

  static async open(options: EngineOptions = {}): Promise<ConceptEngine> {
    const discovery: DiscoveryOptions = {
      models: options.models,
      env: options.env,
      onlyExplicit: options.onlyExplicit,
    };
    const { manifest: lcmManifest, installed } = await findLcmManifest(discovery, options.lcm);
    const codecManifest = await findCodec({
      ...discovery,
      name: options.codec ?? lcmManifest.codec.name,
    }).catch(async (error) => {
      // The LCM's own codec is not installed: take the first codec, and let the pairing check say why not.
      if (options.codec !== undefined) throw error;
      return findCodec(discovery);
    });
    checkLcmCodecPairing(lcmManifest, codecManifest);
    const family = lcmFamily(lcmManifest);
    const spec =
      family === "one_tower"
        ? readOneTowerSpec(lcmManifest)
        : family === "quant"
          ? readQuantSpec(lcmManifest)
          : readLcmSpec(lcmManifest);
    const codec = await ConceptCodec.load(codecManifest, options);
    try {
      codec.resolveLanguage(spec.specialTexts.lang);
    } catch {
      throw new UsageError(
        `${lcmManifest.path}: special_texts.lang '${spec.specialTexts.lang}' is not a language of codec '${codec.name}'`,
      );
    }
    const lcm =
      spec.family === "one_tower"
        ? await OneTowerModel.load(spec, options)
        : spec.family === "quant"
          ? await QuantModel.load(spec, options)
          : await LcmModel.load(spec, options);
    return new ConceptEngine(codec, lcm, installed);
  }

  /** What every family's manifest holds (the family's own graphs: `lcm.spec`). */
  get spec(): LcmSpecCommon {
    return this.lcm.spec;
  }

  /** The models this LCM offers (`--model` values, aliases resolved), its own family first. */
  get models(): OfferedModel[] {
    return this.lcm instanceof LcmModel
      ? offeredModels("two_tower", this.lcm.hasBase)
      : offeredModels(this.lcm.spec.family, false);
  }

  /** C("End of text.") and C("[MODEL]:"), encoded with the paired codec as training did; computed once. */
  specialConcepts(): Promise<SpecialConcepts> {
    this.specials ??= this.codec
      .encode(
        [this.spec.specialTexts.endOfText, this.spec.specialTexts.modelTurn],
        this.spec.specialTexts.lang,
      )
      .then((r) => ({ endOfText: r.vectors[0], modelTurn: r.vectors[1] }));
    return this.specials;
  }

  /** The predictor of the model the settings name; one line naming what this LCM has when it lacks it. */
  predictor(settings: GenerationSettings): NextConceptPredictor {
    const wanted = canonicalModel(settings.model);
    const offered = this.models;
    if (!offered.includes(wanted)) {
      throw new UsageError(
        missingModelMessage(settings.model, this.spec.manifest.name, offered, this.installed),
      );
    }
    if (this.lcm instanceof OneTowerModel) return oneTowerPredictor(this.lcm, settings);
    if (this.lcm instanceof QuantModel) return quantPredictor(this.lcm, settings);
    return wanted === "base" ? basePredictor(this.lcm) : diffusionPredictor(this.lcm, settings);
  }

  /** The space the stop rules compare in (the manifest's defaults.stop_cosine_space). */
  stopView(): ((v: Float32Array) => Float32Array) | undefined {
    return this.spec.defaults.stopCosineSpace === "normalized" ? (v) => normalize(v, this.spec) : undefined;
  }

  /** Grounding compares in the normalized space, where unrelated sentences are near 0 (see grounding.ts). */
  groundingView(v: Float32Array): Float32Array {
    return normalize(v, this.spec);
  }

  async release(): Promise<void> {
    await this.lcm.release();
    await this.codec.release();
  }
}

/** The LCM named, else the first found; and every LCM found with the models it offers. */
async function findLcmManifest(
  discovery: DiscoveryOptions,
  name?: string,
): Promise<{ manifest: LcmManifest; installed: InstalledLcm[] }> {
  const entries = await scanModels(discovery);
  const installed = entries.flatMap((e) =>
    e.manifest?.kind === "lcm" ? [{ name: e.manifest.name, models: manifestModels(e.manifest) }] : [],
  );
  for (const entry of entries) {
    if (entry.error) {
      if (name === undefined) throw entry.error;
      continue;
    }
    const m = entry.manifest!;
    if (m.kind === "lcm" && (name === undefined || m.name === name)) return { manifest: m, installed };
  }
  if (name !== undefined) {
    const names = entries.filter((e) => e.manifest?.kind === "lcm").map((e) => e.manifest!.name);
    const found = names.length > 0 ? ` (found: ${names.join(", ")})` : "";
    throw new NoModelError(`no LCM named '${name}'${found}`, "lcm", name);
  }
  const searched = [...new Set(entries.map((e) => e.root.dir))];
  throw new NoModelError(
    `no LCM installed${searched.length > 0 ? ` (searched ${searched.join(", ")})` : ""}; give one with --models DIR or LCM_MODELS (see 'lcm models list')`,
    "lcm",
  );
}
