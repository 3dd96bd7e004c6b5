import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { auditItems, type AuditSummary } from './receipt-audit.js';
import { parseShard, readReceiptSources, shardOf, type ReceiptItem } from './receipt-input.js';
import { loadPinnedKeys } from './receipt-keys.js';
import { loadReceiptsSdk } from './sdk-loader.js';

// The whole of `receipts verify`, free of oclif, so the start-up fast path can run it too.

export interface VerifyFailure {
  at: string;
  reason: string;
  message: string;
  field?: string;
  request_id?: string;
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
}

export async function verifyReceiptFiles(request: VerifyRequest): Promise<VerifyReport> {
  const shard = request.shard === undefined ? undefined : parseShard(request.shard);
  const keys = await loadPinnedKeys(request.keys, request.pins);
  let items = await readReceiptSources(request.files);
  if (shard) items = selectShard(items, shard, request.audit);

  const { verifyReceipts } = await loadReceiptsSdk();
  const verdicts = await verifyReceipts(
    items.map((i) => i.text),
    { keys },
  );
  const failures: VerifyFailure[] = [];
  verdicts.forEach((verdict, i) => {
    if (verdict.valid) return;
    const failure: VerifyFailure = { at: items[i]?.locator ?? `#${i + 1}`, reason: verdict.reason, message: verdict.message };
    if (verdict.field) failure.field = verdict.field;
    const requestId = verdict.receipt?.request_id;
    if (requestId) failure.request_id = requestId;
    failures.push(failure);
  });
  const report: VerifyReport = { valid: verdicts.length - failures.length, invalid: failures.length, failures };
  if (request.shard) report.shard = request.shard;
  if (request.audit) {
    report.audit = await auditItems(items, verdicts);
    failures.push(...report.audit.problems);
  }
  return report;
}

/** Human output: one line per failure, the audit, then `N valid, M invalid`. */
export function renderVerifyReport(report: VerifyReport): string {
  const lines = report.failures.map((f) => `${f.at}: ${f.reason}: ${f.message}${f.request_id ? ` (${f.request_id})` : ''}`);
  if (report.audit) {
    lines.push(`chains: ${report.audit.chains.length}, total ${report.audit.total_amount} (integer minor units per receipt currency)`);
    for (const c of report.audit.chains) lines.push(`  ${c.buyer}: ${c.count} receipt(s), seq ${c.first_seq}..${c.last_seq}, total ${c.total_amount} ${c.currency}`);
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
