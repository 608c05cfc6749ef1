/**
 * The status line's figures (outline-stats.ts's numbers), cheap to recompute after every edit: token
 * counts are cached per concept object. Concepts are immutable and an edit shares every concept it
 * does not touch, so after the first count an edit costs the concepts it changed, not the document.
 * (On a 5 MB book a full recount took ~200 ms per keystroke.)
 */
import type { Concept, Outline } from "../../planner/outline.js";
import { type OutlineStats, outlineStatsBy } from "../../planner/outline-stats.js";
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
  return outlineStatsBy(outline, tokensOf, "estimate");
}
