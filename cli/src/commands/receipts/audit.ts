import ReceiptsVerify, { type VerifyReport } from './verify.js';

export default class ReceiptsAudit extends ReceiptsVerify {
  static override summary = 'verify receipts and audit their chains (gaps, forks, duplicates) and totals, offline';
  static override description = `Same input and keys as "receipts verify", always with --audit: every valid v3 receipt is grouped by
buyer token, its seq must run 1, 2, 3… and each prev must hash the receipt before it. Amounts are
summed as integers. A receipt deleted at the end of a chain needs the signed log head to be seen.`;
  static override examples = [
    '<%= config.bin %> receipts audit receipts.jsonl --keys keys.json',
    '<%= config.bin %> receipts audit receipts.jsonl --keys keys.json --json',
  ];

  override async run(): Promise<VerifyReport> {
    if (!this.argv.includes('--audit')) this.argv = [...this.argv, '--audit'];
    return super.run();
  }
}
