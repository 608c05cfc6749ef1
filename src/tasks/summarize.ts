/**
 * summarize(): a document -> a short sequence of generated concepts -> text, the summarize task of
 * docs/lcm-contract.md: segment and encode the source, prompt the LCM with [source..., C("[MODEL]:")],
 * generate until a stop rule, ground every generated concept in the source, render it.
 *
 * Long sources: when the source, the model turn and the summary do not fit the model's max_context,
 * the source is summarized hierarchically (hierarchy.ts): chunks along the outline's sections are
 * summarized one by one, then their summaries are summarized; the result's `hierarchy` says so.
 *
 * Templates: each template section adds its prompt's concept to the sequence and generates up to its
 * target, so the summary comes out in the template's sections. (The model was fine-tuned on plain
 * summaries; a section prompt is a concept in the target sequence that steers what follows.)
 *
 * Library code: no printing. Progress and streamed concepts go to the callbacks, cancellation comes in
 * through the AbortSignal.
 */

import type { SourceMap } from "../inputs/source-locations.js";
import type { DecodeOptions } from "../codec/decoder.js";
import { GenerationRun, now } from "../lcm/generation-run.js";
import {
  type GenerationOptions,
  type GenerationSettings,
  resolveGenerationSettings,
} from "../lcm/settings.js";
import type { DocumentFormat, Outline, Span } from "../planner/outline.js";
import { CancelledError, UsageError } from "../util/errors.js";
import type { ConceptEngine } from "./engine.js";
import { GROUNDING_TOP_K, GroundingIndex } from "./grounding.js";
import {
  type Chunk,
  chunkSummaryCap,
  maxChunkLength,
  needsHierarchy,
  planChunks,
  type SourceUnit,
} from "./hierarchy.js";
import { conceptsForLength, type LengthPreset } from "./lengths.js";
import {
  DEFAULT_GROUNDED,
  isShown,
  isSubstantialSentence,
  type Rendered,
  renderAgain,
  renderConcepts,
} from "./render.js";
import {
  encodeSentences,
  readSourceDocument,
  type SourceSentence,
  sourceFromOutline,
} from "./source-concepts.js";
import type {
  ConceptEvent,
  GenerationCounts,
  Grounding,
  OutputConcept,
  TaskCallbacks,
  TaskTimings,
} from "./task-types.js";
import { scaleTargets, type Template, type TemplateSection } from "./templates.js";
import { nearestWhole, wholeSentences } from "./whole-sentences.js";

export interface SummarizeInput {
  /** The document text (spans refer to it). */
  text: string;
  /** Display name (a path, "<stdin>"). */
  name?: string;
  format: DocumentFormat;
  /** An outline already built from `text` (the TUI has one); built here otherwise. */
  outline?: Outline;
  /** A converted document's source map: grounding then says where each sentence is (PDF page...). */
  locations?: SourceMap;
}

export interface SummarizeOptions extends GenerationOptions {
  /** Output language (FLORES code); default: the source's. */
  lang?: string;
  /** Source language; default: detected per section. */
  sourceLang?: string;
  /** Length cap in concepts; exclusive with `length`. Default: the "medium" preset. */
  maxConcepts?: number;
  /**
   * Fewest concepts. By default a summary (and each template section) has the length asked for: the
   * stop rules may not end it before its target, they resample instead (generate.ts); lowering this
   * lets them end it sooner. Measured on the dev split, summaries cut short by an early stop scored
   * lower, and a user who asks for a length expects it. Not with a template.
   */
  minConcepts?: number;
  length?: LengthPreset;
  template?: Template;
  /** Render concepts that restate a source sentence as that sentence. */
  grounded?: boolean;
  groundingThreshold?: number;
  decode?: DecodeOptions;
  /** Decode each concept as soon as it is generated and pass its text to onConcept (interactive UIs). */
  streamText?: boolean;
}

export interface SummarySection {
  title: string;
  level: number;
  target: number;
  /** Indices into `concepts`. */
  concepts: number[];
}

export interface ChunkReport {
  /** 1 for chunks of the source, 2 for chunks of level-1 summaries, ... */
  level: number;
  /** Range in the level's input (source sentences for level 1). */
  start: number;
  end: number;
  titles: string[];
  /** Source span covered (level 1 only). */
  span: Span | null;
  summaryConcepts: number;
  stop: string;
}

