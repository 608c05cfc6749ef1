/**
 * The output pane's lines: each output concept as a wrapped paragraph, section titles (from templates
 * or outline sections) before their concepts, pinned concepts marked, and every sentence taken from
 * the source marked with where it came from ([s12], or [s12 decoded] in another language), so the
 * reader can tell the source's words from the model's. Shared by the view (drawing), the reducer (how
 * far the pane can scroll) and the export.
 */
import { isShown, sourceMarker } from "../tasks/render.js";
import { type PaneLine, plainLines } from "./source-view.js";
import type { OutputItem, OutputState } from "./state/types.js";

/**
 * An item's text as the reader sees it: with its source marker, or null when it is not shown (a
 * sentence withheld as unfaithful, the end-of-text sentinel). Items without a rendering (sessions
 * saved before it was kept, streamed concepts) carry no marker.
 */
export function itemDisplayText(item: OutputItem): string | null {
  if (item.rendering !== undefined && !isShown(item.rendering)) return null;
  const text = item.text.trim();
  const marker =
    item.rendering === undefined
      ? null
      : sourceMarker({
          rendering: item.rendering,
          sourceIndex: item.source?.index ?? null,
          grounding: item.source ? [item.source] : [],
        });
  return marker ? `${text} ${marker}` : text;
}

export function outputLines(output: OutputState, width: number): PaneLine[] {
  const lines: PaneLine[] = [];
  let section: number | null | undefined;
  for (const item of output.items) {
    const text = itemDisplayText(item);
    if (text === null) continue;
    if (item.section !== section) {
      section = item.section;
      const title = section !== null && output.sections ? output.sections[section]?.title : "";
      if (title) {
        if (lines.length > 0) lines.push([{ text: "", highlight: false }]);
        lines.push([{ text: `§ ${title}`, highlight: true }]);
      }
    }
    const prefix = item.pinned ? "◆ " : "";
    for (const line of plainLines(prefix + text, width)) lines.push(line);
  }
  return lines;
}
