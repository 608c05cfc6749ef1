/**
 * Model directories: manifest validation, discovery order, LCM/codec pairing, and the clear one-line
 * errors for damaged or mismatched model files (checked against copies of the smoke codec).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";
import { ManifestError, parseManifest, readManifest } from "../src/models/manifest.js";
import { ModelFileError, resolveThreads, sessionOptions } from "../src/models/onnx-session.js";
import { bundledModelsDir, findCodec, findLcm, modelRoots, scanModels } from "../src/models/registry.js";
import { UsageError } from "../src/util/errors.js";
import { copySmokeCodec, type ManifestJson, smokeCodecDir } from "./helpers/smoke-codec.js";

const VALID = {
  kind: "codec",
  name: "test-codec",
  version: "1",
  embedding_dim: 64,
  languages: ["eng_Latn"],
  tokenizer: {
    file: "tokenizer.model",
    type: "sentencepiece",
    piece_offset: 0,
    special_ids: { pad: 0, unk: 1, bos: 2, eos: 3 },
    lang_tag_format: "__{lang}__",
  },
  encoder: {
    file: "encoder.onnx",
    max_tokens: 128,
    inputs: ["input_ids", "attention_mask"],
    output: "sentence_embedding",
  },
  decoder: {
    file: "decoder.onnx",
    layers: 2,
    heads: 4,
    head_dim: 16,
    vocab_size: 1000,
    max_tokens: 128,
    inputs: ["input_ids", "embedding", "past_key", "past_value"],
    outputs: ["logits", "present_key", "present_value"],
  },
};

function withChange(change: (m: ManifestJson) => void): unknown {
  const copy = structuredClone(VALID) as ManifestJson;
  change(copy);
  return copy;
}

function parseError(json: unknown): string {
  try {
    parseManifest(json, "/m", "/m/manifest.json");
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected the manifest to be refused");
}

async function loadError(dir: string, what: "encoder" | "decoder" = "encoder"): Promise<string> {
  try {
    const codec = await ConceptCodec.load(dir, { cache: false });
    if (what === "decoder") await codec.decoder();
    await codec.release();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected the model to be refused");
}

describe("manifest.json validation", () => {
  it("accepts the export's manifest and reads every field", async () => {
    const m = await readManifest(smokeCodecDir());
    expect(m.kind).toBe("codec");
    if (m.kind !== "codec") return;
    expect(m.name).toBe("lcm-smoke-codec");
    expect(m.embeddingDim).toBe(64);
    expect(m.languages).toEqual(["eng_Latn", "fra_Latn", "deu_Latn"]);
    expect(m.tokenizer.specialIds).toEqual({ pad: 0, unk: 1, bos: 2, eos: 3 });
    expect(m.decoder.inputs.pastKey).toBe("past_key");
    expect(m.decoder.outputs.presentValue).toBe("present_value");
    expect(m.decoder.defaultBeam).toBe(5); // the export's default when --default-beam is not given
  });

  it("takes the decoder's default beam from the shipped codec (measured: beam 5 no better than greedy)", async () => {
    const m = await readManifest(fileURLToPath(new URL("../models/default/codec/", import.meta.url)));
    expect(m.kind === "codec" && m.decoder.defaultBeam).toBe(1);
  });

  it("names the file and the field that is wrong", () => {
    expect(parseError(withChange((m) => delete m.kind))).toBe('/m/manifest.json: "kind" is missing');
    expect(parseError(withChange((m) => (m.kind = "vocoder")))).toMatch(/"kind" must be "codec" or "lcm"/);
    expect(parseError(withChange((m) => ((m as Record<string, unknown>).embedding_dim = "64")))).toMatch(
      /"embedding_dim" must be an integer >= 1/,
    );
    expect(parseError(withChange((m) => (m.languages = [])))).toMatch(/"languages" is empty/);
    expect(parseError(withChange((m) => (m.tokenizer.type = "bpe")))).toMatch(
      /"tokenizer.type" must be "sentencepiece"/,
    );
    expect(parseError(withChange((m) => (m.tokenizer.lang_tag_format = "<lang>")))).toMatch(
      /must contain \{lang\}/,
    );
    expect(parseError(withChange((m) => (m.encoder.file = "../../etc/passwd")))).toMatch(
      /inside the model directory/,
    );
    expect(parseError(withChange((m) => (m.decoder.inputs = ["input_ids"])))).toMatch(
      /"decoder.inputs" must list 4 names/,
    );
    expect(parseError(withChange((m) => (m.tokenizer.special_ids.eos = 5000)))).toMatch(
      /outside the vocabulary/,
    );
    expect(parseError(withChange((m) => Reflect.deleteProperty(m, "decoder")))).toMatch(
      /"decoder" is missing/,
    );
    expect(parseError(withChange((m) => (m.decoder.default_beam = 0)))).toMatch(
      /"decoder.default_beam" must be an integer >= 1/,
    );
    expect(parseError([1, 2])).toMatch(/must hold a JSON object/);
  });

  it("reports a missing or unparsable manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-manifest-"));
    await expect(readManifest(dir)).rejects.toThrow(/manifest.json: missing/);
    writeFileSync(join(dir, "manifest.json"), "{ not json");
    await expect(readManifest(dir)).rejects.toThrow(/manifest.json: not valid JSON/);
  });
});

describe("damaged or mismatched model files", () => {
  it("a truncated or corrupt ONNX file", async () => {
    const dir = copySmokeCodec();
    truncateSync(join(dir, "encoder.onnx"), 5000);
    // The manifest records every file's size: a copy cut short is caught before ONNX reads it.
    expect(await loadError(dir)).toMatch(
      /encoder\.onnx: 5000 bytes, but the manifest records \d+: the file was changed or cut short/,
    );
    // Without recorded checksums (an older export), ONNX Runtime's own check says it.
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    delete manifest.checksums;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    expect(await loadError(dir)).toBe(
      `${join(dir, "encoder.onnx")}: not a valid ONNX file (truncated or corrupt)`,
    );
    writeFileSync(join(dir, "encoder.onnx"), "");
    expect(await loadError(dir)).toMatch(/encoder.onnx: empty file/);
  });

  it("a missing file", async () => {
    const dir = copySmokeCodec();
    rmSync(join(dir, "decoder.onnx"));
    expect(await loadError(dir, "decoder")).toBe(
      `${join(dir, "decoder.onnx")}: missing (the manifest names it)`,
    );
    rmSync(join(dir, "tokenizer.model"));
    expect(await loadError(dir)).toMatch(/tokenizer.model: missing/);
  });

  it("a manifest that lies about the embedding dim, the vocabulary, the layers or the names", async () => {
    expect(await loadError(copySmokeCodec((m) => (m.embedding_dim = 32)))).toMatch(
      /encoder.onnx: output 'sentence_embedding' dimension 1 is 64, the manifest says 32 \(embedding_dim/,
    );
    expect(
      await loadError(
        copySmokeCodec((m) => (m.decoder.vocab_size = 1200)),
        "decoder",
      ),
    ).toMatch(
      /decoder.onnx: output 'logits' has 1000 entries per token, the manifest says 1200 \(decoder.vocab_size\)/,
    );
    expect(await loadError(copySmokeCodec((m) => (m.decoder.vocab_size = 900)))).toMatch(
      /tokenizer.model: needs 1000 ids \(pieces, offset and tags\), more than the decoder's vocab_size 900/,
    );
    expect(
      await loadError(
        copySmokeCodec((m) => (m.decoder.layers = 3)),
        "decoder",
      ),
    ).toMatch(/decoder.onnx: input 'past_key' dimension 0 is 2, the manifest says 3 \(decoder.layers/);
    expect(
      await loadError(
        copySmokeCodec((m) => (m.decoder.outputs[0] = "scores")),
        "decoder",
      ),
    ).toMatch(/decoder.onnx: expected output 'scores', found 'logits', 'present_key', 'present_value'/);
    expect(await loadError(copySmokeCodec((m) => m.languages.push("zzz_Zzzz")))).toMatch(
      /tokenizer.model: has no tag token '__zzz_Zzzz__' for language zzz_Zzzz/,
    );
  });

  it("every load error is a ModelFileError or ManifestError (exit code 2)", async () => {
    const dir = copySmokeCodec((m) => (m.embedding_dim = 32));
    await expect(ConceptCodec.load(dir, { cache: false })).rejects.toBeInstanceOf(ModelFileError);
  });
});

describe("model discovery", () => {
  function modelsRoot(): string {
    return mkdtempSync(join(tmpdir(), "lcm-models-"));
  }
  function writeModel(root: string, folder: string, manifest: object): void {
    mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, folder, "manifest.json"), JSON.stringify(manifest));
  }

  it("searches --models, else LCM_MODELS, then the user data dir, then the bundled models", () => {
    const env = { LCM_MODELS: "/from/env", XDG_DATA_HOME: "/xdg" };
    expect(modelRoots({ env }).map((r) => [r.source, r.dir])).toEqual([
      ["LCM_MODELS", "/from/env"],
      ["user data dir", "/xdg/lcm/models"],
      ["bundled", bundledModelsDir()],
    ]);
    expect(modelRoots({ env, models: "/flag" })[0]).toEqual({ source: "--models", dir: "/flag" });
    expect(modelRoots({ env: { HOME: "/home/u" } })[0].dir).toMatch(/\.local\/share\/lcm\/models$/);
    expect(bundledModelsDir()).toBe(fileURLToPath(new URL("../models/default", import.meta.url)));
  });

  it("finds codecs by name or first found, and accepts a model folder as the root", async () => {
    const root = modelsRoot();
    writeModel(root, "a-lcm", {
      kind: "lcm",
      name: "my-lcm",
      version: 1,
      codec: { name: "test-codec", embedding_dim: 64 },
    });
    writeModel(root, "b-codec", VALID);
    writeModel(root, "c-codec", { ...VALID, name: "other-codec" });
    const opts = { models: root, onlyExplicit: true };
    expect((await findCodec(opts)).name).toBe("test-codec");
    expect((await findCodec({ ...opts, name: "other-codec" })).name).toBe("other-codec");
    await expect(findCodec({ ...opts, name: "nope" })).rejects.toThrow(
      "no codec model named 'nope' (found: test-codec, other-codec)",
    );
    expect((await findCodec({ models: join(root, "c-codec"), onlyExplicit: true })).name).toBe("other-codec");
    expect((await scanModels(opts)).map((e) => e.manifest?.name)).toEqual([
      "my-lcm",
      "test-codec",
      "other-codec",
    ]);
  });

  it("refuses a bad --models path and surfaces a broken model folder", async () => {
    await expect(findCodec({ models: "/no/such/dir", onlyExplicit: true })).rejects.toThrow(
      "--models /no/such/dir: no such directory",
    );
    const empty = modelsRoot();
    await expect(findCodec({ models: empty, onlyExplicit: true })).rejects.toThrow(/no model folders/);
    const root = modelsRoot();
    writeModel(root, "a", withChange((m) => (m.embedding_dim = -1)) as object);
    writeModel(root, "b", VALID);
    await expect(findCodec({ models: root, onlyExplicit: true })).rejects.toThrow(
      /a\/manifest.json: "embedding_dim"/,
    );
    expect((await findCodec({ models: root, onlyExplicit: true, name: "test-codec" })).name).toBe(
      "test-codec",
    );
  });

  it("pairs an LCM only with the codec it was trained on", async () => {
    const root = modelsRoot();
    writeModel(root, "codec", VALID);
    writeModel(root, "lcm", {
      kind: "lcm",
      name: "l1",
      version: "1",
      codec: { name: "test-codec", embedding_dim: 64 },
    });
    writeModel(root, "lcm2", {
      kind: "lcm",
      name: "l2",
      version: "1",
      codec: { name: "test-codec", embedding_dim: 1024 },
    });
    writeModel(root, "lcm3", {
      kind: "lcm",
      name: "l3",
      version: "1",
      codec: { name: "sonar", embedding_dim: 64 },
    });
    const opts = { models: root, onlyExplicit: true };
    const codec = await findCodec(opts);
    expect((await findLcm(codec, { ...opts, name: "l1" })).name).toBe("l1");
    await expect(findLcm(codec, { ...opts, name: "l2" })).rejects.toThrow(
      "the LCM 'l2' expects 1024-d concepts, but codec 'test-codec' makes 64-d ones",
    );
    await expect(findLcm(codec, { ...opts, name: "l3" })).rejects.toThrow(
      "the LCM 'l3' was trained on codec 'sonar', but the codec in use is 'test-codec'",
    );
  });
});

describe("session options", () => {
  it("takes threads from options, then LCM_THREADS, and folds int8 weights by default", () => {
    const saved = process.env.LCM_THREADS;
    try {
      process.env.LCM_THREADS = "3";
      expect(resolveThreads()).toBe(3);
      expect(resolveThreads(1)).toBe(1);
      expect(sessionOptions().intraOpNumThreads).toBe(3);
      process.env.LCM_THREADS = "many";
      expect(() => resolveThreads()).toThrow("LCM_THREADS must be a positive integer, got 'many'");
      delete process.env.LCM_THREADS;
      expect(sessionOptions().intraOpNumThreads).toBeUndefined();
      expect(sessionOptions().extra).toEqual({ session: { disable_quant_qdq: "1" } });
      expect(sessionOptions({ foldQuantizedWeights: false }).extra).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.LCM_THREADS;
      else process.env.LCM_THREADS = saved;
    }
  });
});
