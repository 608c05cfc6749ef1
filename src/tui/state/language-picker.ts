/**
 * The output-language picker: the model's languages filtered by what the user types. A query matches
 * a FLORES code ("fra", "fra_latn"), an English name or part of one ("french", "chin"), or an alias
 * the language table knows ("fr", "farsi"); exact and prefix matches come first.
 */
import { codeForAlias, languageName } from "../../languages/languages.js";
import { foldForSearch } from "./search.js";

export interface LanguageChoice {
  readonly code: string;
  readonly name: string;
}

const cache = new Map<readonly string[], LanguageChoice[]>();

function choicesOf(codes: readonly string[]): LanguageChoice[] {
  let list = cache.get(codes);
  if (!list) {
    list = codes.map((code) => ({ code, name: languageName(code) ?? code }));
    cache.set(codes, list);
  }
  return list;
}

export function filterLanguages(query: string, codes: readonly string[]): LanguageChoice[] {
  const all = choicesOf(codes);
  const q = foldForSearch(query.trim()).replace(/-/g, "_");
  if (q === "") return all;
  const alias = codeForAlias(query.trim());
  const scored: { choice: LanguageChoice; score: number; order: number }[] = [];
  all.forEach((choice, order) => {
    const code = choice.code.toLowerCase();
    const name = foldForSearch(choice.name);
    let score = -1;
    if (code === q || alias === choice.code) score = 0;
    else if (code.startsWith(q)) score = 1;
    else if (name.startsWith(q)) score = 2;
    else if (name.split(/[\s(),-]+/).some((word) => word.startsWith(q))) score = 3;
    else if (name.includes(q) || code.includes(q)) score = 4;
    if (score >= 0) scored.push({ choice, score, order });
  });
  return scored.sort((a, b) => a.score - b.score || a.order - b.order).map((s) => s.choice);
}
