/** The header, the status line (compression figures, encoding, languages, models) and the message line. */
import { Text } from "ink";
import type { ReactElement } from "react";
import type { OutlineStats } from "../../planner/outline-stats.js";
import { toDisplayLine } from "../../util/sanitize.js";
import { type CommandId, type Keymap, keyHint } from "../keymap.js";
import type { AppState } from "../state/types.js";
import { displayWidth, fitTo, formatCount, truncate } from "../text-layout.js";
import { progressBar, theme } from "./theme.js";

export function Header({ state, width }: { state: AppState; width: number }): ReactElement {
  const { doc } = state;
  const left = ` lcm · ${toDisplayLine(doc.name)} · ${doc.fromOutlineFile ? "outline file" : doc.format}${state.sourceLang ? ` · ${state.sourceLang}` : ""}`;
  const edits = state.history.past.length;
  const unsaved = state.revision !== state.exportedRevision && edits > 0;
  const undo =
    edits > 0 ? ` · ${edits} edit${edits === 1 ? "" : "s"}${unsaved ? " (not exported)" : ""} ` : " ";
  const room = Math.max(0, width - displayWidth(undo));
  return (
    <Text bold inverse wrap="truncate">
      {fitTo(fitTo(left, room) + undo, width)}
    </Text>
  );
}

export function statusText(state: AppState, stats: OutlineStats): string {
  const parts = [
    `${formatCount(stats.concepts)} concepts`,
    `${formatCount(stats.tokens)} tokens`,
    `${stats.ratio} tok/concept`,
  ];
  const enc = state.encoding;
  if (enc.status === "running") {
    const pending = enc.pending.length > 0 ? ` (${enc.pending.length} edited)` : "";
    parts.push(
      `encoding ${progressBar(enc.done, enc.total, 8)} ${formatCount(enc.done)}/${formatCount(enc.total)}${pending}`,
    );
  } else if (enc.status === "done") parts.push(`encoded ${formatCount(enc.done)}/${formatCount(enc.total)}`);
  else if (enc.status === "failed") parts.push("encoding failed");
  const out = state.output?.lang ?? state.outputLang;
  if (out) parts.push(`→ ${out}`);
  const models = state.models;
  if (models.status === "loading") parts.push("loading models…");
  else if (models.codec === null) parts.push("no codec");
  else if (models.lcm === null) parts.push("no LCM");
  return ` ${parts.join(" · ")}`;
}

export function StatusLine({ text, width }: { text: string; width: number }): ReactElement {
  return (
    <Text inverse wrap="truncate">
      {fitTo(text, width)}
    </Text>
  );
}

const HINTS: readonly [CommandId, string][] = [
  ["help", "help"],
  ["search", "search"],
  ["rewrite", "edit"],
  ["undo", "undo"],
  ["summarize", "summarize"],
  ["language", "language"],
  ["switchPane", "pane"],
  ["quit", "quit"],
];

export function hintText(keymap: Keymap): string {
  return HINTS.map(([id, label]) => {
    const key = keyHint(keymap, id);
    return key ? `${key} ${label}` : "";
  })
    .filter(Boolean)
    .join("  ");
}

export function MessageLine({ state, width }: { state: AppState; width: number }): ReactElement {
  const message = state.message;
  if (message) {
    return (
      <Text color={message.kind === "error" ? theme.error : theme.info} wrap="truncate">
        {fitTo(` ${toDisplayLine(message.text)}`, width)}
      </Text>
    );
  }
  return (
    <Text color={theme.dim} wrap="truncate">
      {fitTo(` ${truncate(hintText(state.bindings), width - 1)}`, width)}
    </Text>
  );
}
