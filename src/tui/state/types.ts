/**
 * The TUI's whole state as plain data, the actions that change it, and the effects it asks for.
 *
 * The reducer (reducer.ts) is pure: keys and results come in as actions, a new state comes out. Work
 * that touches the world (models, files, the session) is requested by appending an Effect to
 * `state.effects`; the app's effect runner (../effects.ts) takes them, does the work off the render
 * loop and reports back with actions. Tests drive the reducer with keys and read the effects.
 */

import type { SourceLocation, SourceMap } from "../../inputs/source-locations.js";
import type { OfferedModel } from "../../lcm/model-kinds.js";
import type { DocumentFormat, Outline } from "../../planner/outline.js";
import type { OutlineEdit } from "../../planner/outline-edits.js";
import type { OutlineHistory } from "../../planner/outline-history.js";
import type { LengthPreset } from "../../tasks/lengths.js";
import type { Rendering } from "../../tasks/render.js";
import type { KeyPress } from "../key-press.js";
import type { CommandId, Keymap } from "../keymap.js";
import type { LineEditor } from "./line-editor.js";

export interface DocumentInfo {
  /** Display name (the path as given). */
  readonly name: string;
  /** Absolute path (the session file is keyed on it). */
  readonly path: string;
  /** The source text spans point into; "" when the TUI opened a saved outline file. */
  readonly text: string;
  readonly format: DocumentFormat;
  /** The TUI opened an outline file (`lcm outline -o x.md`), not a document. */
  readonly fromOutlineFile: boolean;
  /** A PDF, Word, EPUB or HTML document: where each block of `text` is in the file (page, chapter...). */
  readonly locations?: SourceMap;
}

/** A row of the outline pane: "s:<section id>" or "c:<concept id>". */
export type RowKey = string;

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Rows of the outline list (the body minus its title line). */
  readonly listHeight: number;
  readonly outlineWidth: number;
  /** Width of the right pane; 0 when the terminal is too narrow for two panes. */
  readonly paneWidth: number;
}

export interface SearchState {
  readonly query: string;
  /** Matching rows in document order. */
  readonly matches: readonly RowKey[];
  /** The current match (index into `matches`), -1 when none. */
  readonly index: number;
}

export type PromptPurpose =
  | "search"
  | "addConcept"
  | "addSection"
  | "rewrite"
  | "rename"
  | "split"
  | "target"
  | "exportOutline"
  | "exportOutput";

export interface PromptMode {
  readonly kind: "prompt";
  readonly purpose: PromptPurpose;
  readonly label: string;
  readonly editor: LineEditor;
  /** The concept or section the prompt is about. */
  readonly target: string | null;
  /** What the cursor and search were before a search prompt (Esc puts them back). */
  readonly restore?: { readonly cursor: RowKey | null; readonly search: SearchState | null };
}

export type ConfirmIntent =
  | { readonly kind: "deleteSection"; readonly section: string }
  | { readonly kind: "overwrite"; readonly what: ExportKind; readonly path: string; readonly text: string }
  | { readonly kind: "quit" }
  | { readonly kind: "recover" };

