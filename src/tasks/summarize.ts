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

import type { DecodeOptions } from "../codec/decoder.js";
import type { SourceMap } from "../inputs/source-locations.js";
import { GenerationRun, now } from "../lcm/generation-run.js";
import {
  type GenerationOptions,
  type GenerationSettings,
  resolveGenerationSettings,
} from "../lcm/settings.js";
import type { LcmSpecCommon } from "../lcm/spec.js";
import type { DocumentFormat, Outline, Span } from "../planner/outline.js";
import { checkDecodeFields, checkField, checkOptionalField, FIELDS } from "../requests/fields.js";
import { CancelledError, UsageError } from "../util/errors.js";
import { type Coverage, summaryCoverage } from "./coverage.js";
import type { ConceptEngine, SpecialConcepts } from "./engine.js";
import { GROUNDING_TOP_K, GroundingIndex, groundedPicker } from "./grounding.js";
import { groundingCandidates } from "./grounding-candidates.js";
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
  type Rendered,
  type RenderOptions,
  renderAgain,
  renderConcepts,
} from "./render.js";
import { lengthWeighted, type SalienceSpace } from "./salience.js";
import {
  encodeSentences,
  readSourceDocument,
  type SourceConcepts,
  type SourceSentence,
  sourceFromOutline,
} from "./source-concepts.js";
import { keepAndRenumber, renderChecks, stageProgress } from "./task-steps.js";
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
  /** Weight of a source sentence's centrality (salience.ts) when grounding picks it; default the model's. */
  salience?: number;
  /** Exponent of the length factor that scales that centrality (salience.ts); default the model's. */
  salienceLength?: number;
  /**
   * Go on generating from what the reader is shown (default false: from the predictions): grounded,
   * each concept's shown source sentence goes into the context in place of the prediction; otherwise
   * the decoder's text, encoded again (decode -> re-encode). Measured on the dev split: no gain.
   */
  reencode?: boolean;
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
  /** Which of the document's sections the summary speaks for (coverage.ts); null for a one-section document. */
  coverage: Coverage | null;
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
    salience: number;
    salienceLength: number;
    /** Where centrality was measured (salience.ts). */
    salienceSpace: SalienceSpace["name"];
    reencode: boolean;
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
  const request = checkSummaryRequest(engine, options);
  const { signal, onProgress: progress } = callbacks;

  // Segment
  progress?.({ stage: "segment", done: 0, total: 1 });
  const source = segmentSource(codec, input, request.sourceLang);
  const lang = request.givenLang ?? codec.resolveLanguage(source.lang);
  progress?.({ stage: "segment", done: 1, total: 1 });
  const segmented = now();

  // Encode: the source, the special concepts, the template's section prompts.
  if (signal?.aborted) throw new CancelledError();
  const encoded = await encodeSentences(codec, source.sentences, {
    signal,
    onProgress: stageProgress(progress, "encode"),
  });
  const specials = await engine.specialConcepts();
  const sections = planSections(options, source.sentences.length);
  const steering = await encodeSteering(engine, sections, request.templateLang);
  const encodedAt = now();

  // Generate
  const finalNeed = sections.reduce((n, s, i) => n + s.target + (steering[i] ? 1 : 0), 0);
  if (finalNeed > spec.maxContext - 2) throw tooLongForContext(finalNeed, spec.maxContext);
  const run = new GenerationRun(engine, request.settings, specials, callbacks);
  const { material, hierarchy } = await reduceToContext(
    run,
    encoded.vectors,
    source.units,
    source.sentences,
    finalNeed,
    spec.maxContext,
    signal,
  );
  const renderContext = {
    lang,
    threshold: request.threshold,
    salience: request.salience,
    salienceLength: request.salienceLength,
    salienceSpace: await engine.salienceSpace(),
    text: input.text,
    options,
    specials,
    signal,
  };
  const rendering = summaryRendering(engine, source, encoded.vectors, finalNeed, renderContext);
  const planned = finalNeed - steering.filter(Boolean).length;
  run.plan(planned);
  const prompt = [...material, specials.modelTurn];
  const generation = await generateSections(run, prompt, sections, steering, {
    options,
    callbacks,
    rendering,
  });
  const generatedAt = now();

  // Decode
  await renderRest(generation.generated, rendering, stageProgress(progress, "decode"));
  const decodedAt = now();

  const concepts = cutAtSentinels(generation, options.template !== undefined);
  return summaryResult({
    input,
    options,
    source,
    lang,
    concepts,
    generation,
    hierarchy,
    settings: summarySettings(request, options, {
      planned,
      grounded: rendering.grounded,
      spec,
      salienceSpace: renderContext.salienceSpace.name,
    }),
    times: { started, segmented, encodedAt, generatedAt, decodedAt },
    encoded,
    counts: run.counts,
  });
}

