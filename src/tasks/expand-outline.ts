/**
 * expandOutline(): an outline -> a fuller document, section by section (the paper's "summary
 * expansion": the extend task of docs/lcm-contract.md, the summarize prompt with roles swapped).
 *
 * Per section: the prompt is [C(section title), the section's concepts..., C("[MODEL]:")] and the
 * section's output is `target` concepts long: the section's target length when the outline sets one,
 * else the template's for a section of that title, else three per outline concept (2..the model's
 * default cap). Pinned concepts are kept verbatim: each takes the output slot proportional to its place
 * among the section's concepts, is fed to the model there as if generated (so what follows continues
 * from it), and is shown with its own text. The generated runs between pinned concepts are sampled to
 * their exact length (stop rules resample instead of ending early), so targets are met. Opaque blocks
 * (code, tables) are carried through after the section's text.
 *
 * A flat outline (no titled sections) with a template takes the template's sections: each is generated
 * from all of the outline's concepts, steered by the section's prompt concept after the model turn.
 */

import type { DecodeOptions } from "../codec/decoder.js";
import type { SourceMap } from "../inputs/source-locations.js";
import { GenerationRun, now } from "../lcm/generation-run.js";
import {
  type GenerationOptions,
  type GenerationSettings,
  resolveGenerationSettings,
} from "../lcm/settings.js";
import { type Concept, type Outline, type Section, walkSections } from "../planner/outline.js";
import { checkDecodeFields, checkField, FIELDS } from "../requests/fields.js";
import { CancelledError, UsageError } from "../util/errors.js";
import type { ConceptEngine, SpecialConcepts } from "./engine.js";
import { GROUNDING_TOP_K, GroundingIndex } from "./grounding.js";
import {
  DEFAULT_GROUNDED,
  isShown,
  isSubstantialSentence,
  type Rendered,
  type RenderRequest,
  renderConcepts,
} from "./render.js";
import {
  encodeSentences,
  type SourceConcepts,
  type SourceSentence,
  sourceFromOutline,
} from "./source-concepts.js";
import { reduceToContext } from "./summarize.js";
import { keepAndRenumber, renderChecks, stageProgress } from "./task-steps.js";
import type { GenerationCounts, Grounding, OutputConcept, TaskCallbacks, TaskTimings } from "./task-types.js";
import type { Template } from "./templates.js";
import { nearestWhole, type WholeSentences, wholeSentences } from "./whole-sentences.js";

/** Output concepts per outline concept when a section sets no target. */
export const DEFAULT_EXPANSION = 3;

export interface ExpandOptions extends GenerationOptions {
  lang?: string;
  sourceLang?: string;
  template?: Template;
  grounded?: boolean;
  groundingThreshold?: number;
  decode?: DecodeOptions;
  /** The source map of the converted document the outline was built from: grounding says where. */
  locations?: SourceMap;
}

export interface ExpandedConcept extends OutputConcept {
  pinned: boolean;
  /** The outline concept id a pinned concept came from. */
  sourceId: string | null;
}

export interface ExpandedSection {
  /** The outline section's id (null for template sections of a flat outline). */
  id: string | null;
  title: string;
  level: number;
  target: number;
  /** Indices into `concepts`. */
  concepts: number[];
  opaque: Concept[];
  stop: string | null;
}

export interface ExpandResult {
  /** The generated document as Markdown. */
  document: string;
  concepts: ExpandedConcept[];
  sections: ExpandedSection[];
  source: {
    sentences: SourceSentence[];
    lang: string;
    langMethod: "given" | "detected";
    /** The outline's sentence cap: longer sentences were cut into pieces (whole-sentences.ts). */
    maxChars: number;
  };
  lang: string;
  settings: GenerationSettings & { grounded: boolean; groundingThreshold: number; template: string | null };
  stats: { timings: TaskTimings; sourceSentences: number; pinned: number } & GenerationCounts;
}

interface SectionPlan {
  id: string | null;
  title: string;
  level: number;
  /** Source sentence indices that make up this section's prompt. */
  items: number[];
  /** Items kept verbatim (indices into `items`). */
  pinned: number[];
  target: number;
  /** Title concept text placed before the items (outline sections). */
  sourceTitle: string | null;
  /** Prompt text placed after the model turn (template sections). */
  steering: string | null;
  opaque: Concept[];
}

