/**
 * The protocol's methods (docs/protocol.md): each reads its params (-32602 on a bad one), runs the
 * same library functions as the CLI, and shapes the answer. Model work goes through the host's queue
 * one job at a time; `initialize` and `outline` need no model and answer at once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DecodeOptions } from "../codec/decoder.js";
import type { GenerationOptions } from "../lcm/settings.js";
import { packageRoot } from "../models/registry.js";
import { buildOutline } from "../planner/build-outline.js";
import { detectFormat } from "../planner/document-format.js";
import type { DocumentFormat, Outline, Span } from "../planner/outline.js";
import { outlineFromJson, outlineToJson } from "../planner/outline-json.js";
import { isOutlineMarkdown, outlineFromMarkdown } from "../planner/outline-markdown.js";
import { outlineStats } from "../planner/outline-stats.js";
import { ruleSegmenter } from "../segment/rules.js";
import { MAX_SEGMENT_CHARS } from "../segment/types.js";
import { type ExpandOptions, expandOutline } from "../tasks/expand-outline.js";
import type { LengthPreset } from "../tasks/lengths.js";
import { isShown, renderConcepts, sourceMarker } from "../tasks/render.js";
import { encodeSentences, readSourceDocument } from "../tasks/source-concepts.js";
import { type SummarizeOptions, summarize } from "../tasks/summarize.js";
import type { Grounding, ProgressEvent, Stage } from "../tasks/task-types.js";
import { listTemplates, loadTemplate, type Template } from "../tasks/templates.js";
import { messageOf } from "../util/errors.js";
import type { MethodHandler, RequestContext } from "./connection.js";
import { RpcError, ServerErrorCode } from "./json-rpc.js";
import type { ModelHost } from "./model-host.js";
import { invalidParams, Params } from "./params.js";
import { renderStored } from "./render-stored.js";
import type { ResultStore } from "./result-store.js";
import { expandJson, storeExpansion, storeSummary, summaryJson, vectorJson } from "./results.js";

/** Version of the protocol in docs/protocol.md; bumped when a method's shape changes incompatibly. */
export const PROTOCOL_VERSION = "1.0";
/** Concepts one `render` call may send. */
export const MAX_RENDER_CONCEPTS = 4096;
const FLORES_CODE = /^[a-z]{3}_[A-Z][a-z]{3}$/;
const FORMATS: readonly DocumentFormat[] = ["markdown", "plain"];

export interface MethodsConfig {
  host: ModelHost;
  store: ResultStore;
  maxMessageBytes: number;
  /** Template directory environment (tests point XDG_CONFIG_HOME elsewhere). */
  env?: NodeJS.ProcessEnv;
}

export const METHOD_NAMES = [
  "initialize",
  "outline",
  "summarize",
  "expand",
  "render",
  "encode",
  "shutdown",
  "exit",
] as const;

