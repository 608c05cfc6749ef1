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
 * LCM has it (lcm/model-kinds.ts).
 *
 * Each family is its own directory (the bundled models ship models/default/lcm, one-tower and quant).
 * When no LCM is named, the LCMs in the same models folder as the first one found, on the same codec,
 * are its companions: a request for a model the first LCM lacks runs on the companion that has it
 * (`forModel`, opened on first need, sharing the codec). Never one from another folder: `--models` is
 * searched first, not alone, so a quiet switch to another folder's LCM (and its codec) would be a
 * surprise. A named LCM (`--lcm`) is the only one a request runs on.
 */
import { type CodecOptions, ConceptCodec } from "../codec/codec.js";
import { LcmModel } from "../lcm/model.js";
import {
  canonicalModel,
  type InstalledLcm,
  type ModelKind,
  manifestModels,
  missingModelMessage,
  modelsWithCompanions,
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
import { companionLcms, type DiscoveryOptions, findCodec, scanModels } from "../models/registry.js";
import { NoModelError, UsageError } from "../util/errors.js";
import { SalienceSpace } from "./salience.js";

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
  /**
   * The model the request runs (`--model`): with no LCM named, the first LCM found that lacks it gives
   * way to its companion that has it (see the header). Absent: the first LCM found.
   */
  model?: ModelKind;
}

export interface SpecialConcepts {
  endOfText: Float32Array;
  modelTurn: Float32Array;
}

/** An LCM of either diffusion family, opened. */
export type LcmRuntime = LcmModel | OneTowerModel | QuantModel;

export class ConceptEngine {
  private specials: Promise<SpecialConcepts> | null = null;
  private salience: Promise<SalienceSpace> | null = null;
  /** The companions opened so far, by LCM name (they share this engine's codec). */
  private readonly opened = new Map<string, Promise<ConceptEngine>>();

  constructor(
    readonly codec: ConceptCodec,
    readonly lcm: LcmRuntime,
    /** The LCMs discovery found (for "'x' has one" when a model is asked for that this LCM lacks). */
    private readonly installed: readonly InstalledLcm[] = [],
    /** The LCMs beside this one that a request for a model it lacks may run on (see the header). */
    private readonly companions: readonly LcmManifest[] = [],
    /** How the codec was opened, for opening a companion's runtime the same way; null: not this engine's codec. */
    private readonly codecOptions: CodecOptions | null = {},
  ) {
    checkLcmCodecPairing(lcm.spec.manifest, codec.manifest);
  }

  static async open(options: EngineOptions = {}): Promise<ConceptEngine> {
    const discovery: DiscoveryOptions = {
      models: options.models,
      env: options.env,
      onlyExplicit: options.onlyExplicit,
    };
    const found = await findLcmManifest(discovery, options.lcm);
    const { installed, companions } = found;
    // A companion that has the model asked for, when the first LCM found lacks it, is the one opened.
    const lcmManifest =
      companionOffering(options.model, manifestModels(found.manifest), companions) ?? found.manifest;
    const codecManifest = await findCodec({
      ...discovery,
      name: options.codec ?? lcmManifest.codec.name,
    }).catch(async (error) => {
      // The LCM's own codec is not installed: take the first codec, and let the pairing check say why not.
      if (options.codec !== undefined) throw error;
      return findCodec(discovery);
    });
    checkLcmCodecPairing(lcmManifest, codecManifest);
    const codec = await ConceptCodec.load(codecManifest, options);
    const others = [found.manifest, ...companions].filter((m) => m !== lcmManifest);
    const lcm = await openRuntime(lcmManifest, codec, options).catch(async (error) => {
      await codec.release();
      throw error;
    });
    return new ConceptEngine(codec, lcm, installed, others, options);
  }

  /**
   * The engine a request for `model` runs on: this one when its LCM has the model, else the companion
   * that has it (opened once, sharing this codec), else this one (whose predictor then says what it has).
   */
  forModel(model: ModelKind | undefined): Promise<ConceptEngine> {
    const companion = companionOffering(model, this.models, this.companions);
    if (!companion || this.codecOptions === null) return Promise.resolve(this);
    let opening = this.opened.get(companion.name);
    if (!opening) {
      opening = openRuntime(companion, this.codec, this.codecOptions).then(
        (lcm) => new ConceptEngine(this.codec, lcm, this.installed, [], null),
      );
      // A companion that failed to open is tried again next time, not remembered broken.
      opening.catch(() => this.opened.delete(companion.name));
      this.opened.set(companion.name, opening);
    }
    return opening;
  }

  /** Every model a request may name here: this LCM's, then its companions' (TUI forms, the server's initialize). */
  get availableModels(): OfferedModel[] {
    return modelsWithCompanions(this.models, this.companions);
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

  /** Where grounded summaries measure a source sentence's centrality (salience.ts); read once. */
  salienceSpace(): Promise<SalienceSpace> {
    this.salience ??= SalienceSpace.load(this.spec);
    // A file that failed to read is tried again next time, not remembered broken.
    this.salience.catch(() => {
      this.salience = null;
    });
    return this.salience;
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
    for (const opening of this.opened.values()) {
      const companion = await opening.catch(() => null);
      await companion?.lcm.release();
    }
    await this.lcm.release();
    // A companion's codec is its parent's, released there.
    if (this.codecOptions !== null) await this.codec.release();
  }
}

/** The companion that offers `model` when an LCM offering `own` lacks it; undefined otherwise. */
function companionOffering(
  model: ModelKind | undefined,
  own: readonly OfferedModel[],
  companions: readonly LcmManifest[],
): LcmManifest | undefined {
  if (model === undefined) return undefined;
  const wanted = canonicalModel(model);
  return own.includes(wanted) ? undefined : companions.find((m) => manifestModels(m).includes(wanted));
}

/** The LCM's graphs, opened, after checking the codec speaks the language its special concepts are in. */
function openRuntime(manifest: LcmManifest, codec: ConceptCodec, options: CodecOptions): Promise<LcmRuntime> {
  const checked = <S extends LcmSpecCommon>(spec: S, load: (spec: S) => Promise<LcmRuntime>) => {
    try {
      codec.resolveLanguage(spec.specialTexts.lang);
    } catch {
      throw new UsageError(
        `${manifest.path}: special_texts.lang '${spec.specialTexts.lang}' is not a language of codec '${codec.name}'`,
      );
    }
    return load(spec);
  };
  const family = lcmFamily(manifest);
  if (family === "one_tower")
    return checked(readOneTowerSpec(manifest), (s) => OneTowerModel.load(s, options));
  if (family === "quant") return checked(readQuantSpec(manifest), (s) => QuantModel.load(s, options));
  return checked(readLcmSpec(manifest), (s) => LcmModel.load(s, options));
}

/**
 * The LCM named, else the first found; every LCM found with the models it offers; and, when none was
 * named, the first one's companions: the other LCMs in its models folder.
 */
async function findLcmManifest(
  discovery: DiscoveryOptions,
  name?: string,
): Promise<{ manifest: LcmManifest; installed: InstalledLcm[]; companions: LcmManifest[] }> {
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
    if (m.kind !== "lcm" || (name !== undefined && m.name !== name)) continue;
    return { manifest: m, installed, companions: name !== undefined ? [] : companionLcms(entries, m) };
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
