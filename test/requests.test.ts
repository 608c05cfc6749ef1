/**
 * The request layer the shells share (src/requests/): one table of request fields whose bounds and
 * words the CLI's flags, the server's params and the library's checks all use, and the one decision
 * "is this a saved outline or a document".
 */
import { describe, expect, it } from "vitest";
import { flagParser } from "../src/cli/field-options.js";
import { outlineToJson } from "../src/planner/outline-json.js";
import { outlineToMarkdown } from "../src/planner/outline-markdown.js";
import { checkField, FIELDS, type Field, isValid, mustBe, parseFieldText } from "../src/requests/fields.js";
import { isFloresCode } from "../src/requests/language-code.js";
import { readOutlineOrDocument } from "../src/requests/outline-or-document.js";
import { Params } from "../src/server/params.js";

const NUMERIC = Object.values(FIELDS as Record<string, Field>).filter(
  (f): f is Extract<Field, { kind: "int" | "number" }> => f.kind === "int" || f.kind === "number",
);

/** The message each shell gives for a refused value, or null when it accepts it. */
function refusals(field: Extract<Field, { kind: "int" | "number" }>, value: number) {
  const attempt = (f: () => unknown) => {
    try {
      f();
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };
  return {
    cli: field.flag ? attempt(() => flagParser(field)(String(value))) : undefined,
    server: attempt(() => new Params({ [field.param]: value }).optionalField(field)),
    library: attempt(() => checkField(field, value)),
  };
}

describe("the request fields table", () => {
  it("gives the server's bounds to steps and beam everywhere", () => {
    expect(mustBe(FIELDS.steps)).toBe("a whole number in 1..10000");
    expect(mustBe(FIELDS.beam)).toBe("a whole number in 1..16");
    expect(mustBe(FIELDS.initialNoise)).toBe("a number in (0, 100]");
  });

  it("has the CLI, the server and the library accept the same bounds and refuse just past them, in the same words", () => {
    for (const field of NUMERIC) {
      for (const ok of [
        field.max,
        field.kind === "number" && field.exclusiveMin ? field.max / 2 : field.min,
      ]) {
        expect(refusals(field, ok), `${field.key} = ${ok}`).toEqual({
          cli: field.flag ? null : undefined,
          server: null,
          library: null,
        });
      }
      const step = field.kind === "int" ? 1 : 0.5;
      for (const bad of [field.max + step, field.kind === "int" ? field.min - 1 : field.min - step]) {
        const said = refusals(field, bad);
        const words = `must be ${mustBe(field)}, got`;
        if (field.flag) expect(said.cli).toContain(`${words} '${bad}'`);
        expect(said.server).toBe(`Invalid params: params.${field.param} ${words} ${bad}`);
        expect(said.library).toBe(`${field.label} ${words} ${bad}`);
      }
    }
  });

  it("reads flags as the server reads numbers: whole numbers for counts, blanks refused", () => {
    expect(parseFieldText(FIELDS.steps, "40")).toBe(40);
    expect(parseFieldText(FIELDS.steps, "2.5")).toBeUndefined();
    expect(parseFieldText(FIELDS.seed, " ")).toBeUndefined();
    expect(parseFieldText(FIELDS.guidance, "1.5")).toBe(1.5);
    expect(parseFieldText(FIELDS.model, "base")).toBe("base");
    expect(parseFieldText(FIELDS.model, "large")).toBeUndefined();
    expect(() => flagParser(FIELDS.steps)("many")).toThrow(
      "--steps must be a whole number in 1..10000, got 'many'",
    );
    expect(isValid(FIELDS.initialNoise, 0)).toBe(false);
    expect(isValid(FIELDS.grounded, "yes")).toBe(false);
  });

  it("checks a language code's spelling once", () => {
    expect(isFloresCode("eng_Latn")).toBe(true);
    for (const bad of ["english", "eng", "ENG_latn", "eng_latn"]) expect(isFloresCode(bad)).toBe(false);
  });
});

describe("readOutlineOrDocument", () => {
  const DOC = "# Costs\n\nThe harbour reopened. Fishing boats came back.\n";
  const document = readOutlineOrDocument({ text: DOC, path: "notes.md" });
  const saved = outlineToMarkdown(document.outline);

  it("outlines a document", () => {
    expect(document.fromOutlineFile).toBe(false);
    expect(document.format).toBe("markdown");
    expect(document.outline.sections.flatMap((s) => s.concepts).length).toBeGreaterThan(0);
  });

  it("takes a saved outline (Markdown or .json) as it is", () => {
    const md = readOutlineOrDocument({ text: saved, path: "notes.outline.md" });
    expect(md.fromOutlineFile).toBe(true);
    expect(outlineToMarkdown(md.outline)).toBe(saved);
    const json = readOutlineOrDocument({ text: outlineToJson(document.outline), path: "notes.json" });
    expect(json.fromOutlineFile).toBe(true);
  });

  it("reads a saved outline as a document when asked, and .json as text when JSON is not taken", () => {
    expect(readOutlineOrDocument({ text: saved, path: "x.md" }, { asDocument: true }).fromOutlineFile).toBe(
      false,
    );
    expect(
      readOutlineOrDocument({ text: "Plain words here.", path: "x.json" }, { json: false }).fromOutlineFile,
    ).toBe(false);
  });

  it("names the file when a .json is no outline", () => {
    expect(() => readOutlineOrDocument({ text: "a, b", path: "t.json", name: "t.json" })).toThrow(
      "t.json: expected a JSON outline",
    );
    expect(() =>
      readOutlineOrDocument({ text: "a, b", path: "t.json", name: "t.json" }, { jsonHint: " (use --plain)" }),
    ).toThrow("t.json: expected a JSON outline (use --plain)");
    expect(() => readOutlineOrDocument({ text: "{}", path: "t.json", name: "t.json" })).toThrow(/^t\.json: /);
  });
});
