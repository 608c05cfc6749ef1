/**
 * The status line's figures (outline-stats.ts's numbers), cheap to recompute after every edit: token
 * counts are cached per concept object. Concepts are immutable and an edit shares every concept it
 * does not touch, so after the first count an edit costs the concepts it changed, not the document.
 * (On a 5 MB book a full recount took ~200 ms per keystroke.)
 */
import type { Concept, Outline } from "../../planner/outline.js";
import { walkConcepts, walkSections } from "../../planner/outline.js";
import type { OutlineStats } from "../../planner/outline-stats.js";
import { estimateTokens } from "../../planner/token-estimate.js";

const tokenCounts = new WeakMap<Concept, number>();

function tokensOf(concept: Concept): number {
  let n = tokenCounts.get(concept);
  if (n === undefined) {
    n = estimateTokens(concept.text);
    tokenCounts.set(concept, n);
  }
  return n;
}

/** The same figures as outlineStats(outline) with the estimate, from cached per-concept counts. */
export function quickStats(outline: Outline): OutlineStats {
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
    token_source: "estimate",
    sections,
    opaque_blocks: opaque,
  };
}
