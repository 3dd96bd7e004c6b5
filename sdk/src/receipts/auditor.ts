import { keySetFingerprint } from './audit-seal.js';
import { Findings, located, verdictFinding, where } from './audit-findings.js';
import type { AuditState } from './audit-state.js';
import {
  AUDIT_REPORT_FORMAT, AUDIT_REPORT_VERSION,
  type AuditCounts, type AuditLocation, type AuditResult, type BuyerTotals, type ChainReport, type HeadResult, type RunBound,
} from './audit-types.js';
import type { Ed25519Backend } from './backends.js';
import { ChainRuns, type ChainBase } from './chain-runs.js';
import { verifyCheckpoint, type LogHead } from './checkpoint.js';
import { CompactRange } from './compact-range.js';
import { toBase64 } from './encoding.js';
import { AuditStateError } from './errors.js';
import type { KeySet } from './key-set.js';
import type { Sha256 } from './sha256-sync.js';
import { parseRfc3339 } from './time.js';
import type { Receipt, ReceiptV3, Verdict } from './types.js';
import type { UsageReconciler } from './usage-reconcile.js';

/** Options of the audit state machine (see `auditStream` for the public ones). */
export interface AuditorOptions {
  keys: KeySet;
  sha256: Sha256;
  backend: Ed25519Backend;
  partial?: boolean | undefined;
  slice?: boolean | undefined;
  state?: AuditState | undefined;
  head?: LogHead | undefined;
  headBuyer?: string | undefined;
  previousHead?: LogHead | undefined;
  usage?: UsageReconciler | undefined;
  /** Receipts remembered to tell repeats: by request_id, and by (buyer, seq) with their hash. Default 16384. */
  window?: number | undefined;
  /** Runs kept per chain before the lowest gaps are reported for good. Default 1024. */
  maxRuns?: number | undefined;
  /** Findings listed (all are counted). Default 1000. */
  maxIssues?: number | undefined;
  findings?: Findings | undefined;
}

/** A verified (or replayed) receipt, with the hashes the chain needs. */
export interface AuditItem {
  verdict: Verdict;
  at: AuditLocation;
  /** At or below the state's tail: only re-linked. */
  replay?: boolean;
  /** `receiptHash` (hex) and RFC 9162 leaf hash, for valid v3 receipts. */
  hash?: string;
  leaf?: Uint8Array;
}

interface Chain {
  runs: ChainRuns;
  /** Receipts at or below the state's tail, re-linked to it. */
  replay: ChainRuns | undefined;
  receipts: number;
  total: bigint;
  /** Hashes of this chain's members among the last `window` receipts, by seq. */
  recent: Map<number, string>;
  /** Issued before the head was signed but beyond its tree size (the head buyer's chain only). */
  afterHead: { bound: RunBound; timestamp: string }[];
}

/**
 * The audit as a state machine fed one receipt at a time, in any order. Memory is bounded by the
 * number of chains (their runs and O(log n) range hashes), the repeat window and the capped
 * findings, never by the number of receipts.
 */
export class Auditor {
  readonly findings: Findings;
  private readonly chains = new Map<string, Chain>();
  private readonly legacy = new Map<string, { receipts: number; total: bigint }>();
  private readonly byListing = new Map<string, bigint>();
  private readonly byBuyer = new Map<string, bigint>();
  private total = 0n;
  private readonly counts: AuditCounts = { receipts: 0, valid: 0, invalid: 0, duplicates: 0, replayed: 0, v1: 0, v2: 0, v3: 0 };
  private readonly sources: { name: string; receipts: number }[] = [];
  // Repeat windows: request_id -> where first seen; per chain, seq -> receipt hash.
  private readonly seenIds: Window<string, AuditLocation>;
  private readonly seenSeqs: Window<number, string, Chain>;
  private readonly window: number;
  private readonly barriers: Set<number>;
  private readonly stateChains: Map<string, NonNullable<AuditState['chains']>[number]>;
  private readonly headAt: number | undefined;
  private firstV3Buyer: string | undefined;
  private severalV3Buyers = false;

  private readonly keySet: string;

