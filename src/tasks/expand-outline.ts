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
import { GenerationRun, now } from "../lcm/generation-run.js";
import {
  type GenerationOptions,
  type GenerationSettings,
  resolveGenerationSettings,
} from "../lcm/settings.js";
import { type Concept, type Outline, type Section, walkSections } from "../planner/outline.js";
import { CancelledError, UsageError } from "../util/errors.js";
import type { ConceptEngine } from "./engine.js";
import { GROUNDING_TOP_K, GroundingIndex } from "./grounding.js";
import {
  DEFAULT_GROUNDED,
  isShown,
  isSubstantialSentence,
  type RenderRequest,
  renderConcepts,
} from "./render.js";
import { encodeSentences, type SourceSentence, sourceFromOutline } from "./source-concepts.js";
import { reduceToContext } from "./summarize.js";
import type { GenerationCounts, Grounding, OutputConcept, TaskCallbacks, TaskTimings } from "./task-types.js";
import type { Template } from "./templates.js";
import { nearestWhole, wholeSentences } from "./whole-sentences.js";

/** Output concepts per outline concept when a section sets no target. */
export const DEFAULT_EXPANSION = 3;

export interface ExpandOptions extends GenerationOptions {
  lang?: string;
  sourceLang?: string;
  template?: Template;
  grounded?: boolean;
  groundingThreshold?: number;
  decode?: DecodeOptions;
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
  const settings = resolveGenerationSettings(spec, options);
  engine.predictor(settings);
  const threshold = options.groundingThreshold ?? spec.defaults.groundingThreshold;
  if (!(threshold >= -1 && threshold <= 1)) {
    throw new UsageError(`the grounding threshold must be a cosine in [-1, 1], got ${threshold}`);
  }
  const sourceLang = options.sourceLang === undefined ? undefined : codec.resolveLanguage(options.sourceLang);
  const givenLang = options.lang === undefined ? undefined : codec.resolveLanguage(options.lang);
  const { signal, onProgress } = callbacks;
  const grounded = options.grounded ?? DEFAULT_GROUNDED;

  onProgress?.({ stage: "segment", done: 0, total: 1 });
  const source = sourceFromOutline(outline, { supported: codec.languages, sourceLang });
  const sentences = source.sentences;
  if (sentences.length === 0 && !hasTitles(outline)) {
    throw new UsageError("the outline has no concepts or section titles to expand");
  }
  const lang = givenLang ?? codec.resolveLanguage(source.lang);
  const plans = planSections(outline, sentences, options.template, spec.defaults.maxConcepts);
  onProgress?.({ stage: "segment", done: 1, total: 1 });
  const segmented = now();

  // Encode the outline's concepts, titles and template prompts.
  const encoded =
    sentences.length > 0
      ? await encodeSentences(codec, sentences, {
          signal,
          onProgress: onProgress && ((done, total) => onProgress({ stage: "encode", done, total })),
        })
      : { vectors: [] as Float32Array[], truncated: [], cacheHits: 0 };
  // Section titles are in the outline's language; template prompts in the template's.
  const titleVectors = await encodeTexts(
    engine,
    plans.map((p) => p.sourceTitle),
    sourceLang ?? codec.resolveLanguage(source.lang),
  );
  const steeringVectors = options.template
    ? await encodeTexts(
        engine,
        plans.map((p) => p.steering),
        codec.resolveLanguage(options.template.lang),
      )
    : new Map<string, Float32Array>();
  const specials = await engine.specialConcepts();
  const encodedAt = now();