export async function expandOutline(
  engine: ConceptEngine,
  outline: Outline,
  options: ExpandOptions = {},
  callbacks: TaskCallbacks = {},
): Promise<ExpandResult> {
  const started = now();
  const { codec, spec } = engine;
  const request = checkExpandRequest(engine, options);
  const { signal, onProgress } = callbacks;

  onProgress?.({ stage: "segment", done: 0, total: 1 });
  const source = sourceFromOutline(outline, {
    supported: codec.languages,
    sourceLang: request.sourceLang,
    locations: options.locations,
  });
  const sentences = source.sentences;
  if (sentences.length === 0 && !hasTitles(outline)) {
    throw new UsageError("the outline has no concepts or section titles to expand");
  }
  const lang = request.givenLang ?? codec.resolveLanguage(source.lang);
  const plans = planSections(outline, sentences, options.template, spec.defaults.maxConcepts);
  onProgress?.({ stage: "segment", done: 1, total: 1 });
  const segmented = now();

  const encoded = await encodeOutline(engine, source, plans, request, options, callbacks);
  const encodedAt = now();

  // Generate, section by section.
  const run = new GenerationRun(engine, request.settings, encoded.specials, callbacks);
  const whole = wholeSentences(sentences, outline.maxChars);
  const ground = sectionGrounding(engine, sentences, whole, plans, encoded.vectors);
  const generation: ExpandGeneration = { outputs: [], sections: [] };
  run.plan(plans.reduce((n, p) => n + Math.max(0, p.target - p.pinned.length), 0));
  for (let si = 0; si < plans.length; si++) {
    if (signal?.aborted) throw new CancelledError();
    await generateSection(run, si, plans[si], generation, { engine, sentences, encoded, ground, callbacks });
  }
  const generatedAt = now();

  const rendered = await renderConcepts(
    codec,
    generation.outputs.map((o) => o.request),
    sentences.map((s, i) => ({ text: whole.text(i), lang: s.lang, vector: encoded.vectors[i] })),
    {
      lang,
      grounded: request.grounded,
      threshold: request.threshold,
      checks: renderChecks(engine, encoded.specials),
      decode: options.decode,
      signal,
      onProgress: stageProgress(onProgress, "decode"),
    },
  );
  const decodedAt = now();
  const concepts = cutAtSentinels(generation, rendered);
  const timings = {
    segment: segmented - started,
    encode: encodedAt - segmented,
    generate: generatedAt - encodedAt,
    decode: decodedAt - generatedAt,
    total: decodedAt - started,
  };
  return expandResult({ outline, source, lang, request, options, generation, concepts, timings, run });
}

function expandResult(parts: {
  outline: Outline;
  source: SourceConcepts;
  lang: string;
  request: ExpandRequest;
  options: ExpandOptions;
  generation: ExpandGeneration;
  concepts: ExpandedConcept[];
  timings: TaskTimings;
  run: GenerationRun;
}): ExpandResult {
  const { source, request, concepts } = parts;
  return {
    document: renderDocument(parts.generation.sections, concepts),
    concepts,
    sections: parts.generation.sections,
    source: {
      sentences: source.sentences,
      lang: source.lang,
      langMethod: source.langMethod,
      maxChars: parts.outline.maxChars,
    },
    lang: parts.lang,
    settings: {
      ...request.settings,
      grounded: request.grounded,
      groundingThreshold: request.threshold,
      template: parts.options.template?.name ?? null,
    },
    stats: {
      timings: parts.timings,
      sourceSentences: source.sentences.length,
      pinned: concepts.filter((c) => c.pinned).length,
      ...parts.run.counts,
    },
  };
}

/** What expandOutline() runs with, checked before any work. */
interface ExpandRequest {
  settings: GenerationSettings;
  threshold: number;
  grounded: boolean;
  sourceLang: string | undefined;
  givenLang: string | undefined;
}

function checkExpandRequest(engine: ConceptEngine, options: ExpandOptions): ExpandRequest {
  const { codec, spec } = engine;
  const settings = resolveGenerationSettings(spec, options);
  engine.predictor(settings);
  checkDecodeFields(options.decode);
  const threshold = options.groundingThreshold ?? spec.defaults.groundingThreshold;
  checkField(FIELDS.groundingThreshold, threshold);
  const resolve = (lang: string | undefined) =>
    lang === undefined ? undefined : codec.resolveLanguage(lang);
  return {
    settings,
    threshold,
    grounded: options.grounded ?? DEFAULT_GROUNDED,
    sourceLang: resolve(options.sourceLang),
    givenLang: resolve(options.lang),
  };
}

