import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';
import { readInputFile } from './input.js';
import { chooseInputs, chooseKeys, keyFlags, reportFlags, type CommandIo } from './receipts-command.js';
import { auditFailure, formatAuditReport, loadAuditSdk, nameSideFiles, readHead, readState, refusedInput, runAudit, writeState } from './receipts-audit.js';
import { legacyRule, type ReportFormat } from './receipts-verify.js';

// The runs of `receipts audit` (also `verify --audit`) and `receipts audit merge`, free of oclif's
// command classes so both commands share them.

export const auditFlags = {
  ...keyFlags,
  ...reportFlags,
  state: Flags.string({ description: 'audit state file: read first (a damaged one is refused, exit 7), written after a clean audit; the next run audits only what is new and proves it continues' }),
  slice: Flags.boolean({ description: 'this input is one slice of a sharded audit: write a partial report (--format json) for "receipts audit merge"' }),
  partial: Flags.boolean({ allowNo: true, description: 'chains need not start at seq 1 (default: yes, unless --head is given)' }),
  head: Flags.string({ description: 'signed receipt-log head (JSON, or a GET /v1/receipts page) proving nothing was cut from the end of a chain' }),
  'head-buyer': Flags.string({ description: 'the buyer token whose chain --head covers (when receipts of several buyers are audited)' }),
  'previous-head': Flags.string({ description: 'the head a previous audit accepted (default: the one in --state): the new one must extend it' }),
  usage: Flags.string({ description: 'usage export to reconcile ("usage --all --json", or a GET /v1/usage page of the public gateway)' }),
  'usage-from': Flags.string({ description: 'with --usage: the start of the window the export was asked for (RFC 3339 or YYYY-MM-DD; default: its first row)' }),
  'usage-to': Flags.string({ description: 'with --usage: the end of that window (RFC 3339, or YYYY-MM-DD: through that day; default: its last row)' }),
  shard: Flags.string({ description: 'take part i of n of the buyer chains, e.g. 2/4 (each chain lands in one shard)' }),
};

export interface AuditCommandOptions {
  keys?: string | undefined;
  pin?: string[] | undefined;
  profile?: string | undefined;
  gateway?: string | undefined;
  'require-v3'?: boolean | undefined;
  'allow-legacy'?: boolean | undefined;
  'allow-empty'?: boolean | undefined;
  format: ReportFormat;
  maxIssues: number;
  state?: string | undefined;
  slice: boolean;
  partial: boolean | undefined;
  head?: string | undefined;
  'head-buyer'?: string | undefined;
  'previous-head'?: string | undefined;
  usage?: string | undefined;
  'usage-from'?: string | undefined;
  'usage-to'?: string | undefined;
  shard?: string | undefined;
}

export async function runAuditCommand(io: CommandIo, files: readonly string[], opts: AuditCommandOptions): Promise<void> {
  const started = Date.now();
  if (opts['head-buyer'] && !opts.head) throw new UsageError('--head-buyer needs --head');
  if (opts['previous-head'] && !opts.head) throw new UsageError('--previous-head needs --head');
  const chosen = await chooseKeys(opts);
  const requireV3 = legacyRule(chosen, { requireV3: opts['require-v3'], allowLegacy: opts['allow-legacy'] });
  const sources = await chooseInputs(files, opts.profile, (t) => io.note(t));
  const run = await runAudit({
    sources,
    keys: chosen.keys,
    requireV3,
    state: opts.state,
    slice: opts.slice,
    partial: opts.partial ?? !opts.head,
    head: opts.head,
    headBuyer: opts['head-buyer'],
    previousHead: opts['previous-head'],
    usage: opts.usage,
    usageFrom: opts['usage-from'],
    usageTo: opts['usage-to'],
    shard: opts.shard,
    maxIssues: opts.maxIssues,
  });
  const { report } = run;
  io.write(await formatAuditReport(report, opts.format, (Date.now() - started) / 1000));
  if (opts.state) {
    if (run.stateWritten) io.note(`state saved to ${run.stateWritten}${run.continued ? ` (continues the audit of ${run.continued.updated_at})` : ' (first audit)'}`);
    else if (opts.slice) io.note(`state not saved: a slice; "receipts audit merge --state ${opts.state}" saves it`);
    else if (!report.ok) io.note(`state not saved: the audit found problems (${opts.state} is unchanged)`);
    else io.note(`state unchanged: no receipts (${opts.state})`);
  }
  const allowEmpty = Boolean(opts['allow-empty']);
  if (report.counts.receipts === 0 && allowEmpty) io.note('no receipts found in the input');
  const failure = auditFailure(report, allowEmpty, chosen.keys);
  if (failure) throw io.reported(failure, opts.format);
}