  // Generate, section by section.
  const run = new GenerationRun(engine, settings, specials, callbacks);
  // Each section grounds only in its own sentences, pinned ones excluded (they are shown verbatim
  // already) and stubs excluded: expand --grounded must neither repeat a pinned sentence nor pull a
  // sentence in from another section.
  // Grounding shows whole sentences: a piece of a sentence the cap cut stands for the whole of it.
  const whole = wholeSentences(sentences, outline.maxChars);
  const groundable = (i: number) => !sentences[i].pinned && isSubstantialSentence(whole.text(whole.first[i]));
  const sectionIndexes = plans.map((plan) => {
    const members = plan.items.filter(groundable);
    return {
      members,
      index: new GroundingIndex(members.map((i) => engine.groundingView(encoded.vectors[i]))),
    };
  });
  const ground = (vector: Float32Array, si: number): Grounding[] => {
    const { members, index } = sectionIndexes[si];
    if (index.size === 0) return [];
    const wanted = Math.max(GROUNDING_TOP_K, plans[si].target);
    return nearestWhole(index, engine.groundingView(vector), members, whole, wanted);
  };
  const outputs: { request: RenderRequest; pinnedId: string | null; section: number }[] = [];
  const sections: ExpandedSection[] = [];
  run.plan(plans.reduce((n, p) => n + Math.max(0, p.target - p.pinned.length), 0));
  for (let si = 0; si < plans.length; si++) {
    if (signal?.aborted) throw new CancelledError();
    const plan = plans[si];
    const section: ExpandedSection = {
      id: plan.id,
      title: plan.title,
      level: plan.level,
      target: plan.target,
      concepts: [],
      opaque: plan.opaque,
      stop: null,
    };
    sections.push(section);
    if (plan.target === 0) continue;
    const prompt: Float32Array[] = [];
    if (plan.sourceTitle) prompt.push(titleVectors.get(plan.sourceTitle)!);
    // A section longer than the context is first summarized in chunks, the way summarize() handles
    // a long document (hierarchy.ts); the section is then generated from those summaries.
    const wanted = Math.min(plan.target, Math.floor((spec.maxContext - 3) / 2));
    const { material } = await reduceToContext(
      run,
      plan.items.map((i) => encoded.vectors[i]),
      [{ title: plan.title, start: 0, end: plan.items.length }],
      plan.items.map((i) => sentences[i]),
      wanted + (plan.steering ? 1 : 0) + (plan.sourceTitle ? 1 : 0),
      spec.maxContext,
      signal,
    );
    prompt.push(...material);
    prompt.push(specials.modelTurn);
    if (plan.steering) prompt.push(steeringVectors.get(plan.steering)!);
    const room = spec.maxContext - prompt.length;
    if (room < 1) {
      throw new UsageError(
        `section '${plan.title || "(untitled)"}' has ${plan.items.length} concepts, more than the model's context of ${spec.maxContext} takes`,
      );
    }
    const target = Math.min(plan.target, room);
    section.target = target;
    const slots = pinnedSlots(plan.pinned, plan.items.length, target);
    let slot = 0;
    const emit = (vector: Float32Array, pinnedId: string | null, fixedText?: string) => {
      const index = outputs.length;
      const grounding = fixedText === undefined ? ground(vector, si) : [];
      outputs.push({ request: { vector, grounding, fixedText }, pinnedId, section: si });
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
        if (prompt.length < spec.maxContext) prompt.push(vector);
        emit(vector, sentences[item].id, sentences[item].text);
        slot++;
      }
    }
  }
  const generatedAt = now();

  const rendered = await renderConcepts(
    codec,
    outputs.map((o) => o.request),
    sentences.map((s, i) => ({
      text: whole.text(i),
      lang: s.lang,
      vector: encoded.vectors[i],
    })),
    {
      lang,
      grounded,
      threshold,
      checks: {
        endOfText: specials.endOfText,
        view: (v: Float32Array) => engine.groundingView(v),
        sentinelCosine: spec.defaults.sentinelCosine,
        faithfulCosine: spec.defaults.faithfulCosine,
      },
      decode: options.decode,
      signal,
      onProgress: onProgress && ((done, total) => onProgress({ stage: "decode", done, total })),
    },
  );
  const decodedAt = now();
  // A concept that decoded to the end-of-text sentinel is a stop: dropped with the rest of its run.
  const keep = outputs.map(() => true);
  for (const section of sections) {
    const cut = section.concepts.findIndex((i) => rendered[i].rendering === "sentinel");
    if (cut < 0) continue;
    for (const i of section.concepts.slice(cut)) if (outputs[i].pinnedId === null) keep[i] = false;
  }
  const renumber = new Map<number, number>();
  outputs.forEach((_, i) => {
    if (keep[i]) renumber.set(i, renumber.size);
  });
  for (const section of sections) {
    section.concepts = section.concepts.filter((i) => keep[i]).map((i) => renumber.get(i)!);
  }
  const concepts: ExpandedConcept[] = outputs
    .flatMap((o, i) => (keep[i] ? [{ o, i }] : []))
    .map(({ o, i }) => ({
      text: rendered[i].text,
      grounding: o.request.grounding as Grounding[],
      grounded: rendered[i].grounded,
      rendering: rendered[i].rendering,
      sourceIndex: rendered[i].sourceIndex,
      section: o.section,
      vector: o.request.vector,
      pinned: o.pinnedId !== null,
      sourceId: o.pinnedId,
    }));

  return {
    document: renderDocument(sections, concepts),
    concepts,
    sections,
    source: { sentences, lang: source.lang, langMethod: source.langMethod, maxChars: outline.maxChars },
    lang,
    settings: {
      ...settings,
      grounded,
      groundingThreshold: threshold,
      template: options.template?.name ?? null,
    },
    stats: {
      timings: {
        segment: segmented - started,
        encode: encodedAt - segmented,
        generate: generatedAt - encodedAt,
        decode: decodedAt - generatedAt,
        total: decodedAt - started,
      },
      sourceSentences: sentences.length,
      pinned: concepts.filter((c) => c.pinned).length,
      ...run.counts,
    },
  };
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
