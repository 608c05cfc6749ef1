/**
 * `lcm templates [NAME]`: the outline templates `--template` accepts, bundled and the user's own
 * ($XDG_CONFIG_HOME/lcm/templates, which override bundled ones of the same name); with a NAME, that
 * template's sections and targets.
 */
import type { Command } from "commander";
import { listTemplates, loadTemplate, type Template, userTemplatesDir } from "../tasks/templates.js";
import { toDisplayLine } from "../util/sanitize.js";
import { action, type CommonOptions, withCommonOptions, writeOut } from "./common.js";

export function registerTemplates(program: Command): void {
  withCommonOptions(
    program
      .command("templates")
      .description(
        "List the outline templates that shape `lcm summarize --template` and `lcm expand --template`:\n" +
          "sections with a target number of sentences each. Add your own as Markdown files in\n" +
          `${userTemplatesDir()} (see templates/ in the package for the format).`,
      )
      .argument("[name]", "show one template's sections"),
    ["text", "json"],
  )
    .addHelpText(
      "after",
      `
Examples:
  $ lcm templates
  $ lcm templates meeting-notes
  $ lcm summarize minutes.txt --template meeting-notes`,
    )
    .action(action(runTemplates));
}

async function runTemplates(name: string | undefined, flags: CommonOptions): Promise<void> {
  const templates = name === undefined ? await listTemplates() : [await loadTemplate(name)];
  if (flags.format === "json") {
    writeOut(JSON.stringify({ templates: templates.map(templateJson), user_dir: userTemplatesDir() }));
    return;
  }
  if (name !== undefined) {
    writeOut(describe(templates[0]));
    return;
  }
  const width = Math.max(4, ...templates.map((t) => t.name.length));
  const lines = templates.map((t) => {
    const sections = t.sections.filter((s) => s.title).map((s) => s.title);
    const total = t.sections.reduce((n, s) => n + s.target, 0);
    const shape =
      sections.length > 0 ? `${sections.length} sections, ${total} sentences` : `${total} sentences`;
    const origin = t.origin === "user" ? " (yours)" : "";
    return `${t.name.padEnd(width)}  ${toDisplayLine(t.description)} [${shape}]${origin}`;
  });
  if (lines.length === 0) lines.push("no templates found");
  lines.push("", `your templates: ${userTemplatesDir()}`);
  writeOut(lines.join("\n"));
}

function describe(t: Template): string {
  const lines = [`${t.name}: ${toDisplayLine(t.description)}`, `  from ${t.path}`];
  for (const s of t.sections) {
    const title = s.title ? toDisplayLine(s.title) : "(one untitled section)";
    const prompt = s.prompt && s.prompt !== s.title ? ` - ${toDisplayLine(s.prompt)}` : "";
    lines.push(`  ${title}: ${s.target} sentence${s.target === 1 ? "" : "s"}${prompt}`);
  }
  return lines.join("\n");
}

function templateJson(t: Template) {
  return {
    name: t.name,
    description: t.description,
    origin: t.origin,
    path: t.path,
    lang: t.lang,
    sections: t.sections.map((s) => ({ title: s.title, level: s.level, target: s.target, prompt: s.prompt })),
  };
}
