/** The one list of subcommands. Each module exports a `register(program)` function. */
import type { Command } from "commander";
import { registerDecode } from "./decode.js";
import { registerEncode } from "./encode.js";
import { registerEval } from "./eval.js";
import { registerExpand } from "./expand.js";
import { registerModels } from "./models.js";
import { registerOutline } from "./outline.js";
import { registerServe } from "./serve.js";
import { registerSummarize } from "./summarize.js";
import { registerTemplates } from "./templates.js";
import { registerTui } from "./tui.js";

export function registerCommands(program: Command): void {
  registerOutline(program);
  registerSummarize(program);
  registerExpand(program);
  registerTemplates(program);
  registerEval(program);
  registerEncode(program);
  registerDecode(program);
  registerModels(program);
  registerServe(program);
  registerTui(program);
}
