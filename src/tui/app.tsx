/**
 * `lcm tui FILE`: opens a document (or a saved outline) in the interactive outline editor. This module
 * is the only door into src/tui; the CLI imports it lazily, so batch commands never load React or Ink.
 *
 * Here: reading and outlining the document (with a progress line for big ones), the key bindings, the
 * session file (offered back when the last run did not end cleanly), the alternate screen, and the
 * exits: q (asks when something is not exported), Ctrl-C and SIGTERM/SIGHUP (the session is written
 * synchronously first, so no edit is lost), and crashes (the same, then the error).
 */
import { stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { render } from "ink";
import { readInput } from "../inputs/read-input.js";
import { buildOutline } from "../planner/build-outline.js";
import { detectFormat } from "../planner/document-format.js";
import type { DocumentFormat, Outline } from "../planner/outline.js";
import { outlineFromJson } from "../planner/outline-json.js";
import { isOutlineMarkdown, outlineFromMarkdown } from "../planner/outline-markdown.js";
import { ruleSegmenter } from "../segment/rules.js";
import { UsageError } from "../util/errors.js";
import { Autosave } from "./effects.js";
import { keysConfigPath, loadKeymap } from "./keys-config.js";
import type { ModelOptions } from "./services.js";
import { documentHash, keepStaleOutline, readSession, sessionPath } from "./session-file.js";
import { initialState } from "./state/init.js";
import type { AppState, DocumentInfo, SessionSnapshot } from "./state/types.js";
import { App } from "./views/App.js";
import { createWorkerServices } from "./worker-services.js";

export interface TuiOptions extends ModelOptions {
  file: string;
  /** Force Markdown or plain text (default: by extension, else sniffed). */
  format?: DocumentFormat;
  /** Output language (FLORES code). */
  outputLang?: string;
  maxChars?: number;
  /** Ignore (and replace) a saved session. */
  fresh?: boolean;
}

const ENTER_ALT_SCREEN = "\u001b[?1049h\u001b[H";
const LEAVE_ALT_SCREEN = "\u001b[?1049l";

export interface OpenedDocument {
  doc: DocumentInfo;
  outline: Outline;
}

/** Reads and outlines the document (or reads a saved outline file). */
export async function openDocument(
  file: string,
  options: {
    format?: DocumentFormat;
    lang?: string;
    maxChars?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<OpenedDocument> {
  const input = await readInput(file);
  const path = resolve(file);
  const isJson = extname(file).toLowerCase() === ".json";
  if (isOutlineMarkdown(input.text) || isJson) {
    if (isJson && !input.text.trimStart().startsWith("{"))
      throw new UsageError(`${file}: expected a JSON outline`);
    const outline = isJson ? outlineFromJson(input.text) : outlineFromMarkdown(input.text);
    return {
      doc: {
        name: file,
        path,
        text: "",
        format: outline.source?.format ?? "markdown",
        fromOutlineFile: true,
      },
      outline,
    };
  }
  const format = detectFormat(file, input.text, options.format ?? input.format);
  const outline = buildOutline(input.text, {
    segmenter: ruleSegmenter,
    format,
    lang: options.lang,
    maxChars: options.maxChars,
    onProgress: options.onProgress,
  });
  return { doc: { name: file, path, text: input.text, format, fromOutlineFile: false }, outline };
}

export async function runTui(options: TuiOptions): Promise<void> {
  const env = options.env ?? process.env;
  const stdout = process.stdout;
  if (!process.stdin.isTTY || !stdout.isTTY) {
    throw new UsageError(
      "the TUI needs a terminal (stdin and stdout); for scripts use 'lcm outline' or 'lcm summarize'",
    );
  }
  if (isTruthy(env.CI) || isTruthy(env.CONTINUOUS_INTEGRATION)) {
    throw new UsageError(
      "the TUI cannot draw while CI is set (Ink renders nothing in CI mode); unset CI to use it",
    );
  }
  const keymap = await loadKeymap(keysConfigPath(env));

  const big = (await stat(options.file).catch(() => null))?.size ?? 0;
  const showProgress = big > 2_000_000;
  const opened = await openDocument(options.file, {
    format: options.format,
    lang: options.sourceLang,
    maxChars: options.maxChars,
    onProgress: showProgress
      ? (done, total) =>
          process.stderr.write(
            `\rlcm: outlining ${options.file} ${Math.round((done / Math.max(1, total)) * 100)}%`,
          )
      : undefined,
  });
  if (showProgress) process.stderr.write("\r\u001b[K");

  const { doc, outline } = opened;
  const hash = documentHash(doc.fromOutlineFile ? JSON.stringify(outline) : doc.text);
  const sessionFile = sessionPath(doc.path, env);
  let recovered: SessionSnapshot | null = null;
  let notice: string | null = null;
  if (!options.fresh) {
    const read = await readSession(sessionFile, hash);
    if (read.kind === "found") recovered = read.snapshot;
    else if (read.kind === "stale") {
      // The fresh session will replace it: keep the old outline and its edits as a file first.
      const kept = read.outline
        ? await keepStaleOutline(sessionFile, read.outline, read.savedAt).catch(() => null)
        : null;
      notice = kept
        ? `this file changed since your last session: its outline, with your edits, is kept in ${kept} (lcm tui opens it); starting fresh`
        : "a saved session belongs to an older version of this file: starting fresh";
    } else if (read.kind === "broken")
      notice = `the saved session could not be read (${read.reason}): starting fresh`;
  }

  const services = createWorkerServices(doc, options);
  const autosave = new Autosave(sessionFile, { path: doc.path, hash });
  if (recovered) autosave.markExisting();
  let initial = initialState({
    doc,
    outline,
    width: stdout.columns ?? 80,
    height: stdout.rows ?? 24,
    keymap,
    outputLang: options.outputLang ?? null,
    recovered,
  });
  if (notice) initial = { ...initial, message: { text: notice, kind: "info" } };
  const stateRef: { current: AppState } = { current: initial };

  let screenOn = false;
  const leaveScreen = () => {
    if (screenOn) {
      stdout.write(LEAVE_ALT_SCREEN);
      screenOn = false;
    }
  };
  const saveNow = () => {
    if (stateRef.current.recovered === null) autosave.flushSync(stateRef.current);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    saveNow();
    instance.unmount();
    leaveScreen();
    process.stderr.write(`lcm: ${signal}: the session is saved; open ${options.file} again to restore it\n`);
    process.exit(signal === "SIGINT" ? 130 : 128 + (signal === "SIGHUP" ? 1 : 15));
  };
  const onCrash = (error: unknown) => {
    saveNow();
    if (
      (error as NodeJS.ErrnoException)?.code === "EIO" ||
      (error as NodeJS.ErrnoException)?.code === "EPIPE"
    ) {
      // The terminal went away (closed window, killed tmux): the session is saved, nobody to tell.
      process.exit(129);
    }
    try {
      instance.unmount();
    } catch {
      // already gone
    }
    leaveScreen();
    process.stderr.write(
      `lcm: the TUI crashed (${error instanceof Error ? error.message : String(error)}); the session is saved\n`,
    );
    if (error instanceof Error && error.stack && env.LCM_DEBUG === "1")
      process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  };

  let outcome = "keep" as "keep" | "discard";
  stdout.write(ENTER_ALT_SCREEN);
  screenOn = true;
  process.on("exit", leaveScreen);
  const signals: NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGINT"];
  for (const s of signals) process.on(s, onSignal);
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  const instance = render(
    <App
      initial={initial}
      services={services}
      autosave={autosave}
      stateRef={stateRef}
      onQuit={(session, state) => {
        outcome = session;
        stateRef.current = state;
        if (session === "keep") saveNow();
      }}
    />,
    // Ink's incrementalRendering misplaced lines of this full-height layout in tmux (a stale header
    // stayed on top); the standard renderer with synchronized output (BSU/ESU) repaints cleanly.
    { exitOnCtrlC: false, patchConsole: true },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    for (const s of signals) process.off(s, onSignal);
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
    leaveScreen();
    process.off("exit", leaveScreen);
  }
  if (outcome === "discard") await autosave.discard();
  await services.release().catch(() => {});
  const state = stateRef.current;
  if (outcome === "keep" && state.history.past.length + (state.output?.items.length ?? 0) > 0) {
    process.stderr.write(`lcm: session kept; open ${options.file} again to restore it\n`);
  }
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== "0" && value !== "false";
}
