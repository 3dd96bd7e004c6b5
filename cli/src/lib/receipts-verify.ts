import type { CheckedKeyStore, Verdict } from '@proxygate-kit/sdk/receipts';
import { CliError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { readTextFile } from './input.js';
import { inputSources, parseShard, readReceiptSources, shardOf, splitReceipts, type ReceiptItem } from './receipt-input.js';
import { loadPinnedKeys } from './receipt-keys.js';
import { openReceiptSource } from './receipt-stream.js';
import { loadMoneyFormatter, loadReceiptsSdk } from './sdk-loader.js';
import { verifyProgress } from './verify-progress.js';

// The whole of `receipts verify`, free of oclif, so the start-up fast path can run it too.

/** A receipt's time as the SDK read it: the value as received, its unit (told by magnitude), the instant. */
export interface ReceiptTimeJson {
  value: number | string;
  unit: 'unix_seconds' | 'unix_milliseconds' | 'rfc3339';
  iso: string;
}

export interface VerifyFailure {
  at: string;
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

export interface AuditSummary {
  chains: Array<{ buyer: string; count: number; first_seq: number; last_seq: number; head_hash: string; spend_usd: string }>;
  /** Integer micro-USD as strings (summed as bigint: any size survives JSON readers); `total_usd` for people. */
  spend: { total: string; total_usd: string; by_listing: Record<string, string>; by_buyer: Record<string, string> };
  head?: { verified: boolean; tree_size: number; root_matches: boolean; extends_previous?: boolean };
  usage?: { matched: number; missing_receipts: string[]; amount_mismatches: string[]; receipts_without_usage: string[] };
}

export interface VerifyReport {
  valid: number;
  invalid: number;
  shard?: string;
  failures: VerifyFailure[];
  /** With `--list`: every receipt in input order. */
  receipts?: ListedReceipt[];
  audit?: AuditSummary;
}

export interface VerifyRequest {
  files: readonly string[];
  keys?: string | undefined;
  pins: readonly string[];
  audit: boolean;
  /** One line per receipt (valid ones too): version, request id, amount, time and its unit. */
  list?: boolean | undefined;
  shard?: string | undefined;
  /** Signed log head (JSON of `head`, or a receipt-log page that has one): proves nothing was cut from the end. */
  head?: string | undefined;
  /** The head a previous audit accepted: the new one must extend it. */
  previousHead?: string | undefined;
  /** Saved `proxygate usage --all --json` output to reconcile with the receipts (offline). */
  usage?: string | undefined;
  /** Keys that passed the curve checks in an earlier run (the fast path's per-user cache). */
  checkedKeys?: CheckedKeyStore | undefined;
}

export async function verifyReceiptFiles(request: VerifyRequest): Promise<VerifyReport> {
  const shard = request.shard === undefined ? undefined : parseShard(request.shard);
  const keys = await loadPinnedKeys(request.keys, request.pins, request.checkedKeys);
  const sdk = await loadReceiptsSdk();
  if (!request.audit) {
    if (request.head || request.previousHead || request.usage) throw new UsageError('--head, --previous-head and --usage need --audit');
    const formatUsd = request.list ? await loadMoneyFormatter() : undefined;
    return withShard(await verifyStreaming(request.files, keys, shard, sdk, formatUsd), request.shard);
  }
  const formatUsd = await loadMoneyFormatter();
  let items = await readReceiptSources(request.files);
  if (shard) items = selectChains(items, shard);
  const texts = items.map((i) => i.text);
  // An issue without a receipt index is about one of the side files: name it (not "-", which reads as stdin).
  const sideFile = (field: string | undefined) =>
    (field === 'usage' ? request.usage : field?.startsWith('previousHead') ? request.previousHead : field?.startsWith('head') ? request.head : undefined) ?? 'audit';
  const at = (index: number | undefined, field?: string) => (index === undefined ? sideFile(field) : (items[index]?.locator ?? `#${index + 1}`));
  const head = request.head ? await readHead(request.head) : undefined;
  const previousHead = request.previousHead ? await readHead(request.previousHead) : undefined;
  const usage = request.usage ? await readUsage(request.usage) : undefined;
  const audit = await sdk.auditReceipts(texts, {
    keys,
    backend: sdk.nodeCryptoBackend,
    // Without a head the set may be a slice (one month of receipts): it need not start at seq 1.
    partial: head === undefined,
    ...(head ? { head } : {}),
    ...(previousHead ? { previousHead } : {}),
    ...(usage ? { usage } : {}),
  });
  const invalid = audit.verdicts.filter((v) => !v.valid).length;
  const failures = audit.issues.map((issue) =>
    failureOf(at(issue.index, issue.field), issue.reason, issue.message, issue.field, issue.request_id, issue.index === undefined ? undefined : audit.verdicts[issue.index]?.time),
  );
  const strings = (r: Record<string, bigint>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.toString()]));
  const summary: AuditSummary = {
    chains: audit.chains.map((c) => ({
      buyer: c.buyer,
      count: c.count,
      first_seq: c.firstSeq,
      last_seq: c.lastSeq,
      head_hash: c.headHash,
      spend_usd: formatUsd(audit.spend.byBuyer[c.buyer] ?? 0n),
    })),
    spend: { total: audit.spend.total.toString(), total_usd: formatUsd(audit.spend.total), by_listing: strings(audit.spend.byListing), by_buyer: strings(audit.spend.byBuyer) },
  };
  if (audit.head) {
    summary.head = { verified: audit.head.verified, tree_size: audit.head.treeSize, root_matches: audit.head.rootMatches };
    if (audit.head.extendsPrevious !== undefined) summary.head.extends_previous = audit.head.extendsPrevious;
  }
  if (audit.usage) {
    summary.usage = {
      matched: audit.usage.matched,
      missing_receipts: audit.usage.missingReceipts,
      amount_mismatches: audit.usage.amountMismatches,
      receipts_without_usage: audit.usage.receiptsWithoutUsage,
    };
  }
  const report: VerifyReport = { valid: audit.verdicts.length - invalid, invalid, failures, audit: summary };
  if (request.list) report.receipts = audit.verdicts.map((verdict, i) => listed(items[i]?.locator ?? `#${i + 1}`, verdict, formatUsd));
  return withShard(report, request.shard);
}

