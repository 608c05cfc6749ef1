/**
 * How documents are cut into concepts, on real inputs: one segmentation whichever command runs it,
 * stub paragraphs joined to a neighbour, line-per-utterance transcripts kept apart by speaker, and
 * a block of 200,000 short sentences (a log, a transcript without blank lines) without a stack
 * overflow in the CLI or the server.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import { type Outline, walkConcepts } from "../src/planner/outline.js";
import { outlineFromJson } from "../src/planner/outline-json.js";
import { conceptMatchesSource } from "../src/planner/span-check.js";
import { ruleSegmenter } from "../src/segment/rules.js";
import { readSourceDocument } from "../src/tasks/source-concepts.js";
import { RpcTestClient } from "./helpers/rpc-client.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const BOOK = readFileSync(join(ROOT, "examples/problems-of-philosophy.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "lcm-segmentation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lcm(args: string[], input?: string) {
  if (!existsSync(CLI)) throw new Error("dist/src/cli.js is missing: run `npm run build` first");
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input,
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, LCM_DEBUG: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sentenceTexts = (o: Outline) =>
  [...walkConcepts(o)].filter((x) => x.concept.kind === "sentence").map((x) => x.concept.text);

/** The bundled book's prose as hard-wrapped plain text (70 columns), the way e-mail and Gutenberg come. */
function hardWrapped(): string {
  const prose = BOOK.split(/^---$/m)[2]
    .split(/\n\n+/)
    .filter((p) => !p.startsWith("#"))
    .map((p) => p.replace(/\s+/g, " ").trim());
  const wrap = (p: string) => {
    const lines: string[] = [];
    let line = "";
    for (const word of p.split(" ")) {
      if (line && line.length + 1 + word.length > 70) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    return lines.join("\n");
  };
  return prose.map(wrap).join("\n\n");
}

describe("one segmentation, whichever command runs it", () => {
  it("outline without --lang cuts hard-wrapped text as summarize, encode and the TUI do", () => {
    const text = hardWrapped();
    const file = join(dir, "book.txt");
    writeFileSync(file, text);
    const outline = JSON.parse(lcm(["outline", file, "--format", "json"]).stdout);
    const withLang = JSON.parse(lcm(["outline", file, "--format", "json", "--lang", "eng_Latn"]).stdout);
    const texts = (o: unknown) => sentenceTexts(outlineFromJson(JSON.stringify(o)));
    expect(texts(outline)).toEqual(texts(withLang));
    // summarize and the server read documents through readSourceDocument, with the codec's languages.
    const source = readSourceDocument(text, {
      format: "plain",
      supported: ["eng_Latn", "fra_Latn", "deu_Latn"],
    });
    expect(source.sentences.map((s) => s.text)).toEqual(texts(outline));
    // The cap's cuts depend on the language (", and" is a clause boundary in English): the book has
    // sentences long enough to be cut, so this compares something.
    expect(texts(outline).length).toBeGreaterThan(200);
  });
});

describe("stub paragraphs", () => {
  const outlineOf = (text: string) => buildOutline(text, { segmenter: ruleSegmenter, format: "plain" });

  it("join the paragraph after them (a lone quote mark, 'Um .'), or before them at the end", () => {
    const text = '"\n\nHello there, my old friend, said he.\n\nUm .\n\nWe went home. It was late.\n\n1912';
    const o = outlineOf(text);
    expect(sentenceTexts(o)).toEqual([
      '" Hello there, my old friend, said he.',
      "Um . We went home.",
      "It was late. 1912",
    ]);
    // Spans still cover the source exactly, across the paragraph break.
    for (const { concept } of walkConcepts(o))
      expect(conceptMatchesSource(concept, text, "plain")).toBe(true);
  });

  it("leave the bundled book with no one-word concept in its prose", () => {
    const o = buildOutline(BOOK, { segmenter: ruleSegmenter, format: "markdown" });
    const words = (t: string) => t.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
    expect(sentenceTexts(o).filter((t) => words(t) <= 1)).toEqual([]);
  });
});

describe("line-per-utterance transcripts", () => {
  const meeting = [
    "Grad E: I guess .",
    "Grad A: OK , we 're on . So just make sure that your wireless mike is on",
    "Grad E: Check one . Check one .",
    "Grad A: And you should be able to see which one you 're on by watching the little bars change",
    "Grad B: So , which is my bar ? Mah ! Number one .",
    "Professor C: Let 's start with the agenda",
  ].join("\n");

  it("keep each speaker's utterance apart: no concept mixes two speakers", () => {
    const o = buildOutline(meeting, { segmenter: ruleSegmenter, format: "plain" });
    const texts = sentenceTexts(o);
    for (const t of texts)
      expect(t.match(/\b(Grad [A-E]|Professor C):/g)?.length ?? 0).toBeLessThanOrEqual(1);
    // Utterances without a final stop stay whole and are not run into the next speaker.
    expect(texts).toContain(
      "Grad A: And you should be able to see which one you 're on by watching the little bars change",
    );
    expect(texts).toContain("Professor C: Let 's start with the agenda");
    for (const { concept } of walkConcepts(o))
      expect(conceptMatchesSource(concept, meeting, "plain")).toBe(true);
  });

  it("DialogSum's #Person1#: labels too, while hard-wrapped prose still joins its lines", () => {
    const dialog =
      "#Person1#: Hello, how are you doing today\n#Person2#: I have been having trouble\n#Person1#: Since when";
    expect(sentenceTexts(buildOutline(dialog, { segmenter: ruleSegmenter, format: "plain" }))).toHaveLength(
      3,
    );
    const prose = "The meeting began at\nnine: everyone was\nthere. Then it ended.";
    expect(sentenceTexts(buildOutline(prose, { segmenter: ruleSegmenter, format: "plain" }))).toEqual([
      "The meeting began at nine: everyone was there.",
      "Then it ended.",
    ]);
  });
});

describe("200,000 short sentences in one block", () => {
  const block = Array.from({ length: 200_000 }, (_, i) => `Event ${i} done.`).join(" ");

  it("outline through the CLI, as JSON, and back", () => {
    const file = join(dir, "log.txt");
    writeFileSync(file, block);
    const r = lcm(["outline", file, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const back = outlineFromJson(r.stdout);
    expect(sentenceTexts(back)).toHaveLength(200_000);
  }, 120_000);

  it("outline over the server", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--stdio"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LCM_DEBUG: "" },
    });
    try {
      const client = new RpcTestClient(child.stdin, child.stdout);
      const reply = await client.call("outline", { text: block, format: "plain" }, 100_000);
      expect(reply.error).toBeUndefined();
      expect((reply.result as { stats: { concepts: number } }).stats.concepts).toBe(200_000);
    } finally {
      child.kill();
    }
  }, 120_000);
});
