/**
 * The application component: one reducer holds the state; keys go in as actions; effects requested by
 * the state are run by the EffectRunner; models load, the outline encodes and the session autosaves in
 * the background. The screen is a fixed grid (header, two panes, status and message lines) sized to
 * the terminal and re-laid out on resize; one line is left free at the bottom so Ink never has to
 * repaint the whole screen, which is what makes full-screen Ink apps flicker.
 */
import { Box, Text, useApp, useInput, useStdout } from "ink";
import { type ReactElement, useCallback, useEffect, useMemo, useReducer, useRef } from "react";
import { findSectionPath, sectionAt } from "../../planner/outline.js";
import { toDisplayLine } from "../../util/sanitize.js";
import { type Autosave, BackgroundEncoder, EffectRunner } from "../effects.js";
import { keyPressesFromInk } from "../key-press.js";
import { keyHint } from "../keymap.js";
import type { TuiServices } from "../services.js";
import { rowsOf } from "../state/navigation.js";
import { reduce } from "../state/reducer.js";
import { ancestorsOf, rowIndex, sectionKey } from "../state/rows.js";
import { quickStats } from "../state/stats.js";
import type { Action, AppState, Effect } from "../state/types.js";
import { fitTo } from "../text-layout.js";
import { Header, MessageLine, StatusLine, statusText } from "./Chrome.js";
import { OutlinePane } from "./OutlinePane.js";
import { OutputPane } from "./OutputPane.js";
import {
  ConfirmBand,
  GenerateForm,
  HelpOverlay,
  LanguagePicker,
  PromptBand,
  promptHeight,
} from "./Overlays.js";
import { SourcePane } from "./SourcePane.js";

export interface AppProps {
  initial: AppState;
  services: TuiServices;
  /** Called once when the user quits, with what to do with the session file. */
  onQuit: (session: "keep" | "discard", state: AppState) => void;
  autosave?: Autosave | null;
  /** A fixed terminal size (tests); default: the terminal's, following resizes. */
  size?: { width: number; height: number };
  /** Receives the latest state after every change (exit and signal handlers read it). */
  stateRef?: { current: AppState };
  /** Every action, for tests and debugging. */
  onAction?: (action: Action) => void;
}

export function App(props: AppProps): ReactElement {
  const { services, autosave } = props;
  const [state, dispatch] = useObservedReducer(props.initial, props.onAction);
  const stateRef = useRef(state);
  stateRef.current = state;
  if (props.stateRef) props.stateRef.current = state;

  // React runs effects in the order their hooks are called: this is the order they always ran in.
  useTerminalSize(props.size, dispatch);
  useKeyPresses(dispatch);
  const runner = useEffectRunner(props, stateRef, dispatch);
  useTakenEffects(state.effects, runner, dispatch);
  useModels(services, runner, dispatch);
  useBackgroundEncoding(services, state, dispatch);
  useAutosave(autosave, state, stateRef);

  return <Screen state={state} />;
}

type Dispatch = (action: Action) => void;

/** The reducer, with every action shown to `onAction` first (tests and debugging). */
function useObservedReducer(
  initial: AppState,
  onAction: ((action: Action) => void) | undefined,
): [AppState, Dispatch] {
  const [state, rawDispatch] = useReducer(reduce, initial);
  const dispatch = useCallback(
    (action: Action) => {
      onAction?.(action);
      rawDispatch(action);
    },
    [onAction],
  );
  return [state, dispatch];
}

/** The terminal's size as a resize action: once, then on every resize unless the size is fixed (tests). */
function useTerminalSize(fixedSize: AppProps["size"], dispatch: Dispatch): void {
  const { stdout } = useStdout();
  useEffect(() => {
    const measure = () => {
      const width = fixedSize?.width ?? stdout.columns ?? 80;
      const height = fixedSize?.height ?? stdout.rows ?? 24;
      dispatch({ type: "resize", width, height });
    };
    measure();
    if (fixedSize) return;
    stdout.on("resize", measure);
    return () => {
      stdout.off("resize", measure);
    };
  }, [stdout, fixedSize, dispatch]);
}

/** Every key Ink reads, as key actions (a run of control characters is several keys: key-press.ts). */
function useKeyPresses(dispatch: Dispatch): void {
  useInput((input, key) => {
    for (const press of keyPressesFromInk(input, key)) dispatch({ type: "key", key: press });
  });
}

