/**
 * Generated concepts -> text. Every concept carries its grounding (nearest source concepts). With
 * grounded rendering, a concept whose best match clears the threshold is shown as that source sentence
 * (each source sentence at most once per output): verbatim when the output language is the sentence's
 * own, otherwise the source concept decoded into the output language. Everything else is decoded; one batched decoder call covers all of it.
 */
import type { ConceptCodec } from "../codec/codec.js";
import type { DecodeOptions } from "../codec/decoder.js";
import { locationLabel, type SourceLocation } from "../inputs/source-locations.js";
import { CancelledError } from "../util/errors.js";
import { stripControl } from "../util/sanitize.js";
import { cosine } from "../util/vector-math.js";
import { assignGroundedSources, type GroundingMatch } from "./grounding.js";

export interface RenderSource {
  text: string;
  lang: string;
  vector: Float32Array;
}

export interface RenderRequest {
  vector: Float32Array;
  grounding: readonly GroundingMatch[];
  /** Text to show as is (pinned concepts); skips grounding and decoding. */
  fixedText?: string;
}

/** source: the source sentence verbatim; source-decoded: the source concept decoded; generated: this concept decoded. */
/**
 * sentinel: the concept decoded to the end-of-text sentinel; it is a stop, never shown. withheld: its
 * decoded text is far from the concept it was decoded from and from every source sentence (a memorised
 * training sentence, say), so it is kept out of the output text (still listed, for scripts).
 */
export type Rendering = "source" | "source-decoded" | "generated" | "pinned" | "sentinel" | "withheld";

export interface Rendered {
  text: string;
  grounded: boolean;
  rendering: Rendering;
  /** The source concept used when grounded. */
  sourceIndex: number | null;
}

export interface RenderOptions {
  lang: string;
  grounded: boolean;
  threshold: number;
  decode?: DecodeOptions;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Decode, re-encode, compare (thresholds from the LCM manifest, lcm-spec.ts): a generated concept
   * whose decoded text re-encodes within `sentinelCosine` of the end-of-text concept rendered the
   * sentinel ("End text of.", "En cette text.") and is marked "sentinel"; one farther than
   * `faithfulCosine` from its own concept and from every source sentence is marked "withheld".
   */
  checks?: {
    endOfText: Float32Array;
    view: (v: Float32Array) => Float32Array;
    sentinelCosine: number | null;
    faithfulCosine: number | null;
  };
  /** Source sentences that may be shown when grounded (default all): near-empty ones are not. */
  eligibleSource?: (index: number) => boolean;
}

/**
 * The bundled LCM's manifest sets sentinel_cosine 0.9 and faithful_cosine 0.6, measured with the
 * bundled codec (normalized space) on 12 dev documents: decoded sentinels re-encode at 0.99-1.00 to the
 * end-of-text concept, every other decoded sentence at 0.11 or less; a source sentence re-encoded from
 * its own decoding reaches 0.76 (median) / 0.62 (10th percentile) of itself (grounding.ts).
 */

/** A source sentence of 3 words or fewer ("The, 1912, Um .) is a stub, never a grounded summary sentence. */
export function isSubstantialSentence(text: string): boolean {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length > 3;
}

export async function renderConcepts(
  codec: ConceptCodec,
  requests: readonly RenderRequest[],
  sources: readonly RenderSource[],
  options: RenderOptions,
): Promise<Rendered[]> {
  const out: (Rendered | null)[] = requests.map(() => null);
  const toDecode: { at: number; vector: Float32Array; rendering: Rendering; sourceIndex: number | null }[] =
    [];
  const assigned = options.grounded
    ? assignGroundedSources(
        requests.map((r) =>
          r.fixedText === undefined
            ? r.grounding.filter((m) => options.eligibleSource?.(m.index) ?? true)
            : [],
        ),
        options.threshold,
      )
    : requests.map(() => null);
  requests.forEach((request, at) => {
    if (request.fixedText !== undefined) {
      out[at] = { text: request.fixedText, grounded: false, rendering: "pinned", sourceIndex: null };
      return;
    }
    const index = assigned[at];
    if (index === null) {
      toDecode.push({ at, vector: request.vector, rendering: "generated", sourceIndex: null });
      return;
    }
    const source = sources[index];
    if (source.lang === options.lang) {
      out[at] = { text: source.text, grounded: true, rendering: "source", sourceIndex: index };
    } else {
      toDecode.push({ at, vector: source.vector, rendering: "source-decoded", sourceIndex: index });
    }
  });
  if (options.signal?.aborted) throw new CancelledError();
  if (toDecode.length > 0) {
    const decoded = await codec.decode(
      toDecode.map((d) => d.vector),
      options.lang,
      { ...options.decode, signal: options.signal, onProgress: options.onProgress },
    );
    const verdicts = await checkDecoded(
      codec,
      toDecode.map((d, k) =>
        d.rendering === "generated" ? { text: decoded[k].text, vector: d.vector } : null,
      ),
      sources,
      options,
    );
    toDecode.forEach((d, k) => {
      out[d.at] = {
        text: decoded[k].text,
        grounded: d.rendering === "source-decoded",
        rendering: verdicts[k] ?? d.rendering,
        sourceIndex: d.sourceIndex,
      };
    });
  } else options.onProgress?.(0, 0);
  return out as Rendered[];
}

