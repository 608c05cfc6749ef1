/**
 * Which models a request runs on, chosen one way for every shell: the LCM named (else the first found,
 * in discovery order: --models, LCM_MODELS, the user's data dir, the bundled models), the codec named
 * (else the one the LCM was trained on, else the first found). `openEngine` opens the pair
 * (tasks/engine.ts, which refuses an LCM paired with another codec); `openCodec` the codec alone, for
 * work that needs no LCM (encode, decode, rendering); `chooseManifests` says what would be opened from
 * the manifests alone, without loading a model (the server's `initialize`).
 */
import { ConceptCodec } from "../codec/codec.js";
import type { CodecManifest, LcmManifest, ModelManifest } from "../models/manifest.js";
import { findCodec } from "../models/registry.js";
import { ConceptEngine, type EngineOptions } from "../tasks/engine.js";

/** The models asked for (--models, --codec, --lcm, the environment) and how they run (threads, cache). */
export type ModelChoice = EngineOptions;

/** The codec and LCM pair a task runs on. */
export function openEngine(choice: ModelChoice = {}): Promise<ConceptEngine> {
  return ConceptEngine.open(choice);
}

/** The codec alone: the one named, else the first found. */
export async function openCodec(choice: ModelChoice = {}): Promise<ConceptCodec> {
  const manifest = await findCodec({
    models: choice.models,
    name: choice.codec,
    env: choice.env,
    onlyExplicit: choice.onlyExplicit,
  });
  return ConceptCodec.load(manifest, choice);
}

/** What openEngine (or, without an LCM, openCodec) would open, from readable manifests alone. */
export function chooseManifests(
  manifests: readonly ModelManifest[],
  choice: Pick<ModelChoice, "codec" | "lcm">,
): { lcm: LcmManifest | undefined; codec: CodecManifest | undefined } {
  const lcm = manifests.find(
    (m): m is LcmManifest => m.kind === "lcm" && (choice.lcm === undefined || m.name === choice.lcm),
  );
  const codecName = choice.codec ?? lcm?.codec.name;
  const codec =
    manifests.find(
      (m): m is CodecManifest => m.kind === "codec" && (codecName === undefined || m.name === codecName),
    ) ?? manifests.find((m): m is CodecManifest => m.kind === "codec");
  return { lcm, codec };
}