interface EncodedOutline {
  /** The outline's concepts, in source sentence order. */
  vectors: Float32Array[];
  /** Section titles' concepts, by title. */
  titles: Map<string, Float32Array>;
  /** Template section prompts' concepts, by prompt. */
  steering: Map<string, Float32Array>;
  specials: SpecialConcepts;
}

/** Encodes the outline's concepts, its section titles and the template's prompts. */
async function encodeOutline(
  engine: ConceptEngine,
  source: SourceConcepts,
  plans: readonly SectionPlan[],
  request: ExpandRequest,
  options: ExpandOptions,
  callbacks: TaskCallbacks,
): Promise<EncodedOutline> {
  const { codec } = engine;
  const encoded =
    source.sentences.length > 0
      ? await encodeSentences(codec, source.sentences, {
          signal: callbacks.signal,
          onProgress: stageProgress(callbacks.onProgress, "encode"),
        })
      : { vectors: [] as Float32Array[], truncated: [], cacheHits: 0 };
  // Section titles are in the outline's language; template prompts in the template's.
  const titles = await encodeTexts(
    engine,
    plans.map((p) => p.sourceTitle),
    request.sourceLang ?? codec.resolveLanguage(source.lang),
  );
  const steering = options.template
    ? await encodeTexts(
        engine,
        plans.map((p) => p.steering),
        codec.resolveLanguage(options.template.lang),
      )
    : new Map<string, Float32Array>();
  const specials = await engine.specialConcepts();
  return { vectors: encoded.vectors, titles, steering, specials };
}

/**
 * Grounding per section: each section grounds only in its own sentences, pinned ones excluded (they
 * are shown verbatim already) and stubs excluded: expand --grounded must neither repeat a pinned
 * sentence nor pull a sentence in from another section. Grounding shows whole sentences: a piece of a
 * sentence the cap cut stands for the whole of it.
 */
function sectionGrounding(
  engine: ConceptEngine,
  sentences: readonly SourceSentence[],
  whole: WholeSentences,
  plans: readonly SectionPlan[],
  vectors: readonly Float32Array[],
): (vector: Float32Array, section: number) => Grounding[] {
  const groundable = (i: number) => !sentences[i].pinned && isSubstantialSentence(whole.text(whole.first[i]));
  const sectionIndexes = plans.map((plan) => {
    const members = plan.items.filter(groundable);
    return {
      members,
      index: new GroundingIndex(members.map((i) => engine.groundingView(vectors[i]))),
    };
  });
  return (vector, si) => {
    const { members, index } = sectionIndexes[si];
    if (index.size === 0) return [];
    const wanted = Math.max(GROUNDING_TOP_K, plans[si].target);
    return nearestWhole(index, engine.groundingView(vector), members, whole, wanted);
  };
}

/** The output so far: every concept placed (generated or pinned) and the sections they went to. */
interface ExpandGeneration {
  outputs: { request: RenderRequest; pinnedId: string | null; section: number }[];
  sections: ExpandedSection[];
}

/**
 * One section: its prompt ([title, its concepts (summarized first when too many for the context),
 * model turn, template prompt]), then runs of generated concepts between its pinned ones, each pinned
 * concept placed in its slot and fed to the model as if generated.
 */
