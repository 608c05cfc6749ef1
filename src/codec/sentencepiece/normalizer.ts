/**
 * SentencePiece's text normalizer, reimplemented to give byte-identical output:
 *
 * 1. At each position, a user-defined symbol (longest match) passes through untouched; otherwise
 *    the longest key of the precompiled charsmap that prefixes the rest of the input is replaced by
 *    its normalized string (this is how nmt_nfkc applies NFKC plus its extra rules); otherwise one
 *    character is copied.
 * 2. Whitespace: leading spaces are dropped, runs of spaces collapse to one and trailing spaces go
 *    (remove_extra_whitespaces), a dummy space is put in front (add_dummy_prefix), and spaces
 *    become U+2581 "▁" (escape_whitespaces).
 *
 * The charsmap is a Darts double-array over UTF-8 bytes; we walk it with the UTF-8 bytes of the JS
 * string's code points, so no byte buffer is built. A per-character table remembers which
 * characters cannot start any charsmap key, which makes ordinary text a straight copy.
 */
import { DoubleArray } from "./double-array.js";
import type { NormalizerSpec } from "./model-proto.js";
import type { SymbolMatcher } from "./symbol-matcher.js";

export const SPACE_SYMBOL = "\u2581";

/** Marks a BMP character whose walk state is not computed yet. */
const UNKNOWN = -2;
/** Marks a character that starts no charsmap key. */
const NO_KEY = -1;

export interface NormalizerOptions {
  /** TrainerSpec.treat_whitespace_as_suffix: the dummy space goes at the end instead. */
  treatWhitespaceAsSuffix?: boolean;
  /** User-defined symbols, copied through without normalization. */
  userSymbols?: SymbolMatcher;
}

export class Normalizer {
  private readonly trie: DoubleArray | null;
  private readonly blob: Uint8Array;
  private readonly replacements = new Map<number, string>();
  /**
   * For BMP characters: the trie state after the character's bytes, NO_KEY, or UNKNOWN.
   * States are step() results (node * 2 + ends-a-key flag).
   */
  private readonly firstStep: Int32Array;
  private readonly addDummyPrefix: boolean;
  private readonly removeExtraWhitespaces: boolean;
  private readonly escapeWhitespaces: boolean;
  private readonly suffix: boolean;
  private readonly userSymbols: SymbolMatcher | null;
  private readonly ws: string;

  constructor(spec: NormalizerSpec, options: NormalizerOptions = {}) {
    this.addDummyPrefix = spec.addDummyPrefix;
    this.removeExtraWhitespaces = spec.removeExtraWhitespaces;
    this.escapeWhitespaces = spec.escapeWhitespaces;
    this.suffix = options.treatWhitespaceAsSuffix ?? false;
    this.userSymbols = options.userSymbols && !options.userSymbols.isEmpty ? options.userSymbols : null;
    this.ws = this.escapeWhitespaces ? SPACE_SYMBOL : " ";
    const charsmap = spec.precompiledCharsmap;
    if (charsmap.length > 0) {
      // <trie size: uint32 LE><double-array units><NUL-terminated normalized strings>
      if (charsmap.length <= 4) throw new Error("precompiled charsmap is truncated");
      const trieSize = new DataView(charsmap.buffer, charsmap.byteOffset, 4).getUint32(0, true);
      if (trieSize >= charsmap.length) throw new Error("precompiled charsmap trie size exceeds the blob");
      this.trie = DoubleArray.fromBytes(charsmap.subarray(4, 4 + trieSize));
      this.blob = charsmap.subarray(4 + trieSize);
    } else {
      this.trie = null;
      this.blob = new Uint8Array(0);
    }
    this.firstStep = new Int32Array(this.trie ? 0x10000 : 0).fill(UNKNOWN);
  }

