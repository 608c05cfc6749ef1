/**
 * Generation as state: the generate form, starting a run (summarize / extend / render a section),
 * streamed concepts, progress, the final result, cancellation, and rendering finished output in
 * another language. Every run has an id; reports from a run that was replaced or cancelled are ignored.
 */

import { describeLanguage } from "../../languages/languages.js";
import { findSectionPath, sectionAt } from "../../planner/outline.js";
import { DEFAULT_GROUNDED } from "../../tasks/render.js";
import { stripControl } from "../../util/sanitize.js";
import { itemDisplayText } from "../output-lines.js";
import { info } from "./message.js";
import { currentRow } from "./navigation.js";
import { isTitled } from "./rows.js";
import type {
  AppState,
  GenerateMode,
  GenerateTask,
  OutputItem,
  OutputState,
  Progress,
  RenderedText,
} from "./types.js";

export const LENGTHS = ["short", "medium", "long"] as const;

export function isRunning(state: AppState): boolean {
  return state.output !== null && (state.output.status === "running" || state.output.status === "rendering");
}

/** Why generation can't start now, or null when it can. */
function blocked(state: AppState, needsLcm: boolean): string | null {
  if (isRunning(state)) return "a generation is running: Esc cancels it";
  const { models } = state;
  if (models.status === "loading") return "the models are still loading";
  if (models.codec === null) return models.note ?? "no codec installed: generation needs one";
  if (needsLcm && models.lcm === null) {
    return models.note ?? "no LCM installed: summarize and extend need one (R renders concepts without it)";
  }
  return null;
}

/** The section the selection is in (a heading's own section), for "this section" choices. */
function selectedSection(state: AppState): { id: string; title: string } | null {
  const row = currentRow(state);
  if (!row) return null;
  const section = row.kind === "section" ? row.section : row.section;
  return isTitled(section) ? { id: section.id, title: section.title } : null;
}

export function openGenerateForm(state: AppState, task: GenerateTask): AppState {
  const why = blocked(state, true);
  if (why) return info(state, why, "error");
  const scopes: GenerateMode["scopes"][number][] = [
    { section: null, label: task === "summarize" ? "the whole document" : "the whole outline" },
  ];
  const section = selectedSection(state);
  if (section) scopes.push({ section: section.id, label: `section '${section.title}'` });
  const zoomed = state.zoom;
  return {
    ...state,
    mode: {
      kind: "generate",
      task,
      field: 0,
      scopes,
      scope: zoomed !== null && section?.id === zoomed ? 1 : 0,
      length: "medium",
      template: -1,
      grounded: DEFAULT_GROUNDED,
      models: state.models.models ?? [],
      model: 0,
    },
  };
}

export type FormField = "scope" | "length" | "grounding" | "template" | "model";

/**
 * Fields of the form, in order: scope, length (summarize only), grounding, template, and model when
 * the loaded LCM offers more than one (a Two-Tower with its Base-LCM: two-tower, base).
 */
export function formFields(form: GenerateMode): FormField[] {
  const fields: FormField[] =
    form.task === "summarize"
      ? ["scope", "length", "grounding", "template"]
      : ["scope", "grounding", "template"];
  return form.models.length > 1 ? [...fields, "model"] : fields;
}

export function changeFormValue(state: AppState, form: GenerateMode, delta: 1 | -1): AppState {
  const field = formFields(form)[form.field];
  const wrap = (i: number, n: number) => ((i % n) + n) % n;
  let next: GenerateMode = form;
  if (field === "scope") next = { ...form, scope: wrap(form.scope + delta, form.scopes.length) };
  else if (field === "length") {
    next = { ...form, length: LENGTHS[wrap(LENGTHS.indexOf(form.length) + delta, LENGTHS.length)] };
  } else if (field === "grounding") {
    next = { ...form, grounded: !form.grounded };
  } else if (field === "model") {
    next = { ...form, model: wrap(form.model + delta, form.models.length) };
  } else {
    // -1 (none) .. templates.length - 1
    next = { ...form, template: wrap(form.template + 1 + delta, state.templates.length + 1) - 1 };
  }
  return { ...state, mode: next };
}

