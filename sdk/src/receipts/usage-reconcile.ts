import { located, type Findings } from './audit-findings.js';
import type { AggregateUsage, AuditLocation, UsageResult } from './audit-types.js';
import { parseRfc3339 } from './time.js';
import type { Receipt } from './types.js';

/**
 * A `/v1/usage` row. The public gateway's rows carry `id, service, path, model, status_code,
 * latency_ms, cost_micro_cents, listing_id, seller_id, created_at` (cost in micro-USD whatever
 * the name says); our extension adds `request_id`, the receipt's, which joins a row to its
 * receipt exactly. Unknown fields are ignored.
 */
export interface UsageRow {
  cost_micro_cents: number | string;
  request_id?: string | undefined;
  created_at?: string | undefined;
  service?: string | undefined;
  model?: string | null | undefined;
  refunded?: boolean | undefined;
  [field: string]: unknown;
}

export interface UsageSummaryEntry {
  service: string;
  model: string | null;
  request_count: number;
  total_cost_micro_cents: number | string;
}

/**
 * What to reconcile against: rows (one page or all of them), the export's `summary[]` and the
 * window it was asked for (`from` / `to` of the query; by default the rows' first and last
 * `created_at`). Rows without `request_id` are compared by sums over the window, per hour bucket.
 */
export interface UsageExport {
  usage: Iterable<UsageRow> | AsyncIterable<UsageRow>;
  summary?: readonly UsageSummaryEntry[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Bucket width of the aggregate comparison; default one hour. */
  bucketMs?: number | undefined;
}

const EXAMPLES = 20;
const MAX_BUCKETS_SHOWN = 50;

interface Joined { cost: bigint | undefined; raw: unknown; refunded: boolean; matched: boolean }
interface Bucket { rows: bigint; receipts: bigint }
interface ServiceSums { rows: bigint; receipts: bigint; rowsPaid: number; receiptsPaid: number }
interface RowSums { service: string; model: string | null; total: bigint; count: number }

/** A usage cost as bigint, or undefined when it is not an integer. */
export function integerAmount(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value)) return BigInt(value);
  if (typeof value === 'bigint') return value;
  return undefined;
}

/**
 * Joins receipts to usage rows as they stream by. Memory: the rows with `request_id` (one entry
 * each: the join needs one side whole), and sums per bucket and service for the others.
 */
export class UsageReconciler {
  private readonly joined = new Map<string, Joined>();
  private readonly result: UsageResult['joined'] = { matched: 0, amount_mismatches: 0, missing_receipts: 0, receipts_without_usage: 0, examples: { missing_receipts: [], amount_mismatches: [], receipts_without_usage: [] } };
  private aggregate: {
    from: number; to: number; bucketMs: number;
    rows: { count: number; paid: number; total: bigint };
    receipts: { count: number; paid: number; total: bigint; untimed: number; unnamed: number };
    buckets: Map<number, Bucket>;
    services: Map<string, ServiceSums>;
  } | undefined;
  private readonly summary: readonly UsageSummaryEntry[];
  /** Every row's cost per service and model, joined or not: the export's `summary[]` totals all its rows. */
  private readonly rowSums = new Map<string, RowSums>();

  private constructor(summary: readonly UsageSummaryEntry[] | undefined) {
    this.summary = summary ?? [];
  }

  static async from(input: UsageExport | Iterable<UsageRow> | AsyncIterable<UsageRow>, findings: Findings): Promise<UsageReconciler> {
    const exp: UsageExport = isExport(input) ? input : { usage: input };
    const self = new UsageReconciler(exp.summary);
    const open: UsageRow[] = [];
    // Every row's readable created_at, joined or not: the default window spans the whole export.
    const span = { min: Infinity, max: -Infinity };
    for await (const row of exp.usage as AsyncIterable<UsageRow>) {
      if (typeof row !== 'object' || row === null) {
        findings.add({ reason: 'malformed', field: 'usage', message: 'a usage row is not an object' });
        continue;
      }
      self.addToSums(row);
      const at = rowTime(row);
      if (Number.isFinite(at)) { span.min = Math.min(span.min, at); span.max = Math.max(span.max, at); }
      if (typeof row.request_id === 'string' && row.request_id) {
        self.joined.set(row.request_id, { cost: integerAmount(row.cost_micro_cents), raw: row.cost_micro_cents, refunded: row.refunded === true, matched: false });
      } else {
        open.push(row);
      }
    }
    if (open.length > 0 || exp.summary) self.startAggregate(open, span, exp, findings);
    return self;
  }

