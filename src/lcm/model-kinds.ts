/**
 * The models a request chooses between (`--model`, the server's params.model, the TUI's form; the
 * names are the request field's, src/requests/fields.ts) and the LCM families a model directory
 * declares (lcm/spec.ts lcmFamily): a Two-Tower directory offers `two-tower` (also called `diffusion`,
 * its name before there were other families) and, when it carries base_lcm.onnx, `base`; a One-Tower
 * directory offers `one-tower`, a Quant-LCM directory `quant`. A new family is a row in FAMILIES and a name in the field's choices.
 *
 * Reads manifests only (no graph is opened), so `lcm models list` and the server's `initialize` can say
 * what each LCM offers, and a request for a model its LCM lacks is one line naming what it has.
 */
import type { LcmManifest } from "../models/manifest.js";
import type { FIELDS, FieldValue } from "../requests/fields.js";
import { type LcmFamily, lcmFamily } from "./spec.js";

/** A `model` request value: "two-tower", "diffusion" (the same model), "one-tower", "quant" or "base". */
export type ModelKind = FieldValue<typeof FIELDS.model>;

/** A model with its alias resolved ("diffusion" is "two-tower"): what an LCM directory offers. */
export type OfferedModel = Exclude<ModelKind, "diffusion">;

/** Each family's own model (the one that runs when a request names none) and how listings name it. */
const FAMILIES: Record<LcmFamily, { model: OfferedModel; label: string }> = {
  two_tower: { model: "two-tower", label: "Two-Tower" },
  one_tower: { model: "one-tower", label: "One-Tower" },
  quant: { model: "quant", label: "Quant-LCM" },
};

/** The models a request may name: an LCM's own, then those of its companions (tasks/engine.ts), once each. */
export function modelsWithCompanions(
  own: readonly OfferedModel[],
  companions: readonly LcmManifest[],
): OfferedModel[] {
  return [...new Set([...own, ...companions.flatMap(manifestModels)])];
}

/** How a message names each model. */
const MODEL_LABEL: Record<OfferedModel, string> = {
  "two-tower": "Two-Tower diffusion model",
  "one-tower": "One-Tower diffusion model",
  quant: "Quant-LCM (discrete)",
  base: "Base-LCM graph",
};

export function canonicalModel(kind: ModelKind): OfferedModel {
  return kind === "diffusion" ? "two-tower" : kind;
}

/**
 * The model that runs when a request names none: the LCM's own family. A Two-Tower's is spelled
 * "diffusion", the name every output (JSON `model.kind`, `settings.model`) has given it from the start,
 * so what users and scripts read does not change.
 */
export function defaultModel(family: LcmFamily): ModelKind {
  const own = FAMILIES[family].model;
  return own === "two-tower" ? "diffusion" : own;
}

/** The models an LCM directory offers, its own family first, then the Base-LCM when it has one. */
export function offeredModels(family: LcmFamily, hasBase: boolean): OfferedModel[] {
  const own = FAMILIES[family].model;
  // Only the Two-Tower export writes a Base-LCM beside it (training/lcm/export_onnx.py --base).
  return own === "two-tower" && hasBase ? [own, "base"] : [own];
}

/** offeredModels from the manifest alone; [] for a manifest whose family is not one this build knows. */
export function manifestModels(manifest: LcmManifest): OfferedModel[] {
  let family: LcmFamily;
  try {
    family = lcmFamily(manifest);
  } catch {
    return [];
  }
  const files = manifest.raw.files;
  const base =
    typeof files === "object" && files !== null ? (files as Record<string, unknown>).base : undefined;
  return offeredModels(family, typeof base === "string" && base !== "");
}

/** The manifest's family for a listing: "two_tower" (also when absent), "one_tower", "quant", else as written. */
export function manifestFamily(manifest: LcmManifest): string {
  try {
    return lcmFamily(manifest);
  } catch {
    return String(manifest.raw.family);
  }
}

/** "two-tower (also: diffusion), base": the names a request may use for the models listed. */
export function describeModels(models: readonly OfferedModel[]): string {
  return models.map((m) => (m === "two-tower" ? "two-tower (also: diffusion)" : m)).join(", ");
}

/** Another installed LCM and the models it offers (for the message below). */
export interface InstalledLcm {
  name: string;
  models: readonly OfferedModel[];
}

/**
 * Why `kind` cannot run on the LCM `name` (which offers `offered`), in one line that names what it
 * has and, when another installed LCM has the model, which one:
 *   the LCM 'lcm-smoke' has no One-Tower diffusion model (model one-tower); it has: two-tower (also:
 *   diffusion), base; 'lcm-smoke-one-tower' has one (choose it with --lcm lcm-smoke-one-tower)
 */
export function missingModelMessage(
  kind: ModelKind,
  name: string,
  offered: readonly OfferedModel[],
  installed: readonly InstalledLcm[] = [],
): string {
  const wanted = canonicalModel(kind);
  const other = installed.find((lcm) => lcm.name !== name && lcm.models.includes(wanted));
  const elsewhere = other
    ? `; '${other.name}' has one (choose it with --lcm ${other.name})`
    : "; no installed LCM has one";
  return `the LCM '${name}' has no ${MODEL_LABEL[wanted]} (model ${kind}); it has: ${describeModels(offered)}${elsewhere}`;
}

/** How a message or listing names a family. */
export function familyLabel(family: LcmFamily): string {
  return FAMILIES[family].label;
}

/** Every `model` name that runs one of `models` ("two-tower", "diffusion", "base"). */
export function modelNames(models: readonly OfferedModel[]): ModelKind[] {
  return models.flatMap((m): ModelKind[] => (m === "two-tower" ? ["two-tower", "diffusion"] : [m]));
}