export function startGeneration(state: AppState, form: GenerateMode): AppState {
  const why = blocked(state, true);
  if (why) return info({ ...state, mode: { kind: "normal" } }, why, "error");
  const runId = state.nextRunId;
  const scope = form.scopes[form.scope];
  const template = form.template >= 0 ? (state.templates[form.template]?.name ?? null) : null;
  const title =
    form.task === "summarize" ? `Summary of ${scope.label}` : `Document extended from ${scope.label}`;
  const model = form.model > 0 ? form.models[form.model] : undefined;
  const notes = [template, model].filter((n) => n);
  const output = runningOutput(
    runId,
    form.task,
    `${title}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`,
    state.outputLang,
  );
  return {
    ...state,
    mode: { kind: "normal" },
    nextRunId: runId + 1,
    output,
    pane: "output",
    paneScroll: 0,
    message: {
      text: `${form.task === "summarize" ? "summarizing" : "extending"}… Esc cancels`,
      kind: "info",
    },
    effects: [
      ...state.effects,
      {
        kind: "generate",
        runId,
        request: {
          task: form.task,
          section: scope.section,
          outline: state.history.present,
          length: form.length,
          template,
          lang: state.outputLang,
          grounded: form.grounded,
          // The LCM's own model (the first) runs as a request that names none, as the CLI's default.
          ...(model ? { model } : {}),
        },
      },
    ],
  };
}

/** R: the selected section's concepts (or all) decoded into the output language, as the output. */
export function startRenderSection(state: AppState): AppState {
  const why = blocked(state, false);
  if (why) return info(state, why, "error");
  const section = selectedSection(state);
  const id = state.zoom ?? section?.id ?? null;
  const outline = state.history.present;
  const title =
    id === null
      ? "the document"
      : `'${sectionAt(outline.sections, findSectionPath(outline.sections, id)!).title}'`;
  const runId = state.nextRunId;
  const lang = state.outputLang ?? state.sourceLang;
  return {
    ...state,
    nextRunId: runId + 1,
    pane: "output",
    paneScroll: 0,
    output: runningOutput(
      runId,
      "render",
      `Concepts of ${title}${lang ? ` in ${describeLanguage(lang)}` : ""}`,
      lang,
    ),
    message: { text: "decoding concepts… Esc cancels", kind: "info" },
    effects: [...state.effects, { kind: "renderSection", runId, lang, section: id, outline }],
  };
}

function sameRun(state: AppState, runId: number): OutputState | null {
  return state.output !== null && state.output.runId === runId ? state.output : null;
}

export function onProgress(state: AppState, runId: number, progress: Progress): AppState {
  const output = sameRun(state, runId);
  if (!output || (output.status !== "running" && output.status !== "rendering")) return state;
  return { ...state, output: { ...output, progress } };
}

export function onConcept(state: AppState, runId: number, index: number, item: OutputItem): AppState {
  const output = sameRun(state, runId);
  if (output?.status !== "running") return state;
  const items = [...output.items];
  items[index] = item;
  for (let i = 0; i < items.length; i++) {
    items[i] ??= { text: "…", vector: null, section: null, pinned: false, grounded: false, source: null };
  }
  return { ...state, output: { ...output, items } };
}

export function onGenerated(
  state: AppState,
  runId: number,
  items: readonly OutputItem[],
  sections: OutputState["sections"],
  lang: string,
): AppState {
  const output = sameRun(state, runId);
  if (!output) return state;
  const n = items.length;
  return {
    ...state,
    output: { ...output, items, sections, lang, status: "done", progress: null },
    message: {
      text: `done: ${n} concept${n === 1 ? "" : "s"} in ${describeLanguage(lang)} (W exports, L renders in another language)`,
      kind: "info",
    },
  };
}

