import { parseRfc3339, parseRfc3339Ns } from './time.js';
import type { Receipt } from './types.js';

/**
 * How a receipt's time value was read. The public gateway does not document the unit of its
 * integer times (its own client's tests use Unix seconds), so it is told apart by magnitude.
 */
export type TimeUnit = 'unix_seconds' | 'unix_milliseconds' | 'rfc3339';

/**
 * Integer times below this are Unix seconds (they reach the year 5138), others milliseconds
 * (from 3 March 1973). No real receipt sits where the two readings overlap.
 */
export const UNIX_MILLISECONDS_FROM = 1e11;

// The largest epoch milliseconds a Date can hold (ECMAScript: 8.64e15, year 275760).
const MAX_EPOCH_MS = 8.64e15;

/** A receipt's time as interpreted: what came, the unit it was read in, and the instant. */
export interface ReceiptTime {
  /** The value exactly as the receipt carries it. */
  readonly value: number | string;
  readonly unit: TimeUnit;
  /** Epoch milliseconds (an RFC 3339 fraction finer than that is rounded down). */
  readonly epochMs: number;
  /** The instant in RFC 3339 UTC: whole seconds for Unix seconds, milliseconds otherwise. */
  readonly iso: string;
}

const UNIT_LABEL: Record<TimeUnit, string> = {
  unix_seconds: 'unix seconds',
  unix_milliseconds: 'unix milliseconds',
  rfc3339: 'RFC 3339',
};

/** `2023-11-14T22:13:20Z (unix seconds)`: the instant and how it was read, for people. */
export function formatReceiptTime(time: ReceiptTime): string {
  return `${time.iso} (${UNIT_LABEL[time.unit]})`;
}

/** Why an integer cannot be a receipt time, or `undefined` when it can. */
export function integerTimeProblem(n: number): string | undefined {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return 'must be a safe integer';
  if (n < 0) return 'must not be negative';
  if (n > MAX_EPOCH_MS) return 'is beyond the last representable date';
  return undefined;
}

export function integerUnit(n: number): 'unix_seconds' | 'unix_milliseconds' {
  return n < UNIX_MILLISECONDS_FROM ? 'unix_seconds' : 'unix_milliseconds';
}

/**
 * The exact instant in epoch nanoseconds of a time the parser accepted: an integer (unit by
 * magnitude) or RFC 3339 text. Windows compare these, so values in different units compare as
 * the instants they name.
 */
export function instantNs(value: number | string): bigint | undefined {
  if (typeof value === 'string') return parseRfc3339Ns(value);
  return BigInt(value) * (integerUnit(value) === 'unix_seconds' ? 1_000_000_000n : 1_000_000n);
}

const DIGITS = /^(0|[1-9][0-9]{0,15})$/;

/**
 * Reads a receipt time: an integer by magnitude; a string of digits (older v1 receipts) the same
 * way; otherwise RFC 3339 text. `undefined` when the value names no instant we can read (older
 * v1 receipts may carry any text: they still verify, they just have no interpreted time).
 */
export function readTime(value: number | string): ReceiptTime | undefined {
  if (typeof value === 'number') return integerTime(value, value);
  if (DIGITS.test(value)) return integerTime(Number(value), value);
  const epochMs = parseRfc3339(value);
  if (epochMs === undefined) return undefined;
  return { value, unit: 'rfc3339', epochMs, iso: new Date(epochMs).toISOString() };
}

function integerTime(n: number, value: number | string): ReceiptTime | undefined {
  if (integerTimeProblem(n) !== undefined) return undefined;
  const unit = integerUnit(n);
  const epochMs = unit === 'unix_seconds' ? n * 1000 : n;
  const iso = new Date(epochMs).toISOString();
  return { value, unit, epochMs, iso: unit === 'unix_seconds' ? iso.slice(0, -5) + 'Z' : iso };
}

/**
 * The interpreted time of a parsed receipt (its `timestamp`); `undefined` only for an older v1
 * receipt whose text names no instant.
 */
export function receiptTime(receipt: Receipt): ReceiptTime | undefined {
  // v3 times are RFC 3339 UTC with milliseconds, already the ISO form (the parser checked).
  if (receipt.receipt_version === 3) {
    return { value: receipt.timestamp, unit: 'rfc3339', epochMs: Date.parse(receipt.timestamp), iso: receipt.timestamp };
  }
  return readTime(receipt.timestamp);
}
