import { resolveBackend, type BackendChoice } from './backends.js';
import { verifyCheckpoint, type LogHead } from './checkpoint.js';
import { toBase64 } from './encoding.js';
import type { ReasonCode } from './errors.js';
import { receiptHash } from './hashes.js';
import type { KeySet } from './key-set.js';
import { merkleRoot, receiptLeafHash } from './merkle.js';
import type { Receipt, ReceiptV3, Verdict } from './types.js';
import { parseRfc3339 } from './time.js';
import { isVerdict, parseToVerdict, verifyParsed, type ReceiptInput } from './verify.js';

/**
 * A `/v1/usage` row (only the fields the audit compares). `request_id` is our extension's (the
 * public gateway's rows do not carry it); `cost_micro_cents` is the wire's name for an integer
 * of micro-USD, the unit of receipt amounts.
 */
export interface UsageEntry {
  request_id: string;
  cost_micro_cents: number | string;
  refunded?: boolean;
  listing_id?: string;
}

export interface AuditOptions {
  keys: KeySet;
  backend?: BackendChoice;
  /** `/v1/usage` entries to reconcile with the receipts. */
  usage?: Iterable<UsageEntry>;
  /** The log's signed head for one buyer token's chain: proves nothing was cut from the end. */
  head?: LogHead;
  /** Buyer token the head belongs to; needed only when receipts of several buyers are audited. */
  headBuyer?: string;
  /** The head a previous audit verified: the new head must extend it (same prefix, tree_size grows). */
  previousHead?: LogHead;
  /** Receipts are a slice of the chain: do not report a chain that does not start at seq 1. */
  partial?: boolean;
}

/** One finding of an audit. */
export interface AuditIssue {
  reason: ReasonCode;
  message: string;
  field?: string;
  /** Position of the receipt in the input, when one receipt is to blame. */
  index?: number;
  request_id?: string;
  buyer?: string;
  seq?: number;
}

export interface ChainSummary {
  buyer: string;
  count: number;
  firstSeq: number;
  lastSeq: number;
  /** `receiptHash` of the last receipt: the `prev` the next receipt must carry. */
  headHash: string;
}

export interface AuditReport {
  /** True when every receipt verified and no issue was found. */
  ok: boolean;
  /** One verdict per input receipt, in input order. */
  verdicts: Verdict[];
  issues: AuditIssue[];
  chains: ChainSummary[];
  /** Sums of valid, non-duplicate receipts, in integer micro-USD. v1/v2 amounts count in `total` only. */
  spend: { total: bigint; byListing: Record<string, bigint>; byBuyer: Record<string, bigint> };
  usage?: { matched: number; missingReceipts: string[]; amountMismatches: string[]; receiptsWithoutUsage: string[] };
  head?: { verified: boolean; treeSize: number; rootMatches: boolean; extendsPrevious?: boolean };
}

interface Entry { index: number; receipt: Receipt }

/**
 * Audits a set of receipts offline: verifies each, then per buyer chain checks order by `seq`,
 * gaps (`chain_gap`), forks (same seq twice, or a `prev` that does not match: `chain_fork`) and
 * duplicates (same request_id or signature: `duplicate`); sums spend as bigint; reconciles with
 * `/v1/usage`; and checks the log head (checkpoint signature, RFC 9162 root over the chain,
 * growth from a previous head).
 */
