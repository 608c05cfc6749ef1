/**
 * Reader for a Darts-clone double-array trie, the structure SentencePiece stores inside a
 * normalizer's precompiled charsmap. Each 32-bit unit packs a label, a has-leaf flag and the XOR
 * offset to its children; a leaf unit holds the value (here: an offset into the normalized-strings
 * blob). Keys are UTF-8 bytes.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function hasLeaf(unit: number): boolean {
  return ((unit >>> 8) & 1) === 1;
}

function leafValue(unit: number): number {
  return unit & 0x7fffffff;
}

function label(unit: number): number {
  return unit & (0x80000000 | 0xff);
}

function offset(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}

export class DoubleArray {
  constructor(private readonly units: Uint32Array) {}

  /** Units as stored on disk: little-endian uint32. */
  static fromBytes(bytes: Uint8Array): DoubleArray {
    if (bytes.length % 4 !== 0) throw new Error("double-array size is not a multiple of 4 bytes");
    if (LITTLE_ENDIAN) {
      // One copy (also aligns the data), no per-unit decoding.
      const copy = new Uint8Array(bytes); // a copy with its own aligned buffer (Buffer.slice would be a view)
      return new DoubleArray(new Uint32Array(copy.buffer, copy.byteOffset, copy.length / 4));
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const units = new Uint32Array(bytes.length / 4);
    for (let i = 0; i < units.length; i++) units[i] = view.getUint32(i * 4, true);
    return new DoubleArray(units);
  }

  /** Where every walk starts. */
  root(): number {
    return offset(this.units[0]);
  }

  /**
   * Follows one byte from `node` (root() or a previous step's node). Returns -1 when no key
   * continues with this byte; otherwise the next node shifted left by one, with the low bit set
   * when a key ends here (read its value with valueAt(next >> 1)).
   */
  step(node: number, byte: number): number {
    const pos = node ^ byte;
    if (pos >= this.units.length) return -1;
    const unit = this.units[pos];
    if (label(unit) !== byte) return -1;
    const next = pos ^ offset(unit);
    return next * 2 + (hasLeaf(unit) ? 1 : 0);
  }

  /** Value of the key ending at `node`; only meaningful when step() flagged a key end. */
  valueAt(node: number): number {
    return leafValue(this.units[node]);
  }

  /**
   * Walks `bytes[start..end)` from the root and calls `onMatch(length, value)` for every key that is
   * a prefix of it (shortest first), like Darts' commonPrefixSearch.
   */
  commonPrefixSearch(
    bytes: ArrayLike<number>,
    start: number,
    end: number,
    onMatch: (length: number, value: number) => void,
  ): void {
    const units = this.units;
    let node = offset(units[0]);
    for (let i = start; i < end; i++) {
      const byte = bytes[i];
      node ^= byte;
      if (node >= units.length) return;
      const unit = units[node];
      if (label(unit) !== byte) return;
      node ^= offset(unit);
      if (hasLeaf(unit)) onMatch(i - start + 1, leafValue(units[node]));
    }
  }
}