async function generateSection(
  run: GenerationRun,
  si: number,
  plan: SectionPlan,
  out: ExpandGeneration,
  context: {
    engine: ConceptEngine;
    sentences: readonly SourceSentence[];
    encoded: EncodedOutline;
    ground: (vector: Float32Array, section: number) => Grounding[];
    callbacks: TaskCallbacks;
  },
): Promise<void> {
  const { sentences, encoded, callbacks } = context;
  const { maxContext } = context.engine.spec;
  const { id, title, level, target: planned, opaque } = plan;
  const section: ExpandedSection = { id, title, level, target: planned, concepts: [], opaque, stop: null };
  out.sections.push(section);
  if (plan.target === 0) return;
  const prompt = await sectionPrompt(run, plan, context);
  const target = fittingTarget(plan, maxContext - prompt.length, maxContext);
  section.target = target;
  const slots = pinnedSlots(plan.pinned, plan.items.length, target);
  let slot = 0;
  const emit = (vector: Float32Array, pinnedId: string | null, fixedText?: string) => {
    const index = out.outputs.length;
    const grounding = fixedText === undefined ? context.ground(vector, si) : [];
    out.outputs.push({ request: { vector, grounding, fixedText }, pinnedId, section: si });
    section.concepts.push(index);
    callbacks.onConcept?.({
      index,
      section: si,
      vector,
      grounding,
      pinned: pinnedId !== null,
      text: fixedText,
    });
  };
  for (let p = 0; p <= slots.length; p++) {
    const runEnd = p < slots.length ? slots[p].slot : target;
    const length = runEnd - slot;
    if (length > 0) {
      const result = await run.generate(
        prompt,
        { maxConcepts: length, minConcepts: length, detail: plan.title || undefined },
        (g) => emit(g.vector, null),
      );
      prompt.push(...result.concepts);
      section.stop = result.stop;
      slot += result.concepts.length;
      if (result.concepts.length < length) break; // the context is full
    }
    if (p < slots.length) {
      const item = plan.items[slots[p].item];
      const vector = encoded.vectors[item];
      if (prompt.length < maxContext) prompt.push(vector);
      emit(vector, sentences[item].id, sentences[item].text);
      slot++;
    }
  }
}

/** The section's length: its target, or what room the context has left after its prompt. */
function fittingTarget(plan: SectionPlan, room: number, maxContext: number): number {
  if (room < 1) {
    throw new UsageError(
      `section '${plan.title || "(untitled)"}' has ${plan.items.length} concepts, more than the model's context of ${maxContext} takes`,
    );
  }
  return Math.min(plan.target, room);
}

/** [C(title), the section's concepts or their summaries, C("[MODEL]:"), the template prompt]. */
async function sectionPrompt(
  run: GenerationRun,
  plan: SectionPlan,
  context: {
    engine: ConceptEngine;
    sentences: readonly SourceSentence[];
    encoded: EncodedOutline;
    callbacks: TaskCallbacks;
  },
): Promise<Float32Array[]> {
  const { encoded, sentences } = context;
  const { maxContext } = context.engine.spec;
  const prompt: Float32Array[] = [];
  if (plan.sourceTitle) prompt.push(encoded.titles.get(plan.sourceTitle)!);
  // A section longer than the context is first summarized in chunks, the way summarize() handles
  // a long document (hierarchy.ts); the section is then generated from those summaries.
  const wanted = Math.min(plan.target, Math.floor((maxContext - 3) / 2));
  const { material } = await reduceToContext(
    run,
    plan.items.map((i) => encoded.vectors[i]),
    [{ title: plan.title, start: 0, end: plan.items.length }],
    plan.items.map((i) => sentences[i]),
    wanted + (plan.steering ? 1 : 0) + (plan.sourceTitle ? 1 : 0),
    maxContext,
    context.callbacks.signal,
  );
  prompt.push(...material);
  prompt.push(encoded.specials.modelTurn);
  if (plan.steering) prompt.push(encoded.steering.get(plan.steering)!);
  return prompt;
}

/**
 * The concepts a reader gets: a concept that decoded to the end-of-text sentinel is a stop, dropped
 * with the rest of its run (pinned concepts stay).
 */
function cutAtSentinels(generation: ExpandGeneration, rendered: readonly Rendered[]): ExpandedConcept[] {
  const { outputs, sections } = generation;
  const keep = outputs.map(() => true);
  for (const section of sections) {
    const cut = section.concepts.findIndex((i) => rendered[i].rendering === "sentinel");
    if (cut < 0) continue;
    for (const i of section.concepts.slice(cut)) if (outputs[i].pinnedId === null) keep[i] = false;
  }
  const kept = keepAndRenumber(
    outputs.map((o, i) => ({ o, r: rendered[i] })),
    keep,
    sections,
  );
  return kept.map(({ o, r }) => ({
    text: r.text,
    grounding: o.request.grounding as Grounding[],
    grounded: r.grounded,
    rendering: r.rendering,
    sourceIndex: r.sourceIndex,
    section: o.section,
    vector: o.request.vector,
    pinned: o.pinnedId !== null,
    sourceId: o.pinnedId,
  }));
}