export interface SummaryResult {
  summary: string;
  concepts: OutputConcept[];
  /** The template's sections, when a template shaped the summary. */
  sections: SummarySection[] | null;
  /** Present when the source did not fit the context and was summarized in levels. */
  hierarchy: { levels: number; chunks: ChunkReport[] } | null;
  source: {
    name: string;
    format: DocumentFormat;
    sentences: SourceSentence[];
    lang: string;
    langMethod: "given" | "detected";
    /** The outline's sentence cap: sentences longer than it were cut into pieces (whole-sentences.ts). */
    maxChars: number;
  };
  lang: string;
  settings: GenerationSettings & {
    maxConcepts: number;
    grounded: boolean;
    groundingThreshold: number;
    template: string | null;
    maxContext: number;
  };
  /** Why each final generation call ended. */
  stops: string[];
  stats: {
    timings: TaskTimings;
    sourceSentences: number;
    sourceChars: number;
    sourceWords: number;
    grounded: number;
    encodeCacheHits: number;
    truncated: number[];
  } & GenerationCounts;
}

export async function summarize(
  engine: ConceptEngine,
  input: SummarizeInput,
  options: SummarizeOptions = {},
  callbacks: TaskCallbacks = {},
): Promise<SummaryResult> {
  const started = now();
  const { codec, spec } = engine;
  const settings = resolveGenerationSettings(spec, options);
  engine.predictor(settings); // a missing Base-LCM graph fails here, before any work
  if (options.maxConcepts !== undefined && options.length !== undefined) {
    throw new UsageError("give either a maximum number of concepts or a length, not both");
  }
  if (
    options.maxConcepts !== undefined &&
    (!Number.isInteger(options.maxConcepts) || options.maxConcepts < 1)
  ) {
    throw new UsageError(
      `the maximum number of concepts must be a whole number >= 1, got ${options.maxConcepts}`,
    );
  }
  if (options.maxConcepts !== undefined && options.maxConcepts > spec.maxContext - 2) {
    // Impossible whatever the source (a short source would only cap it, hiding the mistake).
    throw new UsageError(
      `a summary of ${options.maxConcepts} concepts does not fit the model's context of ${spec.maxContext} concepts; ask for fewer`,
    );
  }
  if (options.minConcepts !== undefined) {
    if (!Number.isInteger(options.minConcepts) || options.minConcepts < 1) {
      throw new UsageError(
        `the minimum number of concepts must be a whole number >= 1, got ${options.minConcepts}`,
      );
    }
    if (options.template)
      throw new UsageError("a minimum length does not apply to a template (its sections set it)");
    if (options.maxConcepts !== undefined && options.minConcepts > options.maxConcepts) {
      throw new UsageError(
        `the minimum number of concepts (${options.minConcepts}) is above the maximum (${options.maxConcepts})`,
      );
    }
  }
  const threshold = options.groundingThreshold ?? spec.defaults.groundingThreshold;
  if (!(threshold >= -1 && threshold <= 1)) {
    throw new UsageError(`the grounding threshold must be a cosine in [-1, 1], got ${threshold}`);
  }
  const sourceLang = options.sourceLang === undefined ? undefined : codec.resolveLanguage(options.sourceLang);
  const givenLang = options.lang === undefined ? undefined : codec.resolveLanguage(options.lang);
  const templateLang = options.template ? codec.resolveLanguage(options.template.lang) : undefined;
  const { signal } = callbacks;
  const progress = callbacks.onProgress;

  // Segment
  progress?.({ stage: "segment", done: 0, total: 1 });
  const source = input.outline
    ? sourceFromOutline(input.outline, { supported: codec.languages, sourceLang, locations: input.locations })
    : readSourceDocument(input.text, {
        format: input.format,
        supported: codec.languages,
        sourceLang,
        locations: input.locations,
      });
  const sentences = source.sentences;
  if (sentences.length === 0) {
    throw new UsageError(`${input.name ?? "the document"}: no sentences to summarize (only code or markup)`);
  }
  const lang = givenLang ?? codec.resolveLanguage(source.lang);
  progress?.({ stage: "segment", done: 1, total: 1 });
  const segmented = now();

  // Encode
  if (signal?.aborted) throw new CancelledError();
  const encoded = await encodeSentences(codec, sentences, {
    signal,
    onProgress: progress && ((done, total) => progress({ stage: "encode", done, total })),
  });
  const specials = await engine.specialConcepts();
  const sections = planSections(options, sentences.length);
  const steering = await encodeSteering(engine, sections, templateLang);
  const encodedAt = now();

  // Generate
  const finalNeed = sections.reduce((n, s, i) => n + s.target + (steering[i] ? 1 : 0), 0);
  if (finalNeed > spec.maxContext - 2) {
    throw new UsageError(
      `a summary of ${finalNeed} concepts does not fit the model's context of ${spec.maxContext} concepts; ask for fewer`,
    );
  }
  const run = new GenerationRun(engine, settings, specials, callbacks);
  const { material: reduced, hierarchy } = await reduceToContext(
    run,
    encoded.vectors,
    source.units,
    sentences,
    finalNeed,
    spec.maxContext,
    signal,
  );

  // Grounding shows whole sentences: a piece of a sentence the cap cut stands for the whole of it
  // (the index of its first piece, the pieces' text and span).
  const whole = wholeSentences(sentences, source.outline.maxChars);
  // Stubs ("The, 1912, Um .) are never shown as a grounded summary sentence; when a document has
  // nothing longer, every sentence may be.
  const substantialFlags = sentences.map((_, i) => isSubstantialSentence(whole.text(whole.first[i])));
  const substantial = substantialFlags.some(Boolean) ? substantialFlags : sentences.map(() => true);
  // Only substantial sentences are candidates, so the neighbour list never fills up with stubs.
  const candidates = sentences.flatMap((_, i) => (substantial[i] ? [i] : []));
  const groundingIndex = new GroundingIndex(candidates.map((i) => engine.groundingView(encoded.vectors[i])));
  // As many neighbours as the summary has concepts (at least 3): grounded rendering never shows a
  // source sentence twice, so a concept must always find one its predecessors did not take. Pieces of
  // one sentence count once (its best piece), so twice as many are looked up.
  const neighbours = Math.max(GROUNDING_TOP_K, finalNeed);
  const ground = (vector: Float32Array): Grounding[] =>
    nearestWhole(groundingIndex, engine.groundingView(vector), candidates, whole, neighbours);
  const renderSources = sentences.map((s, i) => ({
    text: whole.text(i),
    lang: s.lang,
    vector: encoded.vectors[i],
  }));
  const grounded = options.grounded ?? DEFAULT_GROUNDED;
  const renderOptions = {
    lang,
    grounded,
    threshold,
    decode: options.decode,
    signal,
    checks: {
      endOfText: specials.endOfText,
      view: (v: Float32Array) => engine.groundingView(v),
      sentinelCosine: spec.defaults.sentinelCosine,
      faithfulCosine: spec.defaults.faithfulCosine,
    },
    eligibleSource: (i: number) => substantial[i],
  };

  const generated: {
    vector: Float32Array;
    grounding: Grounding[];
    section: number | null;
    rendered?: Rendered;
  }[] = [];
  const summarySections: SummarySection[] = [];
  const stops: string[] = [];
  const prompt = [...reduced, specials.modelTurn];
  run.plan(finalNeed - steering.filter(Boolean).length);
  let decodeTime = 0;
  for (let si = 0; si < sections.length; si++) {
    const section = sections[si];
    if (steering[si]) prompt.push(steering[si]!);
    const sectionIndex = options.template ? si : null;
    const indices: number[] = [];
    const pending: Promise<void>[] = [];
    const result = await run.generate(
      prompt,
      {
        maxConcepts: section.target,
        minConcepts: Math.min(options.minConcepts ?? section.target, section.target),
        detail: section.title || undefined,
      },
      (g) => {
        const item = { vector: g.vector, grounding: ground(g.vector), section: sectionIndex };
        const index = generated.length;
        generated.push(item);
        indices.push(index);
        const event: ConceptEvent = {
          index,
          section: sectionIndex,
          vector: g.vector,
          grounding: item.grounding,
        };
        if (!options.streamText) {
          callbacks.onConcept?.(event);
          return;
        }
        pending.push(
          (async () => {
            const t = now();
            const [rendered] = await renderConcepts(codec, [item], renderSources, renderOptions);
            decodeTime += now() - t;
            generated[index].rendered = rendered;
            callbacks.onConcept?.({ ...event, text: rendered.text, grounded: rendered.grounded });
          })(),
        );
      },
    );
    await Promise.all(pending);
    prompt.push(...result.concepts);
    stops.push(result.stop);
    summarySections.push({
      title: section.title,
      level: section.level,
      target: section.target,
      concepts: indices,
    });
  }
  const generatedAt = now();

  // Decode
  const toRender = generated.filter((g) => !g.rendered);
  const rendered = await renderConcepts(codec, toRender, renderSources, {
    ...renderOptions,
    onProgress: progress && ((done, total) => progress({ stage: "decode", done, total })),
  });
  toRender.forEach((g, k) => {
    g.rendered = rendered[k];
  });
  const decodedAt = now();

  // A concept that decoded to the end-of-text sentinel is a stop: it and the rest of its section go.
  const keep = generated.map(() => true);
  for (const section of summarySections) {
    const cut = section.concepts.findIndex((i) => generated[i].rendered!.rendering === "sentinel");
    if (cut < 0) continue;
    for (const i of section.concepts.slice(cut)) keep[i] = false;
    if (!options.template) stops[stops.length - 1] = "end_of_text";
  }
  const renumber = new Map<number, number>();
  generated.forEach((_, i) => {
    if (keep[i]) renumber.set(i, renumber.size);
  });
  for (const section of summarySections) {
    section.concepts = section.concepts.filter((i) => keep[i]).map((i) => renumber.get(i)!);
  }
  const shown = generated.filter((_, i) => keep[i]);
  const concepts: OutputConcept[] = shown.map((g) => ({
    text: g.rendered!.text,
    grounding: g.grounding,
    grounded: g.rendered!.grounded,
    rendering: g.rendered!.rendering,
    sourceIndex: g.rendered!.sourceIndex,
    section: g.section,
    vector: g.vector,
  }));
  const summary = joinSummary(concepts, options.template ? summarySections : null);

  return {
    summary,
    concepts,
    sections: options.template ? summarySections : null,
    hierarchy,
    source: {
      name: input.name ?? "",
      format: input.outline?.source?.format ?? input.format,
      sentences,
      lang: source.lang,
      langMethod: source.langMethod,
      maxChars: source.outline.maxChars,
    },
    lang,
    settings: {
      ...settings,
      maxConcepts: finalNeed - steering.filter(Boolean).length,
      grounded,
      groundingThreshold: threshold,
      template: options.template?.name ?? null,
      maxContext: spec.maxContext,
    },
    stops,
    stats: {
      timings: {
        segment: segmented - started,
        encode: encodedAt - segmented,
        generate: generatedAt - encodedAt - decodeTime,
        decode: decodedAt - generatedAt + decodeTime,
        total: decodedAt - started,
      },
      sourceSentences: sentences.length,
      sourceChars: input.text.length,
      sourceWords: countWords(sentences),
      grounded: concepts.filter((c) => c.grounded).length,
      encodeCacheHits: encoded.cacheHits,
      truncated: encoded.truncated,
      ...run.counts,
    },
  };
}

