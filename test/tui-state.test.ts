/**
 * The TUI's reducer, driven by keys on a real document (examples/problems-of-philosophy.md): moving,
 * folding, zoom, search, every outline edit with undo and redo, the generate form and runs, the
 * language picker, exports, quitting and restoring a session.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import { findConcept, findSectionPath, type Outline, sectionAt } from "../src/planner/outline.js";
import { outlineStats } from "../src/planner/outline-stats.js";
import { ruleSegmenter } from "../src/segment/rules.js";
import { press, typed } from "../src/tui/key-press.js";
import { buildKeymap } from "../src/tui/keymap.js";
import { outputLines } from "../src/tui/output-lines.js";
import { outputMarkdown } from "../src/tui/state/generation.js";
import { hasSessionContent, initialState, snapshotOf } from "../src/tui/state/init.js";
import { currentRow, rowsOf } from "../src/tui/state/navigation.js";
import { reduce } from "../src/tui/state/reducer.js";
import { quickStats } from "../src/tui/state/stats.js";
import type { Action, AppState, GenerateMode, OutputItem } from "../src/tui/state/types.js";

const PATH = "examples/problems-of-philosophy.md";
let text: string;
let outline: Outline;

beforeAll(() => {
  text = readFileSync(PATH, "utf8");
  outline = buildOutline(text, { segmenter: ruleSegmenter, format: "markdown", lang: "eng_Latn" });
});

function open(options: { width?: number; height?: number } = {}): AppState {
  return initialState({
    doc: { name: PATH, path: `/docs/${PATH}`, text, format: "markdown", fromOutlineFile: false },
    outline,
    width: options.width ?? 100,
    height: options.height ?? 30,
  });
}

/** Presses keys by name ("j", "enter", "ctrl+z"); a string in an array is typed as text. */
function keys(state: AppState, ...names: (string | [string])[]): AppState {
  return names.reduce<AppState>(
    (s, name) => reduce(s, { type: "key", key: Array.isArray(name) ? typed(name[0]) : press(name) }),
    state,
  );
}

function act(state: AppState, ...actions: Action[]): AppState {
  return actions.reduce(reduce, state);
}

const ready = (s: AppState, lcm: string | null = "lcm-smoke"): AppState =>
  act(s, {
    type: "models",
    models: {
      status: "ready",
      codec: "codec",
      lcm,
      languages: ["eng_Latn", "fra_Latn", "deu_Latn", "zho_Hans"],
      note: null,
    },
  });

const present = (s: AppState) => s.history.present;
const conceptText = (s: AppState, id: string) => findConcept(present(s), id)?.concept.text;
const section = (s: AppState, id: string) => {
  const path = findSectionPath(present(s).sections, id);
  return path ? sectionAt(present(s).sections, path) : null;
};

