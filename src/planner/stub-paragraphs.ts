/**
 * Stub paragraphs (a lone quote mark, a one-word line such as a date under a preface, "Um .") join a
 * neighbouring paragraph before segmentation: alone they become concepts that mean nothing (and a
 * grounded summary could show them). A stub joins the paragraph after it, where a lone opening quote
 * belongs, or, with no prose after it (a heading or the end follows), the one before.
 */
import type { ProseBlock, StructureBlock } from "./structure.js";

/** At most one word with a letter or digit in it. */
export function isStubText(text: string): boolean {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length <= 1;
}

export function joinStubParagraphs(blocks: readonly StructureBlock[]): StructureBlock[] {
  const out: StructureBlock[] = [];
  let pending: ProseBlock | null = null;
  for (const block of blocks) {
    if (block.kind !== "prose") {
      if (pending) attachToPrevious(out, pending);
      pending = null;
      out.push(block);
      continue;
    }
    const joined: ProseBlock = pending ? joinProse(pending, block) : block;
    pending = null;
    if (isStubText(joined.text)) pending = joined;
    else out.push(joined);
  }
  if (pending) attachToPrevious(out, pending);
  return out;
}

function attachToPrevious(out: StructureBlock[], stub: ProseBlock): void {
  const last = out[out.length - 1];
  if (last?.kind === "prose") out[out.length - 1] = joinProse(last, stub);
  else out.push(stub); // nothing to join: a document (or section) that is only a stub keeps it
}

/** Two prose blocks as one, a space between; spans map back into whichever block they fall in. */
function joinProse(a: ProseBlock, b: ProseBlock): ProseBlock {
  const offset = a.text.length + 1;
  return {
    kind: "prose",
    text: `${a.text} ${b.text}`,
    joins: [...(a.joins ?? []), a.text.length, ...(b.joins ?? []).map((j) => j + offset)],
    sourceSpan(start, end) {
      if (end <= a.text.length) return a.sourceSpan(start, end);
      if (start >= offset) return b.sourceSpan(start - offset, end - offset);
      return [a.sourceSpan(start, a.text.length)[0], b.sourceSpan(0, end - offset)[1]];
    },
  };
}
