import type { Command } from "commander";

// Interim registration; the planner work replaces this with the real command.
export function registerOutline(_program: Command): void {}
