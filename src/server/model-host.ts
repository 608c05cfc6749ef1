/**
 * The models a server session uses, opened on first need and kept: the ConceptEngine (codec + LCM)
 * for summarize/expand, and the codec alone for encode/render when no LCM is installed. Choosing
 * follows the request layer's rules (src/requests/models.ts): the LCM named or the first found, and
 * the codec it was trained on. `describe()` reads manifests only, so `initialize` is instant.
 */

import type { ConceptCodec } from "../codec/codec.js";
import { languageName } from "../languages/languages.js";
import {
  type ModelKind,
  manifestFamily,
  manifestModels,
  modelNames,
  modelsWithCompanions,
} from "../lcm/model-kinds.js";
import { companionLcms, type DiscoveryOptions, scanModels } from "../models/registry.js";
import { chooseManifests, type ModelChoice, openCodec, openEngine } from "../requests/models.js";
import type { ConceptEngine } from "../tasks/engine.js";
import { messageOf } from "../util/errors.js";
import { RpcError, ServerErrorCode } from "./json-rpc.js";
import { WorkQueue } from "./work-queue.js";

export type HostOptions = ModelChoice;

export interface ModelsInfo {
  codec: { name: string; version: string; dim: number; languages: number; dir: string } | null;
  /** `models`: the values params.model may take with this LCM (lcm/model-kinds.ts). */
  lcm: {
    name: string;
    version: string;
    codec: string;
    dir: string;
    family: string;
    models: ModelKind[];
  } | null;
  installed: { kind: string; name: string; version: string; dir: string }[];
  /** Model folders that could not be read, one line each. */
  problems: string[];
  languages: { code: string; name: string | null }[];
}

export class ModelHost {
  private engineLoad: Promise<ConceptEngine> | null = null;
  private codecLoad: Promise<ConceptCodec> | null = null;
  readonly queue = new WorkQueue();

  constructor(private readonly options: HostOptions = {}) {}

  private get discovery(): DiscoveryOptions {
    return { models: this.options.models, env: this.options.env };
  }

  /** What is installed and what would be used, from the manifests alone. */
  async describe(): Promise<ModelsInfo> {
    const entries = await scanModels(this.discovery).catch((error) => {
      throw unavailable(error);
    });
    const manifests = entries.flatMap((e) => (e.manifest ? [e.manifest] : []));
    const { lcm, codec } = chooseManifests(manifests, this.options);
    return {
      codec: codec
        ? {
            name: codec.name,
            version: codec.version,
            dim: codec.embeddingDim,
            languages: codec.languages.length,
            dir: codec.dir,
          }
        : null,
      lcm: lcm
        ? {
            name: lcm.name,
            version: lcm.version,
            codec: lcm.codec.name,
            dir: lcm.dir,
            family: manifestFamily(lcm),
            // with the companions' (a model this LCM lacks runs on the one beside it that has it)
            models: modelNames(
              modelsWithCompanions(
                manifestModels(lcm),
                this.options.lcm === undefined ? companionLcms(entries, lcm) : [],
              ),
            ),
          }
        : null,
      installed: manifests.map((m) => ({ kind: m.kind, name: m.name, version: m.version, dir: m.dir })),
      problems: entries.flatMap((e) => (e.error ? [`${e.dir}: ${e.error.message}`] : [])),
      languages: (codec?.languages ?? []).map((code) => ({ code, name: languageName(code) ?? null })),
    };
  }

  /**
   * The codec + LCM pair a request for `model` runs on: the session's, or the companion LCM beside it
   * that has the model (tasks/engine.ts forModel); a missing or broken model is a -32002 error (and is
   * looked for again next time).
   */
  async engine(model?: ModelKind): Promise<ConceptEngine> {
    this.engineLoad ??= openEngine(this.options).catch((error) => {
      this.engineLoad = null;
      throw unavailable(error);
    });
    const engine = await this.engineLoad;
    return engine.forModel(model).catch((error) => {
      throw unavailable(error);
    });
  }

  /** The codec: the engine's when an LCM is installed (one copy in memory), else the first codec. */
  async codec(): Promise<ConceptCodec> {
    if (this.engineLoad) return (await this.engineLoad).codec;
    const info = await this.describe();
    if (info.lcm) return (await this.engine()).codec;
    this.codecLoad ??= openCodec(this.options).catch((error) => {
      this.codecLoad = null;
      throw unavailable(error);
    });
    return this.codecLoad;
  }

  async release(): Promise<void> {
    const engine = await this.engineLoad?.catch(() => null);
    await engine?.release();
    const codec = await this.codecLoad?.catch(() => null);
    await codec?.release();
  }
}

function unavailable(error: unknown): RpcError {
  return new RpcError(ServerErrorCode.ModelUnavailable, `Model unavailable: ${messageOf(error)}`);
}
