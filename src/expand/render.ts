/**
 * Generated concepts -> text. Every concept carries its grounding (nearest source concepts). With
 * grounded rendering, a concept whose best match clears the threshold is shown as that source sentence
 * (each source sentence at most once per output): verbatim when the output language is the sentence's
 * own, otherwise the source concept decoded into the output language. Everything else is decoded; one batched decoder call covers all of it.
 */
import type { ConceptCodec } from "../sonar/codec.js";
import type { DecodeOptions } from "../sonar/decoder.js";
import { CancelledError } from "../util/errors.js";
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
export type Rendering = "source" | "source-decoded" | "generated" | "pinned";

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
        requests.map((r) => (r.fixedText === undefined ? r.grounding : [])),
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
    toDecode.forEach((d, k) => {
      out[d.at] = {
        text: decoded[k].text,
        grounded: d.rendering === "source-decoded",
        rendering: d.rendering,
        sourceIndex: d.sourceIndex,
      };
    });
  } else options.onProgress?.(0, 0);
  return out as Rendered[];
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
export function sourceMarker(rendered: Pick<Rendered, "rendering" | "sourceIndex">): string | null {
  if (rendered.sourceIndex === null) return null;
  if (rendered.rendering === "source") return `[s${rendered.sourceIndex + 1}]`;
  if (rendered.rendering === "source-decoded") return `[s${rendered.sourceIndex + 1} decoded]`;
  return null;
}
