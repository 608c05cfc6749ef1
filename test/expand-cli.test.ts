/**
 * `lcm summarize`, `lcm expand` and `lcm templates` end to end through the built CLI (npm test builds
 * first), and the library's streaming/cancellation API, on real models: the smoke codec (test/global-
 * setup.ts) with the committed smoke LCM (test/fixtures/lcm-parity, 64-d, max_context 64). The smoke
 * LCM was trained on another build of the smoke codec, so the text it produces is noise; these tests
 * check behaviour (spans, grounding, levels, targets, pins, errors), not summary quality.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ConceptEngine } from "../src/tasks/engine.js";
import { renderSummary, summarize } from "../src/tasks/summarize.js";
import type { ConceptEvent, ProgressEvent } from "../src/tasks/task-types.js";
import { CancelledError } from "../src/util/errors.js";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const LCM_FIXTURE = fileURLToPath(new URL("./fixtures/lcm-parity/", import.meta.url));
const BOOK = fileURLToPath(new URL("../examples/problems-of-philosophy.md", import.meta.url));
const BOOK_TEXT = readFileSync(BOOK, "utf8");
const NOTE = `The harbour reopened in the spring after a long winter of repairs.
Fishing boats came back within a week, and the market on the quay filled again.
The town council had paid for a new sea wall, which the storms of March had tested hard.
Tourists returned too, and the cafés along the front put their tables out.
By June the harbour master said it was the busiest season in ten years.
`;

let work: string;
let models: string;
let notePath: string;
let env: NodeJS.ProcessEnv;

/** A models folder with the smoke codec and a copy of the smoke LCM, its manifest edited by `edit`. */
function modelsDir(edit?: (manifest: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(work, "models-"));
  cpSync(smokeCodecDir(), join(dir, "codec"), { recursive: true });
  cpSync(LCM_FIXTURE, join(dir, "lcm"), { recursive: true });
  rmSync(join(dir, "lcm", "parity.json"));
  if (edit) {
    const path = join(dir, "lcm", "manifest.json");
    const manifest = JSON.parse(readFileSync(path, "utf8"));
    edit(manifest);
    writeFileSync(path, JSON.stringify(manifest));
  }
  return dir;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "lcm-expand-cli-"));
  models = modelsDir();
  notePath = join(work, "harbour.txt");
  writeFileSync(notePath, NOTE);
  env = {
    ...process.env,
    XDG_CACHE_HOME: join(work, "cache"),
    XDG_DATA_HOME: join(work, "data"),
    XDG_CONFIG_HOME: join(work, "config"),
    LCM_MODELS: models,
    LCM_THREADS: "1",
  };
});

