/**
 * A read-only trie over the UTF-16 code units of the vocabulary's text pieces, laid out flat in
 * typed arrays (children of a node are contiguous and sorted; the root's children are a direct
 * 64k table). Walking it finds every piece that starts at a position without building substrings,
 * which is what makes lattice construction and BPE pair lookups cheap even for a 256k vocabulary.
 */
export class PieceTrie {
  /** Piece id ending at each node, -1 where none does. */
  private readonly idAt: Int32Array;
  /** Children of node n are childUnit/childNode[childFrom[n] .. childFrom[n + 1]). */
  private readonly childFrom: Int32Array;
  private readonly childUnit: Uint16Array;
  private readonly childNode: Int32Array;
  /** Child of the root for each first code unit (0 = none; the root is node 0). */
  private readonly rootChild: Int32Array;

  constructor(pieces: Iterable<[string, number]>) {
    const entries = [...pieces].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Breadth-first over ranges of sorted keys sharing a prefix: a node's children are created
    // together, so they are contiguous in the flat arrays.
    const idAt: number[] = [-1];
    const childFrom: number[] = [];
    const childUnit: number[] = [];
    const childNode: number[] = [];
    const queue: number[] = [0, 0, entries.length, 0]; // node, lo, hi, depth
    for (let head = 0; head < queue.length; head += 4) {
      const node = queue[head];
      let lo = queue[head + 1];
      const hi = queue[head + 2];
      const depth = queue[head + 3];
      childFrom[node] = childUnit.length;
      if (lo < hi && entries[lo][0].length === depth) {
        idAt[node] = entries[lo][1];
        lo++;
      }
      while (lo < hi) {
        const unit = entries[lo][0].charCodeAt(depth);
        let end = lo + 1;
        while (end < hi && entries[end][0].charCodeAt(depth) === unit) end++;
        const child = idAt.length;
        idAt.push(-1);
        childUnit.push(unit);
        childNode.push(child);
        queue.push(child, lo, end, depth + 1);
        lo = end;
      }
    }
    childFrom.push(childUnit.length);
    this.idAt = Int32Array.from(idAt);
    this.childFrom = Int32Array.from(childFrom);
    this.childUnit = Uint16Array.from(childUnit);
    this.childNode = Int32Array.from(childNode);
    this.rootChild = new Int32Array(0x10000);
    for (let e = this.childFrom[0]; e < this.childFrom[1]; e++)
      this.rootChild[this.childUnit[e]] = this.childNode[e];
  }

  /** Child of `node` along code unit `unit`, or 0 when there is none. */
  child(node: number, unit: number): number {
    if (node === 0) return this.rootChild[unit];
    let lo = this.childFrom[node];
    let hi = this.childFrom[node + 1];
    const units = this.childUnit;
    // Most nodes have a handful of children: scan; binary search the wide ones.
    if (hi - lo <= 8) {
      for (; lo < hi; lo++) if (units[lo] === unit) return this.childNode[lo];
      return 0;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const u = units[mid];
      if (u === unit) return this.childNode[mid];
      if (u < unit) lo = mid + 1;
      else hi = mid;
    }
    return 0;
  }

  /** Piece id ending at `node`, or -1. */
  idAtNode(node: number): number {
    return this.idAt[node];
  }

  /** Id of the piece equal to text[start, end), or -1. */
  lookup(text: string, start: number, end: number): number {
    let node = 0;
    for (let i = start; i < end; i++) {
      node = this.child(node, text.charCodeAt(i));
      if (node === 0) return -1;
    }
    return this.idAt[node];
  }
}