type FormatUsd = Awaited<ReturnType<typeof loadMoneyFormatter>>;

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

type ReceiptsSdk = Awaited<ReturnType<typeof loadReceiptsSdk>>;
type Keys = Awaited<ReturnType<typeof loadPinnedKeys>>;

/**
 * Plain verification, one source at a time: JSON Lines go through the SDK's verifyStream (memory
 * bounded by its window, whatever the file size); other forms are read whole. Only failures are
 * kept. `--shard` takes every n-th receipt counted across all sources.
 */
async function verifyStreaming(files: readonly string[], keys: Keys, shard: { index: number; total: number } | undefined, sdk: ReceiptsSdk, formatUsd: FormatUsd | undefined): Promise<VerifyReport> {
  const sources = inputSources(files);
  const failures: VerifyFailure[] = [];
  // Only with --list: every receipt is kept (memory then grows with the input).
  const receipts: ListedReceipt[] | undefined = formatUsd ? [] : undefined;
  let valid = 0;
  let ordinal = 0;
  const mine = () => !shard || ordinal++ % shard.total === shard.index - 1;
  const progress = verifyProgress();
  const record = (verdict: Verdict, at: string) => {
    if (verdict.valid) valid++;
    else failures.push(failureOf(at, verdict.reason, verdict.message, verdict.field, verdict.receipt?.request_id, verdict.time));
    if (receipts && formatUsd) receipts.push(listed(at, verdict, formatUsd));
    progress.tick(valid + failures.length);
  };
  try {
    await verifySources();
  } finally {
    progress.stop();
  }
  return receipts ? { valid, invalid: failures.length, failures, receipts } : { valid, invalid: failures.length, failures };

  async function verifySources(): Promise<void> {
    for (const file of sources) {
      const name = file === '-' ? 'stdin' : file;
      const source = await openReceiptSource(file);
      if (source.kind === 'whole') {
        const items = splitReceipts(source.text, name).filter(() => mine());
        const verdicts = await sdk.verifyReceipts(items.map((i) => i.text), { keys, backend: sdk.nodeCryptoBackend });
        verdicts.forEach((verdict, i) => record(verdict, items[i]?.locator ?? name));
        continue;
      }
      // Positions (n-th receipt line of this source) of the lines handed to verifyStream, in order.
      const positions: number[] = [];
      let line = 0;
      async function* selected(): AsyncGenerator<Uint8Array> {
        for await (const bytes of sdk.jsonLines(source.kind === 'lines' ? source.chunks : [])) {
          line++;
          if (!mine()) continue;
          positions.push(line);
          // An over-long line stays a (malformed) line so verdicts keep their positions.
          yield bytes === null ? TOO_LONG_LINE : withNewline(bytes);
        }
      }
      for await (const verdict of sdk.verifyStream(selected(), { keys, backend: sdk.nodeCryptoBackend })) record(verdict, `${name}:${positions.shift() ?? '?'}`);
    }
  }
}

const TOO_LONG_LINE = new TextEncoder().encode('"line too long"\n');

function withNewline(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = 0x0a;
  return out;
}

function failureOf(at: string, reason: string, message: string, field: string | undefined, requestId: string | undefined, time?: Verdict['time']): VerifyFailure {
  const failure: VerifyFailure = { at, reason, message };
  if (field) failure.field = field;
  if (requestId) failure.request_id = requestId;
  const t = timeJson(time);
  if (t) failure.time = t;
  return failure;
}

