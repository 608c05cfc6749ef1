/**
 * The in-process TuiServices (services.ts): models from the usual places (src/requests/models.ts), the
 * tasks in src/tasks/, atomic exports. The TUI runs it inside its model worker (model-worker.ts, behind
 * worker-services.ts), so inference never blocks keys or drawing; tests run it directly.
 */

import type { ConceptCodec } from "../codec/codec.js";
import { findSectionPath, type Outline, sectionAt } from "../planner/outline.js";
import { type ModelChoice, openCodec, openEngine } from "../requests/models.js";
import type { ConceptEngine } from "../tasks/engine.js";
import { expandOutline } from "../tasks/expand-outline.js";
import type { LengthPreset } from "../tasks/lengths.js";
import { isShown } from "../tasks/render.js";
import { encodeSentences, type SourceSentence, sourceFromOutline } from "../tasks/source-concepts.js";
import { summarize } from "../tasks/summarize.js";
import type { ConceptEvent, OutputConcept, ProgressEvent } from "../tasks/task-types.js";
import { listTemplates, loadTemplate, type Template } from "../tasks/templates.js";
import { processEnv } from "../util/env.js";
import { messageOf, NoModelError, UsageError } from "../util/errors.js";
import { exportFile } from "./export-file.js";
import type {
  EncodeItem,
  GenerateResult,
  ModelOptions,
  ModelsInfo,
  RunCallbacks,
  TuiServices,
} from "./services.js";
import type { DocumentInfo, GenerateRequest, OutputItem, Progress, RenderedText } from "./state/types.js";

export function createServices(doc: DocumentInfo, options: ModelOptions = {}): TuiServices {
  return new InProcessServices(doc, options);
}

/** Texts decoded per call when rendering a section, so progress moves and Esc is heard between calls. */
const RENDER_BATCH = 16;

class InProcessServices implements TuiServices {
  private readonly env: NodeJS.ProcessEnv;
  private engine: ConceptEngine | null = null;
  private codec: ConceptCodec | null = null;
  private languageCache: {
    outline: Outline;
    value: { document: string; byConcept: Map<string, string> };
  } | null = null;
  private templateCache: Template[] | null = null;
  readonly exportFile = exportFile;

  constructor(
    private readonly doc: DocumentInfo,
    private readonly options: ModelOptions,
  ) {
    this.env = options.env ?? processEnv();
  }

  async openModels(): Promise<ModelsInfo> {
    const { options } = this;
    const choice: ModelChoice = {
      models: options.models,
      codec: options.codec,
      lcm: options.lcm,
      env: this.env,
      onlyExplicit: options.onlyExplicit,
      threads: options.threads,
      cache: options.cache === false ? false : undefined,
    };
    let note: string | null = null;
    try {
      this.engine = await openEngine(choice);
      this.codec = this.engine.codec;
    } catch (error) {
      if (options.lcm !== undefined) note = messageOf(error);
      else
        note =
          error instanceof NoModelError && error.kind === "lcm"
            ? "no LCM installed: summarize and extend are off (R renders concepts)"
            : messageOf(error);
      try {
        this.codec = await openCodec(choice);
      } catch (codecError) {
        note = `no codec: planning only (${messageOf(codecError)})`;
      }
    }
    return {
      codec: this.codec?.name ?? null,
      lcm: this.engine?.spec.manifest.name ?? null,
      languages: this.codec?.languages ?? [],
      note,
      models: this.engine?.availableModels ?? [],
    };
  }

  languages(outline: Outline): { document: string; byConcept: ReadonlyMap<string, string> } {
    if (this.languageCache && this.languageCache.outline === outline) return this.languageCache.value;
    const byConcept = new Map<string, string>();
    if (!this.codec) return { document: this.options.sourceLang ?? "eng_Latn", byConcept };
    const source = this.sourceOf(outline);
    for (const s of source.sentences) byConcept.set(s.id, s.lang);
    const value = { document: source.lang, byConcept };
    this.languageCache = { outline, value };
    return value;
  }

  async encode(
    items: readonly EncodeItem[],
    callbacks: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
  ): Promise<void> {
    if (items.length === 0) return;
    await encodeSentences(this.requireCodec(), items, callbacks);
  }

  async generate(request: GenerateRequest, callbacks: RunCallbacks): Promise<GenerateResult> {
    // A model this LCM lacks runs on the companion LCM beside it that has it (tasks/engine.ts).
    const engine = await this.requireEngine().forModel(request.model);
    const outline = scoped(request.outline, request.section);
    const template = request.template ? await loadTemplate(request.template, this.env) : undefined;
    return request.task === "summarize"
      ? this.summarize(engine, outline, request, template, callbacks)
      : this.extend(engine, outline, request, template, callbacks);
  }

  private async summarize(
    engine: ConceptEngine,
    outline: Outline,
    request: GenerateRequest,
    template: Template | undefined,
    callbacks: RunCallbacks,
  ): Promise<GenerateResult> {
    const { doc } = this;
    const result = await summarize(
      engine,
      { text: doc.text, name: doc.name, format: doc.format, outline, locations: doc.locations },
      {
        length: request.length as LengthPreset,
        template,
        lang: request.lang ?? undefined,
        sourceLang: this.options.sourceLang,
        grounded: request.grounded,
        model: request.model,
        streamText: true,
      },
      {
        signal: callbacks.signal,
        onProgress: progressCallback(callbacks),
        onConcept: (e) => callbacks.onConcept?.(e.index, itemOf(e, e.text ?? "…")),
      },
    );
    return {
      items: outputItems(result.concepts, result.source.sentences),
      sections: result.sections?.map((s) => ({ title: s.title, level: s.level })) ?? null,
      lang: result.lang,
    };
  }