export function createMethods(config: MethodsConfig): Record<string, MethodHandler> {
  const { host, store } = config;
  // A JSON text of n characters takes at least n bytes, so the message limit bounds texts too.
  const maxTextChars = config.maxMessageBytes;

  async function initialize() {
    let models: Awaited<ReturnType<ModelHost["describe"]>> | null = null;
    let problem: string | null = null;
    try {
      models = await host.describe();
    } catch (error) {
      problem = messageOf(error);
    }
    const templates = await listTemplates(config.env).catch(() => [] as Template[]);
    return {
      protocolVersion: PROTOCOL_VERSION,
      serverInfo: { name: "lcm", version: packageVersion() },
      capabilities: {
        methods: METHOD_NAMES,
        framing: ["ndjson", "content-length"],
        progress: "notifications/progress",
        cancellation: ["$/cancelRequest", "notifications/cancelled"],
        batches: true,
      },
      models: {
        codec: models?.codec ?? null,
        lcm: models?.lcm ?? null,
        installed: models?.installed ?? [],
        problems: problem ? [problem] : (models?.problems ?? []),
      },
      languages: models?.languages ?? [],
      templates: templates.map((t) => ({
        name: t.name,
        description: t.description,
        origin: t.origin,
        sections: t.sections.map((s) => ({ title: s.title, target: s.target })),
      })),
      limits: {
        maxMessageBytes: config.maxMessageBytes,
        maxTextChars,
        maxSegmentChars: MAX_SEGMENT_CHARS,
        maxRenderConcepts: MAX_RENDER_CONCEPTS,
        storedResults: store.capacity,
      },
    };
  }

  function outline(raw: unknown) {
    const p = new Params(raw);
    const doc = documentParams(p, maxTextChars);
    const lang = p.optionalString("lang");
    if (lang !== undefined && !FLORES_CODE.test(lang)) {
      throw invalidParams(`params.lang must be a FLORES-200 code like eng_Latn, got ${JSON.stringify(lang)}`);
    }
    const maxChars = p.optionalInt("maxChars", 16, 100_000);
    const built = buildOutline(doc.text, { segmenter: ruleSegmenter, format: doc.format, lang, maxChars });
    return { uri: doc.uri, ...(JSON.parse(outlineToJson(built, outlineStats(built))) as object) };
  }

  /** The params summarize and expand share: sampler settings, languages, grounding, decoding, template. */
  async function taskParams(p: Params) {
    return {
      ...generationParams(p),
      lang: p.optionalString("lang"),
      sourceLang: p.optionalString("sourceLang"),
      grounded: p.optionalBoolean("grounded"),
      groundingThreshold: p.optionalNumber("groundingThreshold", -1, 1),
      decode: decodeParams(p),
      template: await templateParam(p, config.env),
    };
  }

  async function summarizeMethod(raw: unknown, context: RequestContext) {
    const p = new Params(raw);
    const doc = documentParams(p, maxTextChars);
    const slot = store.reserve();
    try {
      const options: SummarizeOptions = {
        ...(await taskParams(p)),
        maxConcepts: p.optionalInt("maxConcepts", 1, 10_000),
        minConcepts: p.optionalInt("minConcepts", 1, 10_000),
        length: p.optionalEnum<LengthPreset>("length", ["short", "medium", "long"]),
      };
      const vectors = p.optionalBoolean("includeVectors") ?? false;
      const engine = await host.engine();
      return await host.queue.run(context.signal, async () => {
        const result = await summarize(
          engine,
          { text: doc.text, name: doc.uri ?? "<buffer>", format: doc.format },
          options,
          { signal: context.signal, onProgress: stageProgress(context) },
        );
        return summaryJson(result, slot.fill(storeSummary(result)), doc.uri, vectors);
      });
    } finally {
      slot.drop(); // a no-op once filled
    }
  }

  async function expand(raw: unknown, context: RequestContext) {
    const p = new Params(raw);
    const uri = p.optionalString("uri") ?? null;
    const source = outlineParam(p, maxTextChars, uri);
    const slot = store.reserve();
    try {
      const options: ExpandOptions = await taskParams(p);
      const vectors = p.optionalBoolean("includeVectors") ?? false;
      const engine = await host.engine();
      return await host.queue.run(context.signal, async () => {
        const result = await expandOutline(engine, source, options, {
          signal: context.signal,
          onProgress: stageProgress(context),
        });
        return expandJson(result, slot.fill(storeExpansion(result)), uri, vectors);
      });
    } finally {
      slot.drop(); // a no-op once filled
    }
  }

  async function render(raw: unknown, context: RequestContext) {
    const p = new Params(raw);
    const lang = p.string("lang");
    const resultId = p.optionalString("resultId");
    if ((resultId === undefined) === !p.has("concepts")) {
      throw invalidParams("give either params.resultId (a previous result) or params.concepts (vectors)");
    }
    // Looked up when it is made if its request is still running (a render piped behind its summarize).
    const stored = resultId === undefined ? undefined : await store.lookup(resultId);
    if (resultId !== undefined && !stored) {
      throw new RpcError(
        ServerErrorCode.UnknownResult,
        `Unknown result '${resultId.slice(0, 40)}': it never existed or was dropped (the server keeps the last ${store.capacity})`,
      );
    }
    const decode = decodeParams(p);
    const groundedParam = p.optionalBoolean("grounded");
    const codec = await host.codec();
    const vectors = stored ? null : conceptVectors(p.raw("concepts"), codec.dim);
    return host.queue.run(context.signal, async () => {
      const target = codec.resolveLanguage(lang);
      const onProgress = (done: number, total: number) =>
        context.progress({ progress: done, total, message: `decode ${done}/${total}` });
      const rendered = stored
        ? await renderStored(codec, stored, target, groundedParam, {
            decode,
            signal: context.signal,
            onProgress,
          })
        : await renderConcepts(
            codec,
            vectors!.map((vector) => ({ vector, grounding: [] })),
            [],
            { lang: target, grounded: false, threshold: 1, decode, signal: context.signal, onProgress },
          );
      return {
        resultId: resultId ?? null,
        lang: target,
        text: stored ? stored.compose(rendered) : rendered.map((r) => r.text).join(" "),
        concepts: rendered.map((r, index) => ({
          index,
          text: r.text,
          grounded: r.grounded,
          rendering: r.rendering,
          sourceIndex: r.sourceIndex,
          marker: sourceMarker(r),
          shown: isShown(r.rendering),
          span: stored ? sourceSpan(stored.concepts[index].grounding, r.sourceIndex) : null,
        })),
      };
    });
  }

  async function encode(raw: unknown, context: RequestContext) {
    const p = new Params(raw);
    const doc = documentParams(p, maxTextChars);
    const lang = p.optionalString("lang");
    const vectors = p.optionalBoolean("includeVectors") ?? true;
    const codec = await host.codec();
    return host.queue.run(context.signal, async () => {
      const source = readSourceDocument(doc.text, {
        format: doc.format,
        supported: codec.languages,
        sourceLang: lang === undefined ? undefined : codec.resolveLanguage(lang),
      });
      if (source.sentences.length === 0)
        throw invalidParams("params.text has no sentences to encode (only code or markup)");
      const encoded = await encodeSentences(codec, source.sentences, {
        signal: context.signal,
        onProgress: (done, total) =>
          context.progress({ progress: done, total, message: `encode ${done}/${total}` }),
      });
      return {
        uri: doc.uri,
        codec: { name: codec.name, version: codec.manifest.version, id: codec.id },
        lang: source.lang,
        langMethod: source.langMethod,
        dim: codec.dim,
        truncated: encoded.truncated,
        cacheHits: encoded.cacheHits,
        concepts: source.sentences.map((s, index) => ({
          index,
          id: s.id,
          text: s.text,
          span: s.span,
          lang: s.lang,
          ...(vectors ? { vector: vectorJson(encoded.vectors[index]) } : {}),
        })),
      };
    });
  }

  return { initialize, outline, summarize: summarizeMethod, expand, render, encode };
}

