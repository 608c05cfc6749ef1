/**
 * `lcm outline` through the built CLI (dist/src/cli.js; `npm test` builds first): formats, bad input,
 * terminal safety, and a 50 MB document.
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { walkConcepts } from "../src/planner/outline.js";
import { outlineFromJson } from "../src/planner/outline-json.js";
import { outlineFromMarkdown } from "../src/planner/outline-markdown.js";
import { conceptMatchesSource } from "../src/planner/span-check.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const EXAMPLE = join(ROOT, "examples/problems-of-philosophy.md");
const dir = mkdtempSync(join(tmpdir(), "lcm-outline-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lcm(args: string[], input?: string | Buffer, timeout = 60_000) {
  if (!existsSync(CLI)) throw new Error("dist/src/cli.js is missing: run `npm run build` first");
  const result = spawnSync(process.execPath, [CLI, ...args], {
    input,
    cwd: ROOT,
    encoding: "utf8",
    timeout,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, LCM_DEBUG: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** One clear line on stderr, exit code 2, nothing on stdout. */
function expectUsageFailure(result: ReturnType<typeof lcm>, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^lcm: /);
  expect(lines[0]).toMatch(message);
}

describe("lcm outline output", () => {
  it("prints a readable tree with numbered concepts and a stats line", () => {
    const { code, stdout, stderr } = lcm(["outline", EXAMPLE]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("  [front matter, 7 lines]");
    expect(lines).toContain("# The Problems of Philosophy");
    expect(lines).toContain("  ## Preface");
    expect(lines).toContain("  1. By Bertrand Russell");
    expect(lines).toContain(
      "    2. In the following pages I have confined myself in the main to those problems of philosophy in regard to which I thought it possible to say something positive and constructive, since merely negative criticism seemed out of place.",
    );
    expect(lines.filter((l) => /^ {4}\d+\. /.test(l)).length).toBeGreaterThan(150);
    expect(lines.at(-1)).toMatch(
      /^33,050 chars · [\d,]+ tokens \(estimated\) · [\d,]+ concepts · [\d.]+ tokens\/concept · 5 sections · 1 opaque block$/,
    );
  });

  it("prints JSON with stats and source spans that map back to the input", () => {
    const { code, stdout } = lcm(["outline", EXAMPLE, "--format", "json"]);
    expect(code).toBe(0);
    const value = JSON.parse(stdout);
    expect(Object.keys(value.stats)).toEqual(
      expect.arrayContaining(["chars", "tokens", "concepts", "ratio", "token_source"]),
    );
    expect(value.stats.token_source).toBe("estimate");
    expect(value.stats.ratio).toBeGreaterThanOrEqual(10);
    const section = value.sections[1];
    expect(Object.keys(section)).toEqual(expect.arrayContaining(["title", "level", "concepts", "sections"]));
    expect(Object.keys(section.concepts[0])).toEqual(expect.arrayContaining(["id", "text", "span"]));
    const source = readFileSync(EXAMPLE, "utf8");
    const outline = outlineFromJson(value);
    const concepts = [...walkConcepts(outline)].map((x) => x.concept);
    expect(concepts.filter((c) => c.kind === "sentence")).toHaveLength(value.stats.concepts);
    for (const c of concepts) expect(conceptMatchesSource(c, source, "markdown"), c.id).toBe(true);
  });

  it("prints the Markdown outline file, which reads back to the same outline as the JSON", () => {
    const md = lcm(["outline", EXAMPLE, "--format", "md"]);
    const json = lcm(["outline", EXAMPLE, "-f", "json"]);
    expect(md.code).toBe(0);
    expect(outlineFromMarkdown(md.stdout)).toEqual(outlineFromJson(json.stdout));
    // A saved outline given back is shown as it is.
    const saved = file("saved.md", md.stdout);
    expect(lcm(["outline", saved, "--format", "md"]).stdout).toBe(md.stdout);
    expect(lcm(["outline", saved]).stdout).toBe(lcm(["outline", EXAMPLE]).stdout);
  });

  it("writes to --output atomically, taking the format from the extension", () => {
    const out = join(dir, "out.json");
    const { code, stdout, stderr } = lcm(["outline", EXAMPLE, "-o", out]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toBe(`lcm: wrote ${out}\n`);
    expect(JSON.parse(readFileSync(out, "utf8")).stats.concepts).toBeGreaterThan(150);
  });

  it("reads stdin, sniffing Markdown, and honours --plain, --max-chars and --lang", () => {
    const doc = "# Notes\n\nFirst point. Second point.\n\n- a listed item\n- another item\n";
    const sniffed = JSON.parse(lcm(["outline", "-", "-f", "json"], doc).stdout);
    expect(sniffed.source.format).toBe("markdown");
    expect(sniffed.sections[0].title).toBe("Notes");
    const plain = JSON.parse(lcm(["outline", "-", "-f", "json", "--plain"], doc).stdout);
    expect(plain.source.format).toBe("plain");
    // In plain text "# Notes" is a one-word paragraph: a stub, joined to the paragraph after it.
    expect(plain.sections[0].concepts[0].text).toBe("# Notes First point.");
    const long = `${"word ".repeat(100)}end.`;
    const capped = JSON.parse(lcm(["outline", "-", "-f", "json", "--max-chars", "40"], long).stdout);
    const texts = capped.sections[0].concepts.map((c: { text: string }) => c.text);
    expect(texts.length).toBeGreaterThan(10);
    expect(Math.max(...texts.map((t: string) => t.length))).toBeLessThanOrEqual(40);
    expect(lcm(["outline", "-", "--lang", "jpn_Jpan"], "今日は晴れです。明日は雨です。").stdout).toContain(
      "  2. 明日は雨です。",
    );
  });

  it("never lets escape sequences or control characters from the document reach the terminal", () => {
    const evil =
      "# Title \u001b]0;pwned\u0007 \u009b2J\n\nHello \u001b[31mred\u001b[0m world. Bell\u0007 and \u001b[2J clear.\n\n" +
      "```\n\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\\n```\n";
    const path = file("evil.md", evil);
    const text = lcm(["outline", path]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text.stdout).toContain("# Title");
    expect(text.stdout).toContain("1. Hello red world.");
    const json = lcm(["outline", path, "-f", "json"]);
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(json.stdout).sections[0].title).toBe("Title \u001b]0;pwned\u0007 \u009b2J");
    // The Markdown outline too, piped or written to a file, not only on a terminal.
    const md = lcm(["outline", path, "-f", "md"]);
    expect(md.code).toBe(0);
    expect(md.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(md.stdout).toContain("Hello red world.");
    const out = join(dir, "evil.outline.md");
    expect(lcm(["outline", path, "-f", "md", "-o", out]).code).toBe(0);
    expect(readFileSync(out, "utf8")).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe("lcm outline on bad input", () => {
  it("refuses an empty file, a blank file, a binary file and invalid UTF-8", () => {
    expectUsageFailure(lcm(["outline", file("empty.txt", "")]), /empty\.txt: file is empty/);
    expectUsageFailure(
      lcm(["outline", file("blank.txt", " \n\t\n")]),
      /blank\.txt: contains only whitespace/,
    );
    expectUsageFailure(
      lcm(["outline", file("bin.dat", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]))]),
      /binary/,
    );
    expectUsageFailure(
      lcm(["outline", file("latin1.txt", Buffer.from("caf\xe9 au lait", "latin1"))]),
      /latin1\.txt: not valid UTF-8 \(first bad byte at offset 3\)/,
    );
  });

  it("refuses a missing path and a directory", () => {
    expectUsageFailure(lcm(["outline", join(dir, "nope.md")]), /nope\.md: no such file/);
    const sub = join(dir, "a-directory");
    mkdirSync(sub, { recursive: true });
    expectUsageFailure(lcm(["outline", sub]), /a-directory: is a directory/);
  });

  it("refuses empty stdin and stdin that closes in the middle of a character", () => {
    expectUsageFailure(lcm(["outline", "-"], ""), /<stdin>: file is empty/);
    const cut = Buffer.concat([
      Buffer.from("A sentence that stops in the middle of caf"),
      Buffer.from("é").subarray(0, 1),
    ]);
    expectUsageFailure(lcm(["outline", "-"], cut), /<stdin>: not valid UTF-8/);
  });

  it("refuses bad flags with one line and exit code 2", () => {
    expectUsageFailure(
      lcm(["outline", EXAMPLE, "--max-chars", "3"]),
      /--max-chars must be a whole number in 16\.\./,
    );
    expectUsageFailure(lcm(["outline", EXAMPLE, "--lang", "english"]), /--lang must be a FLORES-200 code/);
    const conflict = lcm(["outline", EXAMPLE, "--plain", "--markdown"]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/cannot be used with/);
    const format = lcm(["outline", EXAMPLE, "--format", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/xml/);
  });

  it("reads a .json file as an outline unless told it is a document", () => {
    const data = file("data.json", '{"name": "not an outline"}\n');
    expectUsageFailure(lcm(["outline", data]), /data\.json: outline JSON: unsupported version/);
    const asText = lcm(["outline", data, "--plain"]);
    expect(asText.code).toBe(0);
    expect(asText.stdout).toContain('1. {"name": "not an outline"}');
  });

  it("refuses a broken saved outline with the line at fault", () => {
    const broken = file(
      "broken.outline.md",
      "<!-- lcm-outline v1 -->\n# A <!-- s1 -->\n- x <!-- c1 span=9-x -->\n",
    );
    expectUsageFailure(lcm(["outline", broken]), /line 3: span=9-x is not a span/);
  });
});

describe("lcm outline on a 50 MB document", () => {
  it("outlines it and keeps every span exact", () => {
    // Mill's On Liberty repeated to 50 MB, with CRLF line ends in every other copy.
    const book = gunzipSync(
      readFileSync(new URL("./fixtures/outline/on-liberty.txt.gz", import.meta.url)),
    ).toString("utf8");
    const path = join(dir, "big.txt");
    const fd = openSync(path, "w");
    let size = 0;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      const copy = Buffer.from(`${i % 2 ? book.replace(/\n/g, "\r\n") : book}\n\n`);
      writeSync(fd, copy);
      size += copy.length;
    }
    closeSync(fd);
    const out = join(dir, "big.json");
    const started = Date.now();
    const { code, stderr } = lcm(["outline", path, "-o", out, "-q"], undefined, 240_000);
    const seconds = (Date.now() - started) / 1000;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const text = readFileSync(path, "utf8");
    const outline = outlineFromJson(readFileSync(out, "utf8"));
    expect(outline.source!.chars).toBe(text.length);
    const concepts = [...walkConcepts(outline)].map((x) => x.concept);
    expect(concepts.length).toBeGreaterThan(300_000);
    for (let i = 0; i < concepts.length; i += 997) {
      expect(conceptMatchesSource(concepts[i], text, "plain"), concepts[i].id).toBe(true);
    }
    console.log(`lcm outline: 50 MB plain text in ${seconds.toFixed(1)} s (${concepts.length} concepts)`);
  }, 300_000);
});
