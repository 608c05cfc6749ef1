/** The one list of subcommands. Each module exports a `register(program)` function. */
import type { Command } from "commander";
import { registerDecode } from "./decode.js";
import { registerEncode } from "./encode.js";
import { registerEval } from "./eval.js";
import { registerModels } from "./models.js";
import { registerOutline } from "./outline.js";
import { registerServe } from "./serve.js";

export function registerCommands(program: Command): void {
  registerOutline(program);
  registerEval(program);
  registerEncode(program);
  registerDecode(program);
  registerModels(program);
  registerServe(program);
}
