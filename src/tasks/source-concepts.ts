/**
 * A document (or outline) as the LCM's source: its sentence concepts in document order with their
 * spans, the section structure as SourceUnits (for hierarchical summarization), and the language of
 * every sentence, so the encoder gets the right tag.
 *
 * Languages: `sourceLang` applies to the whole document when given. Otherwise each top-level section
 * is detected on its own (a bilingual report keeps each half's tag); short or unsure sections take
 * the document's language (src/languages/detect-language.ts).
 */

import type { ConceptCodec } from "../codec/codec.js";
import { locate, type SourceLocation, type SourceMap } from "../inputs/source-locations.js";
import { detectParagraphLanguages } from "../languages/detect-language.js";
import { buildOutline } from "../planner/build-outline.js";
import type { DocumentFormat, Outline, Section, Span } from "../planner/outline.js";
import { ruleSegmenter } from "../segment/rules.js";
import type { Segmenter } from "../segment/types.js";
import { CancelledError, UsageError } from "../util/errors.js";
import type { SourceUnit } from "./hierarchy.js";

export interface SourceSentence {
  /** The outline concept id (c<n>). */
  id: string;
  text: string;
  span: Span | null;
  /** Where it is in the file the user has (PDF page, EPUB chapter...), for converted documents. */
  location?: SourceLocation;
  pinned: boolean;
  /** FLORES code the sentence is encoded with. */
  lang: string;
}

export interface SourceConcepts {
  outline: Outline;
  sentences: SourceSentence[];
  /** Top-level sections as index ranges into `sentences`, with their subsections. */
  units: SourceUnit[];
  /** The document's (main) language and how it was found. */
  lang: string;
  langMethod: "given" | "detected";
}

export interface ReadSourceOptions {
  format: DocumentFormat;
  /** Languages the codec supports: detection answers only these. */
  supported: readonly string[];
  /** A language for the whole document (skips detection). */
  sourceLang?: string;
  segmenter?: Segmenter;
  /** A converted document's source map (inputs/source-locations.ts): each sentence gets its location. */
  locations?: SourceMap;
}

/** Document text -> outline -> source sentences. */
export function readSourceDocument(text: string, options: ReadSourceOptions): SourceConcepts {
  // The segmenter's hint is the given language or buildOutline's own detection (the same for every
  // command), never one narrowed to the codec's languages.
  const outline = buildOutline(text, {
    segmenter: options.segmenter ?? ruleSegmenter,
    format: options.format,
    lang: options.sourceLang,
  });
  return sourceFromOutline(outline, options);
}

/** An outline (built or read from a file) -> source sentences, with per-section languages. */
export function sourceFromOutline(
  outline: Outline,
  options: Pick<ReadSourceOptions, "supported" | "sourceLang" | "locations">,
): SourceConcepts {
  const sentences: SourceSentence[] = [];
  const unitOf = (section: Section): SourceUnit => {
    const start = sentences.length;
    for (const c of section.concepts) {
      if (c.kind !== "sentence") continue;
      const location = locate(options.locations, c.span);
      sentences.push({
        id: c.id,
        text: c.text,
        span: c.span,
        ...(location && { location }),
        pinned: c.pinned,
        lang: "",
      });
    }
    const children = section.sections.map(unitOf);
    return { title: section.title, start, end: sentences.length, children };
  };
  const units = outline.sections.map(unitOf);

  let lang: string;
  let langMethod: SourceConcepts["langMethod"];
  if (options.sourceLang) {
    lang = options.sourceLang;
    langMethod = "given";
    for (const s of sentences) s.lang = lang;
  } else {
    const texts = units.map((u) => sampleText(sentences, u.start, u.end));
    const detection = detectParagraphLanguages(texts.length > 0 ? texts : [""], {
      supported: options.supported,
    });
    lang = detection.document.lang;
    langMethod = "detected";
    units.forEach((u, i) => {
      for (let k = u.start; k < u.end; k++) sentences[k].lang = detection.paragraphs[i]?.lang ?? lang;
    });
  }
  return { outline, sentences, units, lang, langMethod };
}

function sampleText(sentences: readonly SourceSentence[], start: number, end: number): string {
  let text = "";
  for (let i = start; i < end && text.length < 4096; i++) text += `${sentences[i].text} `;
  return text;
}

/**
 * Encodes every sentence with its own language tag: one codec call per language, vectors back in
 * document order. Progress counts sentences over all calls.
 */
export async function encodeSentences(
  codec: ConceptCodec,
  sentences: readonly { text: string; lang: string }[],
  callbacks: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<{ vectors: Float32Array[]; truncated: number[]; cacheHits: number }> {
  if (sentences.length === 0)
    throw new UsageError("the document has no sentences to work with (only code or markup)");
  const byLang = new Map<string, number[]>();
  sentences.forEach((s, i) => {
    const list = byLang.get(s.lang);
    if (list) list.push(i);
    else byLang.set(s.lang, [i]);
  });
  const vectors: Float32Array[] = new Array(sentences.length);
  const truncated: number[] = [];
  let cacheHits = 0;
  let done = 0;
  for (const [lang, indices] of byLang) {
    if (callbacks.signal?.aborted) throw new CancelledError();
    const result = await codec.encode(
      indices.map((i) => sentences[i].text),
      lang,
      {
        signal: callbacks.signal,
        onProgress: callbacks.onProgress && ((d) => callbacks.onProgress!(done + d, sentences.length)),
      },
    );
    indices.forEach((i, k) => {
      vectors[i] = result.vectors[k];
    });
    for (const k of result.truncated) truncated.push(indices[k]);
    cacheHits += result.cacheHits;
    done += indices.length;
  }
  truncated.sort((a, b) => a - b);
  return { vectors, truncated, cacheHits };
}