  /** Normalizes one sentence exactly as SentencePieceProcessor::Normalize does. */
  normalize(input: string): string {
    const len = input.length;
    if (len === 0) return "";
    let pos = 0;
    // The prefix step reports its result through these two fields to avoid allocating.
    if (this.removeExtraWhitespaces) {
      while (pos < len) {
        const consumed = this.prefix(input, pos);
        if (this.stepOutput !== " ") break;
        pos += consumed;
      }
    }
    if (pos === len) return "";

    const ws = this.ws;
    let out = !this.suffix && this.addDummyPrefix ? ws : "";
    let isPrevSpace = this.removeExtraWhitespaces;
    const table = this.firstStep;
    const hasTrie = this.trie !== null;
    const symbols = this.userSymbols;
    let runStart = pos; // start of a run of characters copied unchanged (never spaces)
    // A plain space (no charsmap key or user symbol starts with it) needs no trie walk.
    const plainSpace =
      (!hasTrie || this.stateAfter(0x20) === NO_KEY) && (symbols === null || symbols.match(" ", 0) === 0);
    while (pos < len) {
      const unit = input.charCodeAt(pos);
      if ((unit < 0xd800 || unit > 0xdfff) && (symbols === null || symbols.match(input, pos) === 0)) {
        if (unit === 0x20) {
          if (plainSpace) {
            if (runStart < pos) out += input.slice(runStart, pos);
            if (!isPrevSpace) out += ws;
            isPrevSpace = this.removeExtraWhitespaces;
            runStart = ++pos;
            continue;
          }
        } else {
          // Fast path: a character that starts no charsmap key, or starts one only together with
          // a next character that does not follow, is copied as is (as part of a run).
          const state = hasTrie ? (table[unit] === UNKNOWN ? this.stateAfter(unit) : table[unit]) : NO_KEY;
          if (state === NO_KEY || ((state & 1) === 0 && !this.continues(state, input, pos + 1))) {
            pos++;
            isPrevSpace = false;
            continue;
          }
        }
      }
      if (runStart < pos) out += input.slice(runStart, pos);
      const consumed = this.prefix(input, pos);
      let sp = this.stepOutput;
      if (isPrevSpace) {
        let k = 0;
        while (k < sp.length && sp.charCodeAt(k) === 0x20) k++;
        if (k > 0) sp = sp.slice(k);
      }
      if (sp.length > 0) {
        out += this.escapeWhitespaces && sp.includes(" ") ? sp.replaceAll(" ", SPACE_SYMBOL) : sp;
        isPrevSpace = sp.charCodeAt(sp.length - 1) === 0x20;
      }
      pos += consumed;
      runStart = pos;
      if (!this.removeExtraWhitespaces) isPrevSpace = false;
    }
    if (runStart < pos) out += input.slice(runStart, pos);

    if (this.removeExtraWhitespaces) {
      let end = out.length;
      while (end >= ws.length && out.endsWith(ws, end)) end -= ws.length;
      if (end < out.length) out = out.slice(0, end);
    }
    if (this.suffix && this.addDummyPrefix) out += ws;
    return out;
  }

  /** Output of the last prefix() call. */
  private stepOutput = "";

  /**
   * Normalizes the longest rule at `pos`: sets stepOutput and returns how many code units of the
   * input it consumed (SentencePiece's Normalizer::NormalizePrefix).
   */
  private prefix(input: string, pos: number): number {
    if (this.userSymbols !== null) {
      const n = this.userSymbols.match(input, pos);
      if (n > 0) {
        this.stepOutput = input.slice(pos, pos + n);
        return n;
      }
    }
    const unit = input.charCodeAt(pos);
    const isPair =
      unit >= 0xd800 && unit <= 0xdbff && pos + 1 < input.length && isLowSurrogate(input.charCodeAt(pos + 1));
    if (this.trie !== null) {
      const matchLength = this.longestKey(input, pos);
      if (matchLength > 0) return matchLength;
    }
    if (unit >= 0xd800 && unit <= 0xdfff && !isPair) {
      // A lone surrogate cannot be UTF-8; SentencePiece replaces malformed bytes with U+FFFD.
      this.stepOutput = "\ufffd";
      return 1;
    }
    const n = isPair ? 2 : 1;
    this.stepOutput = input.slice(pos, pos + n);
    return n;
  }

