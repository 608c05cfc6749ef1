/**
 * The TUI as a person uses it, rendered with ink-testing-library against real models: the smoke codec
 * (a tiny trained codec, eng/fra/deu) and the LCM parity fixture (a tiny Two-Tower LCM paired with it).
 * Their output is not good text; these flows check that everything is wired: open a real document,
 * navigate, edit, undo, search, summarize with streaming, change the language, export, quit, and
 * restore a session after a crash.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { render } from "ink-testing-library";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Autosave } from "../src/tui/effects.js";
import { createServices } from "../src/tui/in-process-services.js";
import { openDocument } from "../src/tui/open-document.js";
import type { TuiServices } from "../src/tui/services.js";
import { documentHash, readSession } from "../src/tui/session-file.js";
import { initialState } from "../src/tui/state/init.js";
import type { AppState, SessionSnapshot } from "../src/tui/state/types.js";
import { displayWidth } from "../src/tui/text-layout.js";
import { App } from "../src/tui/views/App.js";
import { makePdf } from "./helpers/documents.js";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const EXAMPLE = fileURLToPath(new URL("../examples/problems-of-philosophy.md", import.meta.url));
const LCM_FIXTURE = fileURLToPath(new URL("./fixtures/lcm-parity/", import.meta.url));
const KEY = { enter: "\r", esc: "\u001b", tab: "\t", ctrlU: "\u0015", up: "\u001b[A", down: "\u001b[B" };
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

let modelsDir: string;
let work: string;
const services: TuiServices[] = [];
const temporary: string[] = [];
const unmounts: (() => void)[] = [];

beforeAll(() => {
  // A models folder holding the smoke codec and the LCM trained on its space (copies: discovery reads folders).
  modelsDir = mkdtempSync(join(tmpdir(), "lcm-tui-models-"));
  temporary.push(modelsDir);
  cpSync(smokeCodecDir(), join(modelsDir, "codec"), { recursive: true });
  cpSync(LCM_FIXTURE, join(modelsDir, "lcm"), { recursive: true });
});

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const unmount of unmounts.splice(0)) unmount();
  for (const s of services.splice(0)) await s.release();
});

async function start(
  options: {
    width?: number;
    height?: number;
    lcm?: boolean;
    recovered?: SessionSnapshot;
    file?: string;
  } = {},
) {
  work = mkdtempSync(join(tmpdir(), "lcm-tui-flow-"));
  temporary.push(work);
  const file = options.file ?? join(work, "problems.md");
  if (!options.file) cpSync(EXAMPLE, file);
  const opened = await openDocument(file, {});
  const env = { ...process.env, XDG_CONFIG_HOME: join(work, "config"), XDG_DATA_HOME: join(work, "data") };
  const svc = createServices(opened.doc, {
    models: options.lcm === false ? join(modelsDir, "codec") : modelsDir,
    // the bundled models/default holds an LCM: keep it out of the "no LCM" flow
    onlyExplicit: true,
    cache: false,
    env,
  });
  services.push(svc);
  const sessionFile = join(work, "session.json");
  const autosave = new Autosave(
    sessionFile,
    { path: opened.doc.path, hash: documentHash(opened.doc.text) },
    20,
  );
  const initial = initialState({
    doc: opened.doc,
    outline: opened.outline,
    width: options.width ?? 100,
    height: options.height ?? 30,
    recovered: options.recovered,
  });
  const quits: ("keep" | "discard")[] = [];
  const stateRef: { current: AppState } = { current: initial };
  const size = { width: options.width ?? 100, height: options.height ?? 30 };
  const app = render(
    <App
      initial={initial}
      services={svc}
      autosave={autosave}
      size={size}
      stateRef={stateRef}
      onQuit={(session) => quits.push(session)}
    />,
  );
  unmounts.push(app.unmount);
  const frame = () => (app.lastFrame() ?? "").replace(ANSI, "");
  const press = async (...inputs: string[]) => {
    for (const input of inputs) {
      app.stdin.write(input);
      await new Promise((r) => setTimeout(r, 15));
    }
  };
  const waitFor = async (what: string | RegExp | ((frame: string) => boolean), timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = frame();
      if (typeof what === "string" ? f.includes(what) : typeof what === "function" ? what(f) : what.test(f))
        return f;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen shows:\n${f}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { app, frame, press, waitFor, quits, stateRef, file, sessionFile, autosave };
}

function expectFits(frame: string, width: number, height: number) {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(height - 1);
  for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
}

describe("the TUI with real models", () => {
  it("says where the selected concept is in a PDF: its page, in the source pane's title", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-tui-pdf-"));
    temporary.push(dir);
    const paragraphs = readFileSync(EXAMPLE, "utf8")
      .split(/\n\n+/)
      .map((p) => p.replace(/\s+/g, " ").trim())
      .filter((p) => p.length > 200 && !p.startsWith("#"))
      .slice(0, 12);
    const file = join(dir, "report.pdf");
    writeFileSync(file, makePdf(paragraphs));
    const t = await start({ file });
    await t.waitFor(/encoded (\d+)\/\1/);
    await t.press("j");
    await t.waitFor(/Source · c1 · p\. 1 \[0, \d+\)/);
    await t.press("G");
    const f = await t.waitFor(/Source · c\d+ · p\. [2-9]/);
    expect(f).not.toMatch(/Source · c1 ·/);
  });

  it("opens, navigates, edits, undoes, searches, summarizes, changes language, exports and quits", async () => {
    const t = await start();
    let f = await t.waitFor("encoded 226/226");
    expect(f).toContain("The Problems of Philosophy (226)");
    expect(f).toContain("226 concepts");
    expectFits(f, 100, 30);

    // Navigate to the Preface; the source pane shows its heading in the document.
    await t.press("]", "]");
    f = await t.waitFor("Source · Preface");
    expect(f).toContain("## Preface");

    // Rewrite its first concept; the status line re-encodes it.
    await t.press("l", "e", KEY.ctrlU, "Philosophy starts with doubt.", KEY.enter);
    f = await t.waitFor("Philosophy starts with doubt.");
    expect(f).toContain("rewrote c3");
    expect(f).toContain("Rewritten as:");
    await t.waitFor("encoded 226/226");
    expect(t.stateRef.current.history.past).toHaveLength(1);

    // Undo it.
    await t.press("u");
    f = await t.waitFor("undid: rewrite c3");
    expect(f).not.toContain("Philosophy starts with doubt.");

    // Search.
    await t.press("/", "Murray", KEY.enter);
    f = await t.waitFor("1 match: n next");
    expect(f).toContain("Source · c6");

    // Summarize the whole document: the output pane streams, then says done.
    await t.press("s");
    await t.waitFor("Summarize");
    await t.press(KEY.enter);
    f = await t.waitFor(/done: \d+ concepts? in eng_Latn/, 60_000);
    expect(f).toContain("Output · Summary of the whole document");
    const output = t.stateRef.current.output!;
    expect(output.items.length).toBeGreaterThan(0);
    expect(output.items.every((i) => i.vector !== null && i.text.length > 0)).toBe(true);

    // Render the same concepts in French through the picker.
    await t.press("L");
    await t.waitFor("Output language");
    await t.press("french");
    f = await t.waitFor("fra_Latn");
    await t.press(KEY.enter);
    await t.waitFor("rendered in fra_Latn (French)", 60_000);
    expect(t.stateRef.current.output!.lang).toBe("fra_Latn");

    // Export the output; a second export asks before overwriting.
    await t.press("W");
    await t.waitFor("Export the output to");
    await t.press(KEY.enter);
    const exported = join(work, "problems.summary.md");
    await t.waitFor(`wrote ${exported}`);
    expect(readFileSync(exported, "utf8")).toMatch(/^# Summary of the whole document\n/);
    await t.press("W", KEY.enter);
    await t.waitFor("exists. Overwrite it?");
    await t.press("y");
    await t.waitFor(`wrote ${exported}`);

    // Nothing left unexported: q quits at once and drops the session.
    await t.press("q");
    await new Promise((r) => setTimeout(r, 50));
    expect(t.quits).toEqual(["discard"]);
  });

  it("extends a section of the outline, streaming concepts as they are decoded", async () => {
    const t = await start();
    await t.waitFor("encoded 226/226");
    await t.press("]", "]", "l", "p", "x");
    await t.waitFor("Extend the outline into a document");
    await t.press("\u001b[C", KEY.enter); // scope: section 'Preface'
    const f = await t.waitFor(/done: \d+ concepts in eng_Latn/, 60_000);
    expect(f).toContain("Output · Document extended");
    const output = t.stateRef.current.output!;
    expect(output.title).toBe("Document extended from section 'Preface'");
    expect(output.task).toBe("extend");
    // The pinned concept is kept verbatim among the generated ones.
    const pinned = output.items.filter((i) => i.pinned);
    expect(pinned.map((i) => i.text)).toEqual([
      t.stateRef.current.history.present.sections[1].sections[0].concepts[0].text,
    ]);
    expect(output.items.length).toBeGreaterThan(pinned.length);
  });

  it("works without an LCM: renders a section's concepts, explains what is off", async () => {
    const t = await start({ lcm: false });
    await t.waitFor("no LCM");
    await t.press("s");
    await t.waitFor("no LCM installed");
    await t.press("]", "]", "R");
    const f = await t.waitFor(/done: 4 concepts in eng_Latn/, 60_000);
    expect(f).toContain("Output · Concepts of 'Preface'");
  });

  it("fits 80x24, shows help and the language picker, and follows a resize", async () => {
    const t = await start({ width: 80, height: 24 });
    let f = await t.waitFor("encoded 226/226");
    expectFits(f, 80, 24);
    await t.press("?");
    f = await t.waitFor("Keys");
    expect(f).toContain("previous row");
    expectFits(f, 80, 24);
    await t.press("\u001b[6~", "\u001b[6~"); // PgDn
    f = await t.waitFor("summarize the document or a section");
    expectFits(f, 80, 24);
    await t.press(KEY.esc, "L");
    f = await t.waitFor("Output language");
    expect(f).toContain("deu_Latn");
    expectFits(f, 80, 24);
    await t.press(KEY.esc);
    t.app.rerender(
      <App
        initial={t.stateRef.current}
        services={services[0]}
        size={{ width: 60, height: 16 }}
        onQuit={() => {}}
      />,
    );
    f = await t.waitFor((frame) => frame.split("\n").length <= 15);
    expect(f).toContain("Outline");
    expectFits(f, 60, 16);
  });

  it("offers a crashed session back, with its edits", async () => {
    const first = await start();
    await first.waitFor("encoded 226/226");
    await first.press("]", "]", "l", "p", "e", KEY.ctrlU, "Kept after a crash.", KEY.enter);
    await first.waitFor("rewrote c3");
    // The process "dies" here: no quit. Autosave has written the session by itself.
    const hash = documentHash(readFileSync(first.file, "utf8"));
    const deadline = Date.now() + 10_000;
    let read = await readSession(first.sessionFile, hash);
    while ((read.kind !== "found" || read.snapshot.edits.length < 2) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      read = await readSession(first.sessionFile, hash);
    }
    if (read.kind !== "found") throw new Error(`expected a saved session, got ${read.kind}`);
    expect(read.snapshot.edits.map((e) => e.op)).toEqual(["pin", "rewrite"]);

    const second = await start({ recovered: read.snapshot, file: first.file });
    await second.waitFor("was not closed. Restore it?");
    await second.press("r");
    const f = await second.waitFor("restored the session: 2 edits");
    expect(f).toContain("Kept after a crash.");
    await second.press("u");
    await second.waitFor("undid: rewrite c3");
    expect(existsSync(first.sessionFile)).toBe(true);
  });
});
