/**
 * Reading a method's params with one clear -32602 line per bad field ("params.maxConcepts must be a
 * whole number in 1..10000, got 0"); the request fields' bounds and words are src/requests/fields.ts,
 * the CLI's and the library's too. Unknown fields are ignored, so clients may send more than a method
 * reads (`_meta`, `workDoneToken`, fields of a newer protocol version).
 */
import { type Field, type FieldValue, isValid, mustBe } from "../requests/fields.js";
import { ErrorCode, RpcError } from "./json-rpc.js";

export function invalidParams(message: string): RpcError {
  return new RpcError(ErrorCode.InvalidParams, `Invalid params: ${message}`);
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

export class Params {
  private readonly record: Record<string, unknown>;

  constructor(
    raw: unknown,
    private readonly prefix = "params",
  ) {
    if (raw === undefined || raw === null) this.record = {};
    else if (typeof raw === "object" && !Array.isArray(raw)) this.record = raw as Record<string, unknown>;
    else throw invalidParams(`${prefix} must be an object (named parameters)`);
  }

  has(name: string): boolean {
    return this.record[name] !== undefined && this.record[name] !== null;
  }

  raw(name: string): unknown {
    return this.record[name];
  }

  string(name: string): string {
    const value = this.record[name];
    if (typeof value !== "string")
      throw invalidParams(`${this.prefix}.${name} must be a string, got ${show(value)}`);
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  /** A non-empty text (documents, outlines). */
  text(name: string, maxChars: number): string {
    const value = this.string(name);
    if (value.trim() === "") throw invalidParams(`${this.prefix}.${name} is empty`);
    if (value.length > maxChars) {
      throw invalidParams(
        `${this.prefix}.${name} has ${value.length} characters, over the limit of ${maxChars}`,
      );
    }
    return value;
  }

  optionalEnum<T extends string>(name: string, choices: readonly T[]): T | undefined {
    if (!this.has(name)) return undefined;
    const value = this.record[name];
    if (typeof value !== "string" || !choices.includes(value as T)) {
      throw invalidParams(`${this.prefix}.${name} must be one of ${choices.join(", ")}, got ${show(value)}`);
    }
    return value as T;
  }

  optionalBoolean(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const value = this.record[name];
    if (typeof value !== "boolean")
      throw invalidParams(`${this.prefix}.${name} must be true or false, got ${show(value)}`);
    return value;
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    if (!this.has(name)) return undefined;
    const value = this.record[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw invalidParams(
        `${this.prefix}.${name} must be a whole number in ${min}..${max}, got ${show(value)}`,
      );
    }
    return value;
  }

  optionalNumber(name: string, min: number, max: number): number | undefined {
    if (!this.has(name)) return undefined;
    const value = this.record[name];
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      throw invalidParams(`${this.prefix}.${name} must be a number in [${min}, ${max}], got ${show(value)}`);
    }
    return value;
  }

  /** A request field (src/requests/fields.ts) under its param name, checked against its bounds. */
  optionalField<F extends Field>(field: F): FieldValue<F> | undefined {
    if (!this.has(field.param)) return undefined;
    const value = this.record[field.param];
    if (!isValid(field, value)) {
      throw invalidParams(`${this.prefix}.${field.param} must be ${mustBe(field)}, got ${show(value)}`);
    }
    return value as FieldValue<F>;
  }

  optionalObject(name: string): Params | undefined {
    if (!this.has(name)) return undefined;
    const value = this.record[name];
    if (typeof value !== "object" || Array.isArray(value)) {
      throw invalidParams(`${this.prefix}.${name} must be an object, got ${show(value)}`);
    }
    return new Params(value, `${this.prefix}.${name}`);
  }
}
