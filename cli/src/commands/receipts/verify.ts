import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { renderVerifyReport, verificationFailure, verifyReceiptFiles, type VerifyReport } from '../../lib/receipts-verify.js';

export type { VerifyReport } from '../../lib/receipts-verify.js';

export default class ReceiptsVerify extends BaseCommand {
  static override summary = 'verify signed receipts offline against pinned keys';
  static override description = `Reads JSON (one receipt, an array, or a receipt-log page), JSON Lines, or base64 header values from
FILES or stdin. Never uses the network. Prints one line per failure with its reason code (and the
receipt's request id and time, with the unit its integer timestamp was read in: unix seconds or
milliseconds, told apart by magnitude) and a summary "N valid, M invalid"; --list prints every
receipt. Exit 0 when all are valid, 1 when any is not, 2 for usage errors.
Keys: --keys FILE (from "receipts keys export"), or --pin platform=KEY --pin receipt-ca=KEY for the
v1/v2 receipts of a gateway that publishes its keys only in GET /health (the public gateway).
--shard i/n splits the work between CI jobs (by receipt; by buyer chain with --audit).`;
  static override examples = [
    '<%= config.bin %> receipts verify receipts.jsonl --keys keys.json',
    'cat receipts.jsonl | <%= config.bin %> receipts verify --keys keys.json --json',
    '<%= config.bin %> receipts verify receipts.jsonl --pin platform=<base58> --pin receipt-ca=<base58> --list',
    '<%= config.bin %> receipts verify receipts.jsonl --keys keys.json --audit --shard 2/4',
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  // ignoreStdin (on every arg of the CLI): oclif would otherwise take piped stdin as a missing arg.
  static override args = { files: Args.string({ ignoreStdin: true, description: 'receipt files (- for stdin; default stdin)', required: false }) };
  static override flags = {
    keys: Flags.string({ description: 'key set file saved by "receipts keys export" [env: PROXYGATE_RECEIPT_KEYS]' }),
    pin: Flags.string({ description: 'pin one key as KID=KEY (repeatable; platform=… and receipt-ca=… for v1/v2)', multiple: true }),
    audit: Flags.boolean({ description: 'also check each buyer chain (seq/prev: gaps, forks, duplicates) and total the amounts' }),
    list: Flags.boolean({ description: 'one line per receipt, valid ones too: version, request id, amount in USD, time and its unit' }),
    shard: Flags.string({ description: 'take part i of n of the receipts, e.g. 2/4 (CI matrices)' }),
    head: Flags.string({ description: 'with --audit: signed receipt-log head (JSON, or a GET /v1/receipts page) proving the chain is complete' }),
    usage: Flags.string({ description: 'with --audit: usage saved by "proxygate usage --all --json", reconciled with the receipts' }),
    'previous-head': Flags.string({ description: 'with --audit --head: the head a previous audit accepted; the new one must extend it' }),
  };

  async run(): Promise<VerifyReport> {
    const { argv, flags } = await this.parse(ReceiptsVerify);
    const report = await verifyReceiptFiles({ files: argv as string[], keys: flags.keys, pins: flags.pin ?? [], audit: flags.audit, list: flags.list, shard: flags.shard, head: flags.head, previousHead: flags['previous-head'], usage: flags.usage });
    this.out(renderVerifyReport(report));
    if (report.valid + report.invalid === 0) this.note('no receipts found in the input');
    const failure = verificationFailure(report);
    if (failure) {
      if (this.jsonEnabled()) this.logJson(report);
      throw failure;
    }
    return report;
  }
}
