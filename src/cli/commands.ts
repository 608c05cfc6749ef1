/** The one list of subcommands. Each module exports a `register(program)` function. */
import type { Command } from "commander";
import { registerOutline } from "./outline.js";

export function registerCommands(program: Command): void {
  registerOutline(program);
}