  /** extend: generated concepts arrive without text; each is decoded as it comes, in order. */
  private async extend(
    engine: ConceptEngine,
    outline: Outline,
    request: GenerateRequest,
    template: Template | undefined,
    callbacks: RunCallbacks,
  ): Promise<GenerateResult> {
    const lang = request.lang ?? this.languages(request.outline).document;
    let chain: Promise<void> = Promise.resolve();
    const decodeLater = (e: ConceptEvent) => {
      chain = chain
        .then(async () => {
          if (callbacks.signal?.aborted) return;
          const [decoded] = await engine.codec.decode([e.vector], lang, { signal: callbacks.signal });
          callbacks.onConcept?.(e.index, itemOf(e, decoded.text));
        })
        .catch(() => {});
    };
    const result = await expandOutline(
      engine,
      outline,
      {
        lang: request.lang ?? undefined,
        template,
        sourceLang: this.options.sourceLang,
        grounded: request.grounded,
        model: request.model,
      },
      {
        signal: callbacks.signal,
        onProgress: progressCallback(callbacks),
        onConcept: (e) => {
          callbacks.onConcept?.(e.index, itemOf(e, e.text ?? "…"));
          if (e.text === undefined) decodeLater(e);
        },
      },
    );
    await chain;
    return {
      items: outputItems(result.concepts, result.source.sentences),
      sections: result.sections.map((s) => ({ title: s.title, level: s.level })),
      lang: result.lang,
    };
  }

  async renderSection(
    outline: Outline,
    section: string | null,
    lang: string | null,
    callbacks: RunCallbacks,
  ): Promise<GenerateResult> {
    const codec = this.requireCodec();
    const source = this.sourceOf(scoped(outline, section));
    if (source.sentences.length === 0) throw new UsageError("no sentences there to render");
    const target = lang ?? source.lang;
    callbacks.onProgress?.({ stage: "encode", done: 0, total: source.sentences.length });
    const encoded = await encodeSentences(codec, source.sentences, {
      signal: callbacks.signal,
      onProgress: (done, total) => callbacks.onProgress?.({ stage: "encode", done, total }),
    });
    const items: OutputItem[] = [];
    for (let start = 0; start < encoded.vectors.length; start += RENDER_BATCH) {
      const vectors = encoded.vectors.slice(start, start + RENDER_BATCH);
      const decoded = await codec.decode(vectors, target, { signal: callbacks.signal });
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
  }

  async renderItems(
    items: readonly OutputItem[],
    lang: string,
    callbacks: RunCallbacks,
  ): Promise<RenderedText[]> {
    const codec = this.requireCodec();
    const rendered: RenderedText[] = items.map((item) => ({
      text: item.text,
      rendering: item.rendering ?? (item.pinned ? "pinned" : "generated"),
    }));
    const jobs = decodeJobs(items, lang, rendered);
    // Source sentences in another language: their concepts come from the codec's cache, where
    // summarize put them.
    const sources = jobs.filter((j) => j.source !== null);
    if (sources.length > 0) {
      const encoded = await encodeSentences(
        codec,
        sources.map((j) => j.source!),
        { signal: callbacks.signal },
      );
      sources.forEach((j, k) => {
        j.vector = encoded.vectors[k];
      });
    }
    const decoded = await codec.decode(
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
  }

  async templates() {
    this.templateCache ??= await listTemplates(this.env).catch(() => []);
    return this.templateCache.map((t) => ({ name: t.name, description: t.description }));
  }

  async release(): Promise<void> {
    if (this.engine) await this.engine.release();
    else if (this.codec) await this.codec.release();
  }

  private requireCodec(): ConceptCodec {
    if (!this.codec) throw new UsageError("no codec loaded");
    return this.codec;
  }

  private requireEngine(): ConceptEngine {
    if (!this.engine) throw new UsageError("no LCM loaded: summarize and extend need one");
    return this.engine;
  }

  private sourceOf(outline: Outline) {
    return sourceFromOutline(outline, {
      supported: this.requireCodec().languages,
      sourceLang: this.options.sourceLang,
    });
  }
}

interface DecodeJob {
  at: number;
  vector: Float32Array | null;
  source: { text: string; lang: string } | null;
}

/**
 * What renderItems decodes: generated concepts, and source sentences in another language. A source
 * sentence already in `lang` is shown verbatim (written into `rendered` here); pinned text, sentinels
 * and withheld renderings stay as they are.
 */
function decodeJobs(items: readonly OutputItem[], lang: string, rendered: RenderedText[]): DecodeJob[] {
  const jobs: DecodeJob[] = [];
  items.forEach((item, at) => {
    if (item.pinned || (item.rendering !== undefined && !isShown(item.rendering))) return;
    if (item.source) {
      if (item.source.lang === lang) rendered[at] = { text: item.source.text, rendering: "source" };
      else jobs.push({ at, vector: null, source: item.source });
    } else if (item.vector !== null) jobs.push({ at, vector: item.vector, source: null });
  });
  return jobs;
}

function progressCallback(callbacks: RunCallbacks): ((e: ProgressEvent) => void) | undefined {
  return callbacks.onProgress && ((e: ProgressEvent) => callbacks.onProgress!(progressOf(e)));
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
        source: sentence
          ? {
              index: c.sourceIndex!,
              text: sentence.text,
              lang: sentence.lang,
              ...(sentence.location && { location: sentence.location }),
            }
          : null,
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
