import { fromBase64, toBase64 } from './encoding.js';
import type { Sha256 } from './sha256-sync.js';

/**
 * An RFC 9162 compact range: the hashes of the maximal aligned subtrees that cover the leaves
 * [begin, end) of a Merkle tree (at most two per tree level). Two adjacent ranges merge into one,
 * and a range from leaf 0 gives the tree's root, so a log head can be checked against receipts
 * seen in any order, in slices audited by different jobs, or across runs (the state keeps the
 * range, not the receipts): memory is O(log n) per chain.
 */
export class CompactRange {
  private constructor(
    readonly begin: number,
    private end_: number,
    private readonly nodes: Uint8Array[],
    /** Leaves under each node (powers of two), kept beside the hashes so appending is O(1) amortized. */
    private readonly sizes: number[],
  ) {}

  get end(): number {
    return this.end_;
  }

  static empty(at: number): CompactRange {
    return new CompactRange(at, at, [], []);
  }

  /** The range of one leaf at `index` (its RFC 9162 leaf hash). */
  static leaf(index: number, hash: Uint8Array): CompactRange {
    return new CompactRange(index, index + 1, [hash], [1]);
  }

  /** `left` followed by `right` (which must start where `left` ends); neither is changed. */
  static merge(left: CompactRange, right: CompactRange, sha256: Sha256): CompactRange {
    if (left.end !== right.begin) throw new RangeError(`compact ranges [${left.begin}, ${left.end}) and [${right.begin}, ${right.end}) are not adjacent`);
    const merged = new CompactRange(left.begin, left.end, [...left.nodes], [...left.sizes]);
    for (let i = 0; i < right.nodes.length; i++) merged.pushNode(right.nodes[i]!, right.sizes[i]!, sha256);
    return merged;
  }

  /** This range with one more leaf at its end (a new range). */
  append(hash: Uint8Array, sha256: Sha256): CompactRange {
    return CompactRange.merge(this, CompactRange.leaf(this.end, hash), sha256);
  }

  /** Adds one leaf at the end of this range, in place (for a range no one else holds). */
  appendInPlace(hash: Uint8Array, sha256: Sha256): void {
    this.pushNode(hash, 1, sha256);
  }

  private pushNode(hash: Uint8Array, size: number, sha256: Sha256): void {
    const { nodes, sizes } = this;
    nodes.push(hash);
    sizes.push(size);
    this.end_ += size;
    // Siblings: two nodes of one size whose left one starts on a boundary of twice that size.
    while (sizes.length >= 2) {
      const top = sizes[sizes.length - 1]!;
      const below = sizes[sizes.length - 2]!;
      if (top !== below || (this.end_ - 2 * top) % (2 * top) !== 0) break;
      const r = nodes.pop()!;
      const l = nodes.pop()!;
      sizes.pop();
      sizes[sizes.length - 1] = 2 * top;
      nodes.push(interior(l, r, sha256));
    }
  }

  /** The RFC 9162 root of leaves [0, end); only for a range that starts at leaf 0. */
  root(sha256: Sha256): Uint8Array {
    if (this.begin !== 0) throw new RangeError('only a range from leaf 0 has a root');
    if (this.nodes.length === 0) return sha256(new Uint8Array(0));
    let acc = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = interior(this.nodes[i]!, acc, sha256);
    return acc;
  }

  toJSON(): CompactRangeJson {
    return { begin: this.begin, end: this.end, nodes: this.nodes.map(toBase64) };
  }

  /** Reads a range back; `undefined` when it is not one (wrong node count, bad hashes). */
  static fromJSON(value: unknown): CompactRange | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    const { begin, end, nodes } = value as Partial<CompactRangeJson>;
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin! < 0 || end! < begin! || !Array.isArray(nodes)) return undefined;
    if (nodes.length !== nodeSizes(begin!, end!).length) return undefined;
    const hashes: Uint8Array[] = [];
    for (const node of nodes) {
      const bytes = typeof node === 'string' ? fromBase64(node) : undefined;
      if (!bytes || bytes.length !== 32) return undefined;
      hashes.push(bytes);
    }
    return new CompactRange(begin!, end!, hashes, nodeSizes(begin!, end!));
  }
}

export interface CompactRangeJson {
  begin: number;
  end: number;
  /** base64 SHA-256 of each subtree, left to right. */
  nodes: string[];
}

/** Sizes of the canonical cover of [begin, end): each node the largest aligned power of two that fits. */
function nodeSizes(begin: number, end: number): number[] {
  const sizes: number[] = [];
  let at = begin;
  while (at < end) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 <= end) size *= 2;
    sizes.push(size);
    at += size;
  }
  return sizes;
}

function interior(left: Uint8Array, right: Uint8Array, sha256: Sha256): Uint8Array {
  const input = new Uint8Array(65);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 33);
  return sha256(input);
}

/** RFC 9162 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array, sha256: Sha256): Uint8Array {
  const input = new Uint8Array(data.length + 1);
  input.set(data, 1);
  return sha256(input);
}