export async function auditReceipts(
  receipts: Iterable<ReceiptInput> | AsyncIterable<ReceiptInput>,
  options: AuditOptions,
): Promise<AuditReport> {
  const backend = await resolveBackend(options.backend);
  const verdicts: Verdict[] = [];
  const issues: AuditIssue[] = [];
  const valid: Entry[] = [];
  let index = 0;
  for await (const input of receipts as AsyncIterable<ReceiptInput>) {
    const parsed = parseToVerdict(input);
    const verdict = isVerdict(parsed) ? parsed : await verifyParsed(parsed, options.keys, backend);
    verdicts.push(verdict);
    if (verdict.valid && verdict.receipt) valid.push({ index, receipt: verdict.receipt });
    else issues.push(issueOf(verdict, index));
    index++;
  }

  const unique = dropDuplicates(valid, issues);
  const spend = sumSpend(unique);
  const byBuyer = new Map<string, (Entry & { receipt: ReceiptV3 })[]>();
  for (const e of unique) {
    if (e.receipt.receipt_version !== 3) continue;
    const list = byBuyer.get(e.receipt.buyer) ?? [];
    list.push(e as Entry & { receipt: ReceiptV3 });
    byBuyer.set(e.receipt.buyer, list);
  }
  const chains: ChainSummary[] = [];
  const ordered = new Map<string, ReceiptV3[]>();
  for (const [buyer, list] of byBuyer) {
    const { summary, chain } = await checkChain(buyer, list, issues, options.partial ?? false);
    chains.push(summary);
    ordered.set(buyer, chain);
  }

  const report: AuditReport = { ok: false, verdicts, issues, chains, spend };
  if (options.usage) report.usage = reconcileUsage(unique, options.usage, issues);
  if (options.head) report.head = await checkHead(options, ordered, backend, issues);
  report.ok = issues.length === 0;
  return report;
}

function issueOf(verdict: Verdict, index: number): AuditIssue {
  const issue: AuditIssue = { reason: verdict.reason as ReasonCode, message: verdict.message, index };
  if (verdict.field !== undefined) issue.field = verdict.field;
  const r = verdict.receipt;
  if (r) {
    issue.request_id = r.request_id;
    issue.buyer = r.buyer;
    if (r.receipt_version === 3) issue.seq = r.seq;
  }
  return issue;
}

function dropDuplicates(entries: Entry[], issues: AuditIssue[]): Entry[] {
  const byRequest = new Map<string, Entry>();
  const bySignature = new Map<string, Entry>();
  const out: Entry[] = [];
  for (const e of entries) {
    const first = byRequest.get(e.receipt.request_id) ?? bySignature.get(e.receipt.signature);
    if (first) {
      issues.push({
        reason: 'duplicate', index: e.index, request_id: e.receipt.request_id, buyer: e.receipt.buyer,
        field: byRequest.has(e.receipt.request_id) ? 'request_id' : 'signature',
        message: `receipt repeats the one at index ${first.index}`,
        ...(e.receipt.receipt_version === 3 ? { seq: e.receipt.seq } : {}),
      });
      continue;
    }
    byRequest.set(e.receipt.request_id, e);
    bySignature.set(e.receipt.signature, e);
    out.push(e);
  }
  return out;
}

function sumSpend(entries: Entry[]): AuditReport['spend'] {
  let total = 0n;
  // Maps, not object literals: an id such as `constructor` or `__proto__` would hit the prototype
  // (its sum turned into a string, or silently dropped).
  const byListing = new Map<string, bigint>();
  const byBuyer = new Map<string, bigint>();
  for (const { receipt: r } of entries) {
    const amount = BigInt(r.amount);
    total += amount;
    byBuyer.set(r.buyer, (byBuyer.get(r.buyer) ?? 0n) + amount);
    if (r.receipt_version === 3) byListing.set(r.listing_id, (byListing.get(r.listing_id) ?? 0n) + amount);
  }
  return { total, byListing: ownRecord(byListing), byBuyer: ownRecord(byBuyer) };
}

/** A record with every key as an own data property (defineProperty, so `__proto__` is a plain key). */
function ownRecord<V>(map: Map<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [key, value] of map) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

