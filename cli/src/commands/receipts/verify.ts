import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { CliError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { parseShard, readReceiptSources, shardOf, type ReceiptItem } from '../../lib/receipt-input.js';
import { loadPinnedKeys } from '../../lib/receipt-keys.js';
import { loadReceiptsSdk } from '../../lib/sdk-loader.js';
import { auditItems, type AuditSummary } from '../../lib/receipt-audit.js';

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

export default class ReceiptsVerify extends BaseCommand {
  static override summary = 'verify signed receipts offline against pinned keys';
  static override description = `Reads JSON (one receipt, an array, or a receipt-log page), JSON Lines, or base64 header values from
FILES or stdin. Never uses the network. Prints one line per failure with its reason code and a summary
"N valid, M invalid". Exit 0 when all are valid, 1 when any is not, 2 for usage errors.
--shard i/n splits the work between CI jobs (by receipt; by buyer chain with --audit).`;
  static override examples = [
    '<%= config.bin %> receipts verify receipts.jsonl --keys keys.json',
    'cat receipts.jsonl | <%= config.bin %> receipts verify --keys keys.json --json',
    '<%= config.bin %> receipts verify receipts.jsonl --keys keys.json --audit --shard 2/4',
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = { files: Args.string({ description: 'receipt files (- for stdin; default stdin)', required: false }) };
  static override flags = {
    keys: Flags.string({ description: 'key set file saved by "receipts keys export"' }),
    pin: Flags.string({ description: 'pin one key as KID=KEY (repeatable; platform=… and receipt-ca=… for v1/v2)', multiple: true, default: [] }),
    audit: Flags.boolean({ description: 'also check each buyer chain (seq/prev: gaps, forks, duplicates) and total the amounts' }),
    shard: Flags.string({ description: 'take part i of n of the receipts, e.g. 2/4 (CI matrices)' }),
  };

  async run(): Promise<VerifyReport> {
    const { argv, flags } = await this.parse(ReceiptsVerify);
    const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
    const keys = await loadPinnedKeys(flags.keys, flags.pin);
    let items = await readReceiptSources(argv as string[]);
    if (shard) items = selectShard(items, shard, flags.audit);

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
    if (flags.shard) report.shard = flags.shard;
    if (flags.audit) {
      const audit = await auditItems(items, verdicts);
      report.audit = audit;
      for (const problem of audit.problems) failures.push(problem);
    }

    for (const f of failures) this.out(`${f.at}: ${f.reason}: ${f.message}${f.request_id ? ` (${f.request_id})` : ''}`);
    if (report.audit) this.out(formatAudit(report.audit));
    this.out(`${report.valid} valid, ${report.invalid} invalid${flags.shard ? ` (shard ${flags.shard})` : ''}`);
    if (verdicts.length === 0) this.note('no receipts found in the input');

    if (failures.length > 0) {
      if (this.jsonEnabled()) this.logJson(report);
      // The report is the output; the exit code carries the verdict, without a second error line.
      throw Object.assign(new CliError('verification_failed', `${failures.length} problem(s) found`, ExitCode.failure), { reported: true });
    }
    return report;
  }
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

function formatAudit(audit: AuditSummary): string {
  const chains = audit.chains.map((c) => `  ${c.buyer}: ${c.count} receipt(s), seq ${c.first_seq}..${c.last_seq}, total ${c.total_amount} ${c.currency}`);
  return [`chains: ${audit.chains.length}, total ${audit.total_amount} (integer minor units per receipt currency)`, ...chains].join('\n');
}
