/**
 * Views that take over the body: the help screen, the language picker and the generate form; and the
 * bands at the bottom: a text prompt and a confirmation.
 */
import { Box, Text } from "ink";
import type { ReactElement } from "react";
import type { OfferedModel } from "../../lcm/model-kinds.js";
import { LENGTH_PRESETS } from "../../tasks/lengths.js";
import { helpLines } from "../help-lines.js";
import type { Keymap } from "../keymap.js";
import { formFields } from "../state/generation.js";
import { filterLanguages } from "../state/language-picker.js";
import type {
  ConfirmMode,
  GenerateMode,
  HelpMode,
  PickerMode,
  PromptMode,
  TemplateInfo,
} from "../state/types.js";
import { displayWidth, fitTo, graphemes, truncate, wrapParagraphRanges } from "../text-layout.js";
import { theme } from "./theme.js";

export function HelpOverlay({
  mode,
  keymap,
  width,
  height,
}: {
  mode: HelpMode;
  keymap: Keymap;
  width: number;
  height: number;
}): ReactElement {
  const lines = helpLines(keymap);
  const bodyHeight = Math.max(1, height - 1);
  const top = Math.min(mode.scroll, Math.max(0, lines.length - bodyHeight));
  const shown = lines.slice(top, top + bodyHeight);
  const keyWidth = Math.min(
    24,
    Math.max(...lines.filter((l) => l.kind === "entry").map((l) => displayWidth(l.keys))) + 2,
  );
  const more = top + bodyHeight < lines.length ? " · ↓ more (j/k, PgDn)" : "";
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold inverse wrap="truncate">
        {fitTo(` Keys${more} · ? or Esc closes`, width)}
      </Text>
      {shown.map((line, i) =>
        line.kind === "heading" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: static list in fixed order
          <Text key={i} bold color={theme.heading} wrap="truncate">
            {fitTo(` ${line.text}`, width)}
          </Text>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: static list in fixed order
          <Text key={i} wrap="truncate">
            {fitTo(`   ${fitTo(line.keys, keyWidth)}${line.text}`, width)}
          </Text>
        ),
      )}
    </Box>
  );
}

export function LanguagePicker(props: {
  mode: PickerMode;
  languages: readonly string[];
  current: string | null;
  width: number;
  height: number;
}): ReactElement {
  const { mode, width, height } = props;
  const list = filterLanguages(mode.editor.text, props.languages);
  const listHeight = Math.max(1, height - 3);
  const selected = Math.min(mode.selected, Math.max(0, list.length - 1));
  const top = Math.max(0, Math.min(selected - Math.floor(listHeight / 2), list.length - listHeight));
  const shown = list.slice(top, top + listHeight);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold inverse wrap="truncate">
        {fitTo(
          ` Output language · ${list.length} of ${props.languages.length} · type to filter, ↑↓ choose, Enter renders, Esc closes`,
          width,
        )}
      </Text>
      <EditorLine label=" › " text={mode.editor.text} cursor={mode.editor.cursor} width={width} />
      <Text wrap="truncate"> </Text>
      {shown.length === 0 ? (
        <Text color={theme.dim}>{fitTo("   no language matches", width)}</Text>
      ) : (
        shown.map((lang, k) => {
          const isSelected = top + k === selected;
          const mark = lang.code === props.current ? "✓" : " ";
          return (
            <Text key={lang.code} inverse={isSelected} wrap="truncate">
              {fitTo(` ${mark} ${lang.code.padEnd(9)} ${lang.name}`, width)}
            </Text>
          );
        })
      )}
    </Box>
  );
}

/** What each model is, beside its name in the form. */
const MODEL_NOTES: Record<OfferedModel, string> = {
  "two-tower": "the Two-Tower diffusion LCM",
  "one-tower": "the One-Tower diffusion LCM",
  quant: "the Quant-LCM (codebook units)",
  base: "the Base-LCM baseline (deterministic)",
};