  constructor(private readonly options: AuditorOptions) {
    this.keySet = keySetFingerprint(options.keys, options.sha256);
    // A state object handed in directly (not read by parseAuditState) is checked all the same.
    if (options.state && options.state.key_set_sha256 !== this.keySet) {
      throw new AuditStateError('key_set_mismatch', 'the audit state was made with another key set: audit from the start with this one (without the state)');
    }
    this.findings = options.findings ?? new Findings(options.maxIssues ?? 1000);
    this.window = Math.max(1, options.window ?? 16384);
    this.seenIds = new Window(this.window);
    this.seenSeqs = new Window(this.window);
    this.barriers = new Set([options.head?.tree_size, options.previousHead?.tree_size].filter((n): n is number => Number.isSafeInteger(n)));
    this.stateChains = new Map((options.state?.chains ?? []).map((c) => [c.buyer, c]));
    this.headAt = options.head && typeof options.head.timestamp === 'string' ? parseRfc3339(options.head.timestamp) : undefined;
  }

  /** True when a parsed receipt lies at or below the state's tail of its chain (no need to verify it again). */
  isReplay(receipt: Receipt): boolean {
    if (receipt.receipt_version !== 3) return false;
    const base = this.stateChains.get(receipt.buyer);
    return base !== undefined && receipt.seq <= base.tail.seq;
  }

  /** Counts a receipt under its source (sources are named in the order first seen). */
  private countSource(name: string): void {
    const last = this.sources[this.sources.length - 1];
    if (last?.name === name) last.receipts++;
    else this.sources.push({ name, receipts: 1 });
  }

  add(item: AuditItem): void {
    const { verdict, at } = item;
    this.counts.receipts++;
    this.countSource(at.source);
    const r = verdict.receipt;
    if (item.replay && r?.receipt_version === 3) {
      this.counts.replayed++;
      this.replayed(r, item);
      return;
    }
    if (!verdict.valid || !r) {
      this.counts.invalid++;
      this.findings.add(verdictFinding(verdict, at));
      return;
    }
    this.counts.valid++;
    this.counts[r.receipt_version === 3 ? 'v3' : r.receipt_version === 2 ? 'v2' : 'v1']++;
    const ids = this.seenIds.map();
    const first = ids.get(r.request_id);
    if (first) {
      this.duplicate(r, at, 'request_id', `receipt repeats the one at ${where(first)}`);
      return;
    }
    this.seenIds.add(ids, detached(r.request_id), at);
    const amount = BigInt(r.amount);
    if (r.receipt_version === 3) {
      if (!this.chained(r, item, amount)) return;
    } else {
      let sums = this.legacy.get(r.buyer);
      if (!sums) this.legacy.set(r.buyer, (sums = { receipts: 0, total: 0n }));
      sums.receipts++;
      sums.total += amount;
    }
    this.spent(r, amount);
    this.options.usage?.receipt(r, verdict.time?.epochMs, at, this.findings);
  }

  private duplicate(r: Receipt, at: AuditLocation, field: string, message: string): void {
    this.counts.duplicates++;
    const finding = located({ reason: 'duplicate', field, message, request_id: r.request_id, buyer: r.buyer }, at);
    if (r.receipt_version === 3) finding.seq = r.seq;
    this.findings.add(finding);
  }

  private chain(buyer: string): Chain {
    let chain = this.chains.get(buyer);
    if (!chain) {
      const state = this.stateChains.get(buyer);
      const base: ChainBase | undefined = state && {
        seq: state.tail.seq,
        hash: state.tail.hash,
        range: state.range ? CompactRange.fromJSON(state.range) ?? null : null,
      };
      const sealedGap = (after: RunBound, before: RunBound) => this.gap(buyer, after.seq + 1, before);
      chain = {
        runs: new ChainRuns(this.options.sha256, this.barriers, base, this.options.maxRuns ?? 1024, sealedGap),
        replay: undefined,
        receipts: 0,
        total: 0n,
        recent: new Map(),
        afterHead: [],
      };
      this.chains.set(buyer, chain);
    }
    return chain;
  }

