/**
 * The compression an outline shows: how many tokens of prose became how many concepts.
 * tokens counts the sentence concepts' text (opaque blocks are never encoded, so they are left out),
 * with the codec tokenizer when the caller has one (`countTokens`), else with estimateTokens.
 */
import { type Concept, type Outline, walkConcepts, walkSections } from "./outline.js";
import { estimateTokens } from "./token-estimate.js";

export interface OutlineStats {
  /** Characters of the source document (UTF-16 code units, the unit spans use); of the concepts if none. */
  chars: number;
  tokens: number;
  /** Sentence concepts (what gets encoded). */
  concepts: number;
  /** tokens per concept, 1 decimal (0 when there are no concepts). */
  ratio: number;
  /** "tokenizer" when `countTokens` was given, "estimate" otherwise (see token-estimate.ts). */
  token_source: "tokenizer" | "estimate";
  sections: number;
  opaque_blocks: number;
}

export function outlineStats(outline: Outline, countTokens?: (text: string) => number): OutlineStats {
  const count = countTokens ?? estimateTokens;
  return outlineStatsBy(outline, (concept) => count(concept.text), countTokens ? "tokenizer" : "estimate");
}

/** outlineStats with the per-concept token count supplied (callers that cache counts per concept). */
export function outlineStatsBy(
  outline: Outline,
  tokensOf: (concept: Concept) => number,
  tokenSource: OutlineStats["token_source"],
): OutlineStats {
  let tokens = 0;
  let concepts = 0;
  let opaque = 0;
  let conceptChars = 0;
  for (const { concept } of walkConcepts(outline)) {
    if (concept.kind === "opaque") {
      opaque++;
      continue;
    }
    concepts++;
    tokens += tokensOf(concept);
    conceptChars += concept.text.length;
  }
  let sections = 0;
  for (const _ of walkSections(outline.sections)) sections++;
  return {
    chars: outline.source?.chars ?? conceptChars,
    tokens,
    concepts,
    ratio: concepts === 0 ? 0 : Math.round((tokens / concepts) * 10) / 10,
    token_source: tokenSource,
    sections,
    opaque_blocks: opaque,
  };
}
