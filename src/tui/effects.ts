/**
 * Does what the state asks for (state.effects) and reports back with actions. Everything here is
 * asynchronous and cancellable; nothing here decides anything the reducer should (it only runs work
 * and translates outcomes into actions).
 *
 * Also here: the background encoder (keeps every concept of the current outline encoded, so rewritten
 * concepts are re-encoded while the user goes on) and autosave (debounced atomic session writes, plus
 * a synchronous last write for exits and signals).
 */
import type { Outline } from "../planner/outline.js";
import { walkConcepts } from "../planner/outline.js";
import { CancelledError, messageOf } from "../util/errors.js";
import type { GenerateResult, RunCallbacks, TuiServices } from "./services.js";
import { deleteSession, serializeSession, writeSession, writeSessionSync } from "./session-file.js";
import { hasSessionContent, snapshotOf } from "./state/init.js";
import type { Action, AppState, Effect, Progress } from "./state/types.js";

export type Dispatch = (action: Action) => void;

const PROGRESS_INTERVAL_MS = 80;

export class EffectRunner {
  private readonly runs = new Map<number, AbortController>();

  constructor(
    private readonly services: TuiServices,
    private readonly dispatch: Dispatch,
    private readonly hooks: { quit: (session: "keep" | "discard") => void; discardSession: () => void },
  ) {}

  run(effect: Effect): void {
    switch (effect.kind) {
      case "generate":
        this.trackGeneration(effect.runId, (callbacks) => this.services.generate(effect.request, callbacks));
        return;
      case "renderSection":
        // A section rendered as it stands has no template sections.
        this.trackGeneration(effect.runId, (callbacks) =>
          this.services
            .renderSection(effect.outline, effect.section, effect.lang, callbacks)
            .then((result) => ({ ...result, sections: null })),
        );
        return;
      case "renderOutput":
        this.track(effect.runId, (signal, progress) =>
          this.services
            .renderItems(effect.items, effect.lang, { signal, onProgress: progress })
            .then((items) =>
              this.dispatch({ type: "rendered", runId: effect.runId, lang: effect.lang, items }),
            ),
        );
        return;
      case "cancel":
        this.runs.get(effect.runId)?.abort();
        return;
      case "export":
        this.services
          .exportFile(effect.path, effect.text, effect.overwrite)
          .then((outcome) =>
            this.dispatch(
              outcome === "written"
                ? { type: "exported", what: effect.what, path: effect.path }
                : { type: "exportExists", what: effect.what, path: effect.path, text: effect.text },
            ),
          )
          .catch((error) =>
            this.dispatch({ type: "message", text: `export failed: ${messageOf(error)}`, kind: "error" }),
          );
        return;
      case "quit":
        this.cancelAll();
        this.hooks.quit(effect.session);
        return;
      case "discardSession":
        this.hooks.discardSession();
        return;
    }
  }

  cancelAll(): void {
    for (const controller of this.runs.values()) controller.abort();
  }

  /** A run whose concepts are shown as they come, then replaced by the whole output. */
  private trackGeneration(runId: number, work: (callbacks: RunCallbacks) => Promise<GenerateResult>): void {
    this.track(runId, (signal, progress) =>
      work({
        signal,
        onProgress: progress,
        onConcept: (index, item) => this.dispatch({ type: "concept", runId, index, item }),
      }).then((result) =>
        this.dispatch({
          type: "generated",
          runId,
          items: result.items,
          sections: result.sections,
          lang: result.lang,
        }),
      ),
    );
  }

  private track(
    runId: number,
    work: (signal: AbortSignal, progress: (p: Progress) => void) => Promise<void>,
  ): void {
    const controller = new AbortController();
    this.runs.set(runId, controller);
    let last = 0;
    const progress = (p: Progress) => {
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && p.done < p.total) return;
      last = now;
      this.dispatch({ type: "progress", runId, progress: p });
    };
    work(controller.signal, progress)
      .catch((error) => {
        const cancelled = controller.signal.aborted || error instanceof CancelledError;
        this.dispatch({ type: "runFailed", runId, message: messageOf(error), cancelled });
      })
      .finally(() => this.runs.delete(runId));
  }
}

/**
 * Keeps the outline's concepts encoded. Each call to `update` with a new outline finds the sentences
 * not encoded yet (by text and language) and encodes them after the current batch finishes; the state
 * hears how far it got and which concept ids still wait.
 */
