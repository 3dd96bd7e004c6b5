import { CompactRange } from './compact-range.js';
import type { ChainRun, RunBound } from './audit-types.js';
import type { Sha256 } from './sha256-sync.js';

// One buyer chain as a set of runs of consecutive seqs. Receipts may arrive in any order: each
// one extends, prepends to, or joins the runs around its seq, and every link it makes is checked
// (prev = hash of the receipt before) when it is made, so the result does not depend on the
// order. Memory: the runs' bounds and O(log n) range hashes each, not the receipts.

/** One valid v3 receipt as the chain sees it. */
export interface Link {
  seq: number;
  prev: string;
  hash: string;
  /** RFC 9162 leaf hash of the receipt. */
  leaf: Uint8Array;
  bound: RunBound;
}

/** Where a chain continues from: the tail of the state a previous audit left. */
export interface ChainBase {
  seq: number;
  hash: string;
  /** Compact range of leaves [0, seq) (or from the state's first seq when partial), when known. */
  range: CompactRange | null;
}

export type LinkOutcome =
  /** The receipt took its place; `brokenLinks` are receipts whose prev does not hash their predecessor. */
  | { kind: 'member'; brokenLinks: readonly RunBound[] }
  /** The seq is already taken; `hash` is the taken receipt's when known (a run's bound). */
  | { kind: 'repeat'; hash: string | undefined };

interface Run {
  first: RunBound;
  last: RunBound;
  anchor?: 'genesis' | 'state';
  /** Range pieces, split at barrier sizes so a root at those sizes stays computable; null once sealed. */
  pieces: CompactRange[] | null;
}

const NO_LINKS: readonly RunBound[] = [];

export class ChainRuns {
  private readonly runs: Run[] = [];

  constructor(
    private readonly sha256: Sha256,
    /** Tree sizes at which a root will be asked for (log heads). */
    private readonly barriers: ReadonlySet<number>,
    readonly base: ChainBase | undefined,
    private readonly maxRuns: number,
    /** Called when runs are sealed to stay under maxRuns: the gap between the two lowest runs. */
    private readonly onSealedGap: (after: RunBound, before: RunBound) => void,
  ) {}

  get size(): number {
    return this.runs.length;
  }

  add(link: Link): LinkOutcome {
    const s = link.seq;
    const runs = this.runs;
    // In-order input hits the last run: check it before searching.
    let i = runs.length - 1;
    if (i >= 0 && runs[i]!.first.seq > s) i = this.floorIndex(s);
    const at = i >= 0 ? runs[i] : undefined;
    if (at && at.last.seq >= s) {
      return { kind: 'repeat', hash: s === at.first.seq ? at.first.hash : s === at.last.seq ? at.last.hash : undefined };
    }
    const before = at && at.last.seq === s - 1 ? at : undefined;
    const nextRun = runs[i + 1];
    const after = nextRun && nextRun.first.seq === s + 1 ? nextRun : undefined;
    let brokenLinks = NO_LINKS;
    const base = this.base;
    if (before ? link.prev !== before.last.hash : base && s === base.seq + 1 && link.prev !== base.hash) brokenLinks = [link.bound];
    if (after && after.first.prev !== link.hash) brokenLinks = [...brokenLinks, after.first];

    const leaf = CompactRange.leaf(s - 1, link.leaf);
    const tail = before && !after ? before.pieces?.[before.pieces.length - 1] : undefined;
    if (tail && tail.end === s - 1 && !this.barriers.has(s - 1)) {
      // The common case (seq order): one more leaf on the run's own last piece.
      before!.last = link.bound;
      tail.appendInPlace(link.leaf, this.sha256);
    } else if (before && after) {
      before.last = after.last;
      before.pieces = this.join(this.join(before.pieces, [leaf]), after.pieces);
      runs.splice(i + 1, 1);
    } else if (before) {
      before.last = link.bound;
      before.pieces = this.join(before.pieces, [leaf]);
    } else if (after) {
      after.first = link.bound;
      after.pieces = this.join([leaf], after.pieces);
      this.anchor(after);
    } else {
      const run: Run = { first: link.bound, last: link.bound, pieces: [leaf] };
      this.anchor(run);
      runs.splice(i + 1, 0, run);
      if (runs.length > this.maxRuns) this.seal();
    }
    return { kind: 'member', brokenLinks };
  }

  /** Runs in seq order, for the report (pieces joined into one range). */
  toJSON(): ChainRun[] {
    return this.runs.map((r) => {
      const whole = r.pieces?.reduce((acc, piece) => CompactRange.merge(acc, piece, this.sha256));
      const run: ChainRun = { first: r.first, last: r.last, range: whole?.toJSON() ?? null };
      if (r.anchor) run.anchor = r.anchor;
      return run;
    });
  }

  /** Seqs covered without a gap from the chain's start (seq 1, through the base), or 0. */
  contiguousEnd(): number {
    let end = this.base ? this.base.seq : 0;
    if (!this.base && this.runs[0]?.first.seq !== 1) return 0;
    for (const r of this.runs) {
      if (r.first.seq !== end + 1) break;
      end = r.last.seq;
    }
    return end;
  }

  /** The RFC 9162 root of leaves [0, size), when the chain covers them without a gap and a barrier was set there. */
  rootAt(size: number): Uint8Array | undefined {
    let acc: CompactRange | null = this.base ? this.base.range : CompactRange.empty(0);
    if (!acc || acc.begin !== 0) return undefined;
    if (acc.end === size) return acc.root(this.sha256);
    for (const r of this.runs) {
      if (!r.pieces) return undefined;
      for (const piece of r.pieces) {
        if (piece.begin !== acc.end || piece.end > size) return undefined;
        acc = CompactRange.merge(acc, piece, this.sha256);
        if (acc.end === size) return acc.root(this.sha256);
      }
    }
    return undefined;
  }

  private anchor(run: Run): void {
    if (run.first.seq === 1) run.anchor = 'genesis';
    else if (this.base && run.first.seq === this.base.seq + 1) run.anchor = 'state';
    else delete run.anchor;
  }

  /** Joins piece lists, merging at the seam unless the seam is a barrier. */
  private join(left: CompactRange[] | null, right: CompactRange[] | null): CompactRange[] | null {
    if (!left || !right) return null;
    if (left.length === 0) return right;
    if (right.length === 0) return left;
    const l = left[left.length - 1]!;
    const r = right[0]!;
    if (this.barriers.has(l.end)) return [...left, ...right];
    return [...left.slice(0, -1), CompactRange.merge(l, r, this.sha256), ...right.slice(1)];
  }

  private floorIndex(seq: number): number {
    let lo = 0, hi = this.runs.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.runs[mid]!.first.seq <= seq) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  /** Too many runs: the two lowest become one whose leaves are forgotten; their gap is reported now. */
  private seal(): void {
    const [a, b] = this.runs;
    this.onSealedGap(a!.last, b!.first);
    const sealed: Run = { first: a!.first, last: b!.last, pieces: null };
    if (a!.anchor) sealed.anchor = a!.anchor;
    this.runs.splice(0, 2, sealed);
  }
}
