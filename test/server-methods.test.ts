/**
 * The server's methods against real (small) models: the smoke codec and the parity-fixture LCM.
 * Checks what an editor relies on: spans that point at the source text, results that can be
 * rendered again in another language, progress, cancellation of real work, and clear errors.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";
import { EmbeddingCache } from "../src/codec/embedding-cache.js";
import { normalizeText } from "../src/planner/outline.js";
import { serve } from "../src/server/index.js";
import { silentLogger } from "../src/server/logger.js";
import { smokeModelsDir } from "./helpers/lcm-models.js";
import { type RpcMessage, RpcTestClient } from "./helpers/rpc-client.js";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const EXAMPLE = readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8");
/** The preface and the start of chapter I: headings, front matter, 12 sentences. */
const DOC = EXAMPLE.slice(0, EXAMPLE.indexOf("When we have realized"));
/** Fast generation and decoding for tests (the models are tiny; quality is not the point). */
const FAST = { steps: 4, decode: { beam: 1, maxTokens: 12 } };

interface Concept {
  text: string;
  span: [number, number] | null;
  grounding: { index: number; score: number; span: [number, number] | null }[];
  grounded: boolean;
  vector?: number[];
}

let client: RpcTestClient;
let input: PassThrough;
let exit: Promise<number>;
let configHome: string;

function result<T = Record<string, unknown>>(message: RpcMessage): T {
  if (message.error) throw new Error(`RPC error ${message.error.code}: ${message.error.message}`);
  return message.result as T;
}

beforeAll(() => {
  configHome = mkdtempSync(join(tmpdir(), "lcm-config-"));
  mkdirSync(join(configHome, "lcm", "templates"), { recursive: true });
  writeFileSync(
    join(configHome, "lcm", "templates", "two-part.md"),
    "---\ndescription: Two short parts.\n---\n## Question <!-- target=1 -->\nWhat is asked.\n\n## Answer <!-- target=1 -->\nWhat is answered.\n",
  );
  input = new PassThrough();
  const output = new PassThrough();
  exit = serve({
    input,
    output,
    models: smokeModelsDir(),
    threads: 1,
    cache: new EmbeddingCache(mkdtempSync(join(tmpdir(), "lcm-cache-"))),
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
    log: silentLogger,
    progressIntervalMs: 0,
  });
  client = new RpcTestClient(input, output);
});

afterAll(async () => {
  client.request("shutdown");
  client.notify("exit");
  expect(await exit).toBe(0);
});

describe("initialize", () => {
  it("describes the server, its models, languages, templates and limits without loading a model", async () => {
    const r = result<{
      serverInfo: { name: string };
      models: { codec: { name: string; dim: number }; lcm: { name: string; codec: string } };
      languages: { code: string; name: string }[];
      templates: { name: string; sections: { title: string }[] }[];
      limits: { maxMessageBytes: number };
      capabilities: { methods: string[] };
    }>(await client.call("initialize", { clientInfo: { name: "test" } }));
    expect(r.serverInfo.name).toBe("lcm");
    expect(r.models.codec).toMatchObject({ name: "lcm-smoke-codec", dim: 64 });
    expect(r.models.lcm).toMatchObject({ name: "lcm-smoke", codec: "lcm-smoke-codec" });
    expect(r.languages).toContainEqual({ code: "fra_Latn", name: "French" });
    expect(r.templates.find((t) => t.name === "two-part")?.sections.map((s) => s.title)).toEqual([
      "Question",
      "Answer",
    ]);
    expect(r.limits.maxMessageBytes).toBe(32 * 1024 * 1024);
    expect(r.capabilities.methods).toEqual(
      expect.arrayContaining(["outline", "summarize", "expand", "render", "encode"]),
    );
  });
});

describe("outline and encode", () => {
  it("outline: every concept's span slices the buffer to that sentence", async () => {
    const r = result<{ sections: { title: string; concepts: Concept[]; sections: unknown[] }[] }>(
      await client.call("outline", { text: DOC, uri: "file:///notes/philosophy.md" }),
    );
    const concepts: Concept[] = [];
    const walk = (sections: { concepts: Concept[]; sections: unknown[] }[]) => {
      for (const s of sections) {
        concepts.push(...s.concepts);
        walk(s.sections as typeof sections);
      }
    };
    walk(r.sections);
    expect(concepts.length).toBeGreaterThanOrEqual(7);
    for (const c of concepts) expect(normalizeText(DOC.slice(c.span![0], c.span![1]))).toBe(c.text);
  });

  it("encode: one vector per sentence with its span; the second time from the cache", async () => {
    const params = { text: DOC, lang: "eng_Latn" };
    const first = result<{ dim: number; cacheHits: number; concepts: (Concept & { vector: number[] })[] }>(
      await client.call("encode", params),
    );
    expect(first.dim).toBe(64);
    expect(first.cacheHits).toBe(0);
    for (const c of first.concepts) {
      expect(c.vector).toHaveLength(64);
      expect(normalizeText(DOC.slice(c.span![0], c.span![1]))).toBe(c.text);
    }
    const second = result<typeof first>(await client.call("encode", { ...params, includeVectors: false }));
    expect(second.cacheHits).toBe(first.concepts.length);
    expect(second.concepts[0]).not.toHaveProperty("vector");
  });
});