export function GenerateForm(props: {
  mode: GenerateMode;
  templates: readonly TemplateInfo[];
  width: number;
  height: number;
}): ReactElement {
  const { mode, templates, width, height } = props;
  const fields = formFields(mode);
  const template = mode.template >= 0 ? templates[mode.template] : null;
  const rows: { name: string; value: string; note: string }[] = fields.map((field) => {
    if (field === "scope") return { name: "Scope", value: mode.scopes[mode.scope].label, note: "" };
    if (field === "length") {
      const p = LENGTH_PRESETS[mode.length];
      return {
        name: "Length",
        value: mode.length,
        note: `about ${Math.round(p.share * 100)}% of the concepts, ${p.min}..${p.max}`,
      };
    }
    if (field === "model") {
      const model = mode.models[mode.model];
      return {
        name: "Model",
        value: model,
        note: MODEL_NOTES[model] + (mode.model === 0 ? " (the LCM's own)" : ""),
      };
    }
    if (field === "grounding") {
      return {
        name: "Grounded",
        value: mode.grounded ? "on" : "off",
        note: mode.grounded
          ? "concepts shown as the source sentence nearest them, marked [sN]"
          : "every concept decoded by the model (its own wording)",
      };
    }
    return {
      name: "Template",
      value: template ? template.name : "none",
      note: template ? template.description : templates.length > 0 ? `${templates.length} available` : "",
    };
  });
  const title = mode.task === "summarize" ? "Summarize" : "Extend the outline into a document";
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold inverse wrap="truncate">
        {fitTo(` ${title}`, width)}
      </Text>
      <Text> </Text>
      {rows.map((row, i) => (
        <Text key={row.name} wrap="truncate" inverse={i === mode.field}>
          {fitTo(`   ${row.name.padEnd(9)} ◂ ${row.value} ▸  ${row.note}`, width)}
        </Text>
      ))}
      <Text> </Text>
      <Text color={theme.dim} wrap="truncate">
        {fitTo(
          "   Enter starts · ←→ change · ↑↓ move · Esc closes. The output streams into the right pane; Esc cancels it.",
          width,
        )}
      </Text>
    </Box>
  );
}

/** A text field: label, then the text with the cursor shown as an inverted cell, wrapped. */
export function EditorLine({
  label,
  text,
  cursor,
  width,
}: {
  label: string;
  text: string;
  cursor: number;
  width: number;
}): ReactElement {
  const shown = `${text} `; // room for the cursor at the end
  const ranges = wrapParagraphRanges(shown, Math.max(1, width - displayWidth(label)));
  return (
    <>
      {ranges.map(([start, end], i) => {
        const before = shown.slice(start, Math.max(start, Math.min(end, cursor)));
        const hasCursor = cursor >= start && (cursor < end || (i === ranges.length - 1 && cursor <= end));
        const at = hasCursor ? (graphemes(shown.slice(cursor))[0] ?? " ") : "";
        const after = hasCursor
          ? shown.slice(cursor + at.length, end)
          : shown.slice(Math.max(start, Math.min(end, cursor)), end);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: wrapped lines of one field
          <Text key={i} wrap="truncate">
            {i === 0 ? label : " ".repeat(displayWidth(label))}
            {before}
            {hasCursor ? <Text inverse>{at}</Text> : null}
            {after}
          </Text>
        );
      })}
    </>
  );
}

/** Lines a prompt band takes at `width` (label + wrapped field, at most 6). */
export function promptHeight(mode: PromptMode, width: number): number {
  return 1 + Math.min(5, wrapParagraphRanges(`${mode.editor.text} `, Math.max(1, width - 3)).length);
}

export function PromptBand({ mode, width }: { mode: PromptMode; width: number }): ReactElement {
  const height = promptHeight(mode, width);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color={theme.accent} wrap="truncate">
        {fitTo(`${mode.label} · Enter accepts · Esc cancels`, width)}
      </Text>
      <EditorLine label=" › " text={mode.editor.text} cursor={mode.editor.cursor} width={width} />
    </Box>
  );
}

export function ConfirmBand({ mode, width }: { mode: ConfirmMode; width: number }): ReactElement {
  const choices = mode.choices.map((c) => `[${c.key}] ${c.label}`).join("   ");
  return (
    <Box flexDirection="column" width={width} height={2}>
      <Text bold color={theme.highlight} wrap="truncate">
        {truncate(` ${mode.question}`, width)}
      </Text>
      <Text wrap="truncate">{truncate(` ${choices}`, width)}</Text>
    </Box>
  );
}
