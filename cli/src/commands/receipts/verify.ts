import { Args, Flags } from '@oclif/core';
import { UsageError } from '../../lib/errors.js';
import { chooseInputs, chooseKeys, INPUT_RULE, KEYS_RULE, keyFlags, ReportCommand, reportFlags } from '../../lib/receipts-command.js';
import { runAuditCommand } from '../../lib/receipts-audit-command.js';
import { totalBytes } from '../../lib/receipt-stream.js';
import { formatVerifyReport, legacyRule, parseMaxIssues, verificationFailure, verifySources } from '../../lib/receipts-verify.js';

export type { VerifyReport } from '../../lib/receipts-verify.js';

export default class ReceiptsVerify extends ReportCommand {
  static override summary = 'verify signed receipts offline against pinned keys';
  static override description = `Checks each receipt's signature (and key, window, format) offline. Prints one line per failure: FILE:LINE, its reason code, the receipt's request id and time (with the unit its integer timestamp was read in: unix seconds or milliseconds, told apart by magnitude), then "N valid, M invalid"; --list prints every receipt. Exit 0 when all are valid, 1 when any is not or when there is no receipt at all (unless --allow-empty), 2 for usage errors.

${INPUT_RULE}

A line that is not a receipt is one failure with its line number; the rest is still read. The first --max-issues failures are listed, all are counted. The verdict a trail line recorded at call time is never believed: each receipt is verified again.

${KEYS_RULE}

--format junit|github renders the failures for CI (JUnit XML, workflow annotations with file and line); --shard i/n splits the receipts between CI jobs; --audit is "receipts audit".`;
  static override examples = [
    '<%= config.bin %> receipts verify',
    '<%= config.bin %> receipts verify receipts.jsonl --keys keys.json',
    'cat receipts.jsonl | <%= config.bin %> receipts verify --keys keys.json --json',
    '<%= config.bin %> receipts verify receipts.jsonl --pin platform=<base58> --pin receipt-ca=<base58> --list',
    '<%= config.bin %> receipts verify receipts/*.jsonl --keys keys.json --format github --shard 2/4',
  ];
  static override strict = false;
  // ignoreStdin (on every arg of the CLI): oclif would otherwise take piped stdin as a missing arg.
  static override args = { files: Args.string({ ignoreStdin: true, description: 'receipt files (- for stdin); none: piped stdin, else the kept log', required: false }) };
  static override flags = {
    ...keyFlags,
    ...reportFlags,
    list: Flags.boolean({ description: 'one line per receipt, valid ones too: version, request id, amount in USD, time and its unit' }),
    shard: Flags.string({ description: 'take part i of n of the receipts, e.g. 2/4 (CI matrices)' }),
    audit: Flags.boolean({ description: 'run "receipts audit" instead (chains, totals)' }),
    head: Flags.string({ description: 'with --audit: signed receipt-log head (see "receipts audit")' }),
    usage: Flags.string({ description: 'with --audit: usage to reconcile (see "receipts audit")' }),
    'previous-head': Flags.string({ description: 'with --audit --head: the head a previous audit accepted' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ReceiptsVerify);
    const files = argv as string[];
    const format = this.reportFormat(flags);
    const maxIssues = parseMaxIssues(flags['max-issues']);
    if (flags.audit) {
      if (flags.list) throw new UsageError('--list is not an audit flag', 'drop --list, or --audit');
      return runAuditCommand(this.io(), files, { ...flags, format, maxIssues, slice: false, partial: undefined });
    }
    if (flags.head || flags['previous-head'] || flags.usage) throw new UsageError('--head, --previous-head and --usage need --audit', 'use "proxygate receipts audit"');
    const started = Date.now();
    const chosen = await chooseKeys(flags);
    const requireV3 = legacyRule(chosen, { requireV3: flags['require-v3'], allowLegacy: flags['allow-legacy'] });
    const sources = await chooseInputs(files, flags.profile, (t) => this.note(t));
    const report = await verifySources(sources, { keys: chosen.keys, requireV3, list: flags.list, shard: flags.shard, maxIssues, totalBytes: totalBytes(sources) });
    this.write(await formatVerifyReport(report, format, (Date.now() - started) / 1000));
    const allowEmpty = flags['allow-empty'];
    if (report.valid + report.invalid === 0 && allowEmpty) this.note('no receipts found in the input');
    const failure = verificationFailure(report, allowEmpty, chosen.keys);
    if (failure) throw this.reported(failure, format);
  }
}