export interface ConfirmChoice {
  /** Key name that picks it ("y", "n", "k", "esc"). */
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

export interface ConfirmMode {
  readonly kind: "confirm";
  readonly question: string;
  readonly choices: readonly ConfirmChoice[];
  readonly intent: ConfirmIntent;
}

export type GenerateTask = "summarize" | "extend";

export interface GenerateMode {
  readonly kind: "generate";
  readonly task: GenerateTask;
  /**
   * Focused field, an index into formFields(): scope, length (summarize only), grounding, template,
   * model (when the LCM offers more than one).
   */
  readonly field: number;
  readonly scopes: readonly { readonly section: string | null; readonly label: string }[];
  readonly scope: number;
  readonly length: LengthPreset;
  /** Index into state.templates, -1 for none. */
  readonly template: number;
  /** Grounded rendering: concepts that restate a source sentence are shown as that sentence, marked. */
  readonly grounded: boolean;
  /** The models the loaded LCM offers (ModelsState.models), its own first; the form offers these. */
  readonly models: readonly OfferedModel[];
  /** Index into `models`; 0, the LCM's own, runs as a request that names no model. */
  readonly model: number;
}

export interface PickerMode {
  readonly kind: "languages";
  readonly editor: LineEditor;
  /** Index into the filtered list. */
  readonly selected: number;
}

export interface HelpMode {
  readonly kind: "help";
  readonly scroll: number;
}

export type Mode =
  | { readonly kind: "normal" }
  | PromptMode
  | ConfirmMode
  | GenerateMode
  | PickerMode
  | HelpMode;

export type ExportKind = "outline" | "output";

export interface OutputItem {
  readonly text: string;
  /** The concept (for rendering in another language); null when there is none. */
  readonly vector: Float32Array | null;
  /** Index into OutputState.sections. */
  readonly section: number | null;
  readonly pinned: boolean;
  /** Shown as the source sentence it restates (grounded rendering). */
  readonly grounded: boolean;
  /**
   * How the text came to be (src/tasks/render.ts): a source sentence verbatim ("source") or decoded
   * into another language ("source-decoded"), the concept decoded ("generated"), pinned text. It picks
   * the marker ([sN], [sN decoded]); absent (sessions saved before it was kept): no marker.
   */
  readonly rendering?: Rendering;
  /** The source sentence a grounded item shows: rendering it in another language starts from it. */
  readonly source?: OutputSource | null;
}

export interface OutputSource {
  /** The sentence's place among the document's sentences, 0-based (the N of [sN] is index + 1). */
  readonly index: number;
  readonly text: string;
  /** The language the sentence is in (shown verbatim when the output is in it too). */
  readonly lang: string;
  /** Where it is in the file the user has (converted documents), shown in its marker: [s12, p. 3]. */
  readonly location?: SourceLocation;
}

/** An item rendered in another language: its new text and how it came to be. */
export interface RenderedText {
  readonly text: string;
  readonly rendering: Rendering;
}

export interface Progress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export type OutputTask = GenerateTask | "render";

export interface OutputState {
  readonly runId: number;
  readonly task: OutputTask;
  readonly title: string;
  /** Language the items are rendered in; null until known. */
  readonly lang: string | null;
  readonly sections: readonly { readonly title: string; readonly level: number }[] | null;
  readonly items: readonly OutputItem[];
  readonly status: "running" | "rendering" | "done" | "cancelled" | "failed";
  readonly progress: Progress | null;
  readonly error: string | null;
  readonly exported: boolean;
}

export interface ModelsState {
  readonly status: "loading" | "ready" | "failed";
  readonly codec: string | null;
  readonly lcm: string | null;
  /** The codec's languages (the picker offers these). */
  readonly languages: readonly string[];
  /** Why something is missing ("no LCM installed ..."). */
  readonly note: string | null;
  /** The models the LCM offers (two-tower, one-tower, base), its own first; absent: not known. */
  readonly models?: readonly OfferedModel[];
}

export interface EncodingState {
  readonly status: "idle" | "running" | "done" | "off" | "failed";
  readonly done: number;
  readonly total: number;
  /** Concepts edited since they were last encoded. */
  readonly pending: readonly string[];
  readonly note: string | null;
}

export interface TemplateInfo {
  readonly name: string;
  readonly description: string;
}

export interface Message {
  readonly text: string;
  readonly kind: "info" | "error";
}

export interface GenerateRequest {
  readonly task: GenerateTask;
  /** Section id to work on; null for the whole document/outline. */
  readonly section: string | null;
  readonly outline: Outline;
  readonly length: LengthPreset;
  readonly template: string | null;
  /** Output language; null: the source's. */
  readonly lang: string | null;
  /** Grounded rendering (the form's choice; DEFAULT_GROUNDED unless changed). */
  readonly grounded: boolean;
  /** The model chosen in the form; absent: the LCM's own. */
  readonly model?: OfferedModel;
}

export type Effect =
  | { readonly kind: "generate"; readonly runId: number; readonly request: GenerateRequest }
  | { readonly kind: "cancel"; readonly runId: number }
  | {
      readonly kind: "renderOutput";
      readonly runId: number;
      readonly lang: string;
      /** The output's items: their concepts, and for grounded ones the source sentence. */
      readonly items: readonly OutputItem[];
    }
  | {
      readonly kind: "renderSection";
      readonly runId: number;
      readonly lang: string | null;
      readonly section: string | null;
      readonly outline: Outline;
    }
  | {
      readonly kind: "export";
      readonly what: ExportKind;
      readonly path: string;
      readonly text: string;
      readonly overwrite: boolean;
    }
  | { readonly kind: "quit"; readonly session: "keep" | "discard" }
  | { readonly kind: "discardSession" };

/** What the session file holds and a restore puts back. */
export interface SessionSnapshot {
  readonly savedAt: string;
  readonly outline: Outline;
  /** The edits since the document was opened, oldest first (replayed to rebuild undo). */
  readonly edits: readonly OutlineEdit[];
  readonly cursor: RowKey | null;
  readonly folded: readonly string[];
  readonly zoom: string | null;
  readonly outputLang: string | null;
  readonly output: OutputState | null;
}

export interface AppState {
  readonly doc: DocumentInfo;
  readonly history: OutlineHistory;
  /** The outline as opened (edits replay from it when a session is restored). */
  readonly base: Outline;
  readonly cursor: RowKey | null;
  readonly folded: readonly string[];
  readonly zoom: string | null;
  /** First visible row of the outline list. */
  readonly scroll: number;
  readonly layout: Layout;
  readonly search: SearchState | null;
  readonly mode: Mode;
  readonly pane: "source" | "output";
  /** Lines the output pane is scrolled up from its end; 0 follows the end (streaming). */
  readonly paneScroll: number;
  readonly output: OutputState | null;
  /** The language chosen for output; null: the source's. */
  readonly outputLang: string | null;
  /** The document's detected language. */
  readonly sourceLang: string | null;
  readonly models: ModelsState;
  readonly encoding: EncodingState;
  readonly templates: readonly TemplateInfo[];
  readonly message: Message | null;
  readonly bindings: Keymap;
  /** Edits, undos and redos so far; the outline is unsaved while it differs from exportedRevision. */
  readonly revision: number;
  readonly exportedRevision: number;
  /** A session found on disk, waiting for the user's answer. */
  readonly recovered: SessionSnapshot | null;
  readonly effects: readonly Effect[];
  readonly nextRunId: number;
}

export type Action =
  | { readonly type: "key"; readonly key: KeyPress }
  | { readonly type: "command"; readonly command: CommandId }
  | { readonly type: "resize"; readonly width: number; readonly height: number }
  | { readonly type: "effectsTaken"; readonly count: number }
  | { readonly type: "models"; readonly models: ModelsState }
  | { readonly type: "templates"; readonly templates: readonly TemplateInfo[] }
  | { readonly type: "encoding"; readonly encoding: Partial<EncodingState> }
  | { readonly type: "sourceLang"; readonly lang: string }
  | { readonly type: "progress"; readonly runId: number; readonly progress: Progress }
  | { readonly type: "concept"; readonly runId: number; readonly index: number; readonly item: OutputItem }
  | {
      readonly type: "generated";
      readonly runId: number;
      readonly items: readonly OutputItem[];
      readonly sections: OutputState["sections"];
      readonly lang: string;
    }
  | {
      readonly type: "runFailed";
      readonly runId: number;
      readonly message: string;
      readonly cancelled: boolean;
    }
  | {
      readonly type: "rendered";
      readonly runId: number;
      readonly lang: string;
      /** One per output item, in order. */
      readonly items: readonly RenderedText[];
    }
  | { readonly type: "exported"; readonly what: ExportKind; readonly path: string }
  | { readonly type: "exportExists"; readonly what: ExportKind; readonly path: string; readonly text: string }
  | { readonly type: "message"; readonly text: string; readonly kind: Message["kind"] };