export function onRunFailed(state: AppState, runId: number, message: string, cancelled: boolean): AppState {
  const output = sameRun(state, runId);
  if (!output) return state;
  const wasRendering = output.status === "rendering";
  return {
    ...state,
    output: wasRendering
      ? { ...output, status: "done", progress: null }
      : {
          ...output,
          status: cancelled ? "cancelled" : "failed",
          progress: null,
          error: cancelled ? null : message,
        },
    message: cancelled ? { text: "cancelled", kind: "info" } : { text: message, kind: "error" },
  };
}

export function cancelRun(state: AppState): AppState {
  const output = state.output;
  if (!output || !isRunning(state)) return state;
  return {
    ...state,
    message: { text: "cancelling…", kind: "info" },
    effects: [...state.effects, { kind: "cancel", runId: output.runId }],
  };
}

/** The picker chose `lang`: remember it, and render finished output in it. */
export function chooseLanguage(state: AppState, lang: string): AppState {
  const next: AppState = { ...state, outputLang: lang, mode: { kind: "normal" } };
  const output = state.output;
  if (output?.status !== "done" || output.items.length === 0 || output.lang === lang) {
    return { ...next, message: { text: `output language: ${describeLanguage(lang)}`, kind: "info" } };
  }
  if (output.items.every((item) => item.vector === null && !item.source)) {
    return { ...next, message: { text: "this output has no concepts to render again", kind: "error" } };
  }
  if (state.models.codec === null)
    return { ...next, message: { text: "no codec loaded to render with", kind: "error" } };
  return {
    ...next,
    pane: "output",
    output: { ...output, status: "rendering", progress: null },
    message: { text: `rendering in ${describeLanguage(lang)}…`, kind: "info" },
    effects: [...state.effects, { kind: "renderOutput", runId: output.runId, lang, items: output.items }],
  };
}

/**
 * The output in another language. Each item says how it was rendered: a grounded item shows its
 * source sentence verbatim only when the sentence is in that language, else the sentence's concept
 * decoded ("source-decoded", marked [sN decoded], never a plain [sN]).
 */
export function onRendered(
  state: AppState,
  runId: number,
  lang: string,
  rendered: readonly RenderedText[],
): AppState {
  const output = sameRun(state, runId);
  if (!output) return state;
  const items = output.items.map((item, i): OutputItem => {
    const r = rendered[i];
    if (!r) return item;
    const grounded = r.rendering === "source" || r.rendering === "source-decoded";
    return { ...item, text: r.text, rendering: r.rendering, grounded };
  });
  return {
    ...state,
    output: { ...output, items, lang, status: "done", progress: null, exported: false },
    message: { text: `rendered in ${describeLanguage(lang)}`, kind: "info" },
  };
}

/**
 * The output as Markdown, for export: a title, then the sections' concepts as paragraphs, each
 * sentence taken from the source marked as on screen ([sN]); withheld ones are left out.
 */
export function outputMarkdown(output: OutputState): string {
  const lines: string[] = [`# ${output.title}`, ""];
  const sections = output.sections ?? [];
  const bySection = new Map<number | null, string[]>();
  for (const item of output.items) {
    const key = item.section !== null && item.section < sections.length ? item.section : null;
    const text = itemDisplayText(item);
    if (text === null) continue;
    const list = bySection.get(key) ?? [];
    list.push(text);
    bySection.set(key, list);
  }
  const loose = bySection.get(null);
  if (loose) lines.push(loose.join(" "), "");
  sections.forEach((section, i) => {
    const texts = bySection.get(i);
    if (section.title)
      lines.push(`${"#".repeat(Math.min(6, Math.max(2, section.level + 1)))} ${section.title}`, "");
    if (texts) lines.push(texts.join(" "), "");
  });
  // Like every other output: no terminal control sequence from the document reaches the file.
  return `${stripControl(lines.join("\n")).trimEnd()}\n`;
}

/** A fresh output pane for a run that has just started. */
function runningOutput(
  runId: number,
  task: OutputState["task"],
  title: string,
  lang: OutputState["lang"],
): OutputState {
  return {
    runId,
    task,
    title,
    lang,
    sections: null,
    items: [],
    status: "running",
    progress: null,
    error: null,
    exported: false,
  };
}