/**
 * One runner for the app's life (it holds the work in flight), made on the first render; it reads the
 * latest props through a ref. Quitting happens once, however many quit effects arrive.
 */
function useEffectRunner(props: AppProps, stateRef: { current: AppState }, dispatch: Dispatch): EffectRunner {
  const { exit } = useApp();
  const quitting = useRef(false);
  const propsRef = useRef(props);
  propsRef.current = props;
  const runnerRef = useRef<EffectRunner | null>(null);
  runnerRef.current ??= new EffectRunner(props.services, dispatch, {
    quit: (session) => {
      if (quitting.current) return;
      quitting.current = true;
      propsRef.current.onQuit(session, stateRef.current);
      exit();
    },
    discardSession: () => {
      void propsRef.current.autosave?.discard();
    },
  });
  return runnerRef.current;
}

/**
 * Hands the effects the state asks for to the runner, each list once: the reducer is told they were
 * taken, and the same list object is never run twice (a re-render before that action lands would).
 */
function useTakenEffects(effects: readonly Effect[], runner: EffectRunner, dispatch: Dispatch): void {
  const taken = useRef<readonly Effect[] | null>(null);
  useEffect(() => {
    if (effects.length === 0 || taken.current === effects) return;
    taken.current = effects;
    dispatch({ type: "effectsTaken", count: effects.length });
    for (const effect of effects) runner.run(effect);
  }, [effects, runner, dispatch]);
}

/** Models and templates load once; unmounting ignores late answers and cancels the runner's work. */
function useModels(services: TuiServices, runner: EffectRunner, dispatch: Dispatch): void {
  useEffect(() => {
    let live = true;
    services
      .openModels()
      .then((info) => live && dispatch({ type: "models", models: { status: "ready", ...info } }))
      .catch((error) =>
        dispatch({
          type: "models",
          models: {
            status: "failed",
            codec: null,
            lcm: null,
            languages: [],
            note: String(error?.message ?? error),
          },
        }),
      );
    services
      .templates()
      .then((templates) => live && dispatch({ type: "templates", templates }))
      .catch(() => {});
    return () => {
      live = false;
      runner.cancelAll();
    };
  }, [services, dispatch, runner]);
}

/** Background encoding of the outline's concepts, on every outline change once a codec is open. */
function useBackgroundEncoding(services: TuiServices, state: AppState, dispatch: Dispatch): void {
  const encoder = useMemo(() => new BackgroundEncoder(services, dispatch), [services, dispatch]);
  useEffect(() => () => encoder.stop(), [encoder]);
  const outline = state.history.present;
  const codecName = state.models.codec;
  const modelsStatus = state.models.status;
  useEffect(() => {
    if (codecName !== null) encoder.update(outline);
    else if (modelsStatus !== "loading") dispatch({ type: "encoding", encoding: { status: "off" } });
  }, [outline, codecName, encoder, modelsStatus, dispatch]);
}

/**
 * Autosave when what the session file holds changes (not while a recovered session waits for an
 * answer: it would be overwritten).
 */
function useAutosave(
  autosave: Autosave | null | undefined,
  state: AppState,
  stateRef: { current: AppState },
): void {
  const { history, output, outputLang, folded, zoom, recovered } = state;
  useEffect(() => {
    if (!autosave || recovered !== null) return;
    autosave.schedule({ ...stateRef.current, history, output, outputLang, folded, zoom });
  }, [autosave, history, output, outputLang, folded, zoom, recovered, stateRef]);
}

function zoomTitle(state: AppState): string {
  if (state.zoom === null) return "Outline";
  const outline = state.history.present;
  const ids = [...ancestorsOf(outline, sectionKey(state.zoom)), state.zoom];
  const titles = ids.map((id) => {
    const path = findSectionPath(outline.sections, id);
    return path ? toDisplayLine(sectionAt(outline.sections, path).title) : id;
  });
  return `Outline › ${titles.join(" › ")}`;
}

