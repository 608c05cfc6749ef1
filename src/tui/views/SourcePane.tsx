/**
 * The source pane: the document text behind the selected concept or heading, its span highlighted.
 * Rewritten concepts show the new text above the source they came from; concepts the user added have
 * no source and show their text.
 */

import { Box, Text } from "ink";
import type { ReactElement } from "react";
import { locate, locationLabel, type SourceMap } from "../../inputs/source-locations.js";
import { toDisplayLine } from "../../util/sanitize.js";
import { type PaneLine, plainLines, sourceWindow } from "../source-view.js";
import type { Row } from "../state/rows.js";
import { fitTo, truncate } from "../text-layout.js";
import { theme } from "./theme.js";

export interface SourcePaneProps {
  text: string;
  row: Row | undefined;
  width: number;
  height: number;
  fromOutlineFile: boolean;
  /** A converted document's source map: the title then says where the row is in the file (p. 3). */
  locations?: SourceMap;
}

function title(row: Row | undefined, locations: SourceMap | undefined): string {
  if (!row) return "Source";
  const span = row.kind === "section" ? row.section.span : row.concept.span;
  const location = locate(locations, span);
  const where = `${location ? ` · ${toDisplayLine(locationLabel(location))}` : ""}${span ? ` [${span[0]}, ${span[1]})` : ""}`;
  return row.kind === "section"
    ? `Source · ${toDisplayLine(row.section.title)}${where}`
    : `Source · ${row.id}${where}`;
}

/**
 * Lines of segments; highlighted segments get a coloured background. With `gutter`, lines holding a
 * highlight also get a bar in the first column, so the span shows without colours too.
 */
export function PaneLines({
  lines,
  color,
  gutter,
}: {
  lines: readonly PaneLine[];
  color?: string;
  gutter?: boolean;
}) {
  return (
    <>
      {lines.map((segments, i) => {
        const used = segments.reduce((n, s) => n + s.text.length, 0);
        const marked = segments.some((s) => s.highlight && s.text.trim() !== "");
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their position
          <Text key={i} wrap="truncate" color={color}>
            {gutter ? <Text color={theme.highlight}>{marked ? "▌" : " "}</Text> : null}
            {segments.map((s, k) =>
              s.highlight ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: segments of one line, fixed order
                <Text key={k} backgroundColor={theme.highlight} color="black">
                  {s.text}
                </Text>
              ) : (
                s.text
              ),
            )}
            {used === 0 ? " " : ""}
          </Text>
        );
      })}
    </>
  );
}

export function SourcePane(props: SourcePaneProps): ReactElement {
  const { row, width, height } = props;
  const bodyHeight = Math.max(1, height - 1);
  const inner = Math.max(1, width - 1);
  let lines: PaneLine[] = [];
  if (row) {
    const span = row.kind === "section" ? row.section.span : row.concept.span;
    const note: PaneLine[] = [];
    if (row.kind === "concept" && row.concept.span === null) {
      note.push([{ text: "Added by you: it has no source.", highlight: false }]);
      note.push(...plainLines(row.concept.text, inner));
    } else if (row.kind === "concept" && row.concept.rewritten) {
      note.push([{ text: "Rewritten as:", highlight: false }]);
      note.push(...plainLines(row.concept.text, inner).slice(0, Math.max(1, Math.floor(bodyHeight / 3))));
      note.push([{ text: "From the source:", highlight: false }]);
    } else if (row.kind === "section" && span === null) {
      note.push([
        {
          text: row.section.level === 0 ? "The text before the first heading." : "A section you added.",
          highlight: false,
        },
      ]);
    }
    if (props.fromOutlineFile && span !== null) {
      note.push([{ text: "Opened from an outline file: the source text is not here.", highlight: false }]);
      if (row.kind === "concept") note.push(...plainLines(row.concept.text, inner));
    } else if (span !== null && props.text.length > 0) {
      const room = Math.max(1, bodyHeight - note.length);
      note.push(...sourceWindow(props.text, span, inner, room).lines);
    }
    lines = note.slice(0, bodyHeight);
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {fitTo(` ${truncate(title(row, props.locations), inner)}`, width)}
      </Text>
      <PaneLines lines={lines} gutter />
    </Box>
  );
}