/** What summarize() runs with, checked before any work. */
interface SummaryRequest {
  settings: GenerationSettings;
  threshold: number;
  salience: number;
  salienceLength: number;
  sourceLang: string | undefined;
  /** The output language asked for; the source's when undefined. */
  givenLang: string | undefined;
  templateLang: string | undefined;
}

/** The request checked (the request fields' bounds, then the model's), its languages resolved. */
function checkSummaryRequest(engine: ConceptEngine, options: SummarizeOptions): SummaryRequest {
  const { codec, spec } = engine;
  const settings = resolveGenerationSettings(spec, options);
  engine.predictor(settings); // a missing Base-LCM graph fails here, before any work
  checkLength(options, spec.maxContext);
  checkDecodeFields(options.decode);
  const threshold = options.groundingThreshold ?? spec.defaults.groundingThreshold;
  checkField(FIELDS.groundingThreshold, threshold);
  const salience = options.salience ?? spec.defaults.salience;
  checkField(FIELDS.salience, salience);
  const salienceLength = options.salienceLength ?? spec.defaults.salienceLength;
  checkField(FIELDS.salienceLength, salienceLength);
  const resolve = (lang: string | undefined) =>
    lang === undefined ? undefined : codec.resolveLanguage(lang);
  return {
    settings,
    threshold,
    salience,
    salienceLength,
    sourceLang: resolve(options.sourceLang),
    givenLang: resolve(options.lang),
    templateLang: resolve(options.template?.lang),
  };
}

function checkLength(options: SummarizeOptions, maxContext: number): void {
  const { maxConcepts, minConcepts } = options;
  if (maxConcepts !== undefined && options.length !== undefined) {
    throw new UsageError("give either a maximum number of concepts or a length, not both");
  }
  checkOptionalField(FIELDS.maxConcepts, maxConcepts);
  // Impossible whatever the source (a short source would only cap it, hiding the mistake).
  if (maxConcepts !== undefined && maxConcepts > maxContext - 2)
    throw tooLongForContext(maxConcepts, maxContext);
  if (minConcepts === undefined) return;
  checkField(FIELDS.minConcepts, minConcepts);
  if (options.template)
    throw new UsageError("a minimum length does not apply to a template (its sections set it)");
  if (maxConcepts !== undefined && minConcepts > maxConcepts) {
    throw new UsageError(
      `the minimum number of concepts (${minConcepts}) is above the maximum (${maxConcepts})`,
    );
  }
}

/** The settings a summary reports: the sampler's, its length, grounding, template and context. */
function summarySettings(
  request: SummaryRequest,
  options: SummarizeOptions,
  run: { planned: number; grounded: boolean; spec: LcmSpecCommon; salienceSpace: SalienceSpace["name"] },
): SummaryResult["settings"] {
  return {
    ...request.settings,
    maxConcepts: run.planned,
    grounded: run.grounded,
    groundingThreshold: request.threshold,
    salience: request.salience,
    salienceLength: request.salienceLength,
    salienceSpace: run.salienceSpace,
    reencode: options.reencode ?? false,
    template: options.template?.name ?? null,
    maxContext: run.spec.maxContext,
  };
}

function tooLongForContext(concepts: number, maxContext: number): UsageError {
  return new UsageError(
    `a summary of ${concepts} concepts does not fit the model's context of ${maxContext} concepts; ask for fewer`,
  );
}

/** The source's sentences: from the outline the caller has, else from the text. */
function segmentSource(
  codec: ConceptEngine["codec"],
  input: SummarizeInput,
  sourceLang: string | undefined,
): SourceConcepts {
  const source = input.outline
    ? sourceFromOutline(input.outline, { supported: codec.languages, sourceLang, locations: input.locations })
    : readSourceDocument(input.text, {
        format: input.format,
        supported: codec.languages,
        sourceLang,
        locations: input.locations,
      });
  if (source.sentences.length === 0) {
    throw new UsageError(`${input.name ?? "the document"}: no sentences to summarize (only code or markup)`);
  }
  return source;
}

/** How generated concepts find the source sentences they restate, and how they are rendered. */
interface SummaryRendering {
  ground: (vector: Float32Array) => Grounding[];
  /**
   * A feedback for generateConcepts: each kept concept's shown source sentence (picked as render.ts
   * will pick it: the best match not shown before, over the whole summary), or the concept itself
   * when none is shown. One per summary.
   */
  sourceFeedback: () => (vector: Float32Array) => Float32Array;
  decodedFeedback: (vector: Float32Array) => Promise<Float32Array>;
  render: (
    items: GeneratedConcept[],
    onProgress?: (done: number, total: number) => void,
  ) => Promise<Rendered[]>;
  grounded: boolean;
}