  /** Places a valid v3 receipt in its chain; false when it is not to be totalled (a repeat). */
  private chained(r: ReceiptV3, item: AuditItem, amount: bigint): boolean {
    if (this.firstV3Buyer === undefined) this.firstV3Buyer = r.buyer;
    else if (r.buyer !== this.firstV3Buyer) this.severalV3Buyers = true;
    const chain = this.chain(r.buyer);
    const bound = boundOf(r, item);
    const outcome = chain.runs.add({ seq: r.seq, prev: r.prev, hash: bound.hash, leaf: item.leaf!, bound });
    if (outcome.kind === 'repeat') {
      const known = outcome.hash ?? chain.recent.get(r.seq);
      if (known === bound.hash) {
        this.duplicate(r, item.at, 'seq', `receipt repeats seq ${r.seq} already in the chain`);
        return false;
      }
      if (known === undefined) {
        // Neither a run's end nor within the window: this cannot say which of the two it is.
        this.findings.add(located({
          reason: 'chain_fork', field: 'seq', request_id: r.request_id, buyer: r.buyer, seq: r.seq,
          message: `seq ${r.seq} is already in the chain and too far back (window ${this.window}) to tell a repeat from a fork; audit the chain in seq order`,
        }, item.at));
        return false;
      }
      this.findings.add(located({ reason: 'chain_fork', field: 'seq', request_id: r.request_id, buyer: r.buyer, seq: r.seq, message: `seq ${r.seq} appears twice (another receipt holds it)` }, item.at));
    } else {
      this.seenSeqs.add(chain.recent, r.seq, bound.hash);
      for (const broken of outcome.brokenLinks) {
        this.findings.add(located({ reason: 'chain_fork', field: 'prev', request_id: broken.request_id, buyer: r.buyer, seq: broken.seq, message: `prev does not hash the receipt with seq ${broken.seq - 1}` }, broken));
      }
      this.afterHeadCheck(r, chain, bound);
    }
    chain.receipts++;
    chain.total += amount;
    return true;
  }

  private afterHeadCheck(r: ReceiptV3, chain: Chain, bound: RunBound): void {
    const head = this.options.head;
    if (!head || this.headAt === undefined || !(r.seq > head.tree_size) || Date.parse(r.timestamp) >= this.headAt) return;
    const buyer = this.options.headBuyer;
    if (buyer !== undefined ? r.buyer !== buyer : this.severalV3Buyers) return;
    if (chain.afterHead.length < 1000) chain.afterHead.push({ bound, timestamp: r.timestamp });
  }

  private replayed(r: ReceiptV3, item: AuditItem): void {
    const chain = this.chain(r.buyer);
    const base = chain.runs.base!;
    chain.replay ??= new ChainRuns(this.options.sha256, new Set(), undefined, this.options.maxRuns ?? 1024, (after, before) => this.gap(r.buyer, after.seq + 1, before, ' (audited before, missing now)'));
    const bound = boundOf(r, item);
    const outcome = chain.replay.add({ seq: r.seq, prev: r.prev, hash: bound.hash, leaf: item.leaf!, bound });
    if (outcome.kind === 'repeat') {
      if (outcome.hash === bound.hash) this.duplicate(r, item.at, 'seq', `receipt repeats seq ${r.seq}`);
      else this.findings.add(located({ reason: 'chain_fork', field: 'seq', request_id: r.request_id, buyer: r.buyer, seq: r.seq, message: `seq ${r.seq} appears twice among receipts audited before` }, item.at));
      return;
    }
    for (const broken of outcome.brokenLinks) {
      this.findings.add(located({ reason: 'chain_fork', field: 'prev', request_id: broken.request_id, buyer: r.buyer, seq: broken.seq, message: `prev does not hash the receipt with seq ${broken.seq - 1} (audited before: altered since?)` }, broken));
    }
    if (r.seq === base.seq && bound.hash !== base.hash) {
      this.findings.add(located({ reason: 'chain_fork', field: 'seq', request_id: r.request_id, buyer: r.buyer, seq: r.seq, message: `seq ${r.seq} is not the receipt the last audit ended on (altered or replaced since)` }, item.at));
    }
  }

  private spent(r: Receipt, amount: bigint): void {
    this.total += amount;
    this.byBuyer.set(r.buyer, (this.byBuyer.get(r.buyer) ?? 0n) + amount);
    if (r.receipt_version === 3) this.byListing.set(r.listing_id, (this.byListing.get(r.listing_id) ?? 0n) + amount);
  }

  private gap(buyer: string, from: number, before: RunBound, note = ''): void {
    this.findings.add(located({
      reason: 'chain_gap', field: 'seq', request_id: before.request_id, buyer, seq: before.seq,
      message: `seq ${from}..${before.seq - 1} missing before seq ${before.seq}${note}`,
    }, before));
  }