function emptyOutputHint(state: AppState): string {
  const k = (id: Parameters<typeof keyHint>[1]) => keyHint(state.bindings, id);
  const lines = [
    "No output yet.",
    "",
    `${k("summarize")}  summarize the document or a section`,
    `${k("extend")}  extend the outline into a document`,
    `${k("render")}  render the section's concepts in the output language`,
    `${k("language")}  choose the output language`,
  ];
  if (state.models.note) lines.push("", state.models.note);
  return lines.join("\n");
}

/** Everything on screen, from the state alone. */
export function Screen({ state }: { state: AppState }): ReactElement {
  const { layout } = state;
  const width = layout.width;
  const outline = state.history.present;
  const stats = useMemo(() => quickStats(outline), [outline]);
  const mode = state.mode;

  const bodyHeight = Math.max(2, layout.height - 4);
  const { band, bandHeight } = bottomBand(mode, width);
  // A band taller than the message line it replaces takes its rows from the panes.
  const paneHeight = Math.max(2, bodyHeight - (bandHeight - 1));

  let body: ReactElement;
  if (mode.kind === "help") {
    body = <HelpOverlay mode={mode} keymap={state.bindings} width={width} height={bodyHeight} />;
  } else if (mode.kind === "languages") {
    body = (
      <LanguagePicker
        mode={mode}
        languages={state.models.languages}
        current={state.output?.lang ?? state.outputLang ?? state.sourceLang}
        width={width}
        height={bodyHeight}
      />
    );
  } else if (mode.kind === "generate") {
    body = <GenerateForm mode={mode} templates={state.templates} width={width} height={bodyHeight} />;
  } else {
    body = <Panes state={state} height={paneHeight} />;
  }

  return (
    <Box flexDirection="column" width={width} height={layout.height - 1}>
      <Header state={state} width={width} />
      <Box
        height={
          mode.kind === "help" || mode.kind === "languages" || mode.kind === "generate"
            ? bodyHeight
            : paneHeight
        }
        overflow="hidden"
      >
        {body}
      </Box>
      <StatusLine text={fitTo(statusText(state, stats), width)} width={width} />
      {band ?? <MessageLine state={state} width={width} />}
    </Box>
  );
}

/** The prompt or confirm band that stands in for the message line, and its height (1: none). */
function bottomBand(
  mode: AppState["mode"],
  width: number,
): { band: ReactElement | null; bandHeight: number } {
  if (mode.kind === "prompt")
    return { band: <PromptBand mode={mode} width={width} />, bandHeight: promptHeight(mode, width) };
  if (mode.kind === "confirm") return { band: <ConfirmBand mode={mode} width={width} />, bandHeight: 2 };
  return { band: null, bandHeight: 1 };
}

/** The outline and, beside it, the source or output pane (one of them alone when the terminal is narrow). */
function Panes({ state, height }: { state: AppState; height: number }): ReactElement {
  const { layout } = state;
  const width = layout.width;
  const rows = rowsOf(state);
  const cursorIndex = Math.max(0, rowIndex(rows, state.cursor));
  const matches = useMemo(() => new Set(state.search?.matches ?? []), [state.search]);
  const pending = useMemo(() => new Set(state.encoding.pending), [state.encoding.pending]);
  const outlinePane = (
    <OutlinePane
      rows={rows}
      cursorIndex={cursorIndex}
      scroll={state.scroll}
      width={layout.outlineWidth}
      height={height}
      title={zoomTitle(state)}
      matches={matches}
      pending={pending}
      focused
    />
  );
  const right =
    state.pane === "source" ? (
      <SourcePane
        text={state.doc.text}
        row={rows[cursorIndex]}
        width={layout.paneWidth || width}
        height={height}
        fromOutlineFile={state.doc.fromOutlineFile}
        locations={state.doc.locations}
      />
    ) : (
      <OutputPane
        output={state.output}
        width={layout.paneWidth || width}
        height={height}
        scroll={state.paneScroll}
        hint={emptyOutputHint(state)}
      />
    );
  // Too narrow for two panes: the outline, or the output while one is shown.
  if (layout.paneWidth === 0) return state.pane === "output" && state.output ? right : outlinePane;
  return (
    <Box flexDirection="row" height={height}>
      {outlinePane}
      <Box flexDirection="column" width={1} height={height}>
        {Array.from({ length: height }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a column of identical separator cells
          <Text key={i} dimColor>
            │
          </Text>
        ))}
      </Box>
      {right}
    </Box>
  );
}