describe("summarize and render", () => {
  let summary: { resultId: string; summary: string; lang: string; concepts: Concept[] };

  it("summarizes with grounding spans into the buffer and progress under the client's token", async () => {
    summary = result(
      await client.call("summarize", {
        text: DOC,
        maxConcepts: 3,
        sourceLang: "eng_Latn",
        seed: 5,
        ...FAST,
        includeVectors: true,
        _meta: { progressToken: "sum-1" },
      }),
    );
    expect(summary.resultId).toMatch(/^r\d+$/);
    expect(summary.concepts.length).toBeGreaterThanOrEqual(1);
    expect(summary.concepts.length).toBeLessThanOrEqual(3);
    const outline = result<{ sections: unknown[] }>(await client.call("outline", { text: DOC }));
    const sentences = JSON.stringify(outline).match(/"span":\[\d+,\d+\]/g)!;
    for (const c of summary.concepts) {
      expect(c.grounding.length).toBeGreaterThan(0);
      expect(c.span).toEqual(c.grounding[0].span);
      for (const g of c.grounding) expect(sentences).toContain(`"span":[${g.span![0]},${g.span![1]}]`);
    }
    const progress = client.messages.filter((m) => m.params?.progressToken === "sum-1").map((m) => m.params!);
    expect(progress.length).toBeGreaterThan(2);
    const values = progress.map((p) => p.progress as number);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ progress: 100, total: 100 });
  });

  it("is deterministic for a seed", async () => {
    const again = result<typeof summary>(
      await client.call("summarize", { text: DOC, maxConcepts: 3, sourceLang: "eng_Latn", seed: 5, ...FAST }),
    );
    expect(again.summary).toBe(summary.summary);
    expect(again.resultId).not.toBe(summary.resultId);
  });

  it("render of a result in its own language gives the summary's text again; in another, new text", async () => {
    const same = result<{ text: string; concepts: { span: unknown }[] }>(
      await client.call("render", { resultId: summary.resultId, lang: summary.lang, decode: FAST.decode }),
    );
    expect(same.text).toBe(summary.summary);
    expect(same.concepts.map((c) => c.span)).toEqual(summary.concepts.map((c) => c.span));
    const french = result<{ lang: string; text: string; concepts: { text: string; rendering: string }[] }>(
      await client.call("render", { resultId: summary.resultId, lang: "fra_Latn", decode: FAST.decode }),
    );
    expect(french.lang).toBe("fra_Latn");
    expect(french.concepts).toHaveLength(summary.concepts.length);
    // The smoke codec is too small for its French to differ reliably from its English (both can be
    // the same degenerate string), so check the mechanism instead: every concept the summary decoded
    // is decoded again from its stored vector in French, never shown as its English source sentence.
    // That a real codec's French differs is tested on the shipped codec (codec-shipped.test.ts).
    const codec = await ConceptCodec.load(smokeCodecDir(), { cache: false });
    try {
      for (const [i, c] of french.concepts.entries()) {
        expect(c.rendering).not.toBe("source");
        if (c.rendering !== "generated") continue;
        const vector = Float32Array.from(summary.concepts[i].vector!);
        const [direct] = await codec.decode([vector], "fra_Latn", { beam: 1, maxNewTokens: 12 });
        expect(c.text).toBe(direct.text);
      }
    } finally {
      await codec.release();
    }
  });

  it("render of vectors from encode", async () => {
    const encoded = result<{ concepts: { vector: number[] }[] }>(
      await client.call("encode", { text: "The sun rose. The birds sang.", lang: "eng_Latn" }),
    );
    const r = result<{ concepts: { text: string }[] }>(
      await client.call("render", { concepts: encoded.concepts, lang: "deu_Latn", decode: FAST.decode }),
    );
    expect(r.concepts).toHaveLength(2);
    // What the smoke codec says is not the point (it may say nothing); that render decodes exactly
    // the vectors it was sent, in the language asked for, is.
    const codec = await ConceptCodec.load(smokeCodecDir(), { cache: false });
    try {
      const direct = await codec.decode(
        encoded.concepts.map((c) => Float32Array.from(c.vector)),
        "deu_Latn",
        { beam: 1, maxNewTokens: 12 },
      );
      expect(r.concepts.map((c) => c.text)).toEqual(direct.map((d) => d.text));
    } finally {
      await codec.release();
    }
  });

  it("summarize with a template gives its sections", async () => {
    const r = result<{ sections: { title: string; concepts: number[] }[] }>(
      await client.call("summarize", { text: DOC, template: "two-part", sourceLang: "eng_Latn", ...FAST }),
    );
    expect(r.sections.map((s) => s.title)).toEqual(["Question", "Answer"]);
  });
});

