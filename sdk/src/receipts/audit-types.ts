import type { CompactRangeJson } from './compact-range.js';
import type { ReasonCode } from './errors.js';
import type { LogHead } from './checkpoint.js';

// The report of a streaming audit, a slice of a sharded one, or a merge of slices. JSON-native
// (money as integer strings of micro-USD, summed as bigint): it is written to files, passed
// between CI jobs and read back by `mergeAuditReports`, so one shape serves memory and disk.

export const AUDIT_REPORT_FORMAT = 'proxygate-audit-report';
export const AUDIT_REPORT_VERSION = 1;

/** Where a receipt came from: the source's name, its physical line (JSON Lines), its position overall. */
export interface AuditLocation {
  source: string;
  /** 1-based physical line in the source (blank lines counted), when the source is JSON Lines or says it. */
  line?: number;
  /** 0-based position among every receipt of the audit, all sources in order. */
  index: number;
}

/** One finding. Receipt-level findings carry the receipt's location. */
export interface AuditFinding {
  reason: ReasonCode;
  message: string;
  field?: string;
  source?: string;
  line?: number;
  index?: number;
  request_id?: string;
  buyer?: string;
  seq?: number;
}

/** One end of a run of a chain: enough to join it to the next run and to say where it is. */
export interface RunBound {
  seq: number;
  /** The receipt's `prev`. */
  prev: string;
  /** `receiptHash` of the receipt: the `prev` the next one must carry. */
  hash: string;
  request_id: string;
  source?: string;
  line?: number;
  index?: number;
}

/**
 * A maximal run of consecutive seqs of one chain. `anchor` says the run cannot have a gap before
 * it: it starts at seq 1 (`genesis`), or continues the tail of the state the audit started from
 * (`state`, checked: seq = tail.seq + 1 and prev = tail.hash).
 */
export interface ChainRun {
  first: RunBound;
  last: RunBound;
  anchor?: 'genesis' | 'state';
  /**
   * RFC 9162 compact range over the run's log leaves (leaf index = seq - 1): joins with the
   * neighbouring runs' ranges to check a signed log head. `null` when the run was sealed
   * (see `maxRuns`) and its leaves are no longer known.
   */
  range: CompactRangeJson | null;
}

/** A buyer token's v3 chain as far as this audit saw it. */
export interface ChainReport {
  buyer: string;
  /** Runs in seq order; gaps lie between them. */
  runs: ChainRun[];
  /** Valid, non-duplicate v3 receipts of this buyer in this audit (a fork's second receipt included: it was signed). */
  receipts: number;
  /** Their amounts: integer micro-USD as a string. */
  total: string;
}

/** v1/v2 receipts (no chain) of one buyer wallet: counted and totalled only. */
export interface BuyerTotals {
  buyer: string;
  receipts: number;
  total: string;
}

export interface AuditCounts {
  /** Receipts read (lines or items), replayed ones included. */
  receipts: number;
  valid: number;
  invalid: number;
  /** Valid receipts dropped as repeats of one already counted. */
  duplicates: number;
  /** Receipts at or below the state's tail: re-linked to it, neither verified again nor totalled. */
  replayed: number;
  /** Valid receipts per version (an invalid one counts in `invalid` only, whatever its version). */
  v1: number;
  v2: number;
  v3: number;
}

export interface HeadResult {
  buyer?: string;
  verified: boolean;
  tree_size: number;
  root_matches: boolean;
  extends_previous?: boolean;
}

/** Reconciliation with `/v1/usage` rows (see `usage-reconcile.ts`). */
export interface UsageResult {
  /** Rows joined to a receipt by `request_id` (our extension). */
  joined: { matched: number; amount_mismatches: number; missing_receipts: number; receipts_without_usage: number; examples: { missing_receipts: string[]; amount_mismatches: string[]; receipts_without_usage: string[] } };
  /** Rows without `request_id` (the public gateway's), compared by sums over the window. */
  aggregate?: AggregateUsage;
}

export interface AggregateUsage {
  /** Inclusive window compared, RFC 3339 (from the rows or the caller). */
  from: string;
  to: string;
  rows: { count: number; paid: number; total: string };
  receipts: { count: number; paid: number; total: string; untimed: number };
  /** Per service, only when every receipt in the window names its service (v3). */
  by_service?: Record<string, { rows_total: string; receipts_total: string; rows_paid: number; receipts_paid: number }>;
  /** Buckets whose sums differ (at most 50, earliest first): where to look. */
  differing_buckets: { start: string; rows_total: string; receipts_total: string }[];
  bucket_ms: number;
  /** The export's own `summary[]` against its rows (per service and model). */
  summary_mismatches: { service: string; model: string | null; summary_total: string; rows_total: string; summary_count: number; rows_count: number }[];
}

export interface AuditResult {
  format: typeof AUDIT_REPORT_FORMAT;
  version: typeof AUDIT_REPORT_VERSION;
  /** True when no finding at all. */
  ok: boolean;
  /** Chains need not start at seq 1 (a month of receipts). */
  partial: boolean;
  /** One slice of a sharded audit: gaps and chain starts are left to `mergeAuditReports`. */
  slice: boolean;
  /** SHA-256 (hex) of the canonical key-set document the receipts were verified with. */
  key_set_sha256: string;
  /** Digest of the state the audit continued, or null. */
  state_sha256: string | null;
  sources: { name: string; receipts: number }[];
  counts: AuditCounts;
  /** Exact counts of findings per reason (the list below may be capped). */
  issues_by_reason: Partial<Record<ReasonCode, number>>;
  issues: AuditFinding[];
  /** Findings counted but not listed (`maxIssues`). */
  issues_omitted: number;
  chains: ChainReport[];
  /**
   * A slice audited with a state: per chain, the runs of receipts at or below the state's tail
   * (re-linked, not totalled). Whether they still lead to the tail is judged by the merge, which
   * sees every slice (`range` is null: the state holds those leaves already).
   */
  replayed?: { buyer: string; runs: ChainRun[] }[];
  legacy: BuyerTotals[];
  spend: { total: string; by_listing: Record<string, string>; by_buyer: Record<string, string> };
  usage?: UsageResult;
  head?: HeadResult;
  /** Accepted log heads by buyer (the head checked in this audit, when it passed). */
  heads?: Record<string, LogHead>;
  /** Parts merged into this report, when it is a merge. */
  merged_from?: number;
}