  async finish(): Promise<AuditResult> {
    const o = this.options;
    const chains: ChainReport[] = [];
    const replayed: NonNullable<AuditResult['replayed']> = [];
    for (const [buyer, chain] of this.chains) {
      if (!o.slice) this.deriveGaps(buyer, chain);
      // A slice holds part of what was audited before: the merge sees the whole and judges it.
      if (!o.slice) this.checkReplay(buyer, chain);
      else if (chain.replay) replayed.push({ buyer, runs: chain.replay.toJSON().map((run) => ({ ...run, range: null })) });
      const runs = chain.runs.toJSON();
      if (runs.length > 0 || chain.receipts > 0) chains.push({ buyer, runs, receipts: chain.receipts, total: chain.total.toString() });
    }
    const report: AuditResult = {
      format: AUDIT_REPORT_FORMAT,
      version: AUDIT_REPORT_VERSION,
      ok: false,
      partial: Boolean(o.partial || o.slice),
      slice: Boolean(o.slice),
      key_set_sha256: this.keySet,
      state_sha256: o.state?.sha256 ?? null,
      sources: this.sources,
      counts: this.counts,
      issues_by_reason: {},
      issues: [],
      issues_omitted: 0,
      chains,
      legacy: [...this.legacy].map(([buyer, s]): BuyerTotals => ({ buyer, receipts: s.receipts, total: s.total.toString() })),
      spend: { total: this.total.toString(), by_listing: strings(this.byListing), by_buyer: strings(this.byBuyer) },
    };
    if (replayed.length) report.replayed = replayed;
    if (o.usage) report.usage = o.usage.finish(this.findings);
    if (o.head) await this.checkHead(report);
    report.issues = this.findings.list;
    report.issues_by_reason = this.findings.byReason;
    report.issues_omitted = this.findings.omitted;
    report.ok = this.findings.total === 0;
    return report;
  }

  /** Gaps lie between runs; before the first one unless it is anchored (seq 1, or the state's tail + 1) or the audit is partial. */
  private deriveGaps(buyer: string, chain: Chain): void {
    const runs = chain.runs.toJSON();
    const base = chain.runs.base;
    runs.forEach((run, i) => {
      const before = runs[i - 1];
      if (before) this.gap(buyer, before.last.seq + 1, run.first);
      else if (!run.anchor && (base || !this.options.partial)) this.gap(buyer, base ? base.seq + 1 : 1, run.first);
    });
  }

  /** Receipts given again that were audited before must still lead, without a gap, to the state's tail. */
  private checkReplay(buyer: string, chain: Chain): void {
    const replay = chain.replay?.toJSON();
    const base = chain.runs.base;
    if (!replay?.length || !base) return;
    replay.forEach((run, i) => {
      const before = replay[i - 1];
      if (before) this.gap(buyer, before.last.seq + 1, run.first, ' (audited before, missing now)');
    });
    const last = replay[replay.length - 1]!;
    if (last.last.seq < base.seq) {
      this.findings.add(located({
        reason: 'chain_gap', field: 'seq', buyer, seq: last.last.seq + 1, request_id: last.last.request_id,
        message: `seq ${last.last.seq + 1}..${base.seq} were audited before and are missing from this input (deleted since?)`,
      }, last.last));
    }
  }

  private async checkHead(report: AuditResult): Promise<void> {
    const o = this.options;
    const head = o.head!;
    const out: HeadResult = { verified: false, tree_size: head.tree_size, root_matches: false };
    report.head = out;
    const signed = await verifyCheckpoint(head, o.keys, o.backend, 'head');
    if (!signed.ok) this.findings.add({ reason: signed.reason, field: signed.field, message: signed.message });
    out.verified = signed.ok;
    if (o.headBuyer === undefined && this.severalV3Buyers) {
      this.findings.add({ reason: 'malformed', field: 'headBuyer', message: 'receipts of several buyers: say which chain the head covers (headBuyer)' });
      return;
    }
    const buyer = o.headBuyer ?? this.firstV3Buyer ?? (this.stateChains.size === 1 ? [...this.stateChains.keys()][0] : undefined);
    if (buyer !== undefined) out.buyer = buyer;
    const chain = buyer === undefined ? undefined : this.chain(buyer);
    const covered = chain ? chain.runs.contiguousEnd() : 0;
    const who = buyer !== undefined ? { buyer } : {};
    if (covered < head.tree_size) {
      this.findings.add({ reason: 'chain_gap', field: 'head.tree_size', ...who, message: `the log holds ${head.tree_size} receipts; the audit has ${covered} in sequence from seq 1` });
      return;
    }
    const root = chain!.runs.rootAt(head.tree_size);
    if (!root) {
      this.findings.add({ reason: 'malformed', field: 'head.tree_size', ...who, message: `the root at tree size ${head.tree_size} cannot be computed from this audit (the state's range ends past it)` });
      return;
    }
    out.root_matches = toBase64(root) === head.root_hash;
    if (!out.root_matches) this.findings.add({ reason: 'chain_fork', field: 'head.root_hash', ...who, message: 'the receipts do not hash to the signed log root' });
    // A receipt issued before the head was signed belongs in it: a head that leaves it out is a log
    // hiding receipts (or a stale one passed off as current). The same millisecond is left alone.
    for (const { bound: late, timestamp } of chain!.afterHead) {
      this.findings.add(located({
        reason: 'chain_gap', field: 'head.tree_size', buyer: buyer!, seq: late.seq, request_id: late.request_id,
        message: `seq ${late.seq} (issued ${timestamp}) is not in the log head signed at ${head.timestamp} (tree size ${head.tree_size})`,
      }, late));
    }
    const previous = o.previousHead ?? (buyer !== undefined ? this.stateChains.get(buyer)?.head : undefined);
    if (previous) out.extends_previous = await this.extendsPrevious(previous, chain!, buyer);
    if (out.verified && out.root_matches && buyer !== undefined && out.extends_previous !== false) {
      report.heads = { [buyer]: head };
    }
  }

