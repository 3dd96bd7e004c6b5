import { Args, Flags } from '@oclif/core';
import { runMergeCommand } from '../../../lib/receipts-audit-command.js';
import { keyFlags, ReportCommand, reportFlags } from '../../../lib/receipts-command.js';
import { parseMaxIssues } from '../../../lib/receipts-verify.js';

export default class ReceiptsAuditMerge extends ReportCommand {
  static override summary = 'combine the partial reports of a sharded audit: seams checked, totals exact';
  static override description = `PARTS are the JSON reports of "receipts audit --slice --format json" (one per CI job, any slicing: days, files, --shard i/n), in any order. Each part's digest and key set are checked (a damaged or edited part, or one of other keys, is refused: exit 7); then every buyer chain is joined across the parts: a seq missing between parts is a chain_gap, a part that does not link to the one before (or two receipts for one seq) a chain_fork, parts that overlap a duplicate. Counts and totals are summed exactly.

With --state the chains must continue the state's tails, and the state is saved after a clean merge. Make the slices with the same --state: their receipts audited before are re-linked, and the merge checks that together they still lead to each tail (one deleted since is a chain_gap), so the same CI job passes when run again. A part audited with another state is a finding. A single report that is not a slice is rendered again as it is (how CI turns one JSON report into JUnit and annotations without auditing twice).

Keys as for "receipts audit". Exit 0 when clean, 1 for any finding, 2 usage, 7 refused.`;
  static override examples = [
    '<%= config.bin %> receipts audit merge part-*.json --keys keys.json',
    '<%= config.bin %> receipts audit merge part-*.json --keys keys.json --state audit-state.json --format github',
    '<%= config.bin %> receipts audit merge report.json --keys keys.json --format junit > junit.xml',
  ];
  static override strict = false;
  static override args = { parts: Args.string({ ignoreStdin: true, description: 'partial report files (JSON)', required: false }) };
  static override flags = {
    // The parts were judged already: only the keys they must have been judged with.
    keys: keyFlags.keys,
    pin: keyFlags.pin,
    ...reportFlags,
    state: Flags.string({ description: 'audit state the slices continue: checked at every chain, saved after a clean merge' }),
    partial: Flags.boolean({ allowNo: true, description: 'chains need not start at seq 1 (default: yes, unless --head is given)' }),
    head: Flags.string({ description: 'signed receipt-log head whose tree size is where the head buyer\'s merged chain ends' }),
    'head-buyer': Flags.string({ description: 'the buyer token whose chain --head covers' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ReceiptsAuditMerge);
    const format = this.reportFormat(flags);
    await runMergeCommand(this.io(), argv as string[], { ...flags, format, maxIssues: parseMaxIssues(flags['max-issues']) });
  }
}
