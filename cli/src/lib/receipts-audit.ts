import type { KeySet, UsageRow } from '@proxygate-kit/sdk/receipts';
import type { AuditResult, AuditState, LogHead, UsageExport } from '../lazy/receipts-audit-sdk.js';
import { CliError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { dateBound, todayUtc } from './format.js';
import { readTextFile } from './input.js';
import { unknownKeyAction } from './key-rotation-hint.js';
import { loadFormatUsd, type FormatUsd } from './money.js';
import { allRecords, parseShard, shardOf } from './receipt-input.js';
import { totalBytes, type InputSource } from './receipt-stream.js';
import { DOWNGRADE_BECAUSE, type ReportFormat } from './receipts-verify.js';
import { verifyProgress } from './verify-progress.js';

// `receipts audit`: every receipt streams through the SDK's audit (bounded memory: chains, not
// receipts), on a worker pool for large inputs. The CLI reads the input (receipt-input.ts: the
// same records `verify` judges), applies its own rules (downgrade, shards) and renders.

type AuditSdk = typeof import('../lazy/receipts-audit-sdk.js');
export const loadAuditSdk = (): Promise<AuditSdk> => import('../lazy/receipts-audit-sdk.js');

export interface AuditRequest {
  sources: readonly InputSource[];
  keys: KeySet;
  requireV3: boolean;
  /** `--state FILE`: read before (a damaged one is refused), written after a clean, whole audit. */
  state?: string | undefined;
  slice: boolean;
  partial: boolean;
  head?: string | undefined;
  headBuyer?: string | undefined;
  previousHead?: string | undefined;
  usage?: string | undefined;
  /** The window the usage export was asked for (default: its rows' first and last times). */
  usageFrom?: string | undefined;
  usageTo?: string | undefined;
  shard?: string | undefined;
  maxIssues: number;
}

export interface AuditRun {
  report: AuditResult;
  /** Where the next state was written (a clean, whole audit with `--state`). */
  stateWritten?: string;
  /** The state the audit continued, when there was one. */
  continued?: AuditState;
}

/** A state or partial report that cannot be trusted: refused, nothing audited (exit 7). */
export function refusedInput(what: string, problem: string, message: string, action: string): CliError {
  return new CliError('audit_input_refused', `${what} is refused (${problem}): ${message}`, ExitCode.auditInputRefused, action);
}

export async function readState(sdk: AuditSdk, file: string, keys: KeySet): Promise<AuditState | undefined> {
  try {
    return await sdk.readAuditStateFile(file, keys);
  } catch (error) {
    if (error instanceof sdk.AuditStateError) {
      const action =
        error.code === 'key_set_mismatch'
          ? 'it was made with other receipt keys: keep the old keys in the key set, or move the state away to start a full audit'
          : 'restore a good copy (the CI cache of the default branch), or move it away to start a full audit';
      throw refusedInput(`the audit state ${file}`, error.code, error.message, action);
    }
    throw error;
  }
}

export async function writeState(sdk: AuditSdk, file: string, report: AuditResult, keys: KeySet, previous: AuditState | undefined): Promise<void> {
  const next = await sdk.nextAuditState(report, { keys, previous });
  try {
    await sdk.writeAuditStateFile(file, next);
  } catch (error) {
    throw new CliError('state_unwritable', `cannot write the audit state ${file} (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`, ExitCode.failure, 'check the directory; the audit itself passed');
  }
}

/** A JSON file given on the command line; unreadable or invalid JSON is a usage error naming it. */
async function readJsonFile(file: string): Promise<unknown> {
  const text = await readTextFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
}

/** A log head file: the `head` object itself, or a whole `GET /v1/receipts` page carrying one. */
export async function readHead(file: string): Promise<LogHead> {
  const parsed = await readJsonFile(file);
  const candidate = (parsed as { head?: unknown } | null)?.head ?? parsed;
  const fields = ['origin', 'tree_size', 'root_hash', 'timestamp', 'kid', 'checkpoint'];
  if (typeof candidate !== 'object' || candidate === null || !fields.every((f) => f in candidate)) {
    throw new UsageError(`${file} is not a receipt-log head`, `it needs ${fields.join(', ')}`);
  }
  return candidate as LogHead;
}

/**
 * Usage to reconcile: `proxygate usage --all --json` output, a `GET /v1/usage` page (`usage` and
 * `summary`: the public gateway's export, whose rows name no receipt), or a bare array of rows.
 * Rows with `request_id` (our extension) are joined to receipts; the others are compared by sums.
 */
export async function readUsage(file: string, window: { from?: string | undefined; to?: string | undefined } = {}): Promise<UsageExport> {
  const parsed = await readJsonFile(file);
  const holder = (parsed ?? {}) as { usage?: unknown; data?: unknown; summary?: unknown; from?: unknown; to?: unknown };
  const rows = Array.isArray(parsed) ? parsed : Array.isArray(holder.usage) ? holder.usage : holder.data;
  const isRow = (r: unknown) => typeof r === 'object' && r !== null && ['number', 'string'].includes(typeof (r as { cost_micro_cents?: unknown }).cost_micro_cents);
  if (!Array.isArray(rows) || !rows.every(isRow)) {
    throw new UsageError(`${file} is not a usage export: it needs usage rows with cost_micro_cents`, 'save one with "proxygate usage --all --json > usage.json"');
  }
  const usage: UsageExport = { usage: rows as UsageRow[] };
  if (!Array.isArray(parsed) && Array.isArray(holder.summary)) usage.summary = holder.summary as NonNullable<UsageExport['summary']>;
  const from = window.from ?? (typeof holder.from === 'string' ? holder.from : undefined);
  const to = window.to ?? (typeof holder.to === 'string' ? holder.to : undefined);
  // Without the export's own window, its rows' first and last times, widened to whole seconds:
  // a v1/v2 receipt's time is a whole Unix second, at or before its row's (milliseconds).
  const times = (rows as Array<{ created_at?: unknown }>).map((r) => (typeof r.created_at === 'string' ? Date.parse(r.created_at) : NaN)).filter((t) => !Number.isNaN(t));
  if (from !== undefined) usage.from = from;
  else if (times.length) usage.from = new Date(Math.floor(Math.min(...times) / 1000) * 1000).toISOString();
  if (to !== undefined) usage.to = to;
  else if (times.length) usage.to = new Date(Math.floor(Math.max(...times) / 1000) * 1000 + 999).toISOString();
  return usage;
}

/**
 * `--usage-from` / `--usage-to`: RFC 3339, or a date (from: its start; to: its end), as `usage --from/--to`
 * take them. No durations: "7d" now is not the window the export was asked for some time ago.
 */
export function usageBound(flag: 'from' | 'to', value: string | undefined, now: number = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const bound = dateBound(value, flag);
  if (bound !== undefined) return bound;
  const today = todayUtc(now);
  throw new UsageError(`--usage-${flag} is not a date: "${value}"`, `use RFC 3339, e.g. ${today}T00:00:00Z, or a date like ${today}`);
}

/** A finding the CLI knows better than the placeholder the SDK judged (a line's problem). */
interface Override {
  reason: 'malformed';
  message: string;
}

// Records the SDK is told nothing about but must count (one invalid receipt each, at its place).
const PLACEHOLDER = new Uint8Array(0);
const looseUtf8 = new TextDecoder();

/**
 * The audit's items: the records of every source, less those of other shards; a line that holds
 * no receipt goes in as a placeholder (counted invalid where it is) and gets its finding's text
 * afterwards. The downgrade rule is the SDK's (`requireV3`), on the receipt it parses anyway.
 */
function buildItems(request: AuditRequest, onBytes: (n: number) => void) {
  const shard = request.shard === undefined ? undefined : parseShard(request.shard);
  const overrides = new Map<number, Override>();
  let index = 0;
  async function* items(source: InputSource): AsyncGenerator<{ input: Uint8Array | string; line: number }> {
    for await (const record of allRecords([source], { onBytes })) {
      const override: Override | undefined = record.input === undefined ? { reason: 'malformed', message: record.problem ?? 'not a receipt' } : undefined;
      if (shard) {
        // A buyer-chain shard needs each receipt's buyer before the audit reads it.
        const buyer = record.input === undefined ? undefined : looseParse(record.input)?.['buyer'];
        if (shardOf(typeof buyer === 'string' ? buyer : `${record.source}:${record.line}`, shard.total) !== shard.index) continue;
      }
      if (override && overrides.size < request.maxIssues) overrides.set(index, override);
      index++;
      yield { input: override ? PLACEHOLDER : record.input!, line: record.line };
    }
  }
  return { sources: request.sources.map((s) => ({ name: s.name, items: items(s) })), overrides };
}

function looseParse(input: Uint8Array | string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(typeof input === 'string' ? input : looseUtf8.decode(input)) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Puts the CLI's findings in place of the placeholders' (same place, same reason). */
function applyOverrides(report: AuditResult, overrides: Map<number, Override>): void {
  for (const issue of report.issues) {
    const o = issue.index === undefined ? undefined : overrides.get(issue.index);
    if (!o) continue;
    issue.reason = o.reason;
    issue.message = o.message;
    delete issue.field;
  }
}

/**
 * Findings about the usage export or a log head carry no receipt's place: name the file they come
 * from (text, annotations and JUnit then point at it).
 */
export function nameSideFiles(report: AuditResult, files: { usage?: string | undefined; head?: string | undefined; previousHead?: string | undefined }): void {
  for (const issue of report.issues) {
    if (issue.source !== undefined || issue.index !== undefined || !issue.field) continue;
    const file = issue.field.startsWith('usage') ? files.usage : issue.field.startsWith('previousHead') ? files.previousHead : issue.field.startsWith('head') ? files.head : undefined;
    if (file !== undefined) issue.source = file;
  }
}

// Below this (every input a regular file) the audit runs in this thread: starting worker threads
// costs more than it saves.
const POOL_FROM_BYTES = 4 << 20;

export async function runAudit(request: AuditRequest): Promise<AuditRun> {
  const sdk = await loadAuditSdk();
  const state = request.state ? await readState(sdk, request.state, request.keys) : undefined;
  const head = request.head ? await readHead(request.head) : undefined;
  const previousHead = request.previousHead ? await readHead(request.previousHead) : undefined;
  if ((request.usageFrom || request.usageTo) && !request.usage) throw new UsageError('--usage-from and --usage-to need --usage');
  const usage = request.usage ? await readUsage(request.usage, { from: usageBound('from', request.usageFrom), to: usageBound('to', request.usageTo) }) : undefined;
  const total = totalBytes(request.sources);
  let bytes = 0;
  const progress = verifyProgress({ label: 'auditing', totalBytes: total });
  const built = buildItems(request, (n) => {
    bytes += n;
  });
  const options = {
    partial: request.partial,
    slice: request.slice,
    maxIssues: request.maxIssues,
    ...(request.requireV3 ? { requireV3: { because: DOWNGRADE_BECAUSE } } : {}),
    onProgress: (p: { receipts: number }) => progress.tick(p.receipts, bytes),
    progressIntervalMs: 100,
    ...(state ? { state } : {}),
    ...(head ? { head } : {}),
    ...(request.headBuyer ? { headBuyer: request.headBuyer } : {}),
    ...(previousHead ? { previousHead } : {}),
    ...(usage ? { usage } : {}),
  };
  let report: AuditResult;
  try {
    if (total !== undefined && total < POOL_FROM_BYTES) {
      report = await sdk.auditStream(built.sources, { keys: request.keys, backend: sdk.nodeCryptoBackend, ...options });
    } else {
      const pool = sdk.createVerifierPool(request.keys);
      try {
        report = await pool.audit(built.sources, options);
      } finally {
        await pool.close();
      }
    }
  } finally {
    progress.stop();
  }
  applyOverrides(report, built.overrides);
  nameSideFiles(report, { usage: request.usage, head: request.head, previousHead: request.previousHead });
  const run: AuditRun = { report };
  if (state) run.continued = state;
  if (request.state && report.ok && !request.slice && report.counts.receipts > 0) {
    await writeState(sdk, request.state, report, request.keys, state);
    run.stateWritten = request.state;
  }
  return run;
}

// ---- output ----

function findingLine(f: AuditResult['issues'][number]): string {
  const where = f.source !== undefined ? (f.line !== undefined ? `${f.source}:${f.line}` : f.source) : f.index !== undefined ? `#${f.index + 1}` : 'audit';
  const about = [f.request_id, f.buyer && `buyer ${f.buyer}`, f.seq !== undefined ? `seq ${f.seq}` : undefined].filter(Boolean);
  return `${where}: ${f.reason}: ${f.message}${about.length ? ` [${about.join(' ')}]` : ''}`;
}

/** Human output: the findings, the chains and totals, usage and head, then `N valid, M invalid`. */
export function renderAuditText(report: AuditResult, formatUsd: FormatUsd): string {
  const lines = report.issues.map(findingLine);
  if (report.issues_omitted > 0) {
    const counts = Object.entries(report.issues_by_reason).map(([r, n]) => `${r} ${n}`).join(', ');
    lines.push(`… ${report.issues_omitted} more finding(s) not listed (all findings by reason: ${counts})`);
  }
  const kind = report.merged_from !== undefined ? `merge of ${report.merged_from} part(s)` : report.slice ? 'slice (chains are joined by "receipts audit merge")' : undefined;
  // v1/v2 receipts have no chain: their buyers are counted apart, not as "0 chain(s)" then listed.
  const groups = [
    ...(report.chains.length > 0 || report.legacy.length === 0 ? [`${report.chains.length} chain(s)`] : []),
    ...(report.legacy.length > 0 ? [`${report.legacy.length} buyer(s) of v1/v2 receipts (no chain)`] : []),
  ];
  lines.push(`audit${kind ? ` (${kind})` : ''}: ${groups.join(', ')}, spend ${formatUsd(report.spend.total)} (${report.spend.total} micro-USD)`);
  for (const c of report.chains) {
    const runs = c.runs.map((r) => (r.first.seq === r.last.seq ? `${r.first.seq}` : `${r.first.seq}..${r.last.seq}`)).join(', ');
    lines.push(`  ${c.buyer}: ${c.receipts} receipt(s), seq ${runs || 'none'}, spend ${formatUsd(c.total)}`);
  }
  for (const b of report.legacy) lines.push(`  ${b.buyer} (v1/v2): ${b.receipts} receipt(s), spend ${formatUsd(b.total)}`);
  const u = report.usage;
  if (u) {
    const j = u.joined;
    if (j.matched + j.missing_receipts + j.amount_mismatches > 0 || !u.aggregate) {
      lines.push(`  usage: ${j.matched} matched, ${j.missing_receipts} without a receipt, ${j.amount_mismatches} amount mismatch(es), ${j.receipts_without_usage} receipt(s) not in usage`);
    }
    const a = u.aggregate;
    if (a) {
      const same = a.rows.total === a.receipts.total && a.rows.paid === a.receipts.paid;
      lines.push(
        `  usage ${a.from}..${a.to} (rows without request ids, compared by sums): rows ${formatUsd(a.rows.total)} in ${a.rows.paid} paid call(s), ` +
          `receipts ${formatUsd(a.receipts.total)} in ${a.receipts.paid}: ${same ? 'they agree' : 'they DIFFER'}`,
      );
      for (const b of a.differing_buckets.slice(0, 5)) lines.push(`    from ${b.start}: rows ${formatUsd(b.rows_total)}, receipts ${formatUsd(b.receipts_total)}`);
      if (a.summary_mismatches.length) lines.push(`    the export's summary disagrees with its rows for ${a.summary_mismatches.length} service/model pair(s): the export is incomplete`);
    }
  }
  const h = report.head;
  if (h) {
    lines.push(
      `  log head: ${h.verified ? 'signature valid' : 'signature INVALID'}, tree size ${h.tree_size}, root ${h.root_matches ? 'matches' : 'DOES NOT match'}` +
        (h.extends_previous === undefined ? '' : h.extends_previous ? ', extends the previous head' : ', does NOT extend the previous head') +
        (h.buyer ? ` (chain ${h.buyer})` : ''),
    );
  }
  const c = report.counts;
  const extra = [...(c.duplicates ? [`${c.duplicates} duplicate(s)`] : []), ...(c.replayed ? [`${c.replayed} audited before`] : [])];
  lines.push(`${c.valid} valid, ${c.invalid} invalid${extra.length ? `, ${extra.join(', ')}` : ''}`);
  return `${lines.join('\n')}\n`;
}

export async function formatAuditReport(report: AuditResult, format: ReportFormat, seconds: number, name = 'proxygate receipts audit'): Promise<string> {
  if (format === 'json') return (await loadAuditSdk()).serializeAuditReport(report);
  if (format === 'text') return renderAuditText(report, await loadFormatUsd());
  const { renderAuditGithub, renderAuditJUnit } = await import('../lazy/receipts-render.js');
  if (format === 'junit') return renderAuditJUnit(report, { name, timestamp: new Date().toISOString(), seconds });
  return renderAuditGithub(report);
}

/** Exit 1 for findings, or for no receipts at all unless allowed; the report already said what. */
export function auditFailure(report: AuditResult, allowEmpty: boolean, keys?: KeySet): CliError | undefined {
  if (!report.ok) {
    const n = Object.values(report.issues_by_reason).reduce((a, b) => a + (b ?? 0), 0);
    const action = unknownKeyAction(report.issues_by_reason, keys && { keys, failures: report.issues });
    return Object.assign(new CliError('audit_failed', `${n} finding(s)`, ExitCode.failure, action), { reported: true });
  }
  if (report.counts.receipts === 0 && !allowEmpty) {
    return new CliError('no_receipts', 'no receipts in the input: an audit of nothing is not a pass', ExitCode.failure, 'pass --allow-empty when no receipts is fine');
  }
  return undefined;
}