  private async extendsPrevious(prev: LogHead, chain: Chain, buyer: string | undefined): Promise<boolean> {
    const o = this.options;
    const head = o.head!;
    const accepted = buyer !== undefined && this.stateChains.get(buyer)?.head;
    const prevSigned = await verifyCheckpoint(prev, o.keys, o.backend, 'previousHead');
    if (!prevSigned.ok) this.findings.add({ reason: prevSigned.reason, field: prevSigned.field, message: prevSigned.message });
    if (prev.tree_size > head.tree_size) {
      this.findings.add({ reason: 'chain_fork', field: 'head.tree_size', message: `the log shrank from ${prev.tree_size} to ${head.tree_size}` });
      return false;
    }
    if (prev.origin !== head.origin) {
      this.findings.add({ reason: 'chain_fork', field: 'head.origin', message: 'the previous head is from another log' });
      return false;
    }
    // A head accepted by an earlier audit was checked against the receipts then; the chain since
    // continues them (linked to the state's tail), so this head's root, computed over the same
    // leaves, extends it.
    if (accepted && accepted.checkpoint === prev.checkpoint) return prevSigned.ok;
    const root = chain.runs.rootAt(prev.tree_size);
    if (!root) {
      this.findings.add({ reason: 'malformed', field: 'previousHead.tree_size', message: `the root at tree size ${prev.tree_size} cannot be computed from this audit` });
      return false;
    }
    if (toBase64(root) !== prev.root_hash) {
      this.findings.add({ reason: 'chain_fork', field: 'previousHead.root_hash', message: 'the previous head is not a prefix of this log' });
      return false;
    }
    return prevSigned.ok;
  }
}

function boundOf(r: ReceiptV3, item: AuditItem): RunBound {
  const bound: RunBound = { seq: r.seq, prev: r.prev, hash: item.hash!, request_id: r.request_id, source: item.at.source, index: item.at.index };
  if (item.at.line !== undefined) bound.line = item.at.line;
  return bound;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A copy of `s` that holds none of the text it was cut from: V8 keeps a long substring as a view
 * of its parent, so a remembered request_id would otherwise keep its whole receipt line alive.
 */
function detached(s: string): string {
  return decoder.decode(encoder.encode(s));
}

/**
 * The last `size` entries added, across any number of maps (one per chain, or one): a ring of
 * (map, key) says which entry to forget when a new one comes.
 */
class Window<K, V, _Owner = unknown> {
  private readonly single = new Map<K, V>();
  private readonly maps: (Map<K, V> | undefined)[];
  private readonly keys: (K | undefined)[];
  private next = 0;

  constructor(private readonly size: number) {
    this.maps = new Array<Map<K, V> | undefined>(size);
    this.keys = new Array<K | undefined>(size);
  }

  /** The map of a window that needs only one. */
  map(): Map<K, V> {
    return this.single;
  }

  add(map: Map<K, V>, key: K, value: V): void {
    const slot = this.next;
    const old = this.maps[slot];
    if (old) old.delete(this.keys[slot]!);
    map.set(key, value);
    this.maps[slot] = map;
    this.keys[slot] = key;
    this.next = slot + 1 === this.size ? 0 : slot + 1;
  }
}

function strings(map: Map<string, bigint>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of map) Object.defineProperty(out, k, { value: v.toString(), enumerable: true, writable: true, configurable: true });
  return out;
}
