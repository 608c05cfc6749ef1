/**
 * A read-only trie over the UTF-16 code units of the vocabulary's text pieces. Walking it finds
 * every piece that starts at a position without building substrings, which is what makes lattice
 * construction and BPE pair lookups cheap.
 *
 * Layout, chosen so that a 256k-piece vocabulary builds in one pass without sorting: the root's
 * children are a direct 64k table; every other edge (node, code unit) -> child lives in one
 * open-addressing hash table of typed arrays.
 */
const EMPTY = -1;

export class PieceTrie {
  /** Piece id ending at each node, -1 where none does. */
  private idAt: Int32Array;
  private nodeCount = 1;
  /** Child of the root for each first code unit (0 = none; the root is node 0). */
  private readonly rootChild = new Int32Array(0x10000);
  private keyNode: Int32Array;
  private keyUnit: Uint16Array;
  private child: Int32Array;
  private mask: number;
  private edges = 0;

  constructor(pieces: Iterable<[string, number]>) {
    const list = [...pieces];
    let units = 0;
    for (const [piece] of list) units += piece.length;
    this.idAt = new Int32Array(units + 1).fill(-1);
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(16, list.length * 2)));
    this.mask = capacity - 1;
    this.keyNode = new Int32Array(capacity).fill(EMPTY);
    this.keyUnit = new Uint16Array(capacity);
    this.child = new Int32Array(capacity);
    for (const [piece, id] of list) this.insert(piece, id);
    this.idAt = this.idAt.slice(0, this.nodeCount);
  }

  /** Child of `node` along code unit `unit`, or 0 when there is none. */
  next(node: number, unit: number): number {
    if (node === 0) return this.rootChild[unit];
    const keyNode = this.keyNode;
    const mask = this.mask;
    let h = slot(node, unit, mask);
    for (;;) {
      const k = keyNode[h];
      if (k === EMPTY) return 0;
      if (k === node && this.keyUnit[h] === unit) return this.child[h];
      h = (h + 1) & mask;
    }
  }

  /** Piece id ending at `node`, or -1. */
  idAtNode(node: number): number {
    return this.idAt[node];
  }

  /** Id of the piece equal to text[start, end), or -1. */
  lookup(text: string, start: number, end: number): number {
    let node = 0;
    for (let i = start; i < end; i++) {
      node = this.next(node, text.charCodeAt(i));
      if (node === 0) return -1;
    }
    return this.idAt[node];
  }

  private insert(piece: string, id: number): void {
    let node = 0;
    for (let i = 0; i < piece.length; i++) {
      const unit = piece.charCodeAt(i);
      let child = this.next(node, unit);
      if (child === 0) {
        child = this.nodeCount++;
        if (node === 0) this.rootChild[unit] = child;
        else this.addEdge(node, unit, child);
      }
      node = child;
    }
    this.idAt[node] = id;
  }

  private addEdge(node: number, unit: number, child: number): void {
    if ((this.edges + 1) * 2 > this.keyNode.length) this.grow();
    const mask = this.mask;
    let h = slot(node, unit, mask);
    while (this.keyNode[h] !== EMPTY) h = (h + 1) & mask;
    this.keyNode[h] = node;
    this.keyUnit[h] = unit;
    this.child[h] = child;
    this.edges++;
  }

  private grow(): void {
    const [oldNode, oldUnit, oldChild] = [this.keyNode, this.keyUnit, this.child];
    const capacity = oldNode.length * 2;
    this.mask = capacity - 1;
    this.keyNode = new Int32Array(capacity).fill(EMPTY);
    this.keyUnit = new Uint16Array(capacity);
    this.child = new Int32Array(capacity);
    this.edges = 0;
    for (let h = 0; h < oldNode.length; h++) {
      if (oldNode[h] !== EMPTY) this.addEdge(oldNode[h], oldUnit[h], oldChild[h]);
    }
  }
}

function slot(node: number, unit: number, mask: number): number {
  const x = Math.imul(node, 0x9e3779b1) ^ Math.imul(unit, 0x85ebca6b);
  return (x ^ (x >>> 15)) & mask;
}
