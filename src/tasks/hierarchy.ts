/**
 * Hierarchical summarization plans for sources longer than the model's context (max_context): cut
 * the source into chunks that fit, following the outline's sections where it has them, summarize each
 * chunk, then summarize the concatenated chunk summaries (again in chunks if they still do not fit).
 * This module only plans; summarize.ts runs the plan.
 */

/** A contiguous run of source concepts [start, end), e.g. one outline section, with its subsections. */
export interface SourceUnit {
  title: string;
  start: number;
  end: number;
  children?: SourceUnit[];
}

export interface Chunk {
  start: number;
  end: number;
  /** Titles of the sections (or parts of sections) in the chunk; "" for untitled text. */
  titles: string[];
}

/** Whether `sourceCount` concepts, the model-turn concept and `cap` generated ones overflow the context. */
export function needsHierarchy(sourceCount: number, cap: number, maxContext: number): boolean {
  return sourceCount + 1 + cap > maxContext;
}

/**
 * The cap for each chunk's summary: the final cap, but at most a quarter of the context, so every
 * level shrinks the material at least fourfold and the recursion ends.
 */
export function chunkSummaryCap(cap: number, maxContext: number): number {
  return Math.max(1, Math.min(cap, Math.floor((maxContext - 1) / 4)));
}

/** Longest chunk whose prompt (chunk + model turn + its summary) fits the context. */
export function maxChunkLength(maxContext: number, chunkCap: number): number {
  return maxContext - 1 - chunkCap;
}

/**
 * Splits [0, total) into chunks of at most `maxChunk` concepts. Whole units are kept together when
 * they fit; a unit too long descends into its subsections (its own opening text is one piece), and a
 * leaf still too long is cut into near-equal parts. Pieces are then packed in order into about
 * ceil(total / maxChunk) chunks of similar size, never splitting a piece and never exceeding maxChunk.
 */
export function planChunks(units: readonly SourceUnit[], total: number, maxChunk: number): Chunk[] {
  if (!Number.isInteger(maxChunk) || maxChunk < 1)
    throw new RangeError(`chunk length must be >= 1, got ${maxChunk}`);
  const pieces = coverage(units, 0, total).flatMap((u) => pieceUp(u, maxChunk));
  const count = Math.ceil(total / maxChunk);
  const target = total / count;
  const chunks: Chunk[] = [];
  let current: Chunk | null = null;
  for (const piece of pieces) {
    const size = piece.end - piece.start;
    if (current && current.end - current.start + size > maxChunk) {
      chunks.push(current);
      current = null;
    }
    if (!current) current = { start: piece.start, end: piece.end, titles: [piece.title] };
    else {
      current.end = piece.end;
      current.titles.push(piece.title);
    }
    if (current.end - current.start >= target) {
      chunks.push(current);
      current = null;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Units sorted and checked to tile [from, to) exactly; gaps become untitled units. */
function coverage(units: readonly SourceUnit[], from: number, to: number): SourceUnit[] {
  const sorted = units.filter((u) => u.end > u.start).sort((a, b) => a.start - b.start);
  const out: SourceUnit[] = [];
  let at = from;
  for (const unit of sorted) {
    if (unit.start < at || unit.end > to)
      throw new RangeError(`source units overlap or overrun at ${unit.start}`);
    if (unit.start > at) out.push({ title: "", start: at, end: unit.start });
    out.push(unit);
    at = unit.end;
  }
  if (at < to) out.push({ title: "", start: at, end: to });
  return out;
}

function pieceUp(unit: SourceUnit, maxChunk: number): { title: string; start: number; end: number }[] {
  const size = unit.end - unit.start;
  if (size <= maxChunk) return [{ title: unit.title, start: unit.start, end: unit.end }];
  const children = (unit.children ?? []).filter((c) => c.end > c.start);
  if (children.length > 0) {
    return coverage(children, unit.start, unit.end)
      .map((c) => (c.title === "" && c.start === unit.start ? { ...c, title: unit.title } : c))
      .flatMap((c) => pieceUp(c, maxChunk));
  }
  const parts = Math.ceil(size / maxChunk);
  const out: { title: string; start: number; end: number }[] = [];
  for (let i = 0; i < parts; i++) {
    const start = unit.start + Math.round((i * size) / parts);
    const end = unit.start + Math.round(((i + 1) * size) / parts);
    const title = unit.title ? `${unit.title} (${i + 1}/${parts})` : "";
    out.push({ title, start, end });
  }
  return out;
}
