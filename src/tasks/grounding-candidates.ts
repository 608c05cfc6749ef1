/**
 * The source sentences a grounded summary may show, and the prior that ranks them: one function, so
 * the summarize task and the salience head's training data (training/lcm/salience_data.mjs) pick the
 * same candidates and compute the same prior inputs.
 */
import { isSubstantialSentence } from "./render.js";
import type { CandidatePlaces } from "./salience-head.js";
import type { SourceSentence } from "./source-concepts.js";
import { titleSentence } from "./title-line.js";
import { type WholeSentences, wholeSentences } from "./whole-sentences.js";

export interface GroundingCandidates {
  /** The cap's pieces put back together (whole-sentences.ts). */
  whole: WholeSentences;
  /** Per source sentence: may it be shown? */
  eligible: boolean[];
  /** Indices of the eligible sentences, in document order. */
  candidates: number[];
  /** The candidates' lengths (characters of the whole sentence each shows) and places, for the prior. */
  places: CandidatePlaces;
}

export function groundingCandidates(
  text: string,
  sentences: readonly SourceSentence[],
  maxChars: number,
): GroundingCandidates {
  // Grounding shows whole sentences: a piece of a sentence the cap cut stands for the whole of it
  // (the index of its first piece, the pieces' text and span).
  const whole = wholeSentences(sentences, maxChars);
  // Stubs ("The, 1912, Um .) are never shown as a grounded summary sentence; when a document has
  // nothing longer, every sentence may be.
  // Nor is the document's title line (title-line.ts): the reader has it already.
  const title = titleSentence(text, sentences);
  const substantial = sentences.map(
    (_, i) => whole.first[i] !== title && isSubstantialSentence(whole.text(whole.first[i])),
  );
  const eligible = substantial.some(Boolean) ? substantial : sentences.map(() => true);
  // Only eligible sentences are candidates, so the neighbour list never fills up with stubs.
  const candidates = sentences.flatMap((_, i) => (eligible[i] ? [i] : []));
  return {
    whole,
    eligible,
    candidates,
    places: {
      lengths: candidates.map((i) => whole.text(i).trim().length),
      indices: candidates,
      sentences: sentences.length,
    },
  };
}