async function encodeTexts(
  engine: ConceptEngine,
  texts: readonly (string | null)[],
  lang: string,
): Promise<Map<string, Float32Array>> {
  const unique = [...new Set(texts.filter((t): t is string => !!t))];
  const out = new Map<string, Float32Array>();
  if (unique.length === 0) return out;
  const encoded = await engine.codec.encode(unique, lang);
  unique.forEach((text, i) => {
    out.set(text, encoded.vectors[i]);
  });
  return out;
}

function hasTitles(outline: Outline): boolean {
  for (const { section } of walkSections(outline.sections)) if (section.title) return true;
  return false;
}

/** Default output length for a section of `items` outline concepts. */
export function defaultTarget(items: number, cap: number): number {
  return Math.max(2, Math.min(cap, DEFAULT_EXPANSION * Math.max(1, items)));
}

/**
 * Output slots for pinned items: item i of n goes to slot floor(i * target / n), pushed later when
 * taken, so pinned concepts keep their order and relative place. More pinned items than the target
 * grow the section to hold them all.
 */
export function pinnedSlots(
  pinned: readonly number[],
  items: number,
  target: number,
): { item: number; slot: number }[] {
  const out: { item: number; slot: number }[] = [];
  let next = 0;
  const size = Math.max(target, pinned.length);
  pinned.forEach((item, k) => {
    const ideal = Math.floor((item * size) / Math.max(1, items));
    // Leave room for the pinned items still to come.
    const slot = Math.min(Math.max(ideal, next), size - (pinned.length - k));
    out.push({ item, slot });
    next = slot + 1;
  });
  return out;
}

function planSections(
  outline: Outline,
  sentences: readonly SourceSentence[],
  template: Template | undefined,
  cap: number,
): SectionPlan[] {
  const indexById = new Map(sentences.map((s, i) => [s.id, i]));
  const templateTargets = new Map((template?.sections ?? []).map((s) => [s.title.toLowerCase(), s.target]));

  if (template && !hasTitles(outline)) {
    const items = sentences.map((_, i) => i);
    const pinnedAll = items.filter((i) => sentences[i].pinned);
    const opaque = [...walkSections(outline.sections)].flatMap(({ section }) =>
      section.concepts.filter((c) => c.kind === "opaque"),
    );
    return template.sections.map((t, k) => ({
      id: null,
      title: t.title,
      level: t.level === 0 ? 0 : Math.max(1, t.level),
      items,
      // Pinned concepts of a flat outline open the first section.
      pinned: k === 0 ? pinnedAll : [],
      target: Math.max(t.target, k === 0 ? pinnedAll.length : 0),
      sourceTitle: null,
      steering: t.prompt,
      opaque: k === template.sections.length - 1 ? opaque : [],
    }));
  }

  const plans: SectionPlan[] = [];
  for (const { section } of walkSections(outline.sections)) plans.push(planOutlineSection(section));
  return plans;

  function planOutlineSection(section: Section): SectionPlan {
    const items: number[] = [];
    const pinned: number[] = [];
    for (const c of section.concepts) {
      if (c.kind !== "sentence") continue;
      if (c.pinned) pinned.push(items.length);
      items.push(indexById.get(c.id)!);
    }
    const generatable = items.length > 0 || section.title !== "";
    const target = generatable
      ? (section.targetLength ??
        templateTargets.get(section.title.toLowerCase()) ??
        defaultTarget(items.length, cap))
      : 0;
    return {
      id: section.id,
      title: section.title,
      level: section.level,
      items,
      pinned,
      target: Math.max(target, pinned.length),
      sourceTitle: section.title || null,
      steering: null,
      opaque: section.concepts.filter((c) => c.kind === "opaque"),
    };
  }
}

/** Markdown: headings at their levels, each section's concepts as one paragraph, opaque blocks after. */
export function renderDocument(
  sections: readonly ExpandedSection[],
  concepts: readonly Pick<ExpandedConcept, "text" | "rendering">[],
): string {
  const parts: string[] = [];
  for (const s of sections) {
    if (s.title && s.level > 0) parts.push(`${"#".repeat(s.level)} ${s.title}`);
    const text = s.concepts
      .filter((i) => isShown(concepts[i].rendering))
      .map((i) => concepts[i].text)
      .join(" ");
    if (text) parts.push(text);
    for (const block of s.opaque) parts.push(block.text);
  }
  return `${parts.join("\n\n")}\n`;
}