  private addToSums(row: UsageRow): void {
    const cost = integerAmount(row.cost_micro_cents);
    if (cost === undefined) return;
    const service = typeof row.service === 'string' ? row.service : '';
    const model = typeof row.model === 'string' ? row.model : null;
    const key = `${service}\u0000${model ?? ''}`;
    const sums = this.rowSums.get(key) ?? { service, model, total: 0n, count: 0 };
    sums.total += cost;
    sums.count++;
    this.rowSums.set(key, sums);
  }

  private startAggregate(rows: UsageRow[], span: { min: number; max: number }, exp: UsageExport, findings: Findings): void {
    const timed: { row: UsageRow; at: number; cost: bigint }[] = [];
    for (const row of rows) {
      const at = rowTime(row);
      const cost = integerAmount(row.cost_micro_cents);
      if (!Number.isFinite(at) || cost === undefined) {
        findings.add({ reason: 'malformed', field: 'usage', message: `usage row ${JSON.stringify(String(row['id'] ?? '?').slice(0, 60))} has no readable created_at or integer cost_micro_cents` });
        continue;
      }
      timed.push({ row, at, cost });
    }
    const from = exp.from !== undefined ? parseRfc3339(exp.from) : Number.isFinite(span.min) ? span.min : undefined;
    const to = exp.to !== undefined ? parseRfc3339(exp.to) : Number.isFinite(span.max) ? span.max : undefined;
    if (from === undefined || to === undefined) {
      if (rows.length) findings.add({ reason: 'malformed', field: 'usage', message: 'usage window (from/to) is not an RFC 3339 timestamp' });
      return;
    }
    const bucketMs = exp.bucketMs && exp.bucketMs > 0 ? exp.bucketMs : 3_600_000;
    const agg: NonNullable<UsageReconciler['aggregate']> = {
      from, to, bucketMs,
      rows: { count: 0, paid: 0, total: 0n },
      receipts: { count: 0, paid: 0, total: 0n, untimed: 0, unnamed: 0 },
      buckets: new Map(), services: new Map(),
    };
    for (const { row, at, cost } of timed) {
      const service = typeof row.service === 'string' ? row.service : '';
      if (at < from || at > to) continue;
      agg.rows.count++;
      agg.rows.total += cost;
      if (cost > 0n) agg.rows.paid++;
      bucket(agg, at).rows += cost;
      const s = serviceSums(agg, service);
      s.rows += cost;
      if (cost > 0n) s.rowsPaid++;
    }
    this.aggregate = agg;
  }

  /** One valid, non-duplicate receipt. */
  receipt(r: Receipt, epochMs: number | undefined, at: AuditLocation, findings: Findings): void {
    const row = this.joined.get(r.request_id);
    const charged = BigInt(r.amount);
    if (row) {
      row.matched = true;
      if (row.cost !== undefined && (charged === row.cost || (row.refunded && charged === 0n))) this.result.matched++;
      else {
        this.result.amount_mismatches++;
        example(this.result.examples.amount_mismatches, r.request_id);
        const said = row.cost === undefined ? `usage cost ${JSON.stringify(String(row.raw).slice(0, 40))} is not an integer of micro-USD` : `usage cost ${row.cost}`;
        findings.add(located({ reason: 'content_mismatch', field: 'amount', request_id: r.request_id, buyer: r.buyer, message: `receipt amount ${charged} differs from ${said}` }, at));
      }
      return;
    }
    this.result.receipts_without_usage++;
    example(this.result.examples.receipts_without_usage, r.request_id);
    const agg = this.aggregate;
    if (!agg) return;
    if (epochMs === undefined) { agg.receipts.untimed++; return; }
    if (epochMs < agg.from || epochMs > agg.to) return;
    agg.receipts.count++;
    agg.receipts.total += charged;
    if (charged > 0n) agg.receipts.paid++;
    bucket(agg, epochMs).receipts += charged;
    if (r.receipt_version === 3) {
      const s = serviceSums(agg, r.service);
      s.receipts += charged;
      if (charged > 0n) s.receiptsPaid++;
    } else agg.receipts.unnamed++;
  }

  finish(findings: Findings): UsageResult {
    for (const [id, row] of this.joined) {
      if (row.matched) continue;
      this.result.missing_receipts++;
      example(this.result.examples.missing_receipts, id);
      findings.add({ reason: 'chain_gap', field: 'usage', request_id: id, message: `usage entry ${id} has no valid receipt` });
    }
    const out: UsageResult = { joined: this.result };
    const agg = this.aggregate;
    if (agg) out.aggregate = this.finishAggregate(agg, findings);
    return out;
  }

