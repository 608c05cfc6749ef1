/**
 * Recent summarize/expand results kept by id, so `render` can show the same concepts in another
 * language without generating again. Only what rendering needs is kept (the output vectors, their
 * grounding, and the few source sentences grounded rendering may show), and only the newest
 * `capacity` results: an editor session can run for days.
 */
import type { Rendering } from "../tasks/render.js";
import type { Grounding } from "../tasks/task-types.js";

export interface StoredConcept {
  vector: Float32Array;
  /** How it was rendered, and from which source sentence: rendering it again keeps both. */
  rendering: Rendering;
  sourceIndex: number | null;
  /** Its text as rendered (kept for pinned and hidden concepts). */
  text: string;
  /** The nearest source sentences, best first, with their spans. */
  grounding: Grounding[];
  /** Pinned outline text, shown as it is in every language. */
  fixedText?: string;
}

export interface StoredSource {
  text: string;
  lang: string;
}

export interface StoredResult {
  kind: "summary" | "expand";
  concepts: StoredConcept[];
  /** Source sentences by index: only those that are some concept's best match or shown source. */
  sources: Map<number, StoredSource>;
  grounded: boolean;
  groundingThreshold: number;
  /** The rendered concepts -> the whole text (sections, headings), hidden ones left out. */
  compose: (rendered: readonly { text: string; rendering: Rendering }[]) => string;
}

export const DEFAULT_STORED_RESULTS = 32;

export class ResultStore {
  private readonly results = new Map<string, StoredResult>();
  private readonly pending = new Map<string, Promise<StoredResult | undefined>>();
  private counter = 0;

  constructor(readonly capacity = DEFAULT_STORED_RESULTS) {}

  add(result: StoredResult): string {
    return this.reserve().fill(result);
  }

  /**
   * An id for a result still being made, taken when its request arrives: ids follow arrival order, and
   * a `render` piped right behind its `summarize` waits for the result instead of missing it.
   */
  reserve(): { id: string; fill: (result: StoredResult) => string; drop: () => void } {
    const id = `r${++this.counter}`;
    let settle: (result: StoredResult | undefined) => void = () => {};
    this.pending.set(
      id,
      new Promise((resolve) => {
        settle = resolve;
      }),
    );
    return {
      id,
      fill: (result) => {
        this.pending.delete(id);
        this.results.set(id, result);
        while (this.results.size > this.capacity) {
          const oldest = this.results.keys().next().value as string;
          this.results.delete(oldest);
        }
        settle(result);
        return id;
      },
      drop: () => {
        this.pending.delete(id);
        settle(undefined);
      },
    };
  }

  /** The result, waiting for it while its request is still running; undefined if there is none. */
  async lookup(id: string): Promise<StoredResult | undefined> {
    const pending = this.pending.get(id);
    if (pending) await pending;
    return this.get(id);
  }

  /** The result, which also becomes the most recently used. */
  get(id: string): StoredResult | undefined {
    const result = this.results.get(id);
    if (result) {
      this.results.delete(id);
      this.results.set(id, result);
    }
    return result;
  }

  get size(): number {
    return this.results.size;
  }
}
