import type { CheckedKeyStore, KeySet, Verdict } from '@proxygate-kit/sdk/receipts';
import { CliError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { unknownKeyAction } from './key-rotation-hint.js';
import { allRecords, locator, parseShard, type ReceiptRecord } from './receipt-input.js';
import { loadPinnedKeys } from './receipt-keys.js';
import type { InputSource } from './receipt-stream.js';
import { loadFormatUsd, type FormatUsd } from './money.js';
import { loadReceiptsSdk } from './sdk-loader.js';
import { verifyProgress } from './verify-progress.js';

// The whole of `receipts verify`, free of oclif, so the start-up fast path runs the same code.

/** A receipt's time as the SDK read it: the value as received, its unit (told by magnitude), the instant. */
export interface ReceiptTimeJson {
  value: number | string;
  unit: 'unix_seconds' | 'unix_milliseconds' | 'rfc3339';
  iso: string;
}

export interface VerifyFailure {
  /** `file:line`, or `file#n` for an element of a JSON array or log page. */
  at: string;
  file: string;
  line: number;
  element?: number;
  reason: string;
  message: string;
  field?: string;
  request_id?: string;
  time?: ReceiptTimeJson;
}

/** One line of `--list`: every receipt, valid or not. */
export interface ListedReceipt {
  at: string;
  valid: boolean;
  reason: string;
  version?: number;
  request_id?: string;
  /** Integer micro-USD as text (v1/v2 integers and v3 strings alike), and in USD. */
  amount_micro_usd?: string;
  amount_usd?: string;
  time?: ReceiptTimeJson;
}

export interface VerifyReport {
  valid: number;
  invalid: number;
  shard?: string;
  /** The first `--max-issues` failures (default 1000), in input order. */
  failures: VerifyFailure[];
  /** Failures counted but not listed. */
  failures_omitted: number;
  /** Every failure counted by reason. */
  failures_by_reason: Record<string, number>;
  /** Valid receipts per version (a failed one counts in `invalid` only), as the audit's `counts.v1`..`v3`. */
  versions: { v1: number; v2: number; v3: number };
  /** With `--list`: every receipt in input order. */
  receipts?: ListedReceipt[];
}

export type ReportFormat = 'text' | 'json' | 'junit' | 'github';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'junit', 'github'];

export interface VerifyOptions {
  keys: KeySet;
  /** v1/v2 receipts are `downgrade` failures (see `legacyRule`). */
  requireV3: boolean;
  list?: boolean | undefined;
  shard?: string | undefined;
  maxIssues?: number | undefined;
  /** Bytes of all inputs (regular files), for the progress ETA. */
  totalBytes?: number | undefined;
}

export const DEFAULT_MAX_ISSUES = 1000;

/** Keys named on the command line or by PROXYGATE_RECEIPT_KEYS; undefined when none is. */
export interface ExplicitKeys {
  keys?: string | undefined;
  pins: readonly string[];
  checkedKeys?: CheckedKeyStore | undefined;
}

export interface ChosenKeys {
  keys: KeySet;
  /** A key-set document (a file or a pin of one), as opposed to keys pinned one by one with --pin. */
  document: boolean;
}

export function hasExplicitKeys(request: ExplicitKeys, env: Record<string, string | undefined> = process.env): boolean {
  return request.keys !== undefined || request.pins.length > 0 || Boolean(env['PROXYGATE_RECEIPT_KEYS']);
}

export async function explicitKeys(request: ExplicitKeys): Promise<ChosenKeys> {
  return { keys: await loadPinnedKeys(request.keys, request.pins, request.checkedKeys), document: request.pins.length === 0 };
}

/**
 * Downgrade: a key-set document that lists v3 keys belongs to a gateway that signs v3 receipts
 * (the `receipt_v3` extension), so a v1/v2 receipt verified against it binds neither request nor
 * response and is refused, as the SDK refuses it at call time. `--allow-legacy` accepts them (a
 * token that gateway keeps on legacy receipts); `--require-v3` refuses them whatever the keys.
 */
export function legacyRule(chosen: ChosenKeys, flags: { requireV3?: boolean | undefined; allowLegacy?: boolean | undefined }): boolean {
  if (flags.requireV3 && flags.allowLegacy) throw new UsageError('--require-v3 and --allow-legacy contradict each other');
  if (flags.requireV3) return true;
  if (flags.allowLegacy) return false;
  return chosen.document && chosen.keys.kids.length > 0;
}

/** Why a v1/v2 receipt is refused (`downgradeVerdict`'s `because`) when v3 is required. */
export const DOWNGRADE_BECAUSE = 'these keys are of a gateway that signs v3 receipts (--allow-legacy accepts it)';

export function parseMaxIssues(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_ISSUES;
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError('--max-issues must be a whole number >= 0');
  return value;
}

