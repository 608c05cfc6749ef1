/**
 * What the TUI asks of the world, behind one interface: models (codec and LCM), encoding, generation,
 * rendering, templates and file exports. The app talks only to TuiServices, so the state logic never
 * touches a model, and tests can run the real thing (the smoke models) or a scripted stand-in.
 *
 * All model work is asynchronous (ONNX runs on its own threads; the TypeScript parts of sampling and
 * beam search yield between steps), takes an AbortSignal, and reports progress through callbacks.
 *
 * This file is the interface; its implementations: in-process-services.ts (the tasks run in this
 * thread) and worker-services.ts (the same, in a worker thread; what the TUI uses).
 */

import type { OfferedModel } from "../lcm/model-kinds.js";
import type { Outline } from "../planner/outline.js";
import type { ExportOutcome } from "./export-file.js";
import type {
  GenerateRequest,
  OutputItem,
  OutputState,
  Progress,
  RenderedText,
  TemplateInfo,
} from "./state/types.js";

export interface ModelsInfo {
  codec: string | null;
  lcm: string | null;
  languages: readonly string[];
  note: string | null;
  /** The models the LCM offers (the generate form's choices), its own first; [] without an LCM. */
  models: readonly OfferedModel[];
}

export interface EncodeItem {
  text: string;
  lang: string;
}

export interface RunCallbacks {
  onProgress?: (progress: Progress) => void;
  onConcept?: (index: number, item: OutputItem) => void;
  signal?: AbortSignal;
}

export interface GenerateResult {
  items: OutputItem[];
  sections: OutputState["sections"];
  lang: string;
}

export interface TuiServices {
  /** Loads the models; never throws: what is missing is said in `note`. */
  openModels(): Promise<ModelsInfo>;
  /** The document's language and each concept's (detected per top-level section). */
  languages(outline: Outline): { document: string; byConcept: ReadonlyMap<string, string> };
  /** Encodes texts (into the codec's on-disk cache, which summarize and extend read later). */
  encode(
    items: readonly EncodeItem[],
    callbacks: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
  ): Promise<void>;
  generate(request: GenerateRequest, callbacks: RunCallbacks): Promise<GenerateResult>;
  /** The concepts of a section (or all) decoded into `lang` (null: each concept's own language). */
  renderSection(
    outline: Outline,
    section: string | null,
    lang: string | null,
    callbacks: RunCallbacks,
  ): Promise<GenerateResult>;
  /**
   * Finished output in another language, item by item: a grounded item shows its source sentence
   * (verbatim when the sentence is in `lang`, else the sentence's concept decoded: "source-decoded"),
   * a generated one its concept decoded, pinned text stays; items with neither keep their text.
   */
  renderItems(items: readonly OutputItem[], lang: string, callbacks: RunCallbacks): Promise<RenderedText[]>;
  templates(): Promise<TemplateInfo[]>;
  exportFile(path: string, text: string, overwrite: boolean): Promise<ExportOutcome>;
  release(): Promise<void>;
}

export interface ModelOptions {
  /** `--models DIR` / LCM_MODELS. */
  models?: string;
  codec?: string;
  lcm?: string;
  /** The document's language, when the user gave it. */
  sourceLang?: string;
  threads?: number;
  /** false: no on-disk concept cache. */
  cache?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Search only `models` / LCM_MODELS, not the user data dir or the bundled models (tests). */
  onlyExplicit?: boolean;
}