  private finishAggregate(agg: NonNullable<UsageReconciler['aggregate']>, findings: Findings): AggregateUsage {
    const iso = (ms: number) => new Date(ms).toISOString();
    const window = `${iso(agg.from)}..${iso(agg.to)}`;
    if (agg.rows.total !== agg.receipts.total || agg.rows.paid !== agg.receipts.paid) {
      findings.add({
        reason: 'content_mismatch', field: 'usage.total',
        message: `usage ${window}: rows charge ${agg.rows.total} micro-USD over ${agg.rows.paid} paid call(s), receipts sign for ${agg.receipts.total} over ${agg.receipts.paid}`,
      });
    }
    const result: AggregateUsage = {
      from: iso(agg.from), to: iso(agg.to), bucket_ms: agg.bucketMs,
      rows: { count: agg.rows.count, paid: agg.rows.paid, total: agg.rows.total.toString() },
      receipts: { count: agg.receipts.count, paid: agg.receipts.paid, total: agg.receipts.total.toString(), untimed: agg.receipts.untimed },
      differing_buckets: [...agg.buckets.entries()]
        .filter(([, b]) => b.rows !== b.receipts)
        .sort((a, b) => a[0] - b[0])
        .slice(0, MAX_BUCKETS_SHOWN)
        .map(([start, b]) => ({ start: iso(start), rows_total: b.rows.toString(), receipts_total: b.receipts.toString() })),
      summary_mismatches: [],
    };
    // Per service only when every receipt in the window names one (v1/v2 receipts do not).
    if (agg.receipts.unnamed === 0) {
      result.by_service = {};
      for (const [service, s] of agg.services) {
        Object.defineProperty(result.by_service, service, {
          value: { rows_total: s.rows.toString(), receipts_total: s.receipts.toString(), rows_paid: s.rowsPaid, receipts_paid: s.receiptsPaid },
          enumerable: true, writable: true, configurable: true,
        });
        if (s.rows !== s.receipts && agg.rows.total === agg.receipts.total) {
          findings.add({ reason: 'content_mismatch', field: 'usage.service', message: `usage ${window}, service ${JSON.stringify(service)}: rows charge ${s.rows} micro-USD, receipts sign for ${s.receipts}` });
        }
      }
    }
    for (const entry of this.summary) {
      const sums = this.rowSums.get(`${entry.service}\u0000${entry.model ?? ''}`);
      const total = integerAmount(entry.total_cost_micro_cents);
      const rowsTotal = sums?.total ?? 0n;
      const rowsCount = sums?.count ?? 0;
      if (total === rowsTotal && entry.request_count === rowsCount) continue;
      result.summary_mismatches.push({ service: entry.service, model: entry.model, summary_total: String(entry.total_cost_micro_cents), rows_total: rowsTotal.toString(), summary_count: entry.request_count, rows_count: rowsCount });
      findings.add({
        reason: 'content_mismatch', field: 'usage.summary',
        message: `usage summary for ${entry.service}${entry.model ? `/${entry.model}` : ''} says ${entry.request_count} call(s), ${String(entry.total_cost_micro_cents)} micro-USD; its rows hold ${rowsCount}, ${rowsTotal} (an incomplete export?)`,
      });
    }
    return result;
  }
}

function isExport(input: unknown): input is UsageExport {
  return typeof input === 'object' && input !== null && 'usage' in input && !(Symbol.iterator in input) && !(Symbol.asyncIterator in input);
}

function rowTime(row: UsageRow): number {
  return typeof row.created_at === 'string' ? parseRfc3339(row.created_at) ?? Date.parse(row.created_at) : NaN;
}

function bucket(agg: { bucketMs: number; buckets: Map<number, Bucket> }, at: number): Bucket {
  const start = Math.floor(at / agg.bucketMs) * agg.bucketMs;
  let b = agg.buckets.get(start);
  if (!b) agg.buckets.set(start, (b = { rows: 0n, receipts: 0n }));
  return b;
}

function serviceSums(agg: { services: Map<string, ServiceSums> }, service: string): ServiceSums {
  let s = agg.services.get(service);
  if (!s) agg.services.set(service, (s = { rows: 0n, receipts: 0n, rowsPaid: 0, receiptsPaid: 0 }));
  return s;
}

function example(list: string[], id: string): void {
  if (list.length < EXAMPLES) list.push(id);
}
