/**
 * What the TUI asks of the world, behind one interface: models (codec and LCM), encoding, generation,
 * rendering, templates and file exports. The app talks only to TuiServices, so the state logic never
 * touches a model, and tests can run the real thing (the smoke models) or a scripted stand-in.
 *
 * All model work is asynchronous (ONNX runs on its own threads; the TypeScript parts of sampling and
 * beam search yield between steps), takes an AbortSignal, and reports progress through callbacks.
 */

import { ConceptCodec } from "../codec/codec.js";
import { findCodec } from "../models/registry.js";
import { findSectionPath, type Outline, sectionAt } from "../planner/outline.js";
import { ConceptEngine } from "../tasks/engine.js";
import { expandOutline } from "../tasks/expand-outline.js";
import type { LengthPreset } from "../tasks/lengths.js";
import { isShown } from "../tasks/render.js";
import { encodeSentences, type SourceSentence, sourceFromOutline } from "../tasks/source-concepts.js";
import { summarize } from "../tasks/summarize.js";
import type { ConceptEvent, OutputConcept, ProgressEvent } from "../tasks/task-types.js";
import { listTemplates, loadTemplate, type Template } from "../tasks/templates.js";
import { messageOf, UsageError } from "../util/errors.js";
import { type ExportOutcome, exportFile } from "./export-file.js";
import type {
  DocumentInfo,
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

/** The real services: models from the usual places (DESIGN.md §2), the tasks in src/tasks/, atomic exports. */
export function createServices(doc: DocumentInfo, options: ModelOptions = {}): TuiServices {
  const env = options.env ?? process.env;
  let engine: ConceptEngine | null = null;
  let codec: ConceptCodec | null = null;
  let languageCache: {
    outline: Outline;
    value: { document: string; byConcept: Map<string, string> };
  } | null = null;
  let templateCache: Template[] | null = null;

  const requireCodec = (): ConceptCodec => {
    if (!codec) throw new UsageError("no codec loaded");
    return codec;
  };
  const requireEngine = (): ConceptEngine => {
    if (!engine) throw new UsageError("no LCM loaded: summarize and extend need one");
    return engine;
  };
  const sourceOf = (outline: Outline) =>
    sourceFromOutline(outline, { supported: requireCodec().languages, sourceLang: options.sourceLang });

  const services: TuiServices = {
    async openModels() {
      const codecOptions = {
        threads: options.threads,
        cache: options.cache === false ? (false as const) : undefined,
      };
      let note: string | null = null;
      try {
        engine = await ConceptEngine.open({
          models: options.models,
          codec: options.codec,
          lcm: options.lcm,
          env,
          onlyExplicit: options.onlyExplicit,
          ...codecOptions,
        });
        codec = engine.codec;
      } catch (error) {
        if (options.lcm !== undefined) note = messageOf(error);
        else
          note = /no LCM/i.test(messageOf(error))
            ? "no LCM installed: summarize and extend are off (R renders concepts)"
            : messageOf(error);
        try {
          const manifest = await findCodec({
            models: options.models,
            name: options.codec,
            env,
            onlyExplicit: options.onlyExplicit,
          });
          codec = await ConceptCodec.load(manifest, codecOptions);
        } catch (codecError) {
          note = `no codec: planning only (${messageOf(codecError)})`;
        }
      }
      return {
        codec: codec?.name ?? null,
        lcm: engine?.spec.manifest.name ?? null,
        languages: codec?.languages ?? [],
        note,
      };
    },

    languages(outline) {
      if (languageCache && languageCache.outline === outline) return languageCache.value;
      const byConcept = new Map<string, string>();
      if (!codec) return { document: options.sourceLang ?? "eng_Latn", byConcept };
      const source = sourceOf(outline);
      for (const s of source.sentences) byConcept.set(s.id, s.lang);
      const value = { document: source.lang, byConcept };
      languageCache = { outline, value };
      return value;
    },

    async encode(items, callbacks) {
      if (items.length === 0) return;
      await encodeSentences(requireCodec(), items, callbacks);
    },

    async generate(request, callbacks) {
      const eng = requireEngine();
      const outline = scoped(request.outline, request.section);
      const template = request.template ? await loadTemplate(request.template, env) : undefined;
      const onProgress = callbacks.onProgress && ((e: ProgressEvent) => callbacks.onProgress!(progressOf(e)));
      if (request.task === "summarize") {
        const result = await summarize(
          eng,
          { text: doc.text, name: doc.name, format: doc.format, outline },
          {
            length: request.length as LengthPreset,
            template,
            lang: request.lang ?? undefined,
            sourceLang: options.sourceLang,
            grounded: request.grounded,
            streamText: true,
          },
          {
            signal: callbacks.signal,
            onProgress,
            onConcept: (e) => callbacks.onConcept?.(e.index, itemOf(e, e.text ?? "…")),
          },
        );
        return {
          items: outputItems(result.concepts, result.source.sentences),
          sections: result.sections?.map((s) => ({ title: s.title, level: s.level })) ?? null,
          lang: result.lang,
        };
      }
      // extend: generated concepts arrive without text; decode each one as it comes, in order.
      const lang = request.lang ?? services.languages(request.outline).document;
      let chain: Promise<void> = Promise.resolve();
      const result = await expandOutline(
        eng,
        outline,
        {
          lang: request.lang ?? undefined,
          template,
          sourceLang: options.sourceLang,
          grounded: request.grounded,
        },
        {
          signal: callbacks.signal,
          onProgress,
          onConcept: (e) => {
            callbacks.onConcept?.(e.index, itemOf(e, e.text ?? "…"));
            if (e.text !== undefined) return;
            chain = chain
              .then(async () => {
                if (callbacks.signal?.aborted) return;
                const [decoded] = await eng.codec.decode([e.vector], lang, { signal: callbacks.signal });
                callbacks.onConcept?.(e.index, itemOf(e, decoded.text));
              })
              .catch(() => {});
          },
        },
      );
      await chain;
      return {
        items: outputItems(result.concepts, result.source.sentences),
        sections: result.sections.map((s) => ({ title: s.title, level: s.level })),
        lang: result.lang,
      };
    },

    async renderSection(outline, section, lang, callbacks) {
      const c = requireCodec();
      const sub = scoped(outline, section);
      const source = sourceOf(sub);
      if (source.sentences.length === 0) throw new UsageError("no sentences there to render");
      const target = lang ?? source.lang;
      callbacks.onProgress?.({ stage: "encode", done: 0, total: source.sentences.length });
      const encoded = await encodeSentences(c, source.sentences, {
        signal: callbacks.signal,
        onProgress: (done, total) => callbacks.onProgress?.({ stage: "encode", done, total }),
      });
      const items: OutputItem[] = [];
      const batch = 16;
      for (let start = 0; start < encoded.vectors.length; start += batch) {
        const vectors = encoded.vectors.slice(start, start + batch);
        const decoded = await c.decode(vectors, target, { signal: callbacks.signal });
        decoded.forEach((d, k) => {
          const item: OutputItem = {
            text: d.text,
            vector: vectors[k],
            section: null,
            pinned: false,
            grounded: false,
          };
          items.push(item);
          callbacks.onConcept?.(start + k, item);
        });
        callbacks.onProgress?.({ stage: "decode", done: items.length, total: encoded.vectors.length });
      }
      return { items, sections: null, lang: target };
    },

    async renderItems(items, lang, callbacks) {
      const c = requireCodec();
      const rendered: RenderedText[] = items.map((item) => ({
        text: item.text,
        rendering: item.rendering ?? (item.pinned ? "pinned" : "generated"),
      }));
      // What to decode: generated concepts, and source sentences in another language (their concepts
      // come from the codec's cache, where summarize put them).
      const jobs: {
        at: number;
        vector: Float32Array | null;
        source: { text: string; lang: string } | null;
      }[] = [];
      items.forEach((item, at) => {
        if (item.pinned || (item.rendering !== undefined && !isShown(item.rendering))) return;
        if (item.source) {
          if (item.source.lang === lang) rendered[at] = { text: item.source.text, rendering: "source" };
          else jobs.push({ at, vector: null, source: item.source });
        } else if (item.vector !== null) jobs.push({ at, vector: item.vector, source: null });
      });
      const sources = jobs.filter((j) => j.source !== null);
      if (sources.length > 0) {
        const encoded = await encodeSentences(
          c,
          sources.map((j) => j.source!),
          { signal: callbacks.signal },
        );
        sources.forEach((j, k) => {
          j.vector = encoded.vectors[k];
        });
      }
      const decoded = await c.decode(
        jobs.map((j) => j.vector!),
        lang,
        {
          signal: callbacks.signal,
          onProgress: (done, total) => callbacks.onProgress?.({ stage: "decode", done, total }),
        },
      );
      jobs.forEach((j, k) => {
        rendered[j.at] = { text: decoded[k].text, rendering: j.source ? "source-decoded" : "generated" };
      });
      return rendered;
    },

    async templates() {
      templateCache ??= await listTemplates(env).catch(() => []);
      return templateCache.map((t) => ({ name: t.name, description: t.description }));
    },

    exportFile,

    async release() {
      if (engine) await engine.release();
      else if (codec) await codec.release();
    },
  };
  return services;
}

/** The outline limited to one section (and its subsections); the whole outline for null. */
export function scoped(outline: Outline, section: string | null): Outline {
  if (section === null) return outline;
  const path = findSectionPath(outline.sections, section);
  if (!path) throw new UsageError(`no section ${section}`);
  return { ...outline, sections: [sectionAt(outline.sections, path)] };
}

/**
 * Finished concepts as output items: the ones a reader may see (never a sentinel or a withheld
 * rendering), each with how it was rendered and, when grounded, the source sentence it shows (the pane
 * marks it [sN]; rendering in another language starts from it).
 */
function outputItems(
  concepts: readonly (OutputConcept & { pinned?: boolean })[],
  sentences: readonly SourceSentence[],
): OutputItem[] {
  return concepts
    .filter((c) => isShown(c.rendering))
    .map((c) => {
      const sentence = c.sourceIndex !== null ? sentences[c.sourceIndex] : undefined;
      return {
        text: c.text,
        vector: c.vector,
        section: c.section,
        pinned: c.pinned ?? false,
        grounded: c.grounded,
        rendering: c.rendering,
        source: sentence ? { index: c.sourceIndex!, text: sentence.text, lang: sentence.lang } : null,
      };
    });
}

function progressOf(e: ProgressEvent): Progress {
  return { stage: e.stage, done: e.done, total: e.total, detail: e.detail };
}

function itemOf(e: ConceptEvent, text: string): OutputItem {
  return {
    text,
    vector: e.vector,
    section: e.section,
    pinned: e.pinned ?? false,
    grounded: e.grounded ?? false,
  };
}