interface DocumentParams {
  text: string;
  uri: string | null;
  format: DocumentFormat;
}

/** text, uri and format: Markdown or plain by params.format, else by the URI's extension, else sniffed. */
function documentParams(p: Params, maxTextChars: number): DocumentParams {
  const text = p.text("text", maxTextChars);
  const uri = p.optionalString("uri") ?? null;
  const forced = p.optionalEnum("format", FORMATS);
  return { text, uri, format: detectFormat(pathOfUri(uri), text, forced) };
}

/** The file name part of a URI (`file:///x/notes.md`, or a bare path) for format detection. */
function pathOfUri(uri: string | null): string | null {
  if (uri === null) return null;
  try {
    return uri.includes("://") ? fileURLToPath(new URL(uri)) : uri;
  } catch {
    try {
      return new URL(uri).pathname;
    } catch {
      return null;
    }
  }
}

/** expand's input: an outline object (outline JSON), or text (a saved outline file, or any document). */
function outlineParam(p: Params, maxTextChars: number, uri: string | null): Outline {
  if (p.has("outline") === p.has("text")) {
    throw invalidParams(
      "give either params.outline (outline JSON) or params.text (an outline or a document)",
    );
  }
  if (p.has("outline")) {
    const value = p.raw("outline");
    if (typeof value !== "object" || Array.isArray(value))
      throw invalidParams("params.outline must be an object");
    return outlineFromJson(value);
  }
  const text = p.text("text", maxTextChars);
  if (isOutlineMarkdown(text)) return outlineFromMarkdown(text);
  const forced = p.optionalEnum("format", FORMATS);
  return buildOutline(text, { segmenter: ruleSegmenter, format: detectFormat(pathOfUri(uri), text, forced) });
}