/**
 * The same summary rendered in another language, without generating again: the concepts are decoded
 * (or, grounded, shown as / decoded from their source sentences) in `lang`. `sourceVectors` are the
 * source sentences' concepts, needed only for grounded rendering across languages.
 */
export async function renderSummary(
  engine: ConceptEngine,
  result: SummaryResult,
  lang: string,
  options: { sourceVectors?: readonly Float32Array[]; decode?: DecodeOptions; signal?: AbortSignal } = {},
): Promise<SummaryResult> {
  const target = engine.codec.resolveLanguage(lang);
  // Grounded renderings in another language decode their source sentences' concepts: encode the
  // source again when the caller has none (a cache hit after summarize).
  const foreign = result.concepts.some(
    (c) => c.sourceIndex !== null && result.source.sentences[c.sourceIndex].lang !== target,
  );
  let sourceVectors = options.sourceVectors;
  if (foreign && !sourceVectors) {
    sourceVectors = await encodeSentences(engine.codec, result.source.sentences, {
      signal: options.signal,
    }).then((e) => e.vectors);
  }
  const whole = wholeSentences(result.source.sentences, result.source.maxChars);
  const sources = result.source.sentences.map((s, i) => ({
    text: whole.text(i),
    lang: s.lang,
    vector: sourceVectors?.[i] ?? new Float32Array(0),
  }));
  const rendered = await renderAgain(engine.codec, result.concepts, sources, {
    lang: target,
    decode: options.decode,
    signal: options.signal,
  });
  const concepts = result.concepts.map((c, i) => ({
    ...c,
    text: rendered[i].text,
    grounded: rendered[i].grounded,
    rendering: rendered[i].rendering,
    sourceIndex: rendered[i].sourceIndex,
  }));
  return { ...result, lang: target, concepts, summary: joinSummary(concepts, result.sections) };
}

