/**
 * Longest-prefix matcher for user-defined symbols (e.g. language tags `__eng_Latn__`). SentencePiece
 * matches them on the raw input before normalization (so they are never rewritten) and, in BPE,
 * keeps them as frozen symbols that never merge.
 */
export class SymbolMatcher {
  /** Symbols grouped by their first UTF-16 code unit, longest first. */
  private readonly byFirstUnit = new Map<number, string[]>();
  /** 1 where some symbol starts with this code unit: a cheap "no symbol here" test per character. */
  private readonly firstUnits = new Uint8Array(0x10000);

  constructor(symbols: Iterable<string>) {
    for (const symbol of symbols) {
      if (symbol.length === 0) continue;
      const first = symbol.charCodeAt(0);
      this.firstUnits[first] = 1;
      const list = this.byFirstUnit.get(first);
      if (list) list.push(symbol);
      else this.byFirstUnit.set(first, [symbol]);
    }
    for (const list of this.byFirstUnit.values()) list.sort((a, b) => b.length - a.length);
  }

  get isEmpty(): boolean {
    return this.byFirstUnit.size === 0;
  }

  /** Length in code units of the longest symbol starting at `pos`, or 0 when none does. */
  match(text: string, pos: number): number {
    const first = text.charCodeAt(pos);
    if (this.firstUnits[first] === 0) return 0;
    const list = this.byFirstUnit.get(first);
    if (list === undefined) return 0;
    for (const symbol of list) {
      if (text.startsWith(symbol, pos)) return symbol.length;
    }
    return 0;
  }
}
