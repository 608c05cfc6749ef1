/**
 * Commander options made from the request fields (src/requests/fields.ts): the flag's spelling, help,
 * choices and parser come from the field, so a flag accepts exactly what the server and the library
 * accept and refuses the rest with the same words ("--steps must be a whole number in 1..10000, got
 * '0'"). A command only says which fields it offers, in the order its --help lists them.
 */
import { Option } from "commander";
import { PAPER_DEFAULTS } from "../lcm/spec.js";
import { type BooleanField, type Field, mustBe, parseFieldText } from "../requests/fields.js";
import { UsageError } from "../util/errors.js";

export interface FieldOptionOverrides {
  /** Another help line than the field's (the same flag reads differently in another command). */
  help?: string;
  /** A default value, shown in --help as commander does. */
  default?: unknown;
}

/** The field's flag as a commander Option (for a boolean field, the positive flag). */
export function fieldOption(field: Field, overrides: FieldOptionOverrides = {}): Option {
  if (!field.flag) throw new Error(`${field.key} has no command-line flag`);
  const option = new Option(field.flag, overrides.help ?? helpOf(field));
  if (field.kind === "boolean") return option;
  if (field.kind === "enum") {
    option.choices(field.choices);
    if (field.flagDefault !== undefined) option.default(field.flagDefault);
  } else {
    option.argParser(flagParser(field));
  }
  if (overrides.default !== undefined) option.default(overrides.default);
  return option;
}

/** A boolean field's --no- flag. */
export function negatedFieldOption(field: BooleanField): Option {
  if (!field.negation) throw new Error(`${field.key} has no --no- flag`);
  return new Option(field.negation.flag, field.negation.help);
}

/** Parses a flag's text as the field's type; a UsageError in the shared words otherwise. */
export function flagParser(field: Field): (text: string) => number {
  const name = longFlag(field);
  return (text: string) => {
    const value = parseFieldText(field, text);
    if (value === undefined) throw new UsageError(`${name} must be ${mustBe(field)}, got '${text}'`);
    return value as number;
  };
}

function helpOf(field: Field): string {
  const help = field.help ?? "";
  return typeof help === "function" ? help(PAPER_DEFAULTS) : help;
}

/** "--max-concepts" from "-n, --max-concepts <n>". */
function longFlag(field: Field): string {
  return /--[a-z][a-z-]*/.exec(field.flag ?? "")?.[0] ?? field.key;
}