function joinSummary(concepts: readonly OutputConcept[], sections: readonly SummarySection[] | null): string {
  const text = (c: OutputConcept) => (isShown(c.rendering) ? [c.text] : []);
  if (!sections) return concepts.flatMap(text).join(" ");
  return sections
    .map((s) => {
      const body = s.concepts.flatMap((i) => text(concepts[i])).join(" ");
      return s.title ? `${s.title}\n${body}` : body;
    })
    .join("\n\n");
}

/**
 * The output's sections: the template's (scaled to the requested length), or one plain section. A
 * summary is never longer than its source: every length is capped at the source's sentence count
 * (a one-sentence document gets one sentence, not two invented ones).
 */
function planSections(options: SummarizeOptions, sourceConcepts: number): TemplateSection[] {
  const asked =
    options.maxConcepts ?? (options.length ? conceptsForLength(options.length, sourceConcepts) : undefined);
  const requested = asked === undefined ? undefined : Math.min(asked, sourceConcepts);
  if (options.template) {
    const sections = options.template.sections;
    const total = sections.reduce((n, s) => n + s.target, 0);
    const cap = requested ?? (total > sourceConcepts ? sourceConcepts : undefined);
    return cap === undefined ? sections : scaleTargets(sections, cap);
  }
  const target = requested ?? Math.min(conceptsForLength("medium", sourceConcepts), sourceConcepts);
  return [{ title: "", level: 0, prompt: null, target }];
}