/** Failures kept up to a cap, every one counted by reason: memory stays flat for a million bad lines. */
export class FailureList {
  readonly list: VerifyFailure[] = [];
  omitted = 0;
  readonly byReason: Record<string, number> = {};
  constructor(private readonly max: number) {}
  get count(): number {
    return this.list.length + this.omitted;
  }
  add(make: () => VerifyFailure, reason: string): void {
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    if (this.list.length < this.max) this.list.push(make());
    else this.omitted++;
  }
}

function timeJson(time: Verdict['time']): ReceiptTimeJson | undefined {
  return time ? { value: time.value, unit: time.unit, iso: time.iso } : undefined;
}

function listed(at: string, verdict: Verdict, formatUsd: FormatUsd): ListedReceipt {
  const entry: ListedReceipt = { at, valid: verdict.valid, reason: verdict.reason };
  const r = verdict.receipt;
  if (r) {
    entry.version = r.receipt_version ?? 1;
    entry.request_id = r.request_id;
    const amount = String(r.amount);
    if (/^-?\d+$/.test(amount)) {
      entry.amount_micro_usd = amount;
      entry.amount_usd = formatUsd(amount);
    }
  }
  const time = timeJson(verdict.time);
  if (time) entry.time = time;
  return entry;
}

export function failureOf(record: Pick<ReceiptRecord, 'source' | 'line' | 'element'>, verdict: Pick<Verdict, 'reason' | 'message' | 'field' | 'time'> & { receipt?: { request_id?: string } | undefined }): VerifyFailure {
  const failure: VerifyFailure = { at: locator(record), file: record.source, line: record.line, reason: verdict.reason, message: verdict.message };
  if (record.element !== undefined) failure.element = record.element;
  if (verdict.field) failure.field = verdict.field;
  if (verdict.receipt?.request_id) failure.request_id = verdict.receipt.request_id;
  const t = timeJson(verdict.time);
  if (t) failure.time = t;
  return failure;
}

const WINDOW = 64;

/**
 * Verifies every receipt of the sources, in order, with up to WINDOW in flight; keeps only the
 * failures (capped) unless `--list`. `--shard i/n` takes every n-th receipt across all sources.
 */
export async function verifySources(sources: readonly InputSource[], options: VerifyOptions): Promise<VerifyReport> {
  const sdk = await loadReceiptsSdk();
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const formatUsd = options.list ? await loadFormatUsd() : undefined;
  const failures = new FailureList(options.maxIssues ?? DEFAULT_MAX_ISSUES);
  const receipts: ListedReceipt[] | undefined = formatUsd ? [] : undefined;
  const versions = { v1: 0, v2: 0, v3: 0 };
  let valid = 0;
  let ordinal = 0;
  let bytes = 0;
  const progress = verifyProgress({ totalBytes: options.totalBytes });
  const judge = (record: ReceiptRecord): Verdict | Promise<Verdict> =>
    record.input === undefined
      ? sdk.failedVerdict('malformed', record.problem ?? 'not a receipt')
      : sdk.verifyReceipt(record.input, { keys: options.keys, backend: sdk.nodeCryptoBackend });
  const record = (r: ReceiptRecord, judged: Verdict) => {
    const receipt = judged.receipt;
    const version = receipt ? (receipt.receipt_version ?? 1) : undefined;
    const verdict = options.requireV3 && receipt && version !== undefined && version < 3 ? sdk.downgradeVerdict(receipt, DOWNGRADE_BECAUSE) : judged;
    if (verdict.valid) {
      valid++;
      versions[version === 3 ? 'v3' : version === 2 ? 'v2' : 'v1']++;
    } else failures.add(() => failureOf(r, verdict), verdict.reason);
    if (receipts && formatUsd) receipts.push(listed(locator(r), verdict, formatUsd));
    progress.tick(valid + failures.count, bytes);
  };
  const queue: Array<{ record: ReceiptRecord; verdict: Verdict | Promise<Verdict> }> = [];
  try {
    for await (const r of allRecords(sources, { onBytes: (n) => (bytes += n) })) {
      if (shard && ordinal++ % shard.total !== shard.index - 1) continue;
      const verdict = judge(r);
      if (verdict instanceof Promise) verdict.catch(() => undefined);
      queue.push({ record: r, verdict });
      if (queue.length >= WINDOW) {
        const next = queue.shift()!;
        record(next.record, await next.verdict);
      }
    }
    for (const next of queue.splice(0)) record(next.record, await next.verdict);
  } finally {
    progress.stop();
  }
  const report: VerifyReport = { valid, invalid: failures.count, failures: failures.list, failures_omitted: failures.omitted, failures_by_reason: failures.byReason, versions };
  if (options.shard) report.shard = options.shard;
  if (receipts) report.receipts = receipts;
  return report;
}

const UNIT_WORDS: Record<ReceiptTimeJson['unit'], string> = { unix_seconds: 'unix seconds', unix_milliseconds: 'unix milliseconds', rfc3339: 'RFC 3339' };