function generationParams(p: Params): GenerationOptions {
  return {
    model: p.optionalEnum("model", ["diffusion", "base"]),
    seed: p.optionalInt("seed", 0, 0xffffffff),
    steps: p.optionalInt("steps", 1, 10_000),
    guidance: p.optionalNumber("guidance", 0, 100),
    guidanceRescale: p.optionalNumber("guidanceRescale", 0, 1),
    initialNoise: p.optionalNumber("initialNoise", Number.MIN_VALUE, 100),
    epsilonScaling: p.optionalNumber("epsilonScaling", Number.MIN_VALUE, 100),
    eotThreshold: p.optionalNumber("eotThreshold", -1, 1),
    repeatThreshold: p.optionalNumber("repeatThreshold", -1, 1),
  };
}

function decodeParams(p: Params): DecodeOptions | undefined {
  const d = p.optionalObject("decode");
  if (!d) return undefined;
  return { beam: d.optionalInt("beam", 1, 16), maxNewTokens: d.optionalInt("maxTokens", 1, 1024) };
}

/** Template names only: the server does not read files a request names. */
async function templateParam(p: Params, env: NodeJS.ProcessEnv | undefined): Promise<Template | undefined> {
  const name = p.optionalString("template");
  if (name === undefined) return undefined;
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name) || name.toLowerCase().endsWith(".md")) {
    throw invalidParams(
      `params.template must be a template name (see initialize), got ${JSON.stringify(name.slice(0, 40))}`,
    );
  }
  return loadTemplate(name, env);
}

/** render's params.concepts: vectors as arrays of numbers, or objects with a `vector` (encode's output). */
function conceptVectors(value: unknown, dim: number): Float32Array[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidParams("params.concepts must be a non-empty array");
  if (value.length > MAX_RENDER_CONCEPTS) {
    throw invalidParams(
      `params.concepts has ${value.length} concepts, over the limit of ${MAX_RENDER_CONCEPTS}`,
    );
  }
  return value.map((item, i) => {
    const vector = Array.isArray(item) ? item : (item as { vector?: unknown } | null)?.vector;
    if (
      !Array.isArray(vector) ||
      vector.length !== dim ||
      !vector.every((x) => typeof x === "number" && Number.isFinite(x))
    ) {
      throw invalidParams(
        `params.concepts[${i}] must be ${dim} finite numbers (or {"vector": [...]}) for this codec`,
      );
    }
    return Float32Array.from(vector as number[]);
  });
}

/** The span of the source sentence shown (when grounded), else of the nearest one. */
function sourceSpan(grounding: readonly Grounding[], sourceIndex: number | null): Span | null {
  const match = sourceIndex === null ? grounding[0] : grounding.find((g) => g.index === sourceIndex);
  return match?.span ?? null;
}

const STAGE_RANGES: Record<Stage, [number, number]> = {
  segment: [0, 5],
  encode: [5, 35],
  generate: [35, 85],
  decode: [85, 100],
};

/** Library stage events -> one percentage that only grows, with the stage as the message. */
function stageProgress(context: RequestContext): (event: ProgressEvent) => void {
  let best = 0;
  return (event) => {
    const [from, to] = STAGE_RANGES[event.stage];
    const share = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
    best = Math.max(best, Math.round(from + (to - from) * share));
    const detail = event.detail ? ` (${event.detail})` : "";
    context.progress({
      progress: best,
      total: 100,
      message: `${event.stage} ${event.done}/${event.total}${detail}`,
    });
  };
}

let version: string | null = null;

function packageVersion(): string {
  if (version === null) {
    try {
      version = (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string })
        .version;
    } catch {
      version = "unknown";
    }
  }
  return version;
}