async function encodeSteering(
  engine: ConceptEngine,
  sections: readonly TemplateSection[],
  lang: string | undefined,
): Promise<(Float32Array | null)[]> {
  const prompts = sections.map((s) => s.prompt);
  const texts = prompts.filter((p): p is string => p !== null);
  if (texts.length === 0 || lang === undefined) return prompts.map(() => null);
  const encoded = await engine.codec.encode(texts, lang);
  let k = 0;
  return prompts.map((p) => (p === null ? null : encoded.vectors[k++]));
}

// Hierarchical reduction ------------------------------------------------------------------------------

/**
 * The material the final summary is generated from: the source itself when it fits, otherwise the
 * concatenated summaries of its chunks (recursively, until they fit).
 */
export async function reduceToContext(
  run: GenerationRun,
  source: Float32Array[],
  units: SourceUnit[],
  sentences: readonly SourceSentence[],
  finalNeed: number,
  maxContext: number,
  signal: AbortSignal | undefined,
): Promise<{ material: Float32Array[]; hierarchy: SummaryResult["hierarchy"] }> {
  let material = source;
  let materialUnits = units;
  const chunks: ChunkReport[] = [];
  let level = 0;
  while (needsHierarchy(material.length, finalNeed, maxContext)) {
    if (signal?.aborted) throw new CancelledError();
    level++;
    const cap = chunkSummaryCap(finalNeed, maxContext);
    const planned = planChunks(materialUnits, material.length, maxChunkLength(maxContext, cap));
    run.plan(planned.length * cap);
    const next: Float32Array[] = [];
    const nextUnits: SourceUnit[] = [];
    for (let k = 0; k < planned.length; k++) {
      const chunk = planned[k];
      const prompt = [...material.slice(chunk.start, chunk.end), run.specials.modelTurn];
      const result = await run.generate(prompt, {
        maxConcepts: cap,
        detail: `level ${level}, chunk ${k + 1}/${planned.length}`,
      });
      const title = chunk.titles.filter(Boolean).join("; ");
      nextUnits.push({ title, start: next.length, end: next.length + result.concepts.length });
      next.push(...result.concepts);
      chunks.push({
        level,
        start: chunk.start,
        end: chunk.end,
        titles: chunk.titles,
        span: level === 1 ? chunkSpan(sentences, chunk) : null,
        summaryConcepts: result.concepts.length,
        stop: result.stop,
      });
    }
    material = next;
    materialUnits = nextUnits;
  }
  return { material, hierarchy: level > 0 ? { levels: level + 1, chunks } : null };
}

function chunkSpan(sentences: readonly SourceSentence[], chunk: Chunk): Span | null {
  let start: number | null = null;
  let end: number | null = null;
  for (let i = chunk.start; i < chunk.end; i++) {
    const span = sentences[i].span;
    if (!span) continue;
    start ??= span[0];
    end = span[1];
  }
  return start === null || end === null ? null : [start, end];
}

function countWords(sentences: readonly SourceSentence[]): number {
  let words = 0;
  for (const s of sentences) words += s.text.split(" ").filter(Boolean).length;
  return words;
}