async function checkChain(
  buyer: string,
  list: (Entry & { receipt: ReceiptV3 })[],
  issues: AuditIssue[],
  partial: boolean,
): Promise<{ summary: ChainSummary; chain: ReceiptV3[] }> {
  const sorted = [...list].sort((a, b) => a.receipt.seq - b.receipt.seq || a.index - b.index);
  const chain: ReceiptV3[] = [];
  let prevEntry: (Entry & { receipt: ReceiptV3 }) | undefined;
  let prevHash = '';
  for (const e of sorted) {
    const r = e.receipt;
    const where = { index: e.index, request_id: r.request_id, buyer, seq: r.seq };
    if (prevEntry && r.seq === prevEntry.receipt.seq) {
      issues.push({ reason: 'chain_fork', field: 'seq', message: `seq ${r.seq} appears twice (also at index ${prevEntry.index})`, ...where });
      continue;
    }
    const expectedSeq = prevEntry ? prevEntry.receipt.seq + 1 : 1;
    if (r.seq > expectedSeq && !(partial && !prevEntry)) {
      issues.push({ reason: 'chain_gap', field: 'seq', message: `seq ${expectedSeq}..${r.seq - 1} missing before seq ${r.seq}`, ...where });
    } else if (prevEntry && r.prev !== prevHash) {
      issues.push({ reason: 'chain_fork', field: 'prev', message: `prev does not hash the receipt with seq ${prevEntry.receipt.seq}`, ...where });
    }
    prevHash = await receiptHash(r);
    prevEntry = e;
    chain.push(r);
  }
  return {
    summary: { buyer, count: chain.length, firstSeq: chain[0]?.seq ?? 0, lastSeq: chain[chain.length - 1]?.seq ?? 0, headHash: prevHash },
    chain,
  };
}

/** A usage cost as bigint, or undefined when it is not an integer (BigInt would throw on 1.5 or "abc"). */
function integerAmount(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value)) return BigInt(value);
  if (typeof value === 'bigint') return value;
  return undefined;
}

function reconcileUsage(entries: Entry[], usage: Iterable<UsageEntry>, issues: AuditIssue[]): NonNullable<AuditReport['usage']> {
  const receipts = new Map(entries.map((e) => [e.receipt.request_id, e.receipt]));
  const seen = new Set<string>();
  const result: NonNullable<AuditReport['usage']> = { matched: 0, missingReceipts: [], amountMismatches: [], receiptsWithoutUsage: [] };
  for (const u of usage) {
    seen.add(u.request_id);
    const r = receipts.get(u.request_id);
    if (!r) {
      result.missingReceipts.push(u.request_id);
      issues.push({ reason: 'chain_gap', field: 'usage', request_id: u.request_id, message: `usage entry ${u.request_id} has no valid receipt` });
      continue;
    }
    const charged = BigInt(r.amount);
    const cost = integerAmount(u.cost_micro_cents);
    if (cost !== undefined && (charged === cost || (u.refunded === true && charged === 0n))) result.matched++;
    else {
      result.amountMismatches.push(u.request_id);
      const said = cost === undefined ? `usage cost ${JSON.stringify(String(u.cost_micro_cents).slice(0, 40))} is not an integer of micro-USD` : `usage cost ${cost}`;
      issues.push({ reason: 'content_mismatch', field: 'amount', request_id: u.request_id, buyer: r.buyer, message: `receipt amount ${charged} differs from ${said}` });
    }
  }
  for (const id of receipts.keys()) if (!seen.has(id)) result.receiptsWithoutUsage.push(id);
  return result;
}

