/**
 * Edit distance and "did you mean": the one implementation behind every answer to a misspelt name
 * (template names, the TUI's key-binding commands, `lcm` subcommands, language codes). Before it
 * lived here it was written four times, each a little different.
 */

/** Levenshtein distance between `a` and `b` (insert, delete and substitute cost 1), by UTF-16 unit. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

export interface ClosestOptions {
  /** At most this many names (default: all that are close enough). */
  limit?: number;
  /** The largest distance still offered (default: one edit per three letters of the input, at least 2). */
  maxDistance?: number;
}

/**
 * The names in `known` close to `name`, compared case-insensitively, closest first (ties keep the
 * order of `known`). Far-fetched names are left out, so the list can be empty.
 */
export function closestNames(name: string, known: Iterable<string>, options: ClosestOptions = {}): string[] {
  const target = name.toLowerCase();
  const budget = options.maxDistance ?? Math.max(2, Math.floor(target.length / 3));
  return [...known]
    .map((candidate) => ({ candidate, d: editDistance(target, candidate.toLowerCase()) }))
    .filter((c) => c.d <= budget)
    .sort((a, b) => a.d - b.d)
    .slice(0, options.limit)
    .map((c) => c.candidate);
}

/** "; did you mean A, B?" for the (already quoted or described) suggestions; "" for none. */
export function didYouMean(suggestions: readonly string[], separator = ", "): string {
  return suggestions.length > 0 ? `; did you mean ${suggestions.join(separator)}?` : "";
}