export class BackgroundEncoder {
  private readonly done = new Set<string>();
  private latest: Outline | null = null;
  private busy = false;
  private readonly controller = new AbortController();
  private firstRun = true;

  constructor(
    private readonly services: TuiServices,
    private readonly dispatch: Dispatch,
  ) {}

  update(outline: Outline): void {
    this.latest = outline;
    if (!this.busy) void this.loop();
  }

  stop(): void {
    this.controller.abort();
  }

  private async loop(): Promise<void> {
    this.busy = true;
    try {
      while (this.latest !== null && !this.controller.signal.aborted) {
        const outline = this.latest;
        this.latest = null;
        const { byConcept, document } = this.services.languages(outline);
        if (this.firstRun) this.dispatch({ type: "sourceLang", lang: document });
        const todo: { id: string; text: string; lang: string }[] = [];
        let total = 0;
        for (const { concept } of walkConcepts(outline)) {
          if (concept.kind !== "sentence") continue;
          total++;
          const lang = byConcept.get(concept.id) ?? document;
          if (!this.done.has(keyOf(concept.text, lang)))
            todo.push({ id: concept.id, text: concept.text, lang });
        }
        const first = this.firstRun;
        this.firstRun = false;
        if (todo.length === 0) {
          this.dispatch({ type: "encoding", encoding: { status: "done", done: total, total, pending: [] } });
          continue;
        }
        const base = total - todo.length;
        // The first pass encodes the whole document (a progress bar); later ones are edits (marked rows).
        this.dispatch({
          type: "encoding",
          encoding: { status: "running", done: base, total, pending: first ? [] : todo.map((t) => t.id) },
        });
        let last = 0;
        await this.services.encode(todo, {
          signal: this.controller.signal,
          onProgress: (d) => {
            const now = Date.now();
            if (now - last < PROGRESS_INTERVAL_MS) return;
            last = now;
            this.dispatch({ type: "encoding", encoding: { done: base + d } });
          },
        });
        for (const t of todo) this.done.add(keyOf(t.text, t.lang));
        if (this.latest === null) {
          this.dispatch({ type: "encoding", encoding: { status: "done", done: total, total, pending: [] } });
        }
      }
    } catch (error) {
      if (!this.controller.signal.aborted) {
        this.dispatch({
          type: "encoding",
          encoding: { status: "failed", pending: [], note: messageOf(error) },
        });
      }
    } finally {
      this.busy = false;
    }
  }
}

function keyOf(text: string, lang: string): string {
  return `${lang}\u0000${text}`;
}

/**
 * Autosave: after a change, waits `delayMs` and writes the session atomically; `flushSync` writes at
 * once (exit and signal handlers). With nothing worth keeping (no edits, no output) the file is removed.
 */
export class Autosave {
  private timer: NodeJS.Timeout | null = null;
  private pending: AppState | null = null;
  private writing: Promise<void> = Promise.resolve();
  private written = false;

  constructor(
    private readonly path: string,
    private readonly doc: { path: string; hash: string },
    private readonly delayMs = 400,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  schedule(state: AppState): void {
    this.pending = state;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
  }

  async flush(): Promise<void> {
    const state = this.pending;
    this.pending = null;
    if (!state) return this.writing;
    this.writing = this.writing.then(async () => {
      try {
        if (hasSessionContent(state)) {
          await writeSession(this.path, serializeSession(snapshotOf(state), this.doc));
          this.written = true;
        } else if (this.written) {
          await deleteSession(this.path);
          this.written = false;
        }
      } catch (error) {
        this.onError(`autosave failed: ${messageOf(error)}`);
      }
    });
    return this.writing;
  }

  /** Writes the latest state now, synchronously (for process exit). */
  flushSync(state: AppState): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    if (!hasSessionContent(state)) return;
    try {
      writeSessionSync(this.path, serializeSession(snapshotOf(state), this.doc));
      this.written = true;
    } catch {
      // Exiting: nothing left to tell the user with.
    }
  }

  /** Drops the session file (quit with nothing to keep, or the user chose to drop it). */
  async discard(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    await this.writing;
    await deleteSession(this.path);
    this.written = false;
  }

  /** A session file exists from before this run (so a fresh start must not delete it by accident). */
  markExisting(): void {
    this.written = true;
  }
}
