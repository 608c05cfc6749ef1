import { describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import {
  type Concept,
  findConcept,
  findSectionPath,
  type Outline,
  type Section,
  sectionAt,
  validateOutline,
  walkConcepts,
  walkSections,
} from "../src/planner/outline.js";
import { applyEdit, nextConceptId, nextSectionId, type OutlineEdit } from "../src/planner/outline-edits.js";
import {
  applyToHistory,
  canRedo,
  canUndo,
  createHistory,
  redo,
  undo,
} from "../src/planner/outline-history.js";
import { conceptMatchesSource } from "../src/planner/span-check.js";
import { ruleSegmenter } from "../src/segment/rules.js";
import { UsageError } from "../src/util/errors.js";

const SOURCE = [
  "Opening line.",
  "",
  "# Alpha",
  "",
  "Alpha one. Alpha **two** here. Alpha three.",
  "",
  "```",
  "code();",
  "```",
  "",
  "## Alpha child",
  "",
  "Child one.",
  "",
  "# Beta",
  "",
  "Beta one. Beta two.",
  "",
  "# Gamma",
  "",
  "Gamma one.",
  "",
].join("\n");

const base = (): Outline => buildOutline(SOURCE, { segmenter: ruleSegmenter, format: "markdown" });
const text = (o: Outline, id: string) => findConcept(o, id)!.concept.text;
const section = (o: Outline, id: string): Section => sectionAt(o.sections, findSectionPath(o.sections, id)!);
const conceptIds = (s: Section) => s.concepts.map((c) => c.id);
const tree = (sections: readonly Section[]): unknown[] =>
  sections.map((s) => [s.title, s.level, ...(s.sections.length ? [tree(s.sections)] : [])]);
const idOf = (o: Outline, t: string) =>
  [...walkConcepts(o)].find(({ concept }) => concept.text === t)!.concept.id;
const opaqueId = (o: Outline) =>
  [...walkConcepts(o)].find(({ concept }) => concept.kind === "opaque")!.concept.id;
const sectionId = (o: Outline, title: string) =>
  [...walkSections(o.sections)].find(({ section }) => section.title === title)!.section.id;

/** Applies an edit, checks the result is a valid outline and the input was left alone. */
function edit(outline: Outline, e: OutlineEdit, source?: string): Outline {
  const before = JSON.stringify(outline);
  const after = applyEdit(outline, e, { source });
  expect(JSON.stringify(outline)).toBe(before);
  validateOutline(after);
  return after;
}

function expectUsageError(outline: Outline, e: OutlineEdit, message: RegExp): void {
  expect(() => applyEdit(outline, e)).toThrow(UsageError);
  expect(() => applyEdit(outline, e)).toThrow(message);
}

describe("the built outline", () => {
  it("has the expected shape and stable ids", () => {
    const o = base();
    expect(tree(o.sections)).toEqual([
      ["", 0],
      ["Alpha", 1, [["Alpha child", 2]]],
      ["Beta", 1],
      ["Gamma", 1],
    ]);
    expect(JSON.stringify(base())).toBe(JSON.stringify(o));
    expect([...walkConcepts(o)].map(({ concept }) => concept.id)).toEqual(
      [...walkConcepts(o)].map((_, i) => `c${i + 1}`),
    );
  });
});

describe("concept edits", () => {
  it("adds a concept with a fresh id and no span, at an index or at the end", () => {
    const o = base();
    const alpha = sectionId(o, "Alpha");
    const id = nextConceptId(o);
    const added = edit(o, { op: "add", section: alpha, text: "  A   new\nidea. ", index: 1 });
    expect(section(added, alpha).concepts[1]).toEqual({
      id,
      kind: "sentence",
      text: "A new idea.",
      span: null,
      pinned: false,
    });
    const atEnd = edit(added, { op: "add", section: alpha, text: "Last." });
    expect(section(atEnd, alpha).concepts.at(-1)!.text).toBe("Last.");
    expect(section(atEnd, alpha).concepts.at(-1)!.id).not.toBe(id);
    expectUsageError(o, { op: "add", section: "s99", text: "x" }, /no section with id 's99'/);
    expectUsageError(o, { op: "add", section: alpha, text: "x", index: 9 }, /index 9 is outside 0\.\.4/);
    expectUsageError(o, { op: "add", section: alpha, text: "   " }, /empty/);
    expectUsageError(o, { op: "add", section: alpha, text: "x".repeat(300) }, /over the 256-character cap/);
  });

  it("deletes a concept, and never reuses its id", () => {
    const o = base();
    const id = idOf(o, "Beta two.");
    const deleted = edit(o, { op: "delete", concept: id });
    expect(findConcept(deleted, id)).toBeNull();
    const added = edit(deleted, { op: "add", section: sectionId(o, "Beta"), text: "Again." });
    expect(section(added, sectionId(o, "Beta")).concepts.at(-1)!.id).not.toBe(id);
    expectUsageError(o, { op: "delete", concept: "c999" }, /no concept with id 'c999'/);
  });

  it("moves a concept within and between sections", () => {
    const o = base();
    const alpha = sectionId(o, "Alpha");
    const gamma = sectionId(o, "Gamma");
    const [a1, a2, a3] = section(o, alpha).concepts.map((c) => c.id);
    const within = edit(o, { op: "move", concept: a1, section: alpha, index: 2 });
    expect(conceptIds(section(within, alpha)).slice(0, 3)).toEqual([a2, a3, a1]);
    const between = edit(o, { op: "move", concept: a2, section: gamma, index: 0 });
    expect(section(between, gamma).concepts[0]).toBe(findConcept(o, a2)!.concept);
    expect(conceptIds(section(between, alpha))).not.toContain(a2);
    expectUsageError(o, { op: "move", concept: a1, section: gamma, index: 5 }, /outside 0\.\.1/);
    expectUsageError(o, { op: "move", concept: a1, section: "s77" }, /no section/);
  });

  it("merges a concept with the next one; the span covers both when they were neighbours", () => {
    const o = base();
    const first = idOf(o, "Alpha one.");
    const merged = edit(o, { op: "merge", concept: first });
    const m = findConcept(merged, first)!.concept;
    expect(m.text).toBe("Alpha one. Alpha two here.");
    expect(SOURCE.slice(m.span![0], m.span![1])).toBe("Alpha one. Alpha **two** here.");
    expect(m.rewritten).toBeUndefined();
    expect(findConcept(merged, idOf(o, "Alpha two here."))).toBeNull();

    // After a move the two are no longer neighbours in the source: no honest span for the pair.
    const moved = edit(o, {
      op: "move",
      concept: idOf(o, "Gamma one."),
      section: sectionId(o, "Beta"),
      index: 1,
    });
    const apart = edit(moved, { op: "merge", concept: idOf(o, "Beta one.") });
    expect(findConcept(apart, idOf(o, "Beta one."))!.concept).toMatchObject({
      text: "Beta one. Gamma one.",
      span: null,
    });

    expectUsageError(
      o,
      { op: "merge", concept: idOf(o, "Alpha three.") },
      /opaque blocks are never rewritten/,
    );
    expectUsageError(o, { op: "merge", concept: idOf(o, "Gamma one.") }, /last of its section/);
  });

  it("merges across a user-written concept keeping the other's span as grounding", () => {
    const o = base();
    const added = edit(o, { op: "add", section: sectionId(o, "Gamma"), text: "Added." });
    const merged = edit(added, { op: "merge", concept: idOf(o, "Gamma one.") });
    const m = findConcept(merged, idOf(o, "Gamma one."))!.concept;
    expect(m).toMatchObject({ text: "Gamma one. Added.", rewritten: true });
    expect(m.span).toEqual(findConcept(o, idOf(o, "Gamma one."))!.concept.span);
  });

  it("joins CJK sentences without a space when merging", () => {
    const cjk = buildOutline("今日は晴れです。明日は雨です。", {
      segmenter: ruleSegmenter,
      format: "plain",
      lang: "jpn_Jpan",
    });
    const first = [...walkConcepts(cjk)][0].concept.id;
    expect(text(edit(cjk, { op: "merge", concept: first }), first)).toBe("今日は晴れです。明日は雨です。");
  });

  it("splits a concept at an offset, with exact spans when the source is at hand", () => {
    const o = base();
    const id = idOf(o, "Alpha two here.");
    const newId = nextConceptId(o);
    const split = edit(o, { op: "split", concept: id, offset: 9 }, SOURCE);
    const head = findConcept(split, id)!.concept;
    const tail = findConcept(split, newId)!.concept;
    expect([head.text, tail.text]).toEqual(["Alpha two", "here."]);
    expect(SOURCE.slice(head.span![0], head.span![1])).toBe("Alpha **two**");
    expect(SOURCE.slice(tail.span![0], tail.span![1])).toBe("here.");
    expect(conceptMatchesSource(head, SOURCE, "markdown")).toBe(true);
    expect(conceptMatchesSource(tail, SOURCE, "markdown")).toBe(true);
    const loc = findConcept(split, id)!;
    expect(loc.section.concepts[loc.index + 1].id).toBe(newId);

    // Without the source the halves keep the whole span as grounding, marked rewritten.
    const blind = edit(o, { op: "split", concept: id, offset: 9 });
    expect(findConcept(blind, id)!.concept).toMatchObject({ text: "Alpha two", rewritten: true });
    expect(findConcept(blind, newId)!.concept.span).toEqual(findConcept(o, id)!.concept.span);

    expectUsageError(o, { op: "split", concept: id, offset: 0 }, /outside 1\.\.14/);
    expectUsageError(o, { op: "split", concept: id, offset: 15 }, /outside/);
    expectUsageError(o, { op: "split", concept: opaqueId(o), offset: 2 }, /opaque/);
  });

  it("rewrites a sentence keeping its span as grounding, and refuses opaque blocks", () => {
    const o = base();
    const id = idOf(o, "Beta one.");
    const rewritten = edit(o, { op: "rewrite", concept: id, text: "Beta, said\tdifferently." });
    expect(findConcept(rewritten, id)!.concept).toEqual({
      ...findConcept(o, id)!.concept,
      text: "Beta, said differently.",
      rewritten: true,
    });
    expect(applyEdit(o, { op: "rewrite", concept: id, text: "Beta one." })).toBe(o);
    const userAdded = edit(o, { op: "add", section: sectionId(o, "Beta"), text: "Mine." });
    const mineId = nextConceptId(o);
    expect(
      findConcept(edit(userAdded, { op: "rewrite", concept: mineId, text: "Still mine." }), mineId)!.concept,
    ).toEqual({
      id: mineId,
      kind: "sentence",
      text: "Still mine.",
      span: null,
      pinned: false,
    });
    expectUsageError(o, { op: "rewrite", concept: opaqueId(o), text: "x" }, /opaque/);
    expectUsageError(o, { op: "rewrite", concept: id, text: "" }, /empty/);
  });

  it("pins and unpins", () => {
    const o = base();
    const id = idOf(o, "Gamma one.");
    const pinned = edit(o, { op: "pin", concept: id });
    expect(findConcept(pinned, id)!.concept.pinned).toBe(true);
    expect(findConcept(edit(pinned, { op: "pin", concept: id, pinned: false }), id)!.concept.pinned).toBe(
      false,
    );
    expect(applyEdit(pinned, { op: "pin", concept: id })).toBe(pinned);
  });
});

describe("section edits", () => {
  it("sets and clears a target length", () => {
    const o = base();
    const beta = sectionId(o, "Beta");
    const set = edit(o, { op: "target", section: beta, length: 3 });
    expect(section(set, beta).targetLength).toBe(3);
    expect("targetLength" in section(edit(set, { op: "target", section: beta, length: null }), beta)).toBe(
      false,
    );
    expectUsageError(o, { op: "target", section: beta, length: 0 }, /integer in 1\.\./);
    expectUsageError(o, { op: "target", section: beta, length: 2.5 }, /integer/);
  });

  it("indents a section under its previous sibling, subtree and levels along", () => {
    const o = base();
    const indented = edit(o, { op: "indent", section: sectionId(o, "Beta") });
    expect(tree(indented.sections)).toEqual([
      ["", 0],
      [
        "Alpha",
        1,
        [
          ["Alpha child", 2],
          ["Beta", 2],
        ],
      ],
      ["Gamma", 1],
    ]);
    const twice = edit(indented, { op: "indent", section: sectionId(o, "Beta") });
    expect(tree(twice.sections)[1]).toEqual(["Alpha", 1, [["Alpha child", 2, [["Beta", 3]]]]]);
    expectUsageError(o, { op: "indent", section: sectionId(o, "Alpha") }, /no previous section/);
    expectUsageError(o, { op: "indent", section: sectionId(o, "Alpha child") }, /no previous section/);
  });

  it("outdents a section to follow its parent, leaving later siblings with the parent", () => {
    let o = edit(base(), { op: "indent", section: sectionId(base(), "Beta") });
    o = edit(o, { op: "outdent", section: sectionId(o, "Alpha child") });
    expect(tree(o.sections)).toEqual([
      ["", 0],
      ["Alpha", 1, [["Beta", 2]]],
      ["Alpha child", 1],
      ["Gamma", 1],
    ]);
    expectUsageError(o, { op: "outdent", section: sectionId(o, "Gamma") }, /already at the top level/);
  });

  it("moves and reorders sections, refusing a move into itself or before the opening section", () => {
    const o = base();
    const reordered = edit(o, { op: "move_section", section: sectionId(o, "Gamma"), parent: null, index: 1 });
    expect(tree(reordered.sections).map((s) => (s as unknown[])[0])).toEqual(["", "Gamma", "Alpha", "Beta"]);
    const nested = edit(o, {
      op: "move_section",
      section: sectionId(o, "Alpha"),
      parent: sectionId(o, "Gamma"),
    });
    expect(tree(nested.sections)).toEqual([
      ["", 0],
      ["Beta", 1],
      ["Gamma", 1, [["Alpha", 2, [["Alpha child", 3]]]]],
    ]);
    // Concepts travel with their section.
    expect(section(nested, sectionId(o, "Alpha")).concepts).toBe(section(o, sectionId(o, "Alpha")).concepts);
    expectUsageError(
      o,
      { op: "move_section", section: sectionId(o, "Alpha"), parent: sectionId(o, "Alpha child") },
      /into itself/,
    );
    expectUsageError(
      o,
      { op: "move_section", section: sectionId(o, "Beta"), parent: null, index: 0 },
      /opening section must stay first/,
    );
    expectUsageError(
      o,
      { op: "move_section", section: o.sections[0].id, parent: null, index: 2 },
      /cannot move/,
    );
  });

  it("keeps heading levels within Markdown's six", () => {
    let o = base();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = nextSectionId(o);
      o = edit(o, { op: "add_section", parent: ids.at(-1) ?? null, title: `Level ${i + 1}` });
      ids.push(id);
    }
    expect(ids.map((id) => section(o, id).level)).toEqual([1, 2, 3, 4, 5, 6]);
    expectUsageError(o, { op: "add_section", parent: ids[5], title: "Too deep" }, /stop at level 6/);
    expectUsageError(o, { op: "indent", section: ids[0] }, /would need heading level 7/);
  });

  it("adds, renames and deletes sections", () => {
    const o = base();
    const added = edit(o, {
      op: "add_section",
      parent: sectionId(o, "Alpha"),
      title: " New  part ",
      index: 0,
    });
    const id = nextSectionId(o);
    expect(section(added, id)).toEqual({
      id,
      title: "New part",
      level: 2,
      span: null,
      concepts: [],
      sections: [],
    });
    const renamed = edit(added, { op: "rename_section", section: id, title: "Renamed" });
    expect(section(renamed, id).title).toBe("Renamed");
    const deleted = edit(renamed, { op: "delete_section", section: sectionId(o, "Alpha") });
    expect(tree(deleted.sections)).toEqual([
      ["", 0],
      ["Beta", 1],
      ["Gamma", 1],
    ]);
    expectUsageError(
      o,
      { op: "rename_section", section: o.sections[0].id, title: "x" },
      /untitled opening section/,
    );
    expectUsageError(o, { op: "delete_section", section: "s0" }, /no section/);
  });

  it("rejects unknown edits", () => {
    expectUsageError(base(), { op: "explode" } as unknown as OutlineEdit, /unknown edit 'explode'/);
  });
});

