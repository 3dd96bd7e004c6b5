import { Args } from '@oclif/core';
import { auditFlags, runAuditCommand } from '../../lib/receipts-audit-command.js';
import { INPUT_RULE, KEYS_RULE, ReportCommand } from '../../lib/receipts-command.js';
import { parseMaxIssues } from '../../lib/receipts-verify.js';

export default class ReceiptsAudit extends ReportCommand {
  static override summary = 'verify receipts and audit their chains (gaps, forks, duplicates), totals and usage, offline';
  static override description = `Streams every receipt once (memory bounded by the number of buyer chains, not receipts; Ed25519 on every core for large inputs). Each valid v3 receipt is placed in its buyer token's chain: seq must run 1, 2, 3… and each prev must hash the receipt before it, whatever the order of the input. Amounts are summed exactly (integer micro-USD). A receipt deleted at the end of a chain needs the signed log head (--head) to be seen. Exit 0 when clean, 1 for any finding or no receipt at all (unless --allow-empty), 2 for usage errors, 7 when --state (or a part) is refused.

${INPUT_RULE}

${KEYS_RULE}

Incremental (--state FILE): each chain's tail, the totals and the last accepted head are kept between runs (written atomically, only after a clean audit); the next run verifies only new receipts and proves they continue the old ones; receipts audited before are re-linked, so one deleted or altered since is caught. A damaged state, or one of other keys, is refused (exit 7).

Sharded: each CI job audits any slice (a day's file, --shard i/n of the chains) with --slice --format json; "receipts audit merge" joins the parts (gaps, forks, duplicates at the seams) and sums them exactly. With a state, give every slice the same --state as the merge (a slice only reads it): receipts audited before are then re-linked, not audited again, so the same job can run again.

--usage reconciles a usage export: rows with request ids (our extension) are joined to receipts, the public gateway's rows (no request id) are compared by sums over their window.

--format json writes the report file "audit merge" reads; junit and github render it for CI.`;
  static override examples = [
    '<%= config.bin %> receipts audit',
    '<%= config.bin %> receipts audit receipts/*.jsonl --keys keys.json --state audit-state.json --format github',
    '<%= config.bin %> receipts audit "$(<%= config.bin %> receipts path)/$(date -u +%Y-%m).jsonl" --keys keys.json --state audit-state.json --slice --format json > part-this-month.json',
    '<%= config.bin %> receipts audit merge part-*.json --keys keys.json --state audit-state.json',
    '<%= config.bin %> receipts audit receipts.jsonl --keys keys.json --usage usage.json --head head.json',
  ];
  static override strict = false;
  static override args = { files: Args.string({ ignoreStdin: true, description: 'receipt files (- for stdin); none: piped stdin, else the kept log', required: false }) };
  static override flags = auditFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ReceiptsAudit);
    const format = this.reportFormat(flags);
    await runAuditCommand(this.io(), argv as string[], { ...flags, format, maxIssues: parseMaxIssues(flags['max-issues']) });
  }
}
