/**
 * Language maps (src/codec/language-maps.ts): the file layout, the residual network's arithmetic, the
 * languages that pass through, and the clear error for a file that does not match its manifest. The
 * shipped codec's maps at work on real sentences are in codec-shipped.test.ts.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LanguageMaps } from "../src/codec/language-maps.js";
import { type AlignmentSpec, ManifestError, parseManifest } from "../src/models/manifest.js";
import { ModelFileError } from "../src/models/onnx-session.js";

const DIM = 2;
const HIDDEN = 1;
const spec: AlignmentSpec = {
  file: "alignment.bin",
  dtype: "float32",
  hidden: HIDDEN,
  languages: ["fra_Latn"],
};

// One language, toShared then fromShared, each W1 [1][2], b1 [1], W2 [2][1], b2 [2].
const toShared = [1, 2, 0.5, 3, -1, 0.25, 0.75];
const fromShared = [0, 0, -10, 0, 0, 0, 0]; // gelu(-10) ~ 0: a near-identity map
const bytes = new Uint8Array(Float32Array.from([...toShared, ...fromShared]).buffer);

function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

describe("language maps", () => {
  const maps = LanguageMaps.fromBytes(bytes, spec, DIM, "test");

  it("computes x + W2 gelu(W1 x + b1) + b2 for the listed language", () => {
    const x = Float32Array.from([0.3, -0.7]);
    const h = gelu(1 * 0.3 + 2 * -0.7 + 0.5);
    const [out] = maps.toShared("fra_Latn", [x]);
    expect(out[0]).toBeCloseTo(0.3 + 3 * h + 0.25, 6);
    expect(out[1]).toBeCloseTo(-0.7 + -1 * h + 0.75, 6);
    const [back] = maps.fromShared("fra_Latn", [x]);
    expect(back[0]).toBeCloseTo(0.3, 6);
    expect(back[1]).toBeCloseTo(-0.7, 6);
  });

  it("passes English and unlisted languages through unchanged", () => {
    const x = Float32Array.from([0.3, -0.7]);
    expect(maps.toShared("eng_Latn", [x])[0]).toBe(x);
    expect(maps.fromShared("deu_Latn", [x])[0]).toBe(x);
    expect(maps.languages).toEqual(["fra_Latn"]);
  });

  it("reads float16 files", () => {
    const half = new Uint16Array([...toShared, ...fromShared].map(toHalfBits));
    const h = LanguageMaps.fromBytes(new Uint8Array(half.buffer), { ...spec, dtype: "float16" }, DIM, "test");
    const x = Float32Array.from([0.3, -0.7]);
    expect(h.toShared("fra_Latn", [x])[0][0]).toBeCloseTo(maps.toShared("fra_Latn", [x])[0][0], 3);
  });

  it("refuses a file whose size does not match the manifest, saying what it expected", () => {
    expect(() => LanguageMaps.fromBytes(bytes.subarray(0, 20), spec, DIM, "maps.bin")).toThrow(
      ModelFileError,
    );
    expect(() => LanguageMaps.fromBytes(bytes.subarray(0, 20), spec, DIM, "maps.bin")).toThrow(
      /maps\.bin: holds 20 bytes, but 1 languages of 1-wide maps in float32 need 56/,
    );
  });
});

describe("the manifest's alignment entry", () => {
  const shipped = fileURLToPath(new URL("../models/default/codec/manifest.json", import.meta.url));
  const base = JSON.parse(readFileSync(shipped, "utf8"));
  const parse = (alignment: unknown) => parseManifest({ ...base, alignment }, "/m", "/m/manifest.json");

  it("is optional, and read when present", () => {
    expect(parseManifest(base, "/m", "/m/manifest.json")).toMatchObject({ alignment: null });
    const m = parse({ file: "alignment.bin", dtype: "float16", hidden: 256, languages: ["fra_Latn"] });
    expect(m).toMatchObject({ alignment: { file: "alignment.bin", dtype: "float16", hidden: 256 } });
  });

  it("refuses a map for a language the codec does not declare, and an unknown dtype", () => {
    expect(() => parse({ file: "a.bin", dtype: "float16", hidden: 8, languages: ["kor_Hang"] })).toThrow(
      /\/m\/manifest.json: "alignment.languages" lists kor_Hang, which "languages" does not declare/,
    );
    expect(() => parse({ file: "a.bin", dtype: "int8", hidden: 8, languages: [] })).toThrow(ManifestError);
  });
});

/** float32 -> binary16 bits, for values exactly representable in half precision (the ones above). */
function toHalfBits(value: number): number {
  if (value === 0) return 0;
  const sign = value < 0 ? 0x8000 : 0;
  const a = Math.abs(value);
  const exponent = Math.floor(Math.log2(a));
  const fraction = Math.round((a / 2 ** exponent - 1) * 1024);
  return sign | ((exponent + 15) << 10) | fraction;
}