describe("navigation", () => {
  it("moves with arrows and vi keys, pages, and jumps to the ends", () => {
    let s = open();
    expect(s.cursor).toBe("c:c1");
    s = keys(s, "j", "down", "j");
    expect(s.cursor).toBe("s:s3");
    s = keys(s, "k");
    expect(s.cursor).toBe("c:c2");
    s = keys(s, "G");
    expect(s.cursor).toBe(rowsOf(s).at(-1)!.key);
    expect(s.scroll).toBe(rowsOf(s).length - s.layout.listHeight);
    s = keys(s, "g");
    expect([s.cursor, s.scroll]).toEqual(["c:c1", 0]);
    s = keys(s, "pagedown");
    expect(rowsOf(s).findIndex((r) => r.key === s.cursor)).toBe(s.layout.listHeight - 1);
    s = keys(s, "pageup");
    expect(s.cursor).toBe("c:c1");
  });

  it("jumps between section headings", () => {
    let s = keys(open(), "]");
    expect(s.cursor).toBe("s:s2");
    s = keys(s, "]", "]");
    expect(s.cursor).toBe("s:s4");
    s = keys(s, "[");
    expect(s.cursor).toBe("s:s3");
  });

  it("folds and unfolds sections, and h goes to the enclosing heading", () => {
    let s = keys(open(), "]", "]"); // Preface
    const before = rowsOf(s).length;
    s = keys(s, "h");
    expect(s.folded).toEqual(["s3"]);
    expect(rowsOf(s).length).toBe(before - 4);
    s = keys(s, "l");
    expect(s.folded).toEqual([]);
    s = keys(s, "l"); // into the section
    expect(s.cursor).toBe("c:c3");
    s = keys(s, "h"); // a concept: to its heading
    expect(s.cursor).toBe("s:s3");
    s = keys(s, "space");
    expect(s.folded).toContain("s3");
    s = keys(s, "-");
    expect(rowsOf(s).map((r) => r.key)).toEqual(["c:c1", "s:s2"]);
    expect(s.cursor).toBe("s:s2");
    s = keys(s, "=");
    expect(rowsOf(s).length).toBe(before);
  });

  it("zooms into a section and back out", () => {
    let s = keys(open(), "]", "]", "]"); // Chapter I
    s = keys(s, "enter");
    expect(s.zoom).toBe("s4");
    const rows = rowsOf(s);
    expect(rows[0].key).toBe("s:s4");
    expect(rows.length).toBe(118);
    expect(rows.every((r) => r.key === "s:s4" || (r.kind === "concept" && r.section.id === "s4"))).toBe(true);
    s = keys(s, "j", "backspace");
    expect(s.zoom).toBe("s2");
    expect(s.cursor).toBe("c:c7");
    s = keys(s, "esc");
    expect(s.zoom).toBeNull();
    expect(s.cursor).toBe("c:c7");
  });

  it("keeps the cursor visible after a resize", () => {
    let s = keys(open(), "G");
    s = act(s, { type: "resize", width: 80, height: 24 });
    const i = rowsOf(s).findIndex((r) => r.key === s.cursor);
    expect(s.layout.listHeight).toBe(19);
    expect(i - s.scroll).toBeLessThan(19);
    expect(s.layout.outlineWidth + s.layout.paneWidth + 1).toBe(80);
  });
});

describe("search", () => {
  it("finds as you type, ignoring case and accents, and n/N step through matches", () => {
    let s = keys(open(), "/", ["TABLE"]);
    expect(s.mode.kind).toBe("prompt");
    const first = s.cursor!;
    expect(conceptText(s, first.slice(2))!.toLowerCase()).toContain("table");
    s = keys(s, "enter");
    expect(s.mode.kind).toBe("normal");
    expect(s.message?.text).toMatch(/^\d+ matches: n next/);
    const count = s.search!.matches.length;
    expect(count).toBeGreaterThan(5);
    s = keys(s, "n");
    expect(s.cursor).not.toBe(first);
    s = keys(s, "N");
    expect(s.cursor).toBe(first);
    s = keys(s, "N"); // wraps to the last match
    expect(s.cursor).toBe(s.search!.matches[count - 1]);
    expect(s.message?.text).toMatch(/wrapped/);
  });

  it("reveals matches inside folded sections", () => {
    const s = keys(open(), "-", "/", ["Gilbert Murray"], "enter");
    expect(s.cursor).toBe("c:c6");
    expect(s.folded).not.toContain("s3");
    expect(s.folded).not.toContain("s2");
  });

  it("Esc puts the cursor and the previous search back", () => {
    let s = keys(open(), "j", "/", ["sense-data"]);
    expect(s.cursor).not.toBe("s:s2");
    s = keys(s, "esc");
    expect([s.cursor, s.search, s.mode.kind]).toEqual(["s:s2", null, "normal"]);
  });

  it("matches accented text without the accents", () => {
    let s = open();
    s = keys(s, "G", "a", ["Un résumé très naïf."], "enter");
    s = keys(s, "g", "/", ["RESUME"], "enter");
    expect(conceptText(s, s.cursor!.slice(2))).toBe("Un résumé très naïf.");
  });
});

