/**
 * `lcm encode`, `lcm decode` and `lcm models` end to end through the built CLI (npm test builds first)
 * with the smoke codec: JSON and .npy round trips, the cache, and one-line errors with exit code 2.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeNpy } from "../src/codec/concept-file.js";
import { smokeModelsDir } from "./helpers/lcm-models.js";
import { copySmokeCodec, smokeCodecDir } from "./helpers/smoke-codec.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const DOC = `# Harbour notes

The weather was mild. We walked to the old harbour after lunch.

\`\`\`sh
echo "code is not encoded"
\`\`\`

- Boats came in.
- The fish market closed at four, and the gulls took over the quay.
`;

let work: string;
let docPath: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "lcm-codec-cli-"));
  docPath = join(work, "notes.md");
  writeFileSync(docPath, DOC);
  env = {
    ...process.env,
    XDG_CACHE_HOME: join(work, "cache"),
    XDG_DATA_HOME: join(work, "data"),
    LCM_MODELS: smokeCodecDir(),
    LCM_THREADS: "1",
  };
});

function lcm(args: string[], input?: string | Buffer, extraEnv: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...env, ...extraEnv },
    input,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
}

describe("lcm encode / decode", () => {
  it("encodes one concept per sentence with spans into the input, and decodes them back", () => {
    const { code, stdout, stderr } = lcm(["encode", docPath, "--lang", "eng_Latn"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const json = JSON.parse(stdout.toString());
    expect(json.codec.name).toBe("lcm-smoke-codec");
    expect(json.dim).toBe(64);
    expect(json.concepts.map((c: { text: string }) => c.text)).toEqual([
      "The weather was mild.",
      "We walked to the old harbour after lunch.",
      "Boats came in.",
      "The fish market closed at four, and the gulls took over the quay.",
    ]);
    for (const c of json.concepts) {
      expect(DOC.slice(c.span[0], c.span[1])).toBe(c.text);
      expect(c.vector).toHaveLength(64);
      expect(c.vector.every((x: unknown) => typeof x === "number")).toBe(true);
    }
    const conceptsPath = join(work, "concepts.json");
    writeFileSync(conceptsPath, stdout);
    const decoded = lcm(["decode", conceptsPath, "--lang", "fra_Latn", "--greedy", "--max-tokens", "12"]);
    expect(decoded.stderr).toBe("");
    expect(decoded.code).toBe(0);
    // One line per concept, even an empty one (a freshly trained smoke codec may decode a concept to
    // nothing in German), so count the line ends rather than the non-empty text.
    expect(decoded.stdout.toString().match(/\n/g)).toHaveLength(4);
    const asJson = lcm(
      ["decode", "-", "--lang", "eng_Latn", "--beam", "2", "--max-tokens", "8", "-f", "json"],
      stdout,
    );
    expect(asJson.code).toBe(0);
    const rows = JSON.parse(asJson.stdout.toString()).concepts;
    expect(rows.map((r: { span: number[] }) => r.span)).toEqual(
      json.concepts.map((c: { span: number[] }) => c.span),
    );
    expect(rows.every((r: { score: number }) => Number.isFinite(r.score))).toBe(true);
  });

  it("writes a real .npy [N, D] float32 matrix that decode reads", () => {
    const json = JSON.parse(lcm(["encode", docPath, "--lang", "eng_Latn"]).stdout.toString());
    const npyPath = join(work, "concepts.npy");
    const { code, stderr } = lcm(
      ["encode", "-", "--lang", "eng_Latn", "--format", "npy", "--out", npyPath],
      DOC,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const bytes = readFileSync(npyPath);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    const headerLength = bytes.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes.toString("latin1", 10, 10 + headerLength)).toContain(
      "'descr': '<f4', 'fortran_order': False, 'shape': (4, 64)",
    );
    const rows = decodeNpy(bytes, npyPath);
    rows.forEach((row, i) => {
      expect(Array.from(row)).toEqual(json.concepts[i].vector.map(Math.fround));
    });
    const decoded = lcm(["decode", npyPath, "--lang", "deu_Latn", "--greedy", "--max-tokens", "6"]);
    expect(decoded.code).toBe(0);
    // One line per concept, even an empty one (a freshly trained smoke codec may decode a concept to
    // nothing in German), so count the line ends rather than the non-empty text.
    expect(decoded.stdout.toString().match(/\n/g)).toHaveLength(4);
  });

  it("detects the document's language when --lang is not given, and decodes into it by default", () => {
    const french =
      "Le conseil municipal a approuvé le nouveau budget mardi. Les scientifiques ont découvert une grenouille.";
    const { code, stdout, stderr } = lcm(["encode", "-"], french);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^lcm: language: fra_Latn \(French\), detected \(trigrams, confidence 0\.\d\d\); --lang overrides\n$/,
    );
    expect(JSON.parse(stdout.toString()).lang).toBe("fra_Latn");
    const decoded = lcm(["decode", "-", "--greedy", "--max-tokens", "5", "-f", "json"], stdout);
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout.toString()).lang).toBe("fra_Latn");
    expect(lcm(["encode", "-", "-q"], french).stderr).toBe("");
  });

  it("caches concepts on disk unless --no-cache", () => {
    const fresh = mkdtempSync(join(tmpdir(), "lcm-cli-cache-"));
    const first = lcm(["encode", docPath, "--lang", "eng_Latn"], undefined, { XDG_CACHE_HOME: fresh });
    expect(first.code).toBe(0);
    expect(readdirSync(join(fresh, "lcm", "embeddings"))).toHaveLength(1);
    const second = lcm(["encode", docPath, "--lang", "eng_Latn"], undefined, { XDG_CACHE_HOME: fresh });
    expect(second.stdout.toString()).toBe(first.stdout.toString());
    const none = mkdtempSync(join(tmpdir(), "lcm-cli-nocache-"));
    expect(
      lcm(["encode", docPath, "--lang", "eng_Latn", "--no-cache"], undefined, { XDG_CACHE_HOME: none }).code,
    ).toBe(0);
    expect(readdirSync(none)).toEqual([]);
  });

  it("fails with one line and exit code 2 on bad input", () => {
    const check = (args: string[], pattern: RegExp, input?: string, extraEnv?: NodeJS.ProcessEnv) => {
      const { code, stderr } = lcm(args, input, extraEnv);
      expect(stderr).toMatch(pattern);
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(code).toBe(2);
    };
    check(
      ["encode", docPath, "--lang", "eng_Latm"],
      /^lcm: unknown language .eng_Latm.; did you mean eng_Latn \(English\)\?\n$/,
    );
    check(["encode", join(work, "missing.txt"), "--lang", "eng_Latn"], /no such file/);
    check(
      ["encode", docPath, "--lang", "eng_Latn", "--models", "/no/such/models"],
      /--models \/no\/such\/models: no such directory/,
    );
    check(["decode", "-", "--lang", "eng_Latn"], /not valid JSON/, "{oops");
    check(
      ["decode", "-", "--lang", "eng_Latn"],
      /concepts have 3 dimensions, codec 'lcm-smoke-codec' works with 64/,
      "[[1,2,3]]",
    );
    check(
      ["decode", "-", "--lang", "eng_Latn", "--beam", "0"],
      /--beam must be a whole number in 1\.\.16/,
      "[[1]]",
    );
    check(
      ["decode", "-"],
      /<stdin>: does not say its language; give the output language with --lang/,
      "[[1]]",
    );
    const lying = copySmokeCodec((m) => (m.embedding_dim = 32));
    check(
      ["encode", docPath, "--lang", "eng_Latn", "--models", lying],
      /encoder.onnx: output 'sentence_embedding' dimension 1 is 64, the manifest says 32/,
    );
    const corrupt = copySmokeCodec();
    truncateSync(join(corrupt, "encoder.onnx"), 1000);
    check(
      ["encode", docPath, "--lang", "eng_Latn"],
      // Caught by the manifest's recorded size, or (an export without checksums) by ONNX Runtime.
      /encoder.onnx: (not a valid ONNX file \(truncated or corrupt\)|1000 bytes, but the manifest records \d+)/,
      undefined,
      {
        LCM_MODELS: corrupt,
      },
    );
  });
});

describe("lcm models", () => {
  it("lists, describes and verifies the smoke codec", () => {
    const list = lcm(["models", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout.toString()).toMatch(/^codec\s+lcm-smoke-codec v1 {2}64-d, 3 language\(s\)/);
    const info = lcm(["models", "info", "lcm-smoke-codec"]);
    expect(info.code).toBe(0);
    expect(info.stdout.toString()).toContain("languages (3): eng_Latn fra_Latn deu_Latn");
    const verify = lcm(["models", "verify", "-f", "json"]);
    expect(verify.stderr).toBe("");
    expect(verify.code).toBe(0);
    const [report] = JSON.parse(verify.stdout.toString());
    expect(report.ok).toBe(true);
    expect(report.round_trip.lang).toBe("eng_Latn");
    expect(report.round_trip.decode_ms).toBeGreaterThan(0);
  });

  it("verify runs every LCM graph once, and names a broken one", () => {
    const models = smokeModelsDir();
    const ok = lcm(["models", "verify", "--models", models, "-f", "json"]);
    expect(ok.code).toBe(0);
    const lcmReport = JSON.parse(ok.stdout.toString()).find((r: { kind: string }) => r.kind === "lcm");
    expect(lcmReport.note).toMatch(/graphs run \(contextualizer, denoiser, base; split denoiser\)/);
    writeFileSync(join(models, "lcm", "denoiser_step.onnx"), "truncated");
    const broken = lcm(["models", "verify", "--models", models]);
    expect(broken.stdout.toString()).toMatch(/FAIL {2}lcm lcm-smoke/);
    expect(broken.stderr.toString()).toBe(
      `lcm: ${join(models, "lcm", "denoiser_step.onnx")}: not a valid ONNX file (truncated or corrupt)\n`,
    );
    expect(broken.code).toBe(2);
  });

  it("verify names the broken file and exits 2", () => {
    const corrupt = copySmokeCodec();
    writeFileSync(join(corrupt, "decoder.onnx"), "not an onnx file at all");
    const { code, stdout, stderr } = lcm(["models", "verify", "--models", corrupt]);
    expect(stdout.toString()).toMatch(/^FAIL {2}codec lcm-smoke-codec/);
    // The recorded checksums name it, or (an export without them) ONNX Runtime does.
    expect(stderr).toMatch(
      /^lcm: \S+decoder\.onnx: (not a valid ONNX file \(truncated or corrupt\)|23 bytes, the manifest records \d+)\n$/,
    );
    expect(stderr.split("\n")).toHaveLength(2);
    expect(code).toBe(2);
  });
});
