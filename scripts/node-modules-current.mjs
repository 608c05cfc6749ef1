#!/usr/bin/env node
// Exit 0 when node_modules holds exactly what package-lock.json pins (so `npm ci` can be skipped),
// 1 when it is missing or out of date. npm records what it installed in node_modules/.package-lock.json;
// every entry there must equal the lock's, every non-optional lock entry must be installed (optional
// ones are the other platforms' binaries), and every recorded package must still be on disk.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2] ?? process.cwd();

function read(path) {
  try {
    return JSON.parse(readFileSync(join(root, path), "utf8")).packages ?? {};
  } catch {
    return null;
  }
}

function current() {
  const locked = read("package-lock.json");
  const installed = read("node_modules/.package-lock.json");
  if (!locked || !installed) return false;
  for (const [path, entry] of Object.entries(installed)) {
    if (JSON.stringify(entry) !== JSON.stringify(locked[path])) return false;
    if (!existsSync(join(root, path, "package.json"))) return false;
  }
  return Object.entries(locked).every(([path, entry]) => path === "" || entry.optional || path in installed);
}

process.exit(current() ? 0 : 1);