/** A concept already rendered once: what renderAgain needs of it. */
export interface RenderedConcept {
  vector: Float32Array;
  text: string;
  rendering: Rendering;
  sourceIndex: number | null;
}

/**
 * Output already rendered, shown in another language: every earlier decision stands. A sentinel or a
 * withheld rendering stays hidden, a grounded concept shows the same source sentence (verbatim when
 * the sentence is in `lang`, else decoded), pinned text stays; only generated concepts are decoded
 * anew. `grounded: false` decodes grounded concepts from their own vectors instead. `sources` needs a
 * vector only for the sentences a concept shows in another language.
 */
export async function renderAgain(
  codec: ConceptCodec,
  concepts: readonly RenderedConcept[],
  sources: readonly (RenderSource | undefined)[],
  options: Pick<RenderOptions, "lang" | "decode" | "signal" | "onProgress"> & { grounded?: boolean },
): Promise<Rendered[]> {
  const hidden = (c: RenderedConcept) => !isShown(c.rendering);
  const keepsSource = (c: RenderedConcept) =>
    options.grounded !== false &&
    c.sourceIndex !== null &&
    (c.rendering === "source" || c.rendering === "source-decoded");
  const requests: RenderRequest[] = concepts.map((c) => {
    if (hidden(c) || c.rendering === "pinned") return { vector: c.vector, grounding: [], fixedText: c.text };
    if (keepsSource(c)) return { vector: c.vector, grounding: [{ index: c.sourceIndex!, score: 1 }] };
    return { vector: c.vector, grounding: [] };
  });
  const list = sources.map((s) => s ?? { text: "", lang: "", vector: new Float32Array(0) });
  const rendered = await renderConcepts(codec, requests, list, { ...options, grounded: true, threshold: 0 });
  return rendered.map((r, i) => {
    const c = concepts[i];
    return hidden(c) ? { text: c.text, grounded: false, rendering: c.rendering, sourceIndex: null } : r;
  });
}

/**
 * Decode, re-encode, compare: which generated renderings are the sentinel, and which are unfaithful
 * (far from their concept and from every source sentence). null: shown as decoded.
 */
async function checkDecoded(
  codec: ConceptCodec,
  items: readonly ({ text: string; vector: Float32Array } | null)[],
  sources: readonly RenderSource[],
  options: RenderOptions,
): Promise<("sentinel" | "withheld" | null)[]> {
  const verdicts: ("sentinel" | "withheld" | null)[] = items.map(() => null);
  const checks = options.checks;
  const checked = items.flatMap((item, k) => (item !== null && item.text.trim() !== "" ? [k] : []));
  if (!checks || (checks.sentinelCosine === null && checks.faithfulCosine === null) || checked.length === 0)
    return verdicts;
  const reencoded = await codec.encode(
    checked.map((k) => items[k]!.text),
    options.lang,
    { signal: options.signal },
  );
  const view = checks.view;
  const eot = view(checks.endOfText);
  const sourceViews = sources.filter((s) => s.vector.length > 0).map((s) => view(s.vector));
  checked.forEach((k, j) => {
    const back = view(reencoded.vectors[j]);
    if (checks.sentinelCosine !== null && cosine(back, eot) >= checks.sentinelCosine) {
      verdicts[k] = "sentinel";
      return;
    }
    const faithful = checks.faithfulCosine;
    if (faithful === null || cosine(back, view(items[k]!.vector)) >= faithful) return;
    if (sourceViews.some((s) => cosine(back, s) >= faithful)) return;
    verdicts[k] = "withheld";
  });
  return verdicts;
}

/** Whether a rendering belongs in the text a reader sees. */
export function isShown(rendering: Rendering): boolean {
  return rendering !== "sentinel" && rendering !== "withheld";
}

/**
 * The rendering every surface (CLI, TUI, server, editor plugin, batch) uses unless told otherwise:
 * grounded. Measured on the dev splits (models/default/README.md, "Rendering modes"): with the bundled
 * models grounded summaries score far above the decoder's own renderings, which drift off-topic.
 */
export const DEFAULT_GROUNDED = true;

/**
 * The marker that says where a rendered sentence came from, so a reader can tell source text from
 * model text: `[sN]` the source sentence N verbatim, `[sN decoded]` the source sentence's concept
 * decoded into another language (a machine rendering of sentence N, not its words); model renderings
 * and pinned text carry none.
 */
/**
 * What follows a sentence taken from the source, so a reader can tell source words from model words:
 * `[s12]`, `[s12 decoded]`; for a PDF, Word, EPUB or HTML document also where it is in that file,
 * `[s12, p. 3]` (the grounding entry of the sentence shown carries its location).
 */
export function sourceMarker(
  rendered: Pick<Rendered, "rendering" | "sourceIndex"> & {
    grounding?: readonly { index: number; location?: SourceLocation }[];
  },
): string | null {
  const index = rendered.sourceIndex;
  if (index === null) return null;
  const location = rendered.grounding?.find((g) => g.index === index)?.location;
  const where = location ? `, ${stripControl(locationLabel(location))}` : "";
  if (rendered.rendering === "source") return `[s${index + 1}${where}]`;
  if (rendered.rendering === "source-decoded") return `[s${index + 1} decoded${where}]`;
  return null;
}