  /**
   * Walks the charsmap with the code points from `pos`; on a match sets stepOutput to the
   * replacement of the longest key and returns its length in code units, else returns 0.
   */
  private longestKey(input: string, pos: number): number {
    const trie = this.trie!;
    let bestLength = 0;
    let bestValue = 0;
    let state = -1;
    let i = pos;
    const first = input.charCodeAt(pos);
    if (first < 0xd800 || first > 0xdfff) {
      state = this.firstStep[first] === UNKNOWN ? this.stateAfter(first) : this.firstStep[first];
      if (state === NO_KEY) return 0;
      i = pos + 1;
      if ((state & 1) === 1) {
        bestLength = 1;
        bestValue = trie.valueAt(state >>> 1);
      }
    } else {
      state = trie.root() * 2;
    }
    const len = input.length;
    while (i < len) {
      let cp = input.charCodeAt(i);
      let units = 1;
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < len && isLowSurrogate(input.charCodeAt(i + 1))) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (input.charCodeAt(i + 1) - 0xdc00);
        units = 2;
      } else if (cp >= 0xd800 && cp <= 0xdfff) {
        break; // a lone surrogate has no UTF-8 form, so no key can continue through it
      }
      state = this.stepCodePoint(state >>> 1, cp);
      if (state < 0) break;
      i += units;
      if ((state & 1) === 1) {
        bestLength = i - pos;
        bestValue = trie.valueAt(state >>> 1);
      }
    }
    if (bestLength === 0) return 0;
    this.stepOutput = this.replacement(bestValue);
    return bestLength;
  }

  /** Feeds the UTF-8 bytes of `cp` to the trie from `node`; returns the step() state or -1. */
  private stepCodePoint(node: number, cp: number): number {
    const trie = this.trie!;
    if (cp < 0x80) return trie.step(node, cp);
    let state: number;
    if (cp < 0x800) {
      state = trie.step(node, 0xc0 | (cp >> 6));
    } else if (cp < 0x10000) {
      state = trie.step(node, 0xe0 | (cp >> 12));
      if (state < 0) return -1;
      state = trie.step(state >>> 1, 0x80 | ((cp >> 6) & 0x3f));
    } else {
      state = trie.step(node, 0xf0 | (cp >> 18));
      if (state < 0) return -1;
      state = trie.step(state >>> 1, 0x80 | ((cp >> 12) & 0x3f));
      if (state < 0) return -1;
      state = trie.step(state >>> 1, 0x80 | ((cp >> 6) & 0x3f));
    }
    if (state < 0) return -1;
    return trie.step(state >>> 1, 0x80 | (cp & 0x3f));
  }

  /** Whether the key walk in `state` goes on with the code point at `pos`. */
  private continues(state: number, input: string, pos: number): boolean {
    if (pos >= input.length) return false;
    let cp = input.charCodeAt(pos);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      if (cp > 0xdbff || pos + 1 >= input.length || !isLowSurrogate(input.charCodeAt(pos + 1))) return false;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (input.charCodeAt(pos + 1) - 0xdc00);
    }
    return this.stepCodePoint(state >>> 1, cp) >= 0;
  }

  /** Trie state after a BMP character (memoized in firstStep). */
  private stateAfter(unit: number): number {
    const state = this.stepCodePoint(this.trie!.root(), unit);
    const value = state < 0 ? NO_KEY : state;
    this.firstStep[unit] = value;
    return value;
  }

  /** The NUL-terminated normalized string at `offset` in the blob (decoded once, then cached). */
  private replacement(offset: number): string {
    let text = this.replacements.get(offset);
    if (text === undefined) {
      let end = offset;
      while (end < this.blob.length && this.blob[end] !== 0) end++;
      text = decodeUtf8(this.blob.subarray(offset, end));
      this.replacements.set(offset, text);
    }
    return text;
  }
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

const utf8 = new TextDecoder("utf-8");

function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
