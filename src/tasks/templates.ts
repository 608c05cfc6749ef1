/**
 * Outline templates: Markdown files with front matter that shape a generated summary or document into
 * sections with a target number of concepts each. Bundled ones live in templates/ of the package;
 * users add or override their own in $XDG_CONFIG_HOME/lcm/templates (default ~/.config/lcm/templates).
 *
 *   ---
 *   description: Meeting notes: what was decided, who does what, what is still open.
 *   lang: eng_Latn            (the language the section prompts are written in; default eng_Latn)
 *   concepts: 3               (target for a template without sections)
 *   ---
 *   ## Decisions <!-- target=3 -->
 *   The decisions the meeting took.
 *
 * Every heading is a section; its `target` (default 2) is how many concepts to generate for it; the
 * first paragraph under it, when present, is the section's prompt: the sentence whose concept steers
 * generation towards what the section is about (the heading text when there is none).
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { packageRoot } from "../models/registry.js";
import { closestNames, didYouMean } from "../util/did-you-mean.js";
import { type Environment, lcmDir, processEnv } from "../util/env.js";
import { UsageError } from "../util/errors.js";

export interface TemplateSection {
  /** Heading text; "" for the one section of a template without headings. */
  title: string;
  /** Heading level (1..6); 0 for the untitled section. */
  level: number;
  /** The steering sentence; null when the section has neither prompt text nor title. */
  prompt: string | null;
  /** Concepts to generate for the section. */
  target: number;
}

export interface Template {
  name: string;
  description: string;
  /** Language of the prompts (the codec encodes them with this tag). */
  lang: string;
  sections: TemplateSection[];
  origin: "bundled" | "user" | "file";
  path: string;
}

export const DEFAULT_SECTION_TARGET = 2;
export const MAX_SECTION_TARGET = 100;
const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

export function bundledTemplatesDir(): string {
  return join(packageRoot(), "templates");
}

export function userTemplatesDir(env: Environment = processEnv()): string {
  return join(lcmDir("config", env), "templates");
}