describe("undo and redo", () => {
  it("walks back and forth through every kind of edit", () => {
    const o = base();
    const alpha = sectionId(o, "Alpha");
    const edits: OutlineEdit[] = [
      { op: "add", section: alpha, text: "Added idea." },
      { op: "delete", concept: idOf(o, "Beta two.") },
      { op: "move", concept: idOf(o, "Gamma one."), section: alpha, index: 0 },
      { op: "merge", concept: idOf(o, "Alpha one.") },
      { op: "split", concept: idOf(o, "Alpha three."), offset: 5 },
      { op: "rewrite", concept: idOf(o, "Child one."), text: "Child, rewritten." },
      { op: "pin", concept: idOf(o, "Opening line.") },
      { op: "target", section: alpha, length: 4 },
      { op: "indent", section: sectionId(o, "Beta") },
      { op: "outdent", section: sectionId(o, "Alpha child") },
      { op: "move_section", section: sectionId(o, "Gamma"), parent: null, index: 1 },
      { op: "add_section", parent: null, title: "Epilogue" },
      { op: "rename_section", section: alpha, title: "Alpha renamed" },
      { op: "delete_section", section: sectionId(o, "Gamma") },
    ];
    let history = createHistory(o);
    const states: Outline[] = [o];
    for (const e of edits) {
      history = applyToHistory(history, e, { source: SOURCE });
      states.push(history.present);
      validateOutline(history.present);
    }
    expect(new Set(states.map((s) => JSON.stringify(s))).size).toBe(states.length);
    for (let i = states.length - 2; i >= 0; i--) {
      history = undo(history);
      expect(history.present).toBe(states[i]);
      expect(history.future.at(-1)!.edit).toBe(edits[i]);
    }
    expect(canUndo(history)).toBe(false);
    expect(() => undo(history)).toThrow(/nothing to undo/);
    for (let i = 1; i < states.length; i++) {
      history = redo(history);
      expect(history.present).toBe(states[i]);
    }
    expect(canRedo(history)).toBe(false);
    expect(() => redo(history)).toThrow(/nothing to redo/);
  });

  it("drops the redo branch on a new edit, skips no-op edits and bounds the history", () => {
    const o = base();
    const id = idOf(o, "Gamma one.");
    let history = createHistory(o, 3);
    history = applyToHistory(history, { op: "pin", concept: id });
    history = undo(history);
    history = applyToHistory(history, { op: "rewrite", concept: id, text: "Other." });
    expect(canRedo(history)).toBe(false);
    const same = applyToHistory(history, { op: "rewrite", concept: id, text: "Other." });
    expect(same).toBe(history);
    for (let i = 0; i < 5; i++)
      history = applyToHistory(history, { op: "add", section: sectionId(o, "Gamma"), text: `n${i}.` });
    expect(history.past).toHaveLength(3);
    expect(() => applyToHistory(history, { op: "delete", concept: "c404" })).toThrow(UsageError);
  });
});

describe("outline data", () => {
  it("is plain serialisable data", () => {
    const o = base();
    expect(JSON.parse(JSON.stringify(o))).toEqual(o);
    const all: Concept[] = [...walkConcepts(o)].map(({ concept }) => concept);
    expect(all.every((c) => typeof c.id === "string")).toBe(true);
  });
});