describe("expand", () => {
  it("expands an outline given as text, section by section", async () => {
    const r = result<{
      document: string;
      sections: { title: string; concepts: number[] }[];
      concepts: Concept[];
    }>(
      await client.call("expand", {
        text: "# Plan\n\nThe project starts in May. It ends in June.\n",
        sourceLang: "eng_Latn",
        ...FAST,
      }),
    );
    expect(r.sections.map((s) => s.title)).toEqual(["Plan"]);
    expect(r.concepts.length).toBeGreaterThan(0);
    expect(r.document.startsWith("# Plan\n\n")).toBe(true);
  });
});

describe("cancellation and errors on real work", () => {
  it("cancels a running summary at once and keeps serving the next one", async () => {
    const id = client.request("summarize", {
      text: EXAMPLE,
      sourceLang: "eng_Latn",
      maxConcepts: 20,
      steps: 100,
      eotThreshold: 1,
      repeatThreshold: 1,
      progressToken: "long",
    });
    await client.waitFor(
      (m) => m.params?.progressToken === "long" && String(m.params.message).startsWith("generate"),
    );
    const t0 = performance.now();
    client.notify("$/cancelRequest", { id });
    expect((await client.response(id)).error?.code).toBe(-32800);
    expect(performance.now() - t0).toBeLessThan(2000);
    const next = result<{ concepts: unknown[] }>(
      await client.call("summarize", { text: DOC, maxConcepts: 1, sourceLang: "eng_Latn", ...FAST }),
    );
    expect(next.concepts).toHaveLength(1);
    expect(client.answersTo(id)).toHaveLength(1);
  });

  it("answers bad params with -32602 and one clear line", async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["summarize", {}, /give either params\.text \(the document\) or params\.path/],
      ["summarize", { text: 5 }, /params\.text must be a string/],
      ["summarize", { text: "   " }, /params\.text is empty/],
      ["summarize", { text: DOC, lang: "xx_Zzzz" }, /xx_Zzzz/],
      ["summarize", { text: DOC, maxConcepts: 0 }, /params\.maxConcepts must be a whole number/],
      ["summarize", { text: DOC, template: "../etc/passwd" }, /template name/],
      ["summarize", { text: DOC, decode: { beam: 99 } }, /params\.decode\.beam/],
      ["render", { lang: "fra_Latn" }, /either params\.resultId/],
      ["render", { lang: "fra_Latn", concepts: [[1, 2, 3]] }, /64 finite numbers/],
      ["expand", { text: "x", outline: {} }, /either params\.outline/],
      ["outline", { text: "A.", lang: "english" }, /FLORES-200/],
    ];
    for (const [method, params, message] of cases) {
      const answer = await client.call(method, params);
      expect(answer.error?.code, `${method} ${JSON.stringify(params).slice(0, 60)}`).toBe(-32602);
      expect(answer.error?.message).toMatch(message);
    }
    expect((await client.call("render", { resultId: "r999", lang: "fra_Latn" })).error?.code).toBe(-32003);
  });
});

describe("without models", () => {
  it("initialize still answers; model methods say the model is unavailable (-32002)", async () => {
    const empty = mkdtempSync(join(tmpdir(), "lcm-nomodels-"));
    const inp = new PassThrough();
    const out = new PassThrough();
    const done = serve({ input: inp, output: out, models: empty, log: silentLogger, env: {} });
    const c = new RpcTestClient(inp, out);
    const init = result<{ models: { problems: string[]; lcm: null } }>(await c.call("initialize"));
    expect(init.models.lcm).toBeNull();
    expect(init.models.problems[0]).toMatch(/no model folders/);
    const answer = await c.call("summarize", { text: DOC });
    expect(answer.error?.code).toBe(-32002);
    expect((await c.call("outline", { text: "Still works." })).result).toBeTruthy();
    c.end();
    expect(await done).toBe(0);
  });
});
