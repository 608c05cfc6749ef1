/**
 * TuiServices backed by the model worker (model-worker.ts): model calls are messages to a worker
 * thread, so inference never blocks keys or drawing. What needs no model (language detection for the
 * encoder's tags, templates, exports) runs here on the UI thread.
 *
 * Errors keep their kind across the thread boundary (UsageError, CancelledError), so the UI shows
 * them as the in-process services would.
 */
import { Worker } from "node:worker_threads";
import type { Outline } from "../planner/outline.js";
import { sourceFromOutline } from "../tasks/source-concepts.js";
import { listTemplates } from "../tasks/templates.js";
import { processEnv } from "../util/env.js";
import { CancelledError, RuntimeFailure, UsageError } from "../util/errors.js";
import { exportFile } from "./export-file.js";
import type { ModelOptions, ModelsInfo, RunCallbacks, TuiServices } from "./services.js";
import type { DocumentInfo, OutputItem } from "./state/types.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";

type Call = Extract<WorkerRequest, { type: "call" }>;
type Method = Call["method"];

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  callbacks: RunCallbacks;
}

export function createWorkerServices(doc: DocumentInfo, options: ModelOptions = {}): TuiServices {
  const env = options.env ?? processEnv();
  const channel = new WorkerChannel(
    new Worker(new URL("./model-worker.js", import.meta.url), {
      // Plain data only: the env is not cloned into workerData (the worker inherits process.env).
      workerData: { doc, options: { ...options, env: undefined } },
    }),
  );
  let languages: readonly string[] = [];
  let languageCache: {
    outline: Outline;
    value: { document: string; byConcept: Map<string, string> };
  } | null = null;

  return {
    async openModels() {
      const info = await channel.call<ModelsInfo>("openModels", []);
      languages = info.languages;
      return info;
    },
    languages(outline) {
      if (languageCache && languageCache.outline === outline) return languageCache.value;
      const byConcept = new Map<string, string>();
      if (languages.length === 0) return { document: options.sourceLang ?? "eng_Latn", byConcept };
      const source = sourceFromOutline(outline, { supported: languages, sourceLang: options.sourceLang });
      for (const s of source.sentences) byConcept.set(s.id, s.lang);
      const value = { document: source.lang, byConcept };
      languageCache = { outline, value };
      return value;
    },
    encode(items, callbacks) {
      return channel.call<void>("encode", [items], {
        signal: callbacks.signal,
        onProgress: callbacks.onProgress && ((p) => callbacks.onProgress!(p.done, p.total)),
      });
    },
    generate(request, callbacks) {
      return channel.call("generate", [request], callbacks);
    },
    renderSection(outline, section, lang, callbacks) {
      return channel.call("renderSection", [outline, section, lang], callbacks);
    },
    renderItems(items, lang, callbacks) {
      return channel.call("renderItems", [items, lang], callbacks);
    },
    async templates() {
      const all = await listTemplates(env).catch(() => []);
      return all.map((t) => ({ name: t.name, description: t.description }));
    },
    exportFile,
    async release() {
      if (!channel.dead) await channel.call("release", []).catch(() => {});
      await channel.terminate();
    },
  };
}

/**
 * The request plumbing: each call gets an id, the worker's replies (progress, concepts, the result or
 * an error) go back to that call's callbacks and promise, and Esc (the call's signal) becomes a cancel
 * message. The worker holds the process open only while a call is pending, so an idle TUI can exit.
 */
class WorkerChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the worker is gone; every later call fails with it at once instead of waiting forever. */
  dead: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on("message", (reply: WorkerReply) => this.deliver(reply));
    worker.on("error", (error) =>
      this.failAll(new RuntimeFailure(`the model worker failed: ${error.message}`)),
    );
    worker.on("exit", (code) => {
      if (code !== 0) this.failAll(new RuntimeFailure(`the model worker stopped (exit ${code})`));
    });
  }

  call<T>(method: Method, args: unknown[], callbacks: RunCallbacks = {}): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const { worker, pending } = this;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (callbacks.signal?.aborted) {
        reject(new CancelledError());
        return;
      }
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, callbacks });
      callbacks.signal?.addEventListener(
        "abort",
        () => worker.postMessage({ type: "cancel", id } satisfies WorkerRequest),
        {
          once: true,
        },
      );
      worker.ref();
      worker.postMessage({ type: "call", id, method, args } as Call);
    }).finally(() => {
      if (pending.size === 0) worker.unref();
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private deliver(reply: WorkerReply): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    switch (reply.type) {
      case "progress":
        call.callbacks.onProgress?.(reply.value);
        return;
      case "concept":
        call.callbacks.onConcept?.(reply.index, reply.item as OutputItem);
        return;
      case "result":
        this.pending.delete(reply.id);
        call.resolve(reply.value);
        return;
      case "error":
        this.pending.delete(reply.id);
        call.reject(rebuildError(reply.name, reply.message));
        return;
    }
  }

  private failAll(error: Error): void {
    this.dead = error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

function rebuildError(name: string, message: string): Error {
  if (name === "UsageError") return new UsageError(message);
  if (name === "CancelledError") return new CancelledError(message);
  return new RuntimeFailure(message);
}
