/**
 * The outline pane: a title line (where you are, zoom breadcrumb) and the visible rows, windowed to
 * the pane's height. Every row is cut to the pane's width by display width, so long sentences and
 * CJK text never wrap and shift the layout.
 */
import { Box, Text } from "ink";
import type { ReactElement } from "react";
import { stripControl, toDisplayLine } from "../../util/sanitize.js";
import type { Row } from "../state/rows.js";
import { displayWidth, fitTo, truncate } from "../text-layout.js";
import { theme } from "./theme.js";

export interface OutlinePaneProps {
  rows: readonly Row[];
  cursorIndex: number;
  scroll: number;
  width: number;
  height: number;
  title: string;
  matches: ReadonlySet<string>;
  pending: ReadonlySet<string>;
  focused: boolean;
}

/** Top row of the window: `scroll`, moved just enough to show the cursor in `height` rows. */
export function windowTop(scroll: number, cursor: number, height: number, total: number): number {
  let top = Math.min(scroll, Math.max(0, total - height));
  if (cursor < top) top = cursor;
  if (cursor >= top + height) top = cursor - height + 1;
  return Math.max(0, top);
}

function opaqueLabel(block: string | undefined, text: string): string {
  const lines = text.split("\n").length;
  const names: Record<string, string> = {
    code: "code block",
    table: "table",
    html: "HTML",
    front_matter: "front matter",
    rule: "rule",
    definition: "link definition",
    other: "block",
  };
  return `[${names[block ?? "other"] ?? "block"}, ${lines} line${lines === 1 ? "" : "s"}]`;
}

export function rowText(
  row: Row,
  pending: ReadonlySet<string>,
): { marker: string; text: string; extra: string } {
  if (row.kind === "section") {
    const s = row.section;
    const target = s.targetLength !== undefined ? ` →${s.targetLength}` : "";
    return {
      marker: row.folded ? "▸" : "▾",
      text: toDisplayLine(s.title),
      extra: ` (${row.sentences})${target}`,
    };
  }
  const c = row.concept;
  if (c.kind === "opaque") return { marker: "▤", text: opaqueLabel(c.block, c.text), extra: "" };
  const marker = pending.has(c.id) ? "◌" : c.pinned ? "◆" : "•";
  return { marker, text: toDisplayLine(stripControl(c.text)), extra: "" };
}

function rowColor(row: Row): string | undefined {
  if (row.kind === "section") return theme.heading;
  const c = row.concept;
  if (c.kind === "opaque") return theme.dim;
  if (c.span === null) return theme.added;
  if (c.rewritten) return theme.rewritten;
  return undefined;
}

export function OutlinePane(props: OutlinePaneProps): ReactElement {
  const { rows, width, height } = props;
  const listHeight = Math.max(1, height - 1);
  const top = windowTop(props.scroll, Math.max(0, props.cursorIndex), listHeight, rows.length);
  const shown = rows.slice(top, top + listHeight);
  const position = rows.length === 0 ? "empty" : `${props.cursorIndex + 1}/${rows.length}`;
  const titleText = truncate(props.title, Math.max(1, width - position.length - 2));
  const pad = Math.max(1, width - titleText.length - position.length - 1);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold inverse={props.focused} wrap="truncate">
        {fitTo(` ${titleText}${" ".repeat(pad - 1)}${position}`, width)}
      </Text>
      {shown.map((row, k) => {
        const i = top + k;
        const selected = i === props.cursorIndex;
        const indent = "  ".repeat(Math.min(row.depth, 8));
        const { marker, text, extra } = rowText(row, props.pending);
        const head = `${selected ? "›" : " "}${indent}${marker} `;
        const room = Math.max(1, width - displayWidth(head));
        const body = truncate(text + extra, room);
        const match = props.matches.has(row.key);
        const line = fitTo(head + body, width);
        return (
          <Text
            key={row.key}
            wrap="truncate"
            inverse={selected}
            color={match && !selected ? theme.match : rowColor(row)}
            bold={row.kind === "section"}
          >
            {line}
          </Text>
        );
      })}
      {shown.length < listHeight && rows.length === 0 ? (
        <Text color={theme.dim}>{fitTo("  (nothing here: a adds a concept, A a section)", width)}</Text>
      ) : null}
    </Box>
  );
}