/** Every template, user ones overriding bundled ones of the same name, sorted by name. */
export async function listTemplates(env: Environment = processEnv()): Promise<Template[]> {
  const byName = new Map<string, Template>();
  for (const [dir, origin] of [
    [bundledTemplatesDir(), "bundled"],
    [userTemplatesDir(env), "user"],
  ] as const) {
    for (const path of await markdownFiles(dir)) {
      const template = parseTemplate(await readFile(path, "utf8"), path, origin);
      byName.set(template.name, template);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The template `nameOrPath` names: a path to a .md file, or a template name (user's first, then
 * bundled). Unknown names fail with the closest names.
 */
export async function loadTemplate(nameOrPath: string, env: Environment = processEnv()): Promise<Template> {
  if (nameOrPath.includes("/") || extname(nameOrPath).toLowerCase() === ".md") {
    if (!existsSync(nameOrPath)) throw new UsageError(`template file ${nameOrPath}: no such file`);
    return parseTemplate(await readFile(nameOrPath, "utf8"), nameOrPath, "file");
  }
  const all = await listTemplates(env);
  const found = all.find((t) => t.name.toLowerCase() === nameOrPath.toLowerCase());
  if (found) return found;
  const close = closestNames(
    nameOrPath,
    all.map((t) => t.name),
    { limit: 3 },
  );
  const hint = didYouMean(close.map((name) => `'${name}'`));
  const known = all.length > 0 ? ` (templates: ${all.map((t) => t.name).join(", ")})` : "";
  throw new UsageError(`unknown template '${nameOrPath.slice(0, 60)}'${hint || known}`);
}

async function markdownFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter(
      (e) => e.isFile() && extname(e.name).toLowerCase() === ".md" && NAME.test(basename(e.name, ".md")),
    )
    .map((e) => join(dir, e.name))
    .sort();
}

const HEADING = /^(#{1,6})[ \t]+(.*?)[ \t]*(?:<!--(.*?)-->)?[ \t]*$/;
const COMMENT_ONLY = /^<!--.*-->$/;

/** Parses one template file; problems are UsageErrors naming the file and line. */
export function parseTemplate(text: string, path: string, origin: Template["origin"]): Template {
  const fail = (line: number | null, message: string): never => {
    throw new UsageError(`template ${path}${line === null ? "" : ` line ${line}`}: ${message}`);
  };
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const meta = new Map<string, string>();
  let n = 0;
  if (lines[0]?.trim() === "---") {
    const close = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
    if (close < 0) fail(1, "front matter has no closing '---'");
    for (let i = 1; i < close; i++) {
      const line = lines[i].trim();
      if (line === "" || line.startsWith("#")) continue;
      const m = /^([a-z_]+):\s*(.*)$/i.exec(line);
      if (!m) fail(i + 1, `expected 'key: value' in the front matter, found '${line.slice(0, 40)}'`);
      meta.set(m![1].toLowerCase(), unquote(m![2]));
    }
    n = close + 1;
  }

  const sections: TemplateSection[] = [];
  let prose: string[] = [];
  let current: { title: string; level: number; target: number; prompt: string | null; line: number } | null =
    null;
  const intro: string[] = [];
  const flush = () => {
    const text = prose.join(" ").replace(/\s+/g, " ").trim();
    prose = [];
    if (current) {
      if (current.prompt === null && text !== "") current.prompt = text;
    } else if (text !== "") intro.push(text);
  };
  const close = () => {
    flush();
    if (current) {
      sections.push({
        title: current.title,
        level: current.level,
        prompt: current.prompt ?? (current.title || null),
        target: current.target,
      });
    }
  };
  for (; n < lines.length; n++) {
    const line = lines[n].trim();
    const heading = HEADING.exec(line);
    if (heading) {
      close();
      const title = heading[2].trim();
      if (title === "") fail(n + 1, "heading without text");
      current = {
        title,
        level: heading[1].length,
        target: DEFAULT_SECTION_TARGET,
        prompt: null,
        line: n + 1,
      };
      const attributes = heading[3]?.trim() ?? "";
      for (const part of attributes.split(/\s+/).filter(Boolean)) {
        const m = /^target=(\d+)$/.exec(part);
        if (!m) fail(n + 1, `unknown heading attribute '${part}' (expected target=N)`);
        current.target = checkTarget(Number(m![1]), (msg) => fail(n + 1, msg));
      }
      continue;
    }
    if (line === "") flush();
    else if (!COMMENT_ONLY.test(line)) prose.push(line);
  }
  close();

  if (sections.length === 0) {
    const concepts = meta.has("concepts") ? Number(meta.get("concepts")) : 3;
    const target = checkTarget(concepts, (msg) => fail(null, `concepts: ${msg}`));
    sections.push({ title: "", level: 0, prompt: intro[0] ?? null, target });
  }
  const fileName = basename(path, extname(path));
  const name = origin === "file" ? (meta.get("name") ?? fileName) : fileName;
  return {
    name,
    description: meta.get("description") ?? "",
    lang: meta.get("lang") ?? "eng_Latn",
    sections,
    origin,
    path,
  };
}

function checkTarget(n: number, fail: (message: string) => never): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SECTION_TARGET) {
    fail(`target must be a whole number in 1..${MAX_SECTION_TARGET}, got ${n}`);
  }
  return n;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v[0] === '"' && v.endsWith('"')) || (v[0] === "'" && v.endsWith("'"))))
    return v.slice(1, -1);
  return v;
}

/** Scales the section targets to sum to `total` (each at least 1), keeping their proportions. */
export function scaleTargets(sections: readonly TemplateSection[], total: number): TemplateSection[] {
  const sum = sections.reduce((a, s) => a + s.target, 0);
  if (total < sections.length) {
    throw new UsageError(`${total} concepts are too few for a template with ${sections.length} sections`);
  }
  // Largest remainder: floors first, then the biggest fractional parts get the leftovers.
  const exact = sections.map((s) => (s.target * total) / sum);
  const out = exact.map((x) => Math.max(1, Math.floor(x)));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k].i]++;
  while (left < 0) {
    const i = out.indexOf(Math.max(...out));
    out[i]--;
    left++;
  }
  return sections.map((s, i) => ({ ...s, target: out[i] }));
}
