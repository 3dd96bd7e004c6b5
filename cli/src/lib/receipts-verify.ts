import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { readInputFile } from './input.js';
import { parseShard, readReceiptSources, shardOf, type ReceiptItem } from './receipt-input.js';
import { UsageError } from './errors.js';
import { loadPinnedKeys } from './receipt-keys.js';
import { loadReceiptsSdk } from './sdk-loader.js';
import { formatUsd } from './format.js';

// The whole of `receipts verify`, free of oclif, so the start-up fast path can run it too.

export interface VerifyFailure {
  at: string;
  reason: string;
  message: string;
  field?: string;
  request_id?: string;
}

export interface AuditSummary {
  chains: Array<{ buyer: string; count: number; first_seq: number; last_seq: number; head_hash: string }>;
  /** Integer micro-cents as strings (summed as bigint: any size survives JSON readers). */
  spend: { total: string; by_listing: Record<string, string>; by_buyer: Record<string, string> };
  head?: { verified: boolean; tree_size: number; root_matches: boolean; extends_previous?: boolean };
}

export interface VerifyReport {
  valid: number;
  invalid: number;
  shard?: string;
  failures: VerifyFailure[];
  audit?: AuditSummary;
}

export interface VerifyRequest {
  files: readonly string[];
  keys?: string | undefined;
  pins: readonly string[];
  audit: boolean;
  shard?: string | undefined;
  /** Signed log head (JSON of `head`, or a receipt-log page that has one): proves nothing was cut from the end. */
  head?: string | undefined;
  /** The head a previous audit accepted: the new one must extend it. */
  previousHead?: string | undefined;
}

export async function verifyReceiptFiles(request: VerifyRequest): Promise<VerifyReport> {
  const shard = request.shard === undefined ? undefined : parseShard(request.shard);
  const keys = await loadPinnedKeys(request.keys, request.pins);
  let items = await readReceiptSources(request.files);
  if (shard) items = selectShard(items, shard, request.audit);

  const texts = items.map((i) => i.text);
  const at = (index: number | undefined) => (index === undefined ? '-' : (items[index]?.locator ?? `#${index + 1}`));
  const sdk = await loadReceiptsSdk();
  if (!request.audit) {
    if (request.head || request.previousHead) throw new UsageError('--head and --previous-head need --audit');
    const verdicts = await sdk.verifyReceipts(texts, { keys });
    const failures: VerifyFailure[] = [];
    verdicts.forEach((verdict, i) => {
      if (!verdict.valid) failures.push(failureOf(at(i), verdict.reason, verdict.message, verdict.field, verdict.receipt?.request_id));
    });
    return withShard({ valid: verdicts.length - failures.length, invalid: failures.length, failures }, request.shard);
  }
  const head = request.head ? await readHead(request.head) : undefined;
  const previousHead = request.previousHead ? await readHead(request.previousHead) : undefined;
  const audit = await sdk.auditReceipts(texts, {
    keys,
    // Without a head the set may be a slice (one month of receipts): it need not start at seq 1.
    partial: head === undefined,
    ...(head ? { head } : {}),
    ...(previousHead ? { previousHead } : {}),
  });
  const invalid = audit.verdicts.filter((v) => !v.valid).length;
  const failures = audit.issues.map((issue) => failureOf(at(issue.index), issue.reason, issue.message, issue.field, issue.request_id));
  const strings = (r: Record<string, bigint>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.toString()]));
  const summary: AuditSummary = {
    chains: audit.chains.map((c) => ({ buyer: c.buyer, count: c.count, first_seq: c.firstSeq, last_seq: c.lastSeq, head_hash: c.headHash })),
    spend: { total: audit.spend.total.toString(), by_listing: strings(audit.spend.byListing), by_buyer: strings(audit.spend.byBuyer) },
  };
  if (audit.head) {
    summary.head = { verified: audit.head.verified, tree_size: audit.head.treeSize, root_matches: audit.head.rootMatches };
    if (audit.head.extendsPrevious !== undefined) summary.head.extends_previous = audit.head.extendsPrevious;
  }
  return withShard({ valid: audit.verdicts.length - invalid, invalid, failures, audit: summary }, request.shard);
}

function failureOf(at: string, reason: string, message: string, field: string | undefined, requestId: string | undefined): VerifyFailure {
  const failure: VerifyFailure = { at, reason, message };
  if (field) failure.field = field;
  if (requestId) failure.request_id = requestId;
  return failure;
}

function withShard(report: VerifyReport, shard: string | undefined): VerifyReport {
  if (shard) report.shard = shard;
  return report;
}

type Head = NonNullable<Parameters<Awaited<ReturnType<typeof loadReceiptsSdk>>['auditReceipts']>[1]['head']>;

/** A log head file: the `head` object itself, or a whole `GET /v1/receipts` page carrying one. */
async function readHead(file: string): Promise<Head> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readInputFile(file)).toString('utf8'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file} is not JSON`);
  }
  const candidate = (parsed as { head?: unknown }).head ?? parsed;
  const fields = ['origin', 'tree_size', 'root_hash', 'timestamp', 'kid', 'checkpoint'];
  if (typeof candidate !== 'object' || candidate === null || !fields.every((f) => f in candidate)) {
    throw new UsageError(`${file} is not a receipt-log head`, `it needs ${fields.join(', ')}`);
  }
  return candidate as Head;
}


/** Human output: one line per failure, the audit, then `N valid, M invalid`. */
export function renderVerifyReport(report: VerifyReport): string {
  const lines = report.failures.map((f) => `${f.at}: ${f.reason}: ${f.message}${f.request_id ? ` (${f.request_id})` : ''}`);
  if (report.audit) {
    const { chains, spend, head } = report.audit;
    lines.push(`audit: ${chains.length} chain(s), spend ${formatUsd(spend.total)} (${spend.total} micro-cents)`);
    for (const c of chains) lines.push(`  ${c.buyer}: ${c.count} receipt(s), seq ${c.first_seq}..${c.last_seq}, spend ${formatUsd(spend.by_buyer[c.buyer] ?? '0')}`);
    if (head) {
      lines.push(`  log head: ${head.verified ? 'signature valid' : 'signature INVALID'}, tree size ${head.tree_size}, root ${head.root_matches ? 'matches' : 'DOES NOT match'}${head.extends_previous === undefined ? '' : head.extends_previous ? ', extends the previous head' : ', does NOT extend the previous head'}`);
    }
  }
  lines.push(`${report.valid} valid, ${report.invalid} invalid${report.shard ? ` (shard ${report.shard})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** Exit 1 when anything failed; the report already said what, so the error is marked reported. */
export function verificationFailure(report: VerifyReport): CliError | undefined {
  if (report.failures.length === 0) return undefined;
  return Object.assign(new CliError('verification_failed', `${report.failures.length} problem(s) found`, ExitCode.failure), { reported: true });
}

function selectShard(items: ReceiptItem[], shard: { index: number; total: number }, byChain: boolean): ReceiptItem[] {
  if (!byChain) return items.filter((_, i) => (i % shard.total) + 1 === shard.index);
  // An audit needs whole chains: shard by buyer so each chain lands in exactly one job.
  return items.filter((item) => shardOf(buyerOf(item.text), shard.total) === shard.index);
}

function buyerOf(text: string): string {
  try {
    const buyer = (JSON.parse(text) as { buyer?: unknown }).buyer;
    return typeof buyer === 'string' ? buyer : '';
  } catch {
    return '';
  }
}
