/**
 * `lcm tui FILE` (also `lcm FILE`): the interactive outline editor. The TUI module (React + Ink) is
 * imported inside the action, so no other command ever loads it.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { Option } from "commander";
import { FIELDS } from "../requests/fields.js";
import { FLORES_CODE_MUST_BE, isFloresCode } from "../requests/language-code.js";
import { MAX_SEGMENT_CHARS } from "../segment/types.js";
import { editDistance } from "../util/did-you-mean.js";
import { UsageError } from "../util/errors.js";
import { type CodecFlags, withCodecOptions } from "./codec-options.js";
import { action } from "./common.js";
import { fieldOption } from "./field-options.js";

interface TuiFlags extends CodecFlags {
  lcm?: string;
  lang?: string;
  sourceLang?: string;
  markdown?: boolean;
  plain?: boolean;
  maxChars: number;
  fresh?: boolean;
}

export function registerTui(program: Command): void {
  const command = program
    .command("tui", { isDefault: true })
    .description(
      "Open a document in the interactive outline editor: navigate, edit and reorder concepts, summarize " +
        "or extend, render in another language, export to Markdown. Also: lcm FILE",
    )
    .argument(
      "[file]",
      "a document (Markdown, plain text, PDF, Word .docx, EPUB, HTML), or a saved outline (.md from 'lcm outline', or .json)",
    )
    .allowExcessArguments(true);
  withCodecOptions(command)
    .option("--lcm <name>", "LCM to use (default: the first one found)")
    .option(
      "-l, --lang <code>",
      "output language, a FLORES-200 code (default: the document's)",
      parseLang("--lang"),
    )
    .option("--source-lang <code>", "the document's language (default: detected)", parseLang("--source-lang"))
    .addOption(new Option("--markdown", "read the input as Markdown").conflicts("plain"))
    .addOption(new Option("--plain", "read the input as plain text").conflicts("markdown"))
    .addOption(fieldOption(FIELDS.maxChars, { default: MAX_SEGMENT_CHARS }))
    .option("--fresh", "start fresh, ignoring a session saved for this file")
    .addHelpText(
      "after",
      `
In the editor, ? lists the keys. Edits autosave to $XDG_STATE_HOME/lcm/sessions and are offered back
when the editor did not end cleanly (a crash, Ctrl-C, a closed terminal). Keys can be changed in
$XDG_CONFIG_HOME/lcm/keys.json, e.g. {"summarize": "S", "delete": ["d", "x"]}.

Examples:
  $ lcm examples/problems-of-philosophy.md
  $ lcm tui notes.txt --lang fra_Latn         render output in French
  $ lcm tui report.outline.md                 reopen an exported outline`,
    )
    .action(action(runTuiCommand));
}

async function runTuiCommand(file: string | undefined, flags: TuiFlags, command: Command): Promise<void> {
  const extra = command.args.slice(1);
  if (file === undefined) {
    command.parent?.outputHelp();
    return;
  }
  if (extra.length > 0 || (!existsSync(file) && /^[a-z][a-z-]*$/.test(file))) {
    // `lcm outlin x` lands here as the default command: say what the user most likely meant.
    const names = (command.parent?.commands ?? []).map((c) => c.name()).filter((n) => n !== "tui");
    const near = names.filter((n) => closeTo(file, n));
    if (!existsSync(file)) {
      throw new UsageError(
        `unknown command or file '${file.slice(0, 40)}'${near.length > 0 ? `; did you mean 'lcm ${near[0]}'?` : " (run lcm --help)"}`,
      );
    }
    throw new UsageError(`the editor opens one file; got ${extra.length + 1}`);
  }
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const { runTui } = await import("../tui/run-tui.js");
  await runTui({
    file,
    format: flags.markdown ? "markdown" : flags.plain ? "plain" : undefined,
    outputLang: flags.lang,
    sourceLang: flags.sourceLang,
    maxChars: flags.maxChars,
    fresh: flags.fresh,
    models: flags.models,
    codec: flags.codec,
    lcm: flags.lcm,
    threads: flags.threads,
    cache: flags.cache,
  });
}

function closeTo(a: string, b: string): boolean {
  return b.startsWith(a) || a.startsWith(b) || editDistance(a, b) <= 2;
}

function parseLang(name: string) {
  return (value: string): string => {
    if (!isFloresCode(value)) throw new UsageError(`${name} must be ${FLORES_CODE_MUST_BE}, got '${value}'`);
    return value;
  };
}
