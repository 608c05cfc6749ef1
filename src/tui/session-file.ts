/**
 * The session file: what the TUI autosaves so an edit is never lost to a crash, Ctrl-C or a closed
 * terminal. One file per document, $XDG_STATE_HOME/lcm/sessions/<sha256 of the absolute path>.json
 * (default ~/.local/state/lcm/sessions), written atomically. It holds the outline, the edits that made
 * it (so undo works after a restore), the view, and the output with its concepts (base64 float32), and
 * the hash of the document it belongs to: a session for another version of the file is not offered.
 */

import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdir, readFile, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { SourceLocation } from "../inputs/source-locations.js";
import type { Outline } from "../planner/outline.js";
import type { OutlineEdit } from "../planner/outline-edits.js";
import { outlineFromJson, outlineToJson } from "../planner/outline-json.js";
import { outlineToMarkdown } from "../planner/outline-markdown.js";
import type { Rendering } from "../tasks/render.js";
import { writeFileAtomic, writeFileAtomicSync } from "../util/atomic-write.js";
import { type Environment, lcmDir, processEnv } from "../util/env.js";
import { OutputExistsError } from "../util/errors.js";
import { writeNewFile } from "../util/exclusive-write.js";
import type { OutputItem, OutputSource, OutputState, SessionSnapshot } from "./state/types.js";

export const SESSION_VERSION = 1;

export function sessionsDir(env: Environment = processEnv()): string {
  return join(lcmDir("state", env), "sessions");
}

export function sessionPath(documentPath: string, env: Environment = processEnv()): string {
  const hash = createHash("sha256").update(resolve(documentPath)).digest("hex").slice(0, 32);
  return join(sessionsDir(env), `${hash}.json`);
}

export function documentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function vectorToBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

function vectorFromBase64(s: string): Float32Array {
  const bytes = Buffer.from(s, "base64");
  const copy = new Uint8Array(bytes.length - (bytes.length % 4));
  copy.set(bytes.subarray(0, copy.length));
  return new Float32Array(copy.buffer);
}

export function serializeSession(snapshot: SessionSnapshot, doc: { path: string; hash: string }): string {
  const output = snapshot.output && {
    ...snapshot.output,
    items: snapshot.output.items.map((item) => ({
      ...item,
      vector: item.vector ? vectorToBase64(item.vector) : null,
    })),
  };
  return `${JSON.stringify({
    version: SESSION_VERSION,
    document: { path: resolve(doc.path), sha256: doc.hash },
    saved_at: snapshot.savedAt,
    outline: JSON.parse(outlineToJson(snapshot.outline)),
    edits: snapshot.edits,
    view: { cursor: snapshot.cursor, folded: snapshot.folded, zoom: snapshot.zoom },
    output_lang: snapshot.outputLang,
    output,
  })}\n`;
}

export type SessionRead =
  | { kind: "none" }
  | { kind: "found"; snapshot: SessionSnapshot }
  | { kind: "stale"; savedAt: string; outline: Outline | null }
  | { kind: "broken"; reason: string };

/** Reads the session for a document whose text hashes to `hash`. */
export async function readSession(path: string, hash: string): Promise<SessionRead> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "none" };
    return { kind: "broken", reason: (error as Error).message };
  }
  try {
    const root = JSON.parse(text);
    if (root?.version !== SESSION_VERSION)
      return { kind: "broken", reason: `unknown version ${root?.version}` };
    if (root.document?.sha256 !== hash) {
      // The document changed since: its edited outline is still worth keeping (keepStaleOutline).
      let outline: Outline | null = null;
      try {
        outline = outlineFromJson(root.outline);
      } catch {}
      return { kind: "stale", savedAt: String(root.saved_at ?? ""), outline };
    }
    const outline = outlineFromJson(root.outline);
    const output = readOutput(root.output);
    const view = root.view ?? {};
    return {
      kind: "found",
      snapshot: {
        savedAt: String(root.saved_at ?? ""),
        outline,
        edits: Array.isArray(root.edits) ? (root.edits as OutlineEdit[]) : [],
        cursor: typeof view.cursor === "string" ? view.cursor : null,
        folded: Array.isArray(view.folded) ? view.folded.filter((f: unknown) => typeof f === "string") : [],
        zoom: typeof view.zoom === "string" ? view.zoom : null,
        outputLang: typeof root.output_lang === "string" ? root.output_lang : null,
        output,
      },
    };
  } catch (error) {
    return { kind: "broken", reason: (error as Error).message };
  }
}

function readOutput(value: unknown): OutputState | null {
  if (!value || typeof value !== "object") return null;
  const o = value as Record<string, unknown>;
  if (!Array.isArray(o.items)) return null;
  const items: OutputItem[] = o.items.map((raw: Record<string, unknown>) => ({
    text: String(raw.text ?? ""),
    vector: typeof raw.vector === "string" ? vectorFromBase64(raw.vector) : null,
    section: typeof raw.section === "number" ? raw.section : null,
    pinned: raw.pinned === true,
    grounded: raw.grounded === true,
    ...(isRendering(raw.rendering) ? { rendering: raw.rendering } : {}),
    source: readSource(raw.source),
  }));
  const task = o.task === "extend" || o.task === "render" ? o.task : "summarize";
  return {
    runId: 0,
    task,
    title: String(o.title ?? "Output"),
    lang: typeof o.lang === "string" ? o.lang : null,
    sections: Array.isArray(o.sections)
      ? o.sections.map((s: Record<string, unknown>) => ({
          title: String(s.title ?? ""),
          level: Number(s.level ?? 1),
        }))
      : null,
    items,
    status: "done",
    progress: null,
    error: null,
    exported: o.exported === true,
  };
}

const RENDERINGS: readonly string[] = [
  "source",
  "source-decoded",
  "generated",
  "pinned",
  "sentinel",
  "withheld",
];

function isRendering(value: unknown): value is Rendering {
  return typeof value === "string" && RENDERINGS.includes(value);
}

function readSource(value: unknown): OutputSource | null {
  if (!value || typeof value !== "object") return null;
  const s = value as Record<string, unknown>;
  if (typeof s.index !== "number" || typeof s.text !== "string" || typeof s.lang !== "string") return null;
  const location = s.location && typeof s.location === "object" ? (s.location as SourceLocation) : undefined;
  return { index: s.index, text: s.text, lang: s.lang, ...(location && { location }) };
}

export async function writeSession(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, content, { mode: 0o600 });
}

/** For exit and signal handlers, where nothing asynchronous runs any more. */
export function writeSessionSync(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, content, { mode: 0o600 });
}

export async function deleteSession(path: string): Promise<void> {
  await unlink(path).catch(() => {});
}

/**
 * A session saved for an older version of its document would be replaced by a fresh one: its outline,
 * with every edit, is written first as an outline file beside the sessions (never over another file),
 * so `lcm tui FILE` can open it and nothing the user did is lost. Returns its path.
 */
export async function keepStaleOutline(
  sessionPath: string,
  outline: Outline,
  savedAt: string,
): Promise<string> {
  const stamp = (savedAt || new Date().toISOString()).replace(/[^0-9T]/g, "").slice(0, 15) || "old";
  const base = sessionPath.replace(/\.json$/, "");
  for (let n = 0; ; n++) {
    const path = `${base}.${stamp}${n ? `-${n}` : ""}.outline.md`;
    try {
      await writeNewFile(path, outlineToMarkdown(outline));
      return path;
    } catch (error) {
      if (!(error instanceof OutputExistsError) || n > 50) throw error;
    }
  }
}