/** `2023-11-14T22:13:20Z (unix seconds 1700000000)`: the instant and how the value was read. */
export function timeText(time: ReceiptTimeJson): string {
  return time.unit === 'rfc3339' ? time.iso : `${time.iso} (${UNIT_WORDS[time.unit]} ${time.value})`;
}

function failureLine(f: VerifyFailure): string {
  const about = [...(f.request_id ? [f.request_id] : []), ...(f.time ? [`at ${timeText(f.time)}`] : [])];
  return `${f.at}: ${f.reason}: ${f.message}${about.length ? ` [${about.join(' ')}]` : ''}`;
}

function listedLine(r: ListedReceipt): string {
  const parts = [
    r.valid ? 'valid' : r.reason,
    ...(r.version !== undefined ? [`v${r.version}`] : []),
    ...(r.request_id ? [r.request_id] : []),
    ...(r.amount_usd ? [r.amount_usd] : []),
    ...(r.time ? [`at ${timeText(r.time)}`] : []),
  ];
  return `${r.at}: ${parts.join(' ')}`;
}

/** `… 12 more failure(s) not listed (by reason: malformed 10, bad_signature 2)`. */
export function omittedLine(omitted: number, byReason: Record<string, number>): string {
  const counts = Object.entries(byReason).map(([r, n]) => `${r} ${n}`).join(', ');
  return `… ${omitted} more failure(s) not listed (all failures by reason: ${counts})`;
}

/** Human output: one line per failure (per receipt with --list), then `N valid, M invalid`. */
export function renderVerifyReport(report: VerifyReport): string {
  const lines = report.receipts
    ? report.receipts.flatMap((r) => {
        const findings = report.failures.filter((f) => f.at === r.at).map(failureLine);
        return r.valid || findings.length === 0 ? [listedLine(r), ...findings] : findings;
      })
    : report.failures.map(failureLine);
  if (report.failures_omitted > 0) lines.push(omittedLine(report.failures_omitted, report.failures_by_reason));
  lines.push(`${report.valid} valid, ${report.invalid} invalid${report.shard ? ` (shard ${report.shard})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** What the SDK's CI renderers read, from a verify report (no chains: signatures only). */
export function renderableOf(report: VerifyReport) {
  return {
    ok: report.invalid === 0,
    issues: report.failures.map((f) => ({
      reason: f.reason as Verdict['reason'] & string,
      message: f.message,
      source: f.file,
      line: f.line,
      ...(f.field ? { field: f.field } : {}),
      ...(f.request_id ? { request_id: f.request_id } : {}),
    })),
    issues_omitted: report.failures_omitted,
    issues_by_reason: report.failures_by_reason,
    counts: { receipts: report.valid + report.invalid, valid: report.valid, invalid: report.invalid, duplicates: 0, replayed: 0, ...report.versions },
  };
}

/** The report in `format` (text, json, junit, github). */
export async function formatVerifyReport(report: VerifyReport, format: ReportFormat, seconds: number): Promise<string> {
  if (format === 'text') return renderVerifyReport(report);
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const { renderAuditGithub, renderAuditJUnit } = await import('../lazy/receipts-render.js');
  const renderable = renderableOf(report) as Parameters<typeof renderAuditJUnit>[0];
  if (format === 'junit') return renderAuditJUnit(renderable, { name: 'proxygate receipts verify', timestamp: new Date().toISOString(), seconds });
  return renderAuditGithub(renderable).replace(/^::notice title=receipts audit /m, '::notice title=receipts verify ');
}

/** Exit 1 when anything failed, or nothing was read (unless `--allow-empty`); the report already said what. */
export function verificationFailure(report: VerifyReport, allowEmpty: boolean, keys?: KeySet): CliError | undefined {
  if (report.invalid > 0) {
    const action = unknownKeyAction(report.failures_by_reason, keys && { keys, failures: report.failures });
    return Object.assign(new CliError('verification_failed', `${report.invalid} problem(s) found`, ExitCode.failure, action), { reported: true });
  }
  if (report.valid === 0 && !allowEmpty) return emptyInputFailure();
  return undefined;
}

export function emptyInputFailure(): CliError {
  return new CliError('no_receipts', 'no receipts in the input: a check of nothing is not a pass', ExitCode.failure, 'pass --allow-empty when no receipts is fine');
}

/** `::error` for a failure that stopped a `--format github` run, so the workflow shows it. */
export function githubErrorLine(failure: CliError): string {
  const data = `${failure.code}: ${failure.message}${failure.action ? ` (${failure.action})` : ''}`.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return `::error title=proxygate receipts::${data}\n`;
}

export function parseFormat(format: string | undefined, json: boolean): ReportFormat {
  if (format === undefined) return json ? 'json' : 'text';
  if (!REPORT_FORMATS.includes(format as ReportFormat)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${format}"`);
  if (json && format !== 'json') throw new UsageError(`--json and --format ${format} contradict each other`);
  return format as ReportFormat;
}
