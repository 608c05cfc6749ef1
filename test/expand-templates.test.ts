/** Outline templates (templates/ and the user's config dir) and summary length presets. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conceptsForLength } from "../src/tasks/lengths.js";
import { listTemplates, loadTemplate, parseTemplate, scaleTargets } from "../src/tasks/templates.js";

const noUser = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "lcm-templates-empty-")) };

describe("bundled templates", () => {
  it("include brief, report, meeting-notes and essay, each with a description", async () => {
    const all = await listTemplates(noUser);
    const names = all.map((t) => t.name);
    for (const name of ["brief", "report", "meeting-notes", "essay"]) expect(names).toContain(name);
    for (const t of all) {
      expect(t.description).not.toBe("");
      expect(t.origin).toBe("bundled");
      expect(t.sections.length).toBeGreaterThan(0);
    }
  });

  it("read sections, targets and prompts (meeting-notes)", async () => {
    const t = await loadTemplate("meeting-notes", noUser);
    expect(t.sections.map((s) => [s.title, s.target])).toEqual([
      ["Discussion", 3],
      ["Decisions", 2],
      ["Action items", 2],
      ["Open questions", 1],
    ]);
    expect(t.sections[1].prompt).toBe("The meeting decided the following.");
    expect(t.lang).toBe("eng_Latn");
  });

  it("brief has one untitled section of three concepts", async () => {
    const t = await loadTemplate("brief", noUser);
    expect(t.sections).toEqual([{ title: "", level: 0, prompt: null, target: 3 }]);
  });

  it("suggest the closest name for an unknown template", async () => {
    await expect(loadTemplate("reprot", noUser)).rejects.toThrow(
      "unknown template 'reprot'; did you mean 'report'?",
    );
    await expect(loadTemplate("zzzzzzzz", noUser)).rejects.toThrow(
      /templates: brief, essay, meeting-notes, report/,
    );
  });
});

describe("user templates", () => {
  it("are listed with the bundled ones and override a bundled one of the same name", async () => {
    const config = mkdtempSync(join(tmpdir(), "lcm-templates-"));
    const dir = join(config, "lcm", "templates");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "standup.md"),
      "---\ndescription: Daily stand-up\n---\n## Yesterday <!-- target=1 -->\n## Today <!-- target=1 -->\n",
    );
    writeFileSync(join(dir, "brief.md"), "---\ndescription: My brief\nconcepts: 2\n---\n");
    const env = { XDG_CONFIG_HOME: config };
    const all = await listTemplates(env);
    expect(all.find((t) => t.name === "standup")?.origin).toBe("user");
    const brief = await loadTemplate("brief", env);
    expect(brief.description).toBe("My brief");
    expect(brief.sections[0].target).toBe(2);
  });

  it("can be given as a path to a file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "lcm-template-file-")), "mine.md");
    writeFileSync(path, "# Only <!-- target=4 -->\nWhat matters most.\n");
    const t = await loadTemplate(path, noUser);
    expect(t.origin).toBe("file");
    expect(t.sections).toEqual([{ title: "Only", level: 1, prompt: "What matters most.", target: 4 }]);
  });
});

describe("parseTemplate", () => {
  it("uses the heading as the prompt when a section has no text, and the default target 2", () => {
    const t = parseTemplate(
      "## Risks\n\n## Costs <!-- target=5 -->\nWhat it costs.\nPer year.\n",
      "x.md",
      "file",
    );
    expect(t.sections).toEqual([
      { title: "Risks", level: 2, prompt: "Risks", target: 2 },
      { title: "Costs", level: 2, prompt: "What it costs. Per year.", target: 5 },
    ]);
  });

  it("refuses bad targets, unknown attributes and unclosed front matter with the line", () => {
    expect(() => parseTemplate("## A <!-- target=0 -->\n", "t.md", "file")).toThrow(
      "template t.md line 1: target must be",
    );
    expect(() => parseTemplate("## A <!-- size=3 -->\n", "t.md", "file")).toThrow(
      "unknown heading attribute 'size=3'",
    );
    expect(() => parseTemplate("---\ndescription: x\n", "t.md", "file")).toThrow(
      "front matter has no closing",
    );
    expect(() => parseTemplate("---\nconcepts: many\n---\n", "t.md", "file")).toThrow(
      "concepts: target must be",
    );
  });
});

describe("lengths", () => {
  it("scale template targets to a total, keeping proportions and at least one per section", () => {
    const sections = [2, 2, 4, 2].map((target, i) => ({ title: `S${i}`, level: 2, prompt: null, target }));
    expect(scaleTargets(sections, 5).map((s) => s.target)).toEqual([1, 1, 2, 1]);
    expect(scaleTargets(sections, 20).map((s) => s.target)).toEqual([4, 4, 8, 4]);
    expect(scaleTargets(sections, 4).map((s) => s.target)).toEqual([1, 1, 1, 1]);
    expect(() => scaleTargets(sections, 3)).toThrow("too few for a template with 4 sections");
  });

  it("make short < medium < long, within bounds, relative to the source", () => {
    expect(conceptsForLength("medium", 30)).toBe(3);
    expect(conceptsForLength("medium", 600)).toBe(10);
    expect(conceptsForLength("short", 30)).toBe(1);
    expect(conceptsForLength("long", 30)).toBe(5);
    expect(conceptsForLength("long", 100)).toBe(15);
    for (const n of [5, 50, 500]) {
      expect(conceptsForLength("short", n)).toBeLessThanOrEqual(conceptsForLength("medium", n));
      expect(conceptsForLength("medium", n)).toBeLessThanOrEqual(conceptsForLength("long", n));
    }
  });
});