function withShard(report: VerifyReport, shard: string | undefined): VerifyReport {
  if (shard) report.shard = shard;
  return report;
}

type Head = NonNullable<Parameters<Awaited<ReturnType<typeof loadReceiptsSdk>>['auditReceipts']>[1]['head']>;

type UsageEntries = NonNullable<Parameters<ReceiptsSdk['auditReceipts']>[1]['usage']>;

/** A JSON file given on the command line; unreadable or invalid JSON is a usage error naming it. */
async function readJsonFile(file: string): Promise<unknown> {
  const text = await readTextFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
}

/** Usage rows saved by `proxygate usage --all --json` (or a `GET /v1/usage` page, or a bare array). */
async function readUsage(file: string): Promise<UsageEntries> {
  const parsed = await readJsonFile(file);
  const holder = parsed as { usage?: unknown; data?: unknown };
  const entries = Array.isArray(parsed) ? parsed : Array.isArray(holder.usage) ? holder.usage : holder.data;
  if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'object' && e !== null)) {
    throw new UsageError(`${file} is not a usage list`, 'save one with "proxygate usage --all --json > usage.json"');
  }
  if (!entries.every((e) => typeof (e as { request_id?: unknown }).request_id === 'string')) {
    // The join key is our extension: the public gateway's usage rows do not name the receipt.
    throw new UsageError(
      `${file}: its usage rows carry no request_id, so they cannot be matched to receipts`,
      'the gateway must serve the usage request_id extension; the public gateway does not',
    );
  }
  return entries as UsageEntries;
}

/** A log head file: the `head` object itself, or a whole `GET /v1/receipts` page carrying one. */
async function readHead(file: string): Promise<Head> {
  const parsed = await readJsonFile(file);
  const candidate = (parsed as { head?: unknown }).head ?? parsed;
  const fields = ['origin', 'tree_size', 'root_hash', 'timestamp', 'kid', 'checkpoint'];
  if (typeof candidate !== 'object' || candidate === null || !fields.every((f) => f in candidate)) {
    throw new UsageError(`${file} is not a receipt-log head`, `it needs ${fields.join(', ')}`);
  }
  return candidate as Head;
}


const UNIT_WORDS: Record<ReceiptTimeJson['unit'], string> = { unix_seconds: 'unix seconds', unix_milliseconds: 'unix milliseconds', rfc3339: 'RFC 3339' };

/** `2023-11-14T22:13:20Z (unix seconds 1700000000)`: the instant and how the value was read. */
function timeText(time: ReceiptTimeJson): string {
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

/** Human output: one line per failure (per receipt with --list), the audit, then `N valid, M invalid`. */
export function renderVerifyReport(report: VerifyReport): string {
  const lines = report.receipts
    ? report.receipts.flatMap((r) => {
        const findings = report.failures.filter((f) => f.at === r.at).map(failureLine);
        return r.valid || findings.length === 0 ? [listedLine(r), ...findings] : findings;
      })
    : report.failures.map(failureLine);
  if (report.receipts) {
    // Findings that are not about one receipt (usage, head) still get their line.
    const listedAt = new Set(report.receipts.map((r) => r.at));
    lines.push(...report.failures.filter((f) => !listedAt.has(f.at)).map(failureLine));
  }
  if (report.audit) {
    const { chains, spend, head } = report.audit;
    lines.push(`audit: ${chains.length} chain(s), spend ${spend.total_usd} (${spend.total} micro-USD)`);
    for (const c of chains) lines.push(`  ${c.buyer}: ${c.count} receipt(s), seq ${c.first_seq}..${c.last_seq}, spend ${c.spend_usd}`);
    if (report.audit.usage) {
      const u = report.audit.usage;
      lines.push(`  usage: ${u.matched} matched, ${u.missing_receipts.length} without a receipt, ${u.amount_mismatches.length} amount mismatch(es), ${u.receipts_without_usage.length} receipt(s) not in usage`);
    }
    if (head) {
      lines.push(`  log head: ${head.verified ? 'signature valid' : 'signature INVALID'}, tree size ${head.tree_size}, root ${head.root_matches ? 'matches' : 'DOES NOT match'}${head.extends_previous === undefined ? '' : head.extends_previous ? ', extends the previous head' : ', does NOT extend the previous head'}`);
    }
  }
  lines.push(`${report.valid} valid, ${report.invalid} invalid${report.shard ? ` (shard ${report.shard})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** Exit 1 when anything failed; the report already said what, so the error is marked reported. */
export function verificationFailure(report: VerifyReport): CliError | undefined {
  if (report.failures.length === 0) return undefined;
  return Object.assign(new CliError('verification_failed', `${report.failures.length} problem(s) found`, ExitCode.failure), { reported: true });
}

/** An audit needs whole chains: shard by buyer so each chain lands in exactly one job. */
function selectChains(items: ReceiptItem[], shard: { index: number; total: number }): ReceiptItem[] {
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
