/**
 * The output pane's lines: each output concept as a wrapped paragraph, section titles (from templates
 * or outline sections) before their concepts, pinned concepts marked. Shared by the view (drawing) and
 * the reducer (how far the pane can scroll).
 */
import { type PaneLine, plainLines } from "./source-view.js";
import type { OutputState } from "./state/types.js";

export function outputLines(output: OutputState, width: number): PaneLine[] {
  const lines: PaneLine[] = [];
  let section: number | null | undefined;
  for (const item of output.items) {
    if (item.section !== section) {
      section = item.section;
      const title = section !== null && output.sections ? output.sections[section]?.title : "";
      if (title) {
        if (lines.length > 0) lines.push([{ text: "", highlight: false }]);
        lines.push([{ text: `§ ${title}`, highlight: true }]);
      }
    }
    const prefix = item.pinned ? "◆ " : "";
    for (const line of plainLines(prefix + item.text, width)) lines.push(line);
  }
  return lines;
}