export interface MergeCommandOptions {
  keys?: string | undefined;
  pin?: string[] | undefined;
  profile?: string | undefined;
  gateway?: string | undefined;
  'allow-empty'?: boolean | undefined;
  format: ReportFormat;
  maxIssues: number;
  state?: string | undefined;
  partial: boolean | undefined;
  head?: string | undefined;
  'head-buyer'?: string | undefined;
}

export async function runMergeCommand(io: CommandIo, parts: readonly string[], opts: MergeCommandOptions): Promise<void> {
  const started = Date.now();
  if (parts.length === 0) throw new UsageError('no partial reports to merge', 'name the JSON reports of "receipts audit --slice --format json"');
  if (parts.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  if (opts['head-buyer'] && !opts.head) throw new UsageError('--head-buyer needs --head');
  const texts = await Promise.all(parts.map(async (p) => (p === '-' ? readInputFile('-') : readPart(p))));
  const chosen = await chooseKeys(opts);
  const sdk = await loadAuditSdk();
  const state = opts.state ? await readState(sdk, opts.state, chosen.keys) : undefined;
  const head = opts.head ? await readHead(opts.head) : undefined;
  const refused = (error: unknown) => {
    if (error instanceof sdk.AuditReportError) {
      const what = error.part === undefined ? 'the merge' : `the partial report ${parts[error.part] === '-' ? 'from stdin' : parts[error.part]}`;
      const action = error.code === 'key_set_mismatch' ? 'audit every slice with the same keys' : 'it was damaged or edited after its audit: run that slice again';
      return refusedInput(what, error.code, error.message.replace(/^part \d+:? ?/, ''), action);
    }
    return error;
  };
  let report;
  try {
    if (parts.length === 1 && !state && !head && opts.partial === undefined) {
      // One whole (not sliced) report merged alone is itself: rendered again, its head and usage kept.
      const only = await sdk.parseAuditReport(texts[0]!, 0);
      if (!only.slice) {
        await sdk.mergeAuditReports([only], { keys: chosen.keys }); // refuses a report of other keys
        report = only;
      }
    }
    report ??= await sdk.mergeAuditReports(texts, {
      keys: chosen.keys,
      partial: opts.partial ?? !head,
      maxIssues: opts.maxIssues,
      ...(state ? { state } : {}),
      ...(head ? { head } : {}),
      ...(opts['head-buyer'] ? { headBuyer: opts['head-buyer'] } : {}),
    });
  } catch (error) {
    throw refused(error);
  }
  nameSideFiles(report, { head: opts.head });
  io.write(await formatAuditReport(report, opts.format, (Date.now() - started) / 1000, report.merged_from === undefined ? 'proxygate receipts audit' : 'proxygate receipts audit merge'));
  if (opts.state) {
    if (report.ok && report.counts.receipts > 0) {
      await writeState(sdk, opts.state, report, chosen.keys, state);
      io.note(`state saved to ${opts.state}`);
    } else io.note(`state not saved (${opts.state} is unchanged): ${report.ok ? 'no receipts' : 'the merge found problems'}`);
  }
  const allowEmpty = Boolean(opts['allow-empty']);
  if (report.counts.receipts === 0 && allowEmpty) io.note('no receipts found in the parts');
  const failure = auditFailure(report, allowEmpty, chosen.keys);
  if (failure) throw io.reported(failure, opts.format);
}

function readPart(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`, 'check the file path');
  }
}