function lcm(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env,
    input,
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  return { code: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

function json(args: string[]) {
  const r = lcm([...args, "--format", "json", "--beam", "1"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

interface Grounding {
  index: number;
  score: number;
  span: [number, number];
}

describe("lcm summarize", () => {
  it("summarizes a book longer than the model's context in levels, grounding every concept with spans", () => {
    const out = json(["summarize", BOOK, "--max-concepts", "4", "--seed", "1"]);
    expect(out.source.sentences).toBe(226);
    expect(out.hierarchical).toBe(true);
    expect(out.hierarchy.levels).toBe(2);
    const level1 = out.hierarchy.chunks.filter((c: { level: number }) => c.level === 1);
    expect(level1[0].start).toBe(0);
    expect(level1[level1.length - 1].end).toBe(226);
    for (const c of level1) expect(c.end - c.start).toBeLessThanOrEqual(64 - 1 - 4);
    expect(out.concepts.length).toBe(4); // the length asked for (stop rules resample before it)
    for (const concept of out.concepts) {
      expect(concept.grounding.length).toBe(4); // as many neighbours as concepts (at least 3)
      const scores = concept.grounding.map((g: Grounding) => g.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      for (const g of concept.grounding as Grounding[]) {
        expect(g.index).toBeGreaterThanOrEqual(0);
        expect(g.index).toBeLessThan(226);
        // A span is a real slice of the input that holds a sentence.
        expect(BOOK_TEXT.slice(g.span[0], g.span[1]).trim().length).toBeGreaterThan(0);
      }
      // Grounded (the default) where a source sentence is near enough: then it is that sentence.
      if (concept.grounded) expect(concept.rendering).toBe("source");
      else expect(["generated", "withheld", "sentinel"]).toContain(concept.rendering);
    }
    const shown = out.concepts.filter((c: { shown: boolean }) => c.shown);
    expect(out.summary).toBe(shown.map((c: { text: string }) => c.text).join(" "));
    expect(Object.keys(out.stats.timings_ms)).toEqual(["segment", "encode", "generate", "decode", "total"]);
    // 40 steps per concept: one unguided step and 39 batched cond+uncond runs.
    expect(out.stats.denoiser_runs).toBe(40 * out.stats.context_runs);
    expect(out.model).toEqual({ lcm: "lcm-smoke", codec: "lcm-smoke-codec", kind: "diffusion" });
  });

  it("--min-concepts resamples a stop that fires too early", () => {
    const out = json(["summarize", notePath, "-n", "3", "--min-concepts", "3", "--seed", "1"]);
    expect(out.concepts).toHaveLength(3);
  });

  it("is deterministic for a seed", () => {
    const a = json(["summarize", notePath, "-n", "2", "--seed", "5"]);
    const b = json(["summarize", notePath, "-n", "2", "--seed", "5"]);
    expect(a.concepts).toEqual(b.concepts);
    expect(a.hierarchical).toBe(false);
    expect(a.source.lang).toBe("eng_Latn");
  });

  it("--grounded shows concepts as the source sentences they are closest to, and text marks them", () => {
    const out = json(["summarize", notePath, "-n", "2", "--grounded", "--grounding-threshold", "-1"]);
    const sentences = NOTE.split("\n").filter(Boolean);
    for (const c of out.concepts) {
      expect(c.grounded).toBe(true);
      expect(c.rendering).toBe("source");
      expect(c.source_index).toBe(c.grounding[0].index);
      expect(sentences).toContain(c.text);
      expect(NOTE.slice(c.grounding[0].span[0], c.grounding[0].span[1])).toBe(c.text);
    }
    const text = lcm(["summarize", notePath, "-n", "2", "--grounded", "--grounding-threshold", "-1"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\[s[1-5]\]/);
  });

  it("runs the Base-LCM baseline with --model base", () => {
    const out = json(["summarize", notePath, "-n", "2", "--model", "base"]);
    expect(out.model.kind).toBe("base");
    expect(out.stats.denoiser_runs).toBe(0);
    expect(out.concepts.length).toBeGreaterThanOrEqual(1);
  });

  it("shapes the summary with a template: its sections, each within its target", () => {
    const out = json(["summarize", notePath, "--template", "meeting-notes"]);
    expect(out.sections.map((s: { title: string }) => s.title)).toEqual([
      "Discussion",
      "Decisions",
      "Action items",
      "Open questions",
    ]);
    for (const s of out.sections) {
      expect(s.concepts.length).toBeGreaterThanOrEqual(1);
      expect(s.concepts.length).toBeLessThanOrEqual(s.target);
    }
    const md = lcm(["summarize", notePath, "--template", "report", "--format", "md", "--beam", "1"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("## Findings");
  });

  it("renders in another language of the codec with --lang", () => {
    const out = json(["summarize", notePath, "-n", "1", "--lang", "fra_Latn"]);
    expect(out.lang).toBe("fra_Latn");
    expect(out.source.lang).toBe("eng_Latn");
  });

  it("refuses bad flags and impossible requests with one line and exit code 2", () => {
    const cases: [string[], RegExp][] = [
      [["--template", "reprot"], /^lcm: unknown template 'reprot'; did you mean 'report'\?$/],
      [["--max-concepts", "0"], /^lcm: --max-concepts must be a whole number in 1\.\.10000, got '0'$/],
      [["--beam", "17"], /^lcm: --beam must be a whole number in 1\.\.16, got '17'$/],
      [["--steps", "20000"], /^lcm: --steps must be a whole number in 1\.\.10000, got '20000'$/],
      [["--lang", "zul_Latn"], /^lcm: language zul_Latn \(Zulu\) is not supported by this model/],
      [["--source-lang", "klingon"], /^lcm: unknown language 'klingon'/],
      [["--steps", "500"], /^lcm: steps must be a whole number in 1\.\.100/],
      [["--guidance-rescale", "1.5"], /^lcm: --guidance-rescale must be a number in \[0, 1\]/],
      [["--seed", "-3"], /^lcm: --seed must be a whole number/],
      [
        ["--max-concepts", "100"],
        /^lcm: a summary of 100 concepts does not fit the model's context of 64 concepts/,
      ],
      [["-n", "2", "--length", "short"], /cannot be used with option/],
      [["--length", "tiny"], /Allowed choices are short, medium, long/],
      [
        ["-n", "2", "--min-concepts", "3"],
        /^lcm: the minimum number of concepts \(3\) is above the maximum \(2\)$/,
      ],
      [["--min-concepts", "2", "--template", "brief"], /^lcm: a minimum length does not apply to a template/],
    ];
    for (const [flags, message] of cases) {
      const r = lcm(["summarize", notePath, ...flags]);
      expect(r.stderr.split("\n")[0]).toMatch(message);
      expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    }
  });

  it("refuses an LCM trained on another codec, and a Base-LCM request when the model has none", () => {
    const foreign = modelsDir((m) => {
      m.codec = { name: "lcm-default-codec", embedding_dim: 512 };
    });
    const r = lcm(["summarize", notePath, "--models", foreign, "--codec", "lcm-smoke-codec"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^lcm: .*the LCM 'lcm-smoke' was trained on codec 'lcm-default-codec', but the codec in use is 'lcm-smoke-codec'/,
    );
    const noBase = modelsDir((m) => {
      delete (m.files as Record<string, unknown>).base;
    });
    const b = lcm(["summarize", notePath, "--models", noBase, "--model", "base"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^lcm: the LCM 'lcm-smoke' has no Base-LCM graph/);
  });
});

describe("lcm expand", () => {
  const OUTLINE = `<!-- lcm-outline v1 max-chars=256 next=c7,s3 -->

# The harbour <!-- s1 target=4 -->
- The harbour reopened in spring. <!-- c1 -->
- Fishing boats came back. <!-- c2 pinned -->

# The market <!-- s2 -->
- The fish market closed at four. <!-- c3 pinned -->
- Gulls took over the quay. <!-- c4 -->
<!-- c5 opaque=code lines=3 -->
\`\`\`
kept as it is
\`\`\`
<!-- /c5 -->
`;

  it("expands each section to its target, keeps pinned concepts verbatim in order, carries code through", () => {
    const path = join(work, "harbour.outline.md");
    writeFileSync(path, OUTLINE);
    const out = json(["expand", path, "--seed", "2"]);
    expect(out.sections.map((s: { title: string; target: number }) => [s.title, s.target])).toEqual([
      ["The harbour", 4],
      ["The market", 6],
    ]);
    for (const s of out.sections) expect(s.concepts.length).toBe(s.target);
    const pinned = out.concepts.filter((c: { pinned: boolean }) => c.pinned);
    expect(pinned.map((c: { text: string; source_id: string }) => [c.text, c.source_id])).toEqual([
      ["Fishing boats came back.", "c2"],
      ["The fish market closed at four.", "c3"],
    ]);
    // c3 is the market's first concept: it opens the section.
    expect(out.concepts[out.sections[1].concepts[0]].text).toBe("The fish market closed at four.");
    expect(out.document).toMatch(
      /^# The harbour\n\n.*Fishing boats came back\..*\n\n# The market\n\nThe fish market closed at four\./s,
    );
    expect(out.document).toContain("```\nkept as it is\n```");
  });

  it("reads a plain list from stdin and shapes it with a template", () => {
    const r = lcm(
      ["expand", "-", "--template", "essay", "--beam", "1"],
      "- The harbour reopened.\n- Boats came back.\n",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("## Introduction");
    expect(r.stdout).toContain("## Conclusion");
  });
});

describe("lcm templates", () => {
  it("lists the bundled templates as text and JSON", () => {
    const text = lcm(["templates"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^brief\s+The gist/m);
    const out = JSON.parse(lcm(["templates", "--format", "json"]).stdout);
    expect(out.templates.map((t: { name: string }) => t.name)).toEqual([
      "brief",
      "essay",
      "meeting-notes",
      "report",
    ]);
    const one = lcm(["templates", "report"]);
    expect(one.stdout).toContain("Findings: 4 sentences");
    expect(lcm(["templates", "nope"]).code).toBe(2);
  });
});

describe("summarize() as a library", () => {
  it("streams concepts with text and progress, and says when no LCM is installed", async () => {
    const engine = await ConceptEngine.open({ models, cache: false, threads: 1, onlyExplicit: true });
    try {
      const events: ConceptEvent[] = [];
      const stages = new Set<string>();
      const result = await summarize(
        engine,
        { text: NOTE, format: "plain" },
        { maxConcepts: 2, streamText: true, decode: { beam: 1 } },
        { onConcept: (e) => events.push(e), onProgress: (p: ProgressEvent) => stages.add(p.stage) },
      );
      expect(events.length).toBe(result.concepts.length);
      events.forEach((e, i) => {
        expect(e.text).toBe(result.concepts[i].text);
        expect(e.grounding.length).toBe(3);
      });
      expect([...stages]).toEqual(["segment", "encode", "generate", "decode"]);
    } finally {
      await engine.release();
    }
    const codecOnly = mkdtempSync(join(work, "codec-only-"));
    cpSync(smokeCodecDir(), join(codecOnly, "codec"), { recursive: true });
    await expect(ConceptEngine.open({ models: codecOnly, onlyExplicit: true })).rejects.toThrow(
      /^no LCM installed/,
    );
  });

  it("renders one generation in three languages without generating again", async () => {
    const engine = await ConceptEngine.open({ models, cache: false, threads: 1, onlyExplicit: true });
    try {
      const english = await summarize(
        engine,
        { text: NOTE, format: "plain" },
        { maxConcepts: 2, decode: { beam: 1 } },
      );
      for (const lang of ["fra_Latn", "deu_Latn"]) {
        const other = await renderSummary(engine, english, lang, { decode: { beam: 1 } });
        expect(other.lang).toBe(lang);
        expect(other.concepts.map((c) => c.vector)).toEqual(english.concepts.map((c) => c.vector));
        expect(other.summary).toBe(other.concepts.map((c) => c.text).join(" "));
      }
      await expect(renderSummary(engine, english, "zul_Latn")).rejects.toThrow(/not supported by this model/);
    } finally {
      await engine.release();
    }
  });

  it("stops with a CancelledError when the caller aborts", async () => {
    const engine = await ConceptEngine.open({ models, cache: false, threads: 1, onlyExplicit: true });
    try {
      const controller = new AbortController();
      const run = summarize(
        engine,
        { text: NOTE, format: "plain" },
        { maxConcepts: 3 },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.stage === "generate") controller.abort();
          },
        },
      );
      await expect(run).rejects.toThrow(CancelledError);
    } finally {
      await engine.release();
    }
  });
});