describe("edits, each undoable and redoable", () => {
  it("rewrites a concept from a prompt filled with its text", () => {
    let s = keys(open(), "]", "]", "l"); // c3
    s = keys(s, "e");
    expect(s.mode.kind === "prompt" && s.mode.editor.text).toBe(conceptText(s, "c3"));
    s = keys(s, "ctrl+u", ["I wrote this instead."], "enter");
    expect(conceptText(s, "c3")).toBe("I wrote this instead.");
    expect(findConcept(present(s), "c3")!.concept.rewritten).toBe(true);
    expect(s.revision).toBe(1);
    s = keys(s, "u");
    expect(conceptText(s, "c3")).toMatch(/^In the following pages/);
    expect(s.message?.text).toBe("undid: rewrite c3");
    s = keys(s, "ctrl+r");
    expect(conceptText(s, "c3")).toBe("I wrote this instead.");
    expect(s.message?.text).toBe("redid: rewrite c3");
  });

  it("refuses an empty rewrite and says why", () => {
    const s = keys(open(), "]", "]", "l", "e", "ctrl+u", "enter");
    expect(s.message).toEqual({ text: "a concept can't be empty: d deletes it", kind: "error" });
    expect(s.history.past.length).toBe(0);
  });

  it("adds a concept after the selection and a section after the selected one", () => {
    let s = keys(open(), "]", "]", "l", "a", ["A new thought."], "enter");
    const id = `c${outline.nextConceptId}`;
    expect(s.cursor).toBe(`c:${id}`);
    expect(
      section(s, "s3")!
        .concepts.map((c) => c.id)
        .slice(0, 2),
    ).toEqual(["c3", id]);
    s = keys(s, "]", "A", ["Chapter I½"], "enter"); // after Chapter I
    const sid = `s${outline.nextSectionId}`;
    expect(s.cursor).toBe(`s:${sid}`);
    expect(section(s, "s2")!.sections.map((x) => x.id)).toEqual(["s3", "s4", sid, "s5"]);
    s = keys(s, "u", "u");
    expect(present(s)).toBe(outline);
  });

  it("deletes a concept at once, and a section only after confirming", () => {
    let s = keys(open(), "]", "]", "l", "d");
    expect(findConcept(present(s), "c3")).toBeNull();
    expect(s.cursor).toBe("c:c4");
    s = keys(s, "h", "d");
    expect(s.mode.kind).toBe("confirm");
    expect(s.mode.kind === "confirm" && s.mode.question).toBe("Delete section 'Preface' with 3 concepts?");
    s = keys(s, "n");
    expect(section(s, "s3")).not.toBeNull();
    s = keys(s, "d", "y");
    expect(section(s, "s3")).toBeNull();
    s = keys(s, "u", "u");
    expect(present(s)).toBe(outline);
  });

  it("moves a concept within its section and across into the next", () => {
    let s = keys(open(), "]", "]", "l", "J");
    expect(
      section(s, "s3")!
        .concepts.map((c) => c.id)
        .slice(0, 2),
    ).toEqual(["c4", "c3"]);
    expect(s.cursor).toBe("c:c3");
    s = keys(s, "J", "J", "J"); // to the end, then over into Chapter I
    expect(section(s, "s4")!.concepts[0].id).toBe("c3");
    expect(s.message?.text).toMatch(/moved c3 to 'Chapter I/);
    s = keys(s, "K");
    expect(section(s, "s3")!.concepts.at(-1)!.id).toBe("c3");
    s = keys(s, "u", "u", "u", "u", "u");
    expect(present(s)).toBe(outline);
  });

  it("moves, indents and outdents sections", () => {
    let s = keys(open(), "]", "]", "]"); // Chapter I
    s = keys(s, "K");
    expect(section(s, "s2")!.sections.map((x) => x.id)).toEqual(["s4", "s3", "s5"]);
    s = keys(s, "J", "J");
    expect(section(s, "s2")!.sections.map((x) => x.id)).toEqual(["s3", "s5", "s4"]);
    s = keys(s, ">"); // under Chapter II
    expect(section(s, "s5")!.sections.map((x) => x.id)).toEqual(["s4"]);
    expect(section(s, "s4")!.level).toBe(3);
    s = keys(s, "<");
    expect(section(s, "s4")!.level).toBe(2);
    s = keys(s, "g", "j", ">"); // the top heading has no previous section to go under
    expect(s.message?.kind).toBe("error");
    s = keys(s, "j", ">");
    expect(s.message?.text).toMatch(/indent and outdent move sections/);
  });

  it("merges a concept with the next one and splits where the cursor is", () => {
    let s = keys(open(), "]", "]", "l", "m");
    expect(s.message?.text).toMatch(/over the 256-character cap/);
    expect(s.history.past).toHaveLength(0);
    s = keys(s, "j", "j", "j", "j", "j", "m"); // Chapter I's first two sentences, c7 + c8
    expect(conceptText(s, "c7")).toMatch(/could doubt it\? This question, which at first sight/);
    expect(findConcept(present(s), "c8")).toBeNull();
    s = keys(s, "u", "g", "]", "]", "l");
    // Split c3 after "In the following pages": move the field's cursor to offset 23.
    s = keys(s, "b", "home", ...Array(23).fill("right"), "enter");
    const tail = `c${outline.nextConceptId}`;
    expect(conceptText(s, "c3")).toBe("In the following pages");
    expect(conceptText(s, tail)).toMatch(/^I have confined myself/);
    expect(s.cursor).toBe(`c:${tail}`);
    // Spans stay exact: each half's span shows its own text in the source.
    const [a, b] = [
      findConcept(present(s), "c3")!.concept.span!,
      findConcept(present(s), tail)!.concept.span!,
    ];
    expect(text.slice(a[0], a[1])).toBe("In the following pages");
    expect(text.slice(b[0], b[0] + 22)).toBe("I have confined myself");
  });

  it("pins, sets a section's target length, renames a section", () => {
    let s = keys(open(), "]", "]", "l", "p");
    expect(findConcept(present(s), "c3")!.concept.pinned).toBe(true);
    s = keys(s, "p");
    expect(findConcept(present(s), "c3")!.concept.pinned).toBe(false);
    s = keys(s, "t", ["4"], "enter");
    expect(section(s, "s3")!.targetLength).toBe(4);
    s = keys(s, "t", "ctrl+u", ["many"], "enter");
    expect(s.message?.kind).toBe("error");
    s = keys(s, "t", "ctrl+u", "enter");
    expect(section(s, "s3")!.targetLength).toBeUndefined();
    s = keys(s, "h", "r", "ctrl+u", ["Foreword"], "enter");
    expect(section(s, "s3")!.title).toBe("Foreword");
    expect(s.history.past.map((e) => e.edit.op)).toEqual([
      "pin",
      "pin",
      "target",
      "target",
      "rename_section",
    ]);
  });

  it("never rewrites opaque blocks", () => {
    const s = keys(open(), "e");
    expect(s.mode.kind).toBe("normal");
    expect(s.message?.text).toMatch(/opaque blocks/);
  });

  it("undo with nothing to undo says so", () => {
    expect(keys(open(), "u").message?.text).toBe("nothing to undo");
    expect(keys(open(), "ctrl+y").message?.text).toBe("nothing to redo");
  });
});

describe("generation", () => {
  it("will not start without an LCM, and says why", () => {
    const s = keys(ready(open(), null), "s");
    expect(s.mode.kind).toBe("normal");
    expect(s.message?.kind).toBe("error");
    expect(keys(open(), "s").message?.text).toBe("the models are still loading");
  });

  it("opens a form, starts a run with the chosen scope and length, streams and finishes", () => {
    let s = keys(ready(open()), "]", "]", "]", "s");
    expect(s.mode.kind).toBe("generate");
    s = keys(s, "right", "down", "right"); // this section; long
    s = keys(s, "enter");
    expect(s.effects).toHaveLength(1);
    const effect = s.effects[0];
    expect(effect.kind === "generate" && effect.request.section).toBe("s4");
    expect(effect.kind === "generate" && effect.request.length).toBe("long");
    expect(s.pane).toBe("output");
    expect(s.output?.status).toBe("running");
    const runId = s.output!.runId;
    const item = (t: string): OutputItem => ({
      text: t,
      vector: new Float32Array([1, 0]),
      section: null,
      pinned: false,
      grounded: false,
    });
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      { type: "progress", runId, progress: { stage: "generate", done: 1, total: 5 } },
      { type: "concept", runId, index: 0, item: item("First.") },
      { type: "concept", runId: runId + 99, index: 0, item: item("From another run.") },
      { type: "concept", runId, index: 1, item: item("Second.") },
    );
    expect(s.output!.items.map((i) => i.text)).toEqual(["First.", "Second."]);
    expect(s.output!.progress?.done).toBe(1);
    s = act(s, {
      type: "generated",
      runId,
      items: [item("First."), item("Second.")],
      sections: null,
      lang: "eng_Latn",
    });
    expect(s.output!.status).toBe("done");
    expect(s.message?.text).toMatch(/done: 2 concepts/);
  });

  it("Esc cancels a running generation", () => {
    let s = keys(ready(open()), "s", "enter");
    const runId = s.output!.runId;
    s = act(s, { type: "effectsTaken", count: 1 });
    s = keys(s, "esc");
    expect(s.effects).toEqual([{ kind: "cancel", runId }]);
    s = act(s, { type: "runFailed", runId, message: "cancelled", cancelled: true });
    expect(s.output!.status).toBe("cancelled");
  });

  it("the language picker filters by code, name or alias and renders finished output again", () => {
    let s = ready(open());
    s = keys(s, "L", ["fren"]);
    expect(s.mode.kind).toBe("languages");
    s = keys(s, "enter");
    expect(s.outputLang).toBe("fra_Latn");
    expect(s.effects).toEqual([]); // nothing to render yet
    // With output: rendering asks for a decode of the same concepts.
    s = keys(s, "s", "enter");
    const runId = s.output!.runId;
    const v = new Float32Array([0.5, 0.5]);
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      {
        type: "generated",
        runId,
        items: [{ text: "Bonjour.", vector: v, section: null, pinned: false, grounded: false }],
        sections: null,
        lang: "fra_Latn",
      },
    );
    s = keys(s, "L", ["zh"], "enter");
    expect(s.effects).toEqual([{ kind: "renderOutput", runId, lang: "zho_Hans", items: s.output!.items }]);
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      { type: "rendered", runId, lang: "zho_Hans", items: [{ text: "你好。", rendering: "generated" }] },
    );
    expect(s.output!.items[0].text).toBe("你好。");
    expect(s.output!.lang).toBe("zho_Hans");
  });

  it("marks sentences taken from the source in the output pane and the export, and drops withheld ones", () => {
    let s = keys(ready(open()), "s", "enter");
    const runId = s.output!.runId;
    const source = { index: 11, text: "The sun is a star.", lang: "eng_Latn" };
    const items: OutputItem[] = [
      {
        text: source.text,
        vector: null,
        section: null,
        pinned: false,
        grounded: true,
        rendering: "source",
        source,
      },
      {
        text: "A memorised sentence.",
        vector: null,
        section: null,
        pinned: false,
        grounded: false,
        rendering: "withheld",
      },
      {
        text: "The model's own words.",
        vector: null,
        section: null,
        pinned: false,
        grounded: false,
        rendering: "generated",
      },
    ];
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      { type: "generated", runId, items, sections: null, lang: "eng_Latn" },
    );
    const pane = outputLines(s.output!, 80)
      .map((l) => l.map((seg) => seg.text).join(""))
      .join("\n");
    expect(pane).toContain("The sun is a star. [s12]");
    expect(pane).toContain("The model's own words.");
    expect(pane).not.toContain("[s12] [s12]");
    expect(pane).not.toContain("memorised");
    expect(outputMarkdown(s.output!)).toContain("The sun is a star. [s12]");
    // Rendered in French, the source sentence is a machine rendering of it, and says so.
    s = keys(s, "L", ["fren"], "enter");
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      {
        type: "rendered",
        runId,
        lang: "fra_Latn",
        items: [
          { text: "Le soleil est une étoile.", rendering: "source-decoded" },
          { text: "A memorised sentence.", rendering: "withheld" },
          { text: "Les mots du modèle.", rendering: "generated" },
        ],
      },
    );
    const french = outputLines(s.output!, 80)
      .map((l) => l.map((seg) => seg.text).join(""))
      .join("\n");
    expect(french).toContain("Le soleil est une étoile. [s12 decoded]");
    expect(french).not.toMatch(/\[s12\](?! decoded)/);
  });

  it("exports Markdown without the document's terminal control sequences", () => {
    let s = keys(ready(open()), "s", "enter");
    const runId = s.output!.runId;
    const text = "Red \u001b[31malert\u001b[0m and a \u001b]0;new title\u0007 bell.";
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      {
        type: "generated",
        runId,
        items: [
          { text, vector: null, section: null, pinned: false, grounded: false, rendering: "generated" },
        ],
        sections: null,
        lang: "eng_Latn",
      },
    );
    const md = outputMarkdown(s.output!);
    expect(md).toContain("Red alert and a  bell.");
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it("the Summarize form has a grounding switch, on by default, sent with the request", () => {
    let s = keys(ready(open()), "s");
    expect(s.mode.kind).toBe("generate");
    expect((s.mode as GenerateMode).grounded).toBe(true);
    // Fields: scope, length, grounding, template: move to grounding and flip it.
    s = keys(s, "down", "down", "right");
    expect((s.mode as GenerateMode).grounded).toBe(false);
    s = keys(s, "enter");
    const effect = s.effects.find((e) => e.kind === "generate");
    expect(effect && effect.kind === "generate" && effect.request.grounded).toBe(false);
  });

  it("offers the models the loaded LCM has, last in the form; the LCM's own runs as no model named", () => {
    const withModels = (models: ("two-tower" | "one-tower" | "base")[]) =>
      act(open(), {
        type: "models",
        models: {
          status: "ready",
          codec: "codec",
          lcm: "lcm-smoke",
          languages: ["eng_Latn"],
          note: null,
          models,
        },
      });
    const request = (s: AppState) => {
      const effect = s.effects.find((e) => e.kind === "generate");
      return effect?.kind === "generate" ? effect.request : null;
    };
    // A Two-Tower with its Base-LCM: a Model field after the template, two-tower first.
    let s = keys(withModels(["two-tower", "base"]), "s");
    expect((s.mode as GenerateMode).models).toEqual(["two-tower", "base"]);
    expect(keys(s, "enter").effects.length).toBe(1);
    expect(request(keys(s, "enter"))?.model).toBeUndefined();
    s = keys(s, "up", "right"); // up from scope wraps to the last field, Model: base
    expect((s.mode as GenerateMode).model).toBe(1);
    s = keys(s, "enter");
    expect(request(s)?.model).toBe("base");
    expect(s.output?.title).toBe("Summary of the whole document (base)");
    // A One-Tower alone: nothing to choose, no Model field (scope, grounding, template for extend).
    const one = keys(withModels(["one-tower"]), "x");
    expect(one.mode.kind).toBe("generate");
    expect((one.mode as GenerateMode).models).toEqual(["one-tower"]);
    expect(request(keys(one, "up", "right", "enter"))?.model).toBeUndefined();
  });

  it("the output pane follows the end, and scrolls back within the output", () => {
    let s = keys(ready(open()), "s", "enter");
    const runId = s.output!.runId;
    const items: OutputItem[] = Array.from({ length: 60 }, (_, i) => ({
      text: `Sentence number ${i} of a long output.`,
      vector: null,
      section: null,
      pinned: false,
      grounded: false,
    }));
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      { type: "generated", runId, items, sections: null, lang: "eng_Latn" },
    );
    expect(s.paneScroll).toBe(0);
    s = keys(s, "ctrl+u");
    expect(s.paneScroll).toBe(Math.floor(s.layout.listHeight / 2));
    s = keys(s, ...Array(20).fill("ctrl+u"));
    const max = s.paneScroll;
    expect(max).toBeGreaterThan(0);
    expect(keys(s, "ctrl+u").paneScroll).toBe(max); // stops at the top
    s = keys(s, ...Array(30).fill("ctrl+d"));
    expect(s.paneScroll).toBe(0);
  });

  it("R renders the section's concepts without an LCM", () => {
    const s = keys(ready(open(), null), "]", "]", "R");
    expect(s.effects[0]).toMatchObject({ kind: "renderSection", section: "s3" });
    expect(s.output?.task).toBe("render");
  });
});

