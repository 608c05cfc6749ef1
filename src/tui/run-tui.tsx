/**
 * `lcm tui FILE`: opens a document (or a saved outline) in the interactive outline editor. This module
 * is the only door into src/tui; the CLI imports it lazily, so batch commands never load React or Ink.
 *
 * Here: reading and outlining the document (with a progress line for big ones; open-document.ts), the
 * key bindings, the session file (offered back when the last run did not end cleanly), the alternate
 * screen, and the exits: q (asks when something is not exported), Ctrl-C and SIGTERM/SIGHUP (the
 * session is written synchronously first, so no edit is lost), and crashes (the same, then the error).
 */
import { stat } from "node:fs/promises";
import { type Instance, render } from "ink";
import type { DocumentFormat } from "../planner/outline.js";
import { debugFromEnv, isCiFromEnv, processEnv } from "../util/env.js";
import { UsageError } from "../util/errors.js";
import { Autosave } from "./effects.js";
import { keysConfigPath, loadKeymap } from "./keys-config.js";
import { type OpenedDocument, openDocument } from "./open-document.js";
import type { ModelOptions, TuiServices } from "./services.js";
import { documentHash, keepStaleOutline, readSession, sessionPath } from "./session-file.js";
import { initialState } from "./state/init.js";
import type { AppState, SessionSnapshot } from "./state/types.js";
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

type SessionOutcome = "keep" | "discard";

export async function runTui(options: TuiOptions): Promise<void> {
  const env = options.env ?? processEnv();
  checkTerminal(env);
  const keymap = await loadKeymap(keysConfigPath(env));
  const { doc, outline } = await openWithProgress(options);
  const hash = documentHash(doc.fromOutlineFile ? JSON.stringify(outline) : doc.text);
  const sessionFile = sessionPath(doc.path, env);
  const { recovered, notice } = options.fresh
    ? { recovered: null, notice: null }
    : await previousSession(sessionFile, hash);

  const services = createWorkerServices(doc, options);
  const autosave = new Autosave(sessionFile, { path: doc.path, hash });
  if (recovered) autosave.markExisting();
  let initial = initialState({
    doc,
    outline,
    width: process.stdout.columns ?? 80,
    height: process.stdout.rows ?? 24,
    keymap,
    outputLang: options.outputLang ?? null,
    recovered,
  });
  if (notice) initial = { ...initial, message: { text: notice, kind: "info" } };
  const stateRef: { current: AppState } = { current: initial };

  const outcome = await runApp({ initial, services, autosave, stateRef, file: options.file, env });
  if (outcome === "discard") await autosave.discard();
  await services.release().catch(() => {});
  const state = stateRef.current;
  if (outcome === "keep" && state.history.past.length + (state.output?.items.length ?? 0) > 0) {
    process.stderr.write(`lcm: session kept; open ${options.file} again to restore it\n`);
  }
}

/** The TUI draws on a terminal, and Ink draws nothing under CI: both are said before any work. */
function checkTerminal(env: NodeJS.ProcessEnv): void {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(
      "the TUI needs a terminal (stdin and stdout); for scripts use 'lcm outline' or 'lcm summarize'",
    );
  }
  if (isCiFromEnv(env)) {
    throw new UsageError(
      "the TUI cannot draw while CI is set (Ink renders nothing in CI mode); unset CI to use it",
    );
  }
}

/** openDocument with a progress line on stderr for big files (over 2 MB). */
async function openWithProgress(options: TuiOptions): Promise<OpenedDocument> {
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
  return opened;
}

/** The session saved for this document, to offer back; or why it starts fresh. */
async function previousSession(
  sessionFile: string,
  hash: string,
): Promise<{ recovered: SessionSnapshot | null; notice: string | null }> {
  const read = await readSession(sessionFile, hash);
  if (read.kind === "found") return { recovered: read.snapshot, notice: null };
  if (read.kind === "stale") {
    // The fresh session will replace it: keep the old outline and its edits as a file first.
    const kept = read.outline
      ? await keepStaleOutline(sessionFile, read.outline, read.savedAt).catch(() => null)
      : null;
    const notice = kept
      ? `this file changed since your last session: its outline, with your edits, is kept in ${kept} (lcm tui opens it); starting fresh`
      : "a saved session belongs to an older version of this file: starting fresh";
    return { recovered: null, notice };
  }
  if (read.kind === "broken") {
    return {
      recovered: null,
      notice: `the saved session could not be read (${read.reason}): starting fresh`,
    };
  }
  return { recovered: null, notice: null };
}

/** Draws the app on the alternate screen until it quits; says what becomes of the session. */
async function runApp(props: {
  initial: AppState;
  services: TuiServices;
  autosave: Autosave;
  stateRef: { current: AppState };
  file: string;
  env: NodeJS.ProcessEnv;
}): Promise<SessionOutcome> {
  const { stateRef, autosave } = props;
  let outcome: SessionOutcome = "keep";
  let instance: Instance | undefined;
  const saveNow = () => {
    if (stateRef.current.recovered === null) autosave.flushSync(stateRef.current);
  };
  const exits = exitHandlers({
    saveNow,
    unmount: () => instance?.unmount(),
    file: props.file,
    env: props.env,
  });
  exits.install();
  instance = render(
    <App
      initial={props.initial}
      services={props.services}
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
    exits.remove();
  }
  return outcome;
}

/**
 * The alternate screen and every way out of it: the session is saved first, the screen left, then
 * one line says what happened. Signals exit with 128 + their number (SIGINT 130); a lost terminal
 * (EIO, EPIPE) exits 129 quietly; a crash says its error (with the stack under LCM_DEBUG=1).
 */
function exitHandlers(hooks: {
  saveNow: () => void;
  unmount: () => void;
  file: string;
  env: NodeJS.ProcessEnv;
}) {
  const stdout = process.stdout;
  let screenOn = false;
  const leaveScreen = () => {
    if (screenOn) {
      stdout.write(LEAVE_ALT_SCREEN);
      screenOn = false;
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    hooks.saveNow();
    hooks.unmount();
    leaveScreen();
    process.stderr.write(`lcm: ${signal}: the session is saved; open ${hooks.file} again to restore it\n`);
    process.exit(signal === "SIGINT" ? 130 : 128 + (signal === "SIGHUP" ? 1 : 15));
  };
  const onCrash = (error: unknown) => {
    hooks.saveNow();
    const code = (error as NodeJS.ErrnoException)?.code;
    // The terminal went away (closed window, killed tmux): the session is saved, nobody to tell.
    if (code === "EIO" || code === "EPIPE") process.exit(129);
    try {
      hooks.unmount();
    } catch {
      // already gone
    }
    leaveScreen();
    process.stderr.write(
      `lcm: the TUI crashed (${error instanceof Error ? error.message : String(error)}); the session is saved\n`,
    );
    if (error instanceof Error && error.stack && debugFromEnv(hooks.env))
      process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  };
  const signals: NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGINT"];
  return {
    install() {
      stdout.write(ENTER_ALT_SCREEN);
      screenOn = true;
      process.on("exit", leaveScreen);
      for (const s of signals) process.on(s, onSignal);
      process.on("uncaughtException", onCrash);
      process.on("unhandledRejection", onCrash);
    },
    remove() {
      for (const s of signals) process.off(s, onSignal);
      process.off("uncaughtException", onCrash);
      process.off("unhandledRejection", onCrash);
      leaveScreen();
      process.off("exit", leaveScreen);
    },
  };
}