async function checkHead(
  options: AuditOptions,
  chains: Map<string, ReceiptV3[]>,
  backend: Awaited<ReturnType<typeof resolveBackend>>,
  issues: AuditIssue[],
): Promise<NonNullable<AuditReport['head']>> {
  const head = options.head!;
  const out: NonNullable<AuditReport['head']> = { verified: false, treeSize: head.tree_size, rootMatches: false };
  const signed = await verifyCheckpoint(head, options.keys, backend, 'head');
  if (!signed.ok) issues.push({ reason: signed.reason, field: signed.field, message: signed.message });
  out.verified = signed.ok;

  const buyer = options.headBuyer ?? (chains.size === 1 ? [...chains.keys()][0] : undefined);
  if (buyer === undefined && chains.size > 1) {
    issues.push({ reason: 'malformed', field: 'headBuyer', message: 'receipts of several buyers: say which chain the head covers (headBuyer)' });
    return out;
  }
  const chain = buyer === undefined ? [] : chains.get(buyer) ?? [];
  // Only a gap-free chain from seq 1 can be hashed into the log's tree.
  const contiguous: ReceiptV3[] = [];
  for (const r of chain) if (r.seq === contiguous.length + 1) contiguous.push(r); else break;
  if (contiguous.length < head.tree_size) {
    issues.push({ reason: 'chain_gap', field: 'head.tree_size', ...(buyer ? { buyer } : {}), message: `the log holds ${head.tree_size} receipts; the audit has ${contiguous.length} in sequence from seq 1` });
    return out;
  }
  const leaves = await Promise.all(contiguous.slice(0, head.tree_size).map(receiptLeafHash));
  out.rootMatches = toBase64(await merkleRoot(leaves)) === head.root_hash;
  if (!out.rootMatches) {
    issues.push({ reason: 'chain_fork', field: 'head.root_hash', ...(buyer ? { buyer } : {}), message: 'the receipts do not hash to the signed log root' });
  }
  // A receipt issued before the head was signed belongs in it: a head that leaves it out is a log
  // hiding receipts (or a stale one passed off as current). The same millisecond is left alone.
  const signedAt = parseRfc3339(head.timestamp);
  for (const r of chain) {
    if (signedAt === undefined || r.seq <= head.tree_size || Date.parse(r.timestamp) >= signedAt) continue;
    issues.push({
      reason: 'chain_gap', field: 'head.tree_size', buyer: r.buyer, seq: r.seq, request_id: r.request_id,
      message: `seq ${r.seq} (issued ${r.timestamp}) is not in the log head signed at ${head.timestamp} (tree size ${head.tree_size})`,
    });
  }

  const prev = options.previousHead;
  if (prev) {
    const prevSigned = await verifyCheckpoint(prev, options.keys, backend, 'previousHead');
    if (!prevSigned.ok) issues.push({ reason: prevSigned.reason, field: prevSigned.field, message: prevSigned.message });
    let extends_ = prevSigned.ok && prev.origin === head.origin && prev.tree_size <= head.tree_size;
    if (prev.tree_size > head.tree_size) {
      issues.push({ reason: 'chain_fork', field: 'head.tree_size', message: `the log shrank from ${prev.tree_size} to ${head.tree_size}` });
    } else if (prev.origin !== head.origin) {
      issues.push({ reason: 'chain_fork', field: 'head.origin', message: 'the previous head is from another log' });
    } else {
      const prefixRoot = toBase64(await merkleRoot(leaves.slice(0, prev.tree_size)));
      if (prefixRoot !== prev.root_hash) {
        extends_ = false;
        issues.push({ reason: 'chain_fork', field: 'previousHead.root_hash', message: 'the previous head is not a prefix of this log' });
      }
    }
    out.extendsPrevious = extends_;
  }
  return out;
}

export type { LogHead };

/** An {@link AuditReport} with bigint sums as decimal strings, ready for `JSON.stringify`. */
export type AuditReportJson = Omit<AuditReport, 'spend'> & {
  spend: { total: string; byListing: Record<string, string>; byBuyer: Record<string, string> };
};

/** Converts an audit report for JSON output (bigints become integer strings; nothing is rounded). */
export function auditReportToJson(report: AuditReport): AuditReportJson {
  const strings = (r: Record<string, bigint>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.toString()]));
  return {
    ...report,
    spend: { total: report.spend.total.toString(), byListing: strings(report.spend.byListing), byBuyer: strings(report.spend.byBuyer) },
  };
}