function summaryRendering(
  engine: ConceptEngine,
  source: SourceConcepts,
  vectors: readonly Float32Array[],
  finalNeed: number,
  context: {
    lang: string;
    threshold: number;
    salience: number;
    salienceLength: number;
    salienceSpace: SalienceSpace;
    /** The document's text (the sentences' spans index it). */
    text: string;
    options: SummarizeOptions;
    specials: SpecialConcepts;
    signal: AbortSignal | undefined;
  },
): SummaryRendering {
  const sentences = source.sentences;
  const {
    whole,
    eligible: substantial,
    candidates,
    places,
  } = groundingCandidates(context.text, sentences, source.outline.maxChars);
  const views = candidates.map((i) => engine.groundingView(vectors[i]));
  // Salience only picks the sentence a grounded summary shows; the decoder's own renderings list
  // their nearest sentences by cosine alone.
  const grounded = context.options.grounded ?? DEFAULT_GROUNDED;
  const groundingIndex = new GroundingIndex(
    views,
    grounded && context.salience > 0
      ? {
          values: lengthWeighted(
            context.salienceSpace.prior(
              candidates.map((i) => vectors[i]),
              places,
            ),
            places.lengths,
            context.salienceLength,
          ),
          weight: context.salience,
        }
      : undefined,
  );
  // As many neighbours as the summary has concepts (at least 3): grounded rendering never shows a
  // source sentence twice, so a concept must always find one its predecessors did not take. Pieces of
  // one sentence count once (its best piece), so twice as many are looked up.
  const neighbours = Math.max(GROUNDING_TOP_K, finalNeed);
  const renderSources = sentences.map((s, i) => ({ text: whole.text(i), lang: s.lang, vector: vectors[i] }));
  const options: RenderOptions = {
    lang: context.lang,
    grounded,
    threshold: context.threshold,
    decode: context.options.decode,
    signal: context.signal,
    checks: renderChecks(engine, context.specials),
    eligibleSource: (i: number) => substantial[i],
  };
  const ground = (vector: Float32Array) =>
    nearestWhole(groundingIndex, engine.groundingView(vector), candidates, whole, neighbours);
  return {
    ground,
    decodedFeedback: async (vector) => {
      const [decoded] = await engine.codec.decode([vector], context.lang, context.options.decode);
      return (await engine.codec.encode([decoded.text], context.lang)).vectors[0];
    },
    sourceFeedback: () => {
      const pick = groundedPicker(options.threshold);
      return (vector) => {
        const shown = pick(ground(vector).filter((m) => substantial[m.index]));
        return shown === null ? vector : vectors[shown];
      };
    },
    render: (items, onProgress) =>
      renderConcepts(engine.codec, items, renderSources, onProgress ? { ...options, onProgress } : options),
    grounded: options.grounded,
  };
}

/** A generated concept on its way to the result (rendered while streaming, or after generation). */
interface GeneratedConcept {
  vector: Float32Array;
  grounding: Grounding[];
  section: number | null;
  rendered?: Rendered;
}

interface SummaryGeneration {
  generated: GeneratedConcept[];
  sections: SummarySection[];
  /** Why each section's generation ended. */
  stops: string[];
  /** Time spent decoding while generating (streamed text), counted as decode time. */
  decodeTime: number;
}

/**
 * The summary's sections, one generation call each, every one continuing the prompt the previous
 * ones grew (a template section's prompt concept goes in first). With `streamText`, each concept is
 * rendered as soon as it is generated, so onConcept carries its text.
 */
