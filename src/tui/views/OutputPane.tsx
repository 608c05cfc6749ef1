/**
 * The output pane: generated (or rendered) concepts as paragraphs, section titles in bold, a progress
 * bar while a run streams. The pane's height never changes while concepts arrive and it follows the
 * end unless the user scrolled, so streaming repaints a few lines and nothing jumps.
 */
import { Box, Text } from "ink";
import type { ReactElement } from "react";
import { describeLanguage } from "../../languages/languages.js";
import { outputLines } from "../output-lines.js";
import { type PaneLine, plainLines } from "../source-view.js";
import type { OutputState } from "../state/types.js";
import { fitTo, formatCount, truncate } from "../text-layout.js";
import { PaneLines } from "./SourcePane.js";
import { progressBar, theme } from "./theme.js";

export interface OutputPaneProps {
  output: OutputState | null;
  width: number;
  height: number;
  /** Lines scrolled up from the end; 0 follows the end. */
  scroll: number;
  hint: string;
}

const STAGES: Record<string, string> = {
  segment: "segmenting",
  encode: "encoding",
  generate: "generating",
  decode: "decoding",
};

function statusOf(output: OutputState): string {
  const n = output.items.length;
  const lang = output.lang ? ` · ${output.lang}` : "";
  switch (output.status) {
    case "running":
      return `${n} so far${lang}`;
    case "rendering":
      return `rendering${lang}`;
    case "done":
      return `${n} concept${n === 1 ? "" : "s"}${lang}${output.exported ? " · exported" : ""}`;
    case "cancelled":
      return `cancelled after ${n}${lang}`;
    case "failed":
      return "failed";
  }
}

export function OutputPane(props: OutputPaneProps): ReactElement {
  const { output, width, height } = props;
  const inner = Math.max(1, width - 1);
  const bodyHeight = Math.max(1, height - 1);
  if (!output) {
    const lines = plainLines(props.hint, inner);
    return (
      <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
        <Text bold wrap="truncate">
          {fitTo("Output", inner)}
        </Text>
        <PaneLines lines={lines.slice(0, bodyHeight)} color={theme.dim} />
      </Box>
    );
  }
  const running = output.status === "running" || output.status === "rendering";
  const head: PaneLine[] = [];
  if (running) {
    const p = output.progress;
    const label = p
      ? `${STAGES[p.stage] ?? p.stage} ${formatCount(p.done)}/${formatCount(p.total)}`
      : "starting";
    const detail = p?.detail ? ` · ${p.detail}` : "";
    const barWidth = Math.max(4, Math.min(20, inner - label.length - 2));
    head.push([
      {
        text: truncate(`${progressBar(p?.done ?? 0, p?.total ?? 0, barWidth)} ${label}${detail}`, inner),
        highlight: false,
      },
    ]);
  }
  if (output.status === "failed" && output.error) head.push(...plainLines(`Failed: ${output.error}`, inner));
  const body = outputLines(output, inner);
  const room = Math.max(1, bodyHeight - head.length);
  const maxTop = Math.max(0, body.length - room);
  const top = Math.max(0, maxTop - props.scroll);
  const shown = body.slice(top, top + room);
  const more = top > 0 ? "↑ " : "";
  const below = top < maxTop ? " ↓" : "";
  const title = `${more}Output · ${output.title} · ${statusOf(output)}${below}`;
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Text bold wrap="truncate">
        {fitTo(truncate(title, inner), inner)}
      </Text>
      <PaneLines lines={head} color={theme.accent} />
      <PaneLines lines={shown} />
    </Box>
  );
}

export function languageLabel(code: string | null): string {
  return code ? describeLanguage(code) : "the source's language";
}