describe("exports, quitting and the session", () => {
  it("exports the outline, and asks before overwriting", () => {
    let s = keys(open(), "w");
    expect(s.mode.kind === "prompt" && s.mode.editor.text).toBe(
      "/docs/examples/problems-of-philosophy.outline.md",
    );
    s = keys(s, "enter");
    expect(s.effects[0]).toMatchObject({ kind: "export", what: "outline", overwrite: false });
    const exported = s.effects[0].kind === "export" ? s.effects[0].text : "";
    expect(exported.startsWith("<!-- lcm-outline v1")).toBe(true);
    s = act(
      s,
      { type: "effectsTaken", count: 1 },
      { type: "exportExists", what: "outline", path: "/x.md", text: exported },
    );
    expect(s.mode.kind === "confirm" && s.mode.question).toBe("/x.md exists. Overwrite it?");
    s = keys(s, "y");
    expect(s.effects[0]).toMatchObject({ kind: "export", path: "/x.md", overwrite: true });
    s = act(s, { type: "effectsTaken", count: 1 }, { type: "exported", what: "outline", path: "/x.md" });
    expect(s.message?.text).toBe("wrote /x.md");
  });

  it("quits at once when everything is exported, and asks otherwise", () => {
    expect(keys(open(), "q").effects).toEqual([{ kind: "quit", session: "discard" }]);
    let s = keys(open(), "]", "]", "l", "p", "q");
    expect(s.mode.kind).toBe("confirm");
    s = keys(s, "n");
    expect(s.effects).toEqual([]);
    expect(keys(s, "q", "k").effects).toEqual([{ kind: "quit", session: "keep" }]);
    expect(keys(s, "ctrl+c").effects).toEqual([{ kind: "quit", session: "keep" }]);
    // After exporting, q quits without asking.
    s = act(s, { type: "exported", what: "outline", path: "/x.md" });
    expect(keys(s, "q").effects).toEqual([{ kind: "quit", session: "discard" }]);
  });

  it("restores a session: the edits replay, so undo still works", () => {
    const s = keys(open(), "]", "]", "l", "e", "ctrl+u", ["Rewritten."], "enter", "j", "p", "-");
    expect(hasSessionContent(s)).toBe(true);
    const snapshot = snapshotOf(s, "2026-01-01T10:00:00.000Z");
    let t = initialState({
      doc: s.doc,
      outline,
      width: 100,
      height: 30,
      recovered: snapshot,
    });
    expect(t.mode.kind === "confirm" && t.mode.question).toMatch(/from 2026-01-01 10:00 UTC \(2 edits\)/);
    t = keys(t, "esc"); // needs an answer
    expect(t.mode.kind).toBe("confirm");
    t = keys(t, "r");
    expect(present(t)).toEqual(present(s));
    expect(t.folded).toEqual(s.folded);
    t = keys(t, "u", "u");
    expect(present(t)).toEqual(outline);
    const fresh = keys(
      initialState({ doc: s.doc, outline, width: 100, height: 30, recovered: snapshot }),
      "n",
    );
    expect(present(fresh)).toBe(outline);
    expect(fresh.effects).toEqual([{ kind: "discardSession" }]);
  });
});

describe("status figures", () => {
  it("match outlineStats before and after edits, from cached counts", () => {
    let s = open();
    expect(quickStats(present(s))).toEqual(outlineStats(present(s)));
    s = keys(s, "]", "]", "l", "e", "ctrl+u", ["Short."], "enter", "j", "d");
    expect(quickStats(present(s))).toEqual(outlineStats(present(s)));
    expect(quickStats(present(s)).concepts).toBe(225);
  });
});

describe("key bindings from the user's config", () => {
  it("rebinds a command and frees its old keys", () => {
    const keymap = buildKeymap({ summarize: ["S"], delete: ["x", "ctrl+d"] });
    let s = { ...ready(open()), bindings: keymap };
    s = keys(s, "s");
    expect(s.mode.kind).toBe("normal");
    s = keys(s, "S");
    expect(s.mode.kind).toBe("generate");
    s = keys(s, "esc", "]", "]", "l", "x");
    expect(findConcept(present(s), "c3")).toBeNull();
  });

  it("keys typed faster than read count one by one", () => {
    const s = keys(open(), ["jjj"]);
    expect(currentRow(s)!.key).toBe("s:s3");
  });
});