async function generateSections(
  run: GenerationRun,
  prompt: Float32Array[],
  sections: readonly TemplateSection[],
  steering: readonly (Float32Array | null)[],
  context: {
    options: SummarizeOptions;
    callbacks: TaskCallbacks;
    rendering: SummaryRendering;
  },
): Promise<SummaryGeneration> {
  const { options, callbacks, rendering } = context;
  const out: SummaryGeneration = { generated: [], sections: [], stops: [], decodeTime: 0 };
  const feedback = !options.reencode
    ? undefined
    : rendering.grounded
      ? rendering.sourceFeedback()
      : rendering.decodedFeedback;
  for (let si = 0; si < sections.length; si++) {
    const section = sections[si];
    if (steering[si]) prompt.push(steering[si]!);
    const sectionIndex = options.template ? si : null;
    const indices: number[] = [];
    const pending: Promise<void>[] = [];
    const onGenerated = (vector: Float32Array) => {
      const item: GeneratedConcept = { vector, grounding: rendering.ground(vector), section: sectionIndex };
      const index = out.generated.length;
      out.generated.push(item);
      indices.push(index);
      const event: ConceptEvent = { index, section: sectionIndex, vector, grounding: item.grounding };
      if (!options.streamText) {
        callbacks.onConcept?.(event);
        return;
      }
      pending.push(
        (async () => {
          const t = now();
          const [rendered] = await rendering.render([item]);
          out.decodeTime += now() - t;
          item.rendered = rendered;
          callbacks.onConcept?.({ ...event, text: rendered.text, grounded: rendered.grounded });
        })(),
      );
    };
    const result = await run.generate(
      prompt,
      {
        maxConcepts: section.target,
        minConcepts: Math.min(options.minConcepts ?? section.target, section.target),
        detail: section.title || undefined,
        // Grounded, an end-of-text candidate is shown as a source sentence, never as the sentinel.
        keepEndOfText: rendering.grounded,
        feedback,
      },
      (g) => onGenerated(g.vector),
    );
    await Promise.all(pending);
    prompt.push(...(result.context ?? result.concepts));
    out.stops.push(result.stop);
    out.sections.push({
      title: section.title,
      level: section.level,
      target: section.target,
      concepts: indices,
    });
  }
  return out;
}

/** Renders the concepts streaming did not render yet (all of them, without streamed text). */
async function renderRest(
  generated: GeneratedConcept[],
  rendering: SummaryRendering,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<void> {
  const toRender = generated.filter((g) => !g.rendered);
  const rendered = await rendering.render(toRender, onProgress);
  toRender.forEach((g, k) => {
    g.rendered = rendered[k];
  });
}

/**
 * The rendered concepts a reader gets: a concept that decoded to the end-of-text sentinel is a stop,
 * so it and the rest of its section go (and, without a template, the summary stopped at the end of text).
 */
function cutAtSentinels(generation: SummaryGeneration, template: boolean): OutputConcept[] {
  const { generated, sections, stops } = generation;
  const keep = generated.map(() => true);
  for (const section of sections) {
    const cut = section.concepts.findIndex((i) => generated[i].rendered!.rendering === "sentinel");
    if (cut < 0) continue;
    for (const i of section.concepts.slice(cut)) keep[i] = false;
    if (!template) stops[stops.length - 1] = "end_of_text";
  }
  return keepAndRenumber(generated, keep, sections).map((g) => ({
    text: g.rendered!.text,
    grounding: g.grounding,
    grounded: g.rendered!.grounded,
    rendering: g.rendered!.rendering,
    sourceIndex: g.rendered!.sourceIndex,
    section: g.section,
    vector: g.vector,
  }));
}

function summaryResult(parts: {
  input: SummarizeInput;
  options: SummarizeOptions;
  source: SourceConcepts;
  lang: string;
  concepts: OutputConcept[];
  generation: SummaryGeneration;
  hierarchy: SummaryResult["hierarchy"];
  settings: SummaryResult["settings"];
  /** When each stage ended (now()). */
  times: { started: number; segmented: number; encodedAt: number; generatedAt: number; decodedAt: number };
  encoded: { cacheHits: number; truncated: number[] };
  counts: GenerationCounts;
}): SummaryResult {
  const { input, options, source, concepts, generation } = parts;
  const { started, segmented, encodedAt, generatedAt, decodedAt } = parts.times;
  // Decoding done while generating (streamed text) counts as decode time.
  const timings: TaskTimings = {
    segment: segmented - started,
    encode: encodedAt - segmented,
    generate: generatedAt - encodedAt - generation.decodeTime,
    decode: decodedAt - generatedAt + generation.decodeTime,
    total: decodedAt - started,
  };
  const sections = options.template ? generation.sections : null;
  return {
    summary: joinSummary(concepts, sections),
    concepts,
    sections,
    hierarchy: parts.hierarchy,
    coverage: summaryCoverage(
      source.units,
      source.sentences,
      concepts,
      parts.hierarchy?.chunks.filter((c) => c.level === 1) ?? null,
    ),
    source: {
      name: input.name ?? "",
      format: input.outline?.source?.format ?? input.format,
      sentences: source.sentences,
      lang: source.lang,
      langMethod: source.langMethod,
      maxChars: source.outline.maxChars,
    },
    lang: parts.lang,
    settings: parts.settings,
    stops: generation.stops,
    stats: {
      timings,
      sourceSentences: source.sentences.length,
      sourceChars: input.text.length,
      sourceWords: countWords(source.sentences),
      grounded: concepts.filter((c) => c.grounded).length,
      encodeCacheHits: parts.encoded.cacheHits,
      truncated: parts.encoded.truncated,
      ...parts.counts,
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
