/**
 * The session file (autosave and recovery) and exports that never overwrite without being asked.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import { outlineFromMarkdown } from "../src/planner/outline-markdown.js";
import { ruleSegmenter } from "../src/segment/rules.js";
import { Autosave } from "../src/tui/effects.js";
import { exportFile } from "../src/tui/export-file.js";
import { press, typed } from "../src/tui/key-press.js";
import {
  documentHash,
  keepStaleOutline,
  readSession,
  serializeSession,
  sessionPath,
} from "../src/tui/session-file.js";
import { initialState, snapshotOf } from "../src/tui/state/init.js";
import { reduce } from "../src/tui/state/reducer.js";
import type { AppState } from "../src/tui/state/types.js";

const TEXT = "# Notes\n\nThe first point. The second point.\n\n## More\n\nA third point here.\n";

function opened(): AppState {
  const outline = buildOutline(TEXT, { segmenter: ruleSegmenter, format: "markdown" });
  return initialState({
    doc: { name: "notes.md", path: "/tmp/notes.md", text: TEXT, format: "markdown", fromOutlineFile: false },
    outline,
    width: 80,
    height: 24,
  });
}

function edited(): AppState {
  let s = opened();
  for (const key of [
    press("j"),
    press("e"),
    press("ctrl+u"),
    typed("Point one, rewritten."),
    press("enter"),
  ]) {
    s = reduce(s, { type: "key", key });
  }
  return s;
}

describe("session file", () => {
  it("lives under $XDG_STATE_HOME/lcm/sessions, one file per document path", () => {
    const a = sessionPath("/home/u/a.md", { XDG_STATE_HOME: "/state" });
    expect(a).toMatch(/^\/state\/lcm\/sessions\/[0-9a-f]{32}\.json$/);
    expect(sessionPath("/home/u/b.md", { XDG_STATE_HOME: "/state" })).not.toBe(a);
  });

  it("round-trips the outline, the edits, the view and the output with its concepts", async () => {
    let s = edited();
    s = {
      ...s,
      outputLang: "fra_Latn",
      output: {
        runId: 3,
        task: "summarize",
        title: "Summary of the whole document",
        lang: "fra_Latn",
        sections: null,
        items: [
          {
            text: "Un résumé.",
            vector: new Float32Array([0.25, -1.5, 3]),
            section: null,
            pinned: false,
            grounded: true,
          },
        ],
        status: "done",
        progress: null,
        error: null,
        exported: false,
      },
    };
    const dir = mkdtempSync(join(tmpdir(), "lcm-session-"));
    const path = join(dir, "s.json");
    const hash = documentHash(TEXT);
    writeFileSync(
      path,
      serializeSession(snapshotOf(s, "2026-02-03T04:05:06.000Z"), { path: "/tmp/notes.md", hash }),
    );
    const read = await readSession(path, hash);
    if (read.kind !== "found") throw new Error(`expected a session, got ${read.kind}`);
    expect(read.snapshot.outline).toEqual(s.history.present);
    expect(read.snapshot.edits).toEqual([{ op: "rewrite", concept: "c1", text: "Point one, rewritten." }]);
    expect(read.snapshot.cursor).toBe(s.cursor);
    expect(read.snapshot.outputLang).toBe("fra_Latn");
    expect(read.snapshot.output?.items[0].text).toBe("Un résumé.");
    expect(Array.from(read.snapshot.output!.items[0].vector!)).toEqual([0.25, -1.5, 3]);
    const stale = await readSession(path, documentHash(`${TEXT}changed`));
    expect(stale).toMatchObject({ kind: "stale", savedAt: "2026-02-03T04:05:06.000Z" });
    // The document changed: the old outline, with its edits, is kept as an outline file, never over
    // another one, and reads back as the same outline.
    if (stale.kind !== "stale" || !stale.outline) throw new Error("expected the stale session's outline");
    const kept = await keepStaleOutline(path, stale.outline, stale.savedAt);
    const again = await keepStaleOutline(path, stale.outline, stale.savedAt);
    expect(kept).toMatch(/\.20260203T040506\.outline\.md$/);
    expect(again).not.toBe(kept);
    expect(outlineFromMarkdown(readFileSync(kept, "utf8"))).toEqual(s.history.present);
    expect(await readSession(join(dir, "none.json"), hash)).toEqual({ kind: "none" });
    writeFileSync(path, "{ broken");
    expect((await readSession(path, hash)).kind).toBe("broken");
  });

  it("autosave writes atomically after a change, privately, and removes the file when nothing is left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-autosave-"));
    const path = join(dir, "sessions", "x.json");
    const autosave = new Autosave(path, { path: "/tmp/notes.md", hash: documentHash(TEXT) }, 10);
    autosave.schedule(opened());
    await autosave.flush();
    expect(existsSync(path)).toBe(false); // nothing worth keeping yet
    const s = edited();
    autosave.schedule(s);
    await new Promise((r) => setTimeout(r, 50));
    await autosave.flush();
    expect(JSON.parse(readFileSync(path, "utf8")).edits).toHaveLength(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, "sessions"))).toEqual(["x.json"]); // no temp files left
    const undone = reduce(s, { type: "key", key: press("u") });
    autosave.schedule(undone);
    await new Promise((r) => setTimeout(r, 50));
    await autosave.flush();
    expect(existsSync(path)).toBe(false);
    autosave.flushSync(s);
    expect(existsSync(path)).toBe(true);
    await autosave.discard();
    expect(existsSync(path)).toBe(false);
  });
});

describe("exports", () => {
  it("write a new file, and report an existing one instead of overwriting it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-export-"));
    const path = join(dir, "out", "summary.md");
    expect(await exportFile(path, "first\n", false)).toBe("written");
    expect(await exportFile(path, "second\n", false)).toBe("exists");
    expect(readFileSync(path, "utf8")).toBe("first\n");
    expect(await exportFile(path, "second\n", true)).toBe("written");
    expect(readFileSync(path, "utf8")).toBe("second\n");
    expect(readdirSync(join(dir, "out"))).toEqual(["summary.md"]);
  });
});
