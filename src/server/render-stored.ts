/**
 * A stored summarize/expand result rendered in another language (the `render` method). Rendered as it
 * was made, or with grounding turned off, every earlier decision stands (render.ts renderAgain): a
 * withheld rendering or a sentinel stays hidden, a grounded concept shows the same source sentence.
 * Turning grounding on for a result made without it grounds it now, with the threshold it was made
 * with, among the sentences kept with it, never on a stub.
 */

import type { ConceptCodec } from "../codec/codec.js";
import {
  isShown,
  isSubstantialSentence,
  type Rendered,
  type RenderOptions,
  type RenderSource,
  renderAgain,
  renderConcepts,
} from "../tasks/render.js";
import { encodeSentences } from "../tasks/source-concepts.js";
import type { StoredResult } from "./result-store.js";

export async function renderStored(
  codec: ConceptCodec,
  stored: StoredResult,
  lang: string,
  grounded: boolean | undefined,
  options: Pick<RenderOptions, "decode" | "signal" | "onProgress">,
): Promise<Rendered[]> {
  const wanted = grounded ?? stored.grounded;
  const sources = wanted ? await storedSources(codec, stored, lang, options.signal) : [];
  if (!wanted || stored.grounded) {
    return renderAgain(codec, stored.concepts, sources, { ...options, lang, grounded: wanted });
  }
  const rendered = await renderConcepts(
    codec,
    stored.concepts.map((c) =>
      !isShown(c.rendering) || c.fixedText !== undefined
        ? { vector: c.vector, grounding: [], fixedText: c.fixedText ?? c.text }
        : { vector: c.vector, grounding: c.grounding },
    ),
    sources.map((s) => s ?? { text: "", lang: "", vector: new Float32Array(0) }),
    {
      ...options,
      lang,
      grounded: true,
      threshold: stored.groundingThreshold,
      eligibleSource: (index) => sources[index] !== undefined && isSubstantialSentence(sources[index].text),
    },
  );
  return rendered.map((r, i) => {
    const c = stored.concepts[i];
    return isShown(c.rendering)
      ? r
      : { text: c.text, grounded: false, rendering: c.rendering, sourceIndex: null };
  });
}

/** The kept source sentences by index; those in another language than `lang` with their concepts. */
async function storedSources(
  codec: ConceptCodec,
  stored: StoredResult,
  lang: string,
  signal: AbortSignal | undefined,
): Promise<(RenderSource | undefined)[]> {
  const list = [...stored.sources].map(([index, s]) => ({ index, ...s }));
  const foreign = list.filter((s) => s.lang !== lang);
  const encoded =
    foreign.length > 0
      ? await encodeSentences(codec, foreign, { signal })
      : { vectors: [] as Float32Array[] };
  const sources: (RenderSource | undefined)[] = [];
  for (const s of list) sources[s.index] = { text: s.text, lang: s.lang, vector: new Float32Array(0) };
  foreign.forEach((s, k) => {
    sources[s.index]!.vector = encoded.vectors[k];
  });
  return sources;
}
