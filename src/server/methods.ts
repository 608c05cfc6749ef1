/**
 * The protocol's methods (docs/protocol.md): each reads its params (-32602 on a bad one,
 * method-params.ts), runs the same library functions as the CLI, and shapes the answer (results.ts).
 * Model work goes through the host's queue one job at a time; `initialize` and `outline` need no model
 * and answer at once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../models/registry.js";
import { buildOutline } from "../planner/build-outline.js";
import type { Span } from "../planner/outline.js";
import { outlineToJson } from "../planner/outline-json.js";
import { outlineStats } from "../planner/outline-stats.js";
import { ruleSegmenter } from "../segment/rules.js";
import { MAX_SEGMENT_CHARS } from "../segment/types.js";
import { expandOutline } from "../tasks/expand-outline.js";
import { isShown, renderConcepts, sourceMarker } from "../tasks/render.js";
import { encodeSentences, readSourceDocument } from "../tasks/source-concepts.js";
import { summarize } from "../tasks/summarize.js";
import type { Grounding, ProgressEvent, Stage } from "../tasks/task-types.js";
import { listTemplates, type Template } from "../tasks/templates.js";
import { messageOf } from "../util/errors.js";
import type { MethodHandler, RequestContext } from "./connection.js";
import { RpcError, ServerErrorCode } from "./json-rpc.js";
import {
  conceptVectors,
  decodeParams,
  documentParams,
  MAX_RENDER_CONCEPTS,
  outlineParam,
  outlineParams,
  summarizeParams,
  taskParams,
} from "./method-params.js";
import type { ModelHost } from "./model-host.js";
import { invalidParams, Params } from "./params.js";
import { renderStored } from "./render-stored.js";
import type { ResultStore, StoredResult } from "./result-store.js";
import { expandJson, storeExpansion, storeSummary, summaryJson, vectorJson } from "./results.js";

export { MAX_RENDER_CONCEPTS } from "./method-params.js";

/** Version of the protocol in docs/protocol.md; bumped when a method's shape changes incompatibly. */
export const PROTOCOL_VERSION = "1.0";

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

/** What every method works with: the config, and the longest text a request may carry. */
interface Server extends MethodsConfig {
  maxTextChars: number;
}

export function createMethods(config: MethodsConfig): Record<string, MethodHandler> {
  // A JSON text of n characters takes at least n bytes, so the message limit bounds texts too.
  const server: Server = { ...config, maxTextChars: config.maxMessageBytes };
  return {
    initialize: () => initialize(server),
    outline: (raw) => outline(server, raw),
    summarize: (raw, context) => summarizeMethod(server, raw, context),
    expand: (raw, context) => expand(server, raw, context),
    render: (raw, context) => render(server, raw, context),
    encode: (raw, context) => encode(server, raw, context),
  };
}

async function initialize(server: Server) {
  let models: Awaited<ReturnType<ModelHost["describe"]>> | null = null;
  let problem: string | null = null;
  try {
    models = await server.host.describe();
  } catch (error) {
    problem = messageOf(error);
  }
  const templates = await listTemplates(server.env).catch(() => [] as Template[]);
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
      maxMessageBytes: server.maxMessageBytes,
      maxTextChars: server.maxTextChars,
      maxSegmentChars: MAX_SEGMENT_CHARS,
      maxRenderConcepts: MAX_RENDER_CONCEPTS,
      storedResults: server.store.capacity,
    },
  };
}

async function outline(server: Server, raw: unknown) {
  const p = new Params(raw);
  const doc = await documentParams(p, server.maxTextChars);
  const { lang, maxChars } = outlineParams(p);
  const built = buildOutline(doc.text, { segmenter: ruleSegmenter, format: doc.format, lang, maxChars });
  const json = outlineToJson(built, outlineStats(built), doc.locations);
  return { uri: doc.uri, ...(JSON.parse(json) as object) };
}

async function summarizeMethod(server: Server, raw: unknown, context: RequestContext) {
  const { host, store } = server;
  const p = new Params(raw);
  const document = documentParams(p, server.maxTextChars);
  const slot = store.reserve(); // before any await: see documentParams
  try {
    const doc = await document;
    const options = await summarizeParams(p, server.env);
    const vectors = p.optionalBoolean("includeVectors") ?? false;
    const engine = await host.engine(options.model);
    return await host.queue.run(context.signal, async () => {
      const result = await summarize(
        engine,
        { text: doc.text, name: doc.uri ?? "<buffer>", format: doc.format, locations: doc.locations },
        options,
        { signal: context.signal, onProgress: stageProgress(context) },
      );
      return summaryJson(result, slot.fill(storeSummary(result)), doc.uri, vectors);
    });
  } finally {
    slot.drop(); // a no-op once filled
  }
}

async function expand(server: Server, raw: unknown, context: RequestContext) {
  const { host, store } = server;
  const p = new Params(raw);
  const uri = p.optionalString("uri") ?? null;
  const source = outlineParam(p, server.maxTextChars, uri);
  const slot = store.reserve();
  try {
    const options = await taskParams(p, server.env);
    const vectors = p.optionalBoolean("includeVectors") ?? false;
    const engine = await host.engine(options.model);
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

async function render(server: Server, raw: unknown, context: RequestContext) {
  const { host, store } = server;
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
    return renderAnswer(resultId ?? null, target, stored, rendered);
  });
}

/** render's answer: the text in the new language (laid out as the result was) and each concept. */
function renderAnswer(
  resultId: string | null,
  lang: string,
  stored: StoredResult | undefined,
  rendered: Awaited<ReturnType<typeof renderConcepts>>,
) {
  return {
    resultId,
    lang,
    text: stored ? stored.compose(rendered) : rendered.map((r) => r.text).join(" "),
    concepts: rendered.map((r, index) => ({
      index,
      text: r.text,
      grounded: r.grounded,
      rendering: r.rendering,
      sourceIndex: r.sourceIndex,
      marker: sourceMarker({ ...r, grounding: stored?.concepts[index].grounding }),
      shown: isShown(r.rendering),
      span: stored ? sourceSpan(stored.concepts[index].grounding, r.sourceIndex) : null,
    })),
  };
}

async function encode(server: Server, raw: unknown, context: RequestContext) {
  const p = new Params(raw);
  const doc = await documentParams(p, server.maxTextChars);
  const lang = p.optionalString("lang");
  const vectors = p.optionalBoolean("includeVectors") ?? true;
  const codec = await server.host.codec();
  return server.host.queue.run(context.signal, async () => {
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
