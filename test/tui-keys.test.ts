/**
 * Key bindings: the command table, key specs, user overrides from keys.json (and their error
 * messages), and how Ink's key events become key names.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helpLines } from "../src/tui/help-lines.js";
import { keyPressesFromInk, keyPressFromInk, NO_KEY } from "../src/tui/key-press.js";
import {
  buildKeymap,
  COMMAND_IDS,
  COMMANDS,
  commandFor,
  DEFAULT_KEYMAP,
  formatKey,
  normalizeKeySpec,
} from "../src/tui/keymap.js";
import { keysConfigPath, loadKeymap, parseKeysConfig } from "../src/tui/keys-config.js";

describe("the command table", () => {
  it("gives every command a description and at least one key, with no key used twice", () => {
    const seen = new Map<string, string>();
    for (const id of COMMAND_IDS) {
      expect(COMMANDS[id].description.length).toBeGreaterThan(3);
      expect(COMMANDS[id].keys.length).toBeGreaterThan(0);
      for (const key of COMMANDS[id].keys) {
        const k = normalizeKeySpec(key);
        expect(seen.get(k), `${k} is bound to ${seen.get(k)} and ${id}`).toBeUndefined();
        seen.set(k, id);
      }
    }
    expect(commandFor(DEFAULT_KEYMAP, "j")).toBe("down");
    expect(commandFor(DEFAULT_KEYMAP, "ctrl+z")).toBe("undo");
  });

  it("the help screen lists every command with its keys", () => {
    const lines = helpLines(DEFAULT_KEYMAP);
    const entries = lines.filter((l) => l.kind === "entry");
    for (const id of COMMAND_IDS) expect(entries.some((e) => e.text === COMMANDS[id].description)).toBe(true);
    expect(entries.find((e) => e.text === "undo")?.keys).toBe("u Ctrl+Z");
  });
});

describe("key specs", () => {
  it("normalizes spellings", () => {
    expect(normalizeKeySpec("Ctrl+Z")).toBe("ctrl+z");
    expect(normalizeKeySpec("control+shift+tab")).toBe("ctrl+shift+tab");
    expect(normalizeKeySpec("shift+g")).toBe("G");
    expect(normalizeKeySpec("Escape")).toBe("esc");
    expect(normalizeKeySpec("PgDn")).toBe("pagedown");
    expect(normalizeKeySpec("meta+up")).toBe("alt+up");
    expect(normalizeKeySpec("+")).toBe("+");
    expect(normalizeKeySpec("ctrl++")).toBe("ctrl++");
    expect(formatKey("ctrl+z")).toBe("Ctrl+Z");
    expect(formatKey("pagedown")).toBe("PgDn");
  });

  it("rejects what is not a key", () => {
    expect(() => normalizeKeySpec("hyper+x")).toThrow(/unknown modifier 'hyper'/);
    expect(() => normalizeKeySpec("pagedwn")).toThrow(/unknown key 'pagedwn'/);
    expect(() => normalizeKeySpec("shift+?")).toThrow(/write the shifted character/);
    expect(() => normalizeKeySpec("")).toThrow(/non-empty/);
  });
});

describe("keys.json", () => {
  it("replaces a command's keys, taking them from defaults of other commands", () => {
    const keymap = buildKeymap(parseKeysConfig('{"summarize": "S", "delete": ["x", "Ctrl+D"]}'));
    expect(keymap.keysOf.summarize).toEqual(["S"]);
    expect(commandFor(keymap, "s")).toBeUndefined();
    expect(commandFor(keymap, "x")).toBe("delete");
    expect(keymap.keysOf.extend).toEqual([]); // its only key went to delete
    expect(commandFor(keymap, "ctrl+d")).toBe("delete");
  });

  it("explains a broken file in one line", () => {
    expect(() => parseKeysConfig("{nope")).toThrow(/not valid JSON/);
    expect(() => parseKeysConfig('["s"]')).toThrow(/expected an object of command -> keys/);
    expect(() => parseKeysConfig('{"sumarize": "S"}')).toThrow(
      "unknown command 'sumarize'; did you mean 'summarize'?",
    );
    expect(() => parseKeysConfig('{"undo": 5}')).toThrow(/'undo': expected a key or a list of keys/);
    expect(() => parseKeysConfig('{"undo": "ctrl+zz"}')).toThrow(/'undo': 'ctrl\+zz': unknown key 'zz'/);
    expect(() => buildKeymap(parseKeysConfig('{"undo": "U", "redo": "U"}'))).toThrow(
      "key 'U' is bound to both 'undo' and 'redo'",
    );
    expect(() => buildKeymap(parseKeysConfig('{"quit": "ctrl+c"}'))).toThrow(/reserved/);
  });

  it("loads from $XDG_CONFIG_HOME/lcm/keys.json, naming the file in errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-keys-"));
    const path = keysConfigPath({ XDG_CONFIG_HOME: dir });
    expect(path).toBe(join(dir, "lcm", "keys.json"));
    expect(await loadKeymap(path)).toEqual(DEFAULT_KEYMAP);
    const file = join(dir, "keys.json");
    writeFileSync(file, '{"help": "h"}');
    const keymap = await loadKeymap(file);
    expect(commandFor(keymap, "h")).toBe("help");
    expect(keymap.keysOf.collapse).toEqual(["left"]);
    writeFileSync(file, '{"hepl": "h"}');
    await expect(loadKeymap(file)).rejects.toThrow(`${file}: unknown command 'hepl'; did you mean 'help'?`);
  });
});

describe("Ink key events", () => {
  it("become key names and text", () => {
    expect(keyPressFromInk("j", NO_KEY)).toEqual({ name: "j", text: "j" });
    expect(keyPressFromInk("G", { ...NO_KEY, shift: true })).toEqual({ name: "G", text: "G" });
    expect(keyPressFromInk("z", { ...NO_KEY, ctrl: true })).toEqual({ name: "ctrl+z", text: "" });
    expect(keyPressFromInk("", { ...NO_KEY, upArrow: true, meta: true })).toEqual({
      name: "alt+up",
      text: "",
    });
    expect(keyPressFromInk("", { ...NO_KEY, escape: true, meta: true })).toEqual({ name: "esc", text: "" });
    expect(keyPressFromInk("", { ...NO_KEY, delete: true })).toEqual({ name: "backspace", text: "" });
    expect(keyPressFromInk("", { ...NO_KEY, tab: true, shift: true })).toEqual({
      name: "shift+tab",
      text: "",
    });
    expect(keyPressFromInk(" ", NO_KEY)).toEqual({ name: "space", text: " " });
    expect(keyPressFromInk("日本", NO_KEY)).toEqual({ name: "paste", text: "日本" });
  });
});

describe("one terminal read holding several control keys", () => {
  it("is one key per character: two Backspaces, two Ctrl+R, Enter then Tab", () => {
    const names = (input: string) => keyPressesFromInk(input, NO_KEY).map((k) => k.name);
    expect(names("\x7f\x7f")).toEqual(["backspace", "backspace"]);
    expect(names("\b\b")).toEqual(["backspace", "backspace"]);
    expect(names("\x12\x12")).toEqual(["ctrl+r", "ctrl+r"]);
    expect(names("\r\t")).toEqual(["enter", "tab"]);
    // Text stays one paste; a single key stays one key.
    expect(names("ab")).toEqual(["paste"]);
    expect(keyPressesFromInk("", { ...NO_KEY, delete: true }).map((k) => k.name)).toEqual(["backspace"]);
  });
});
