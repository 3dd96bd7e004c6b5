// Money helpers. One unit everywhere: integer micro-USD (1 USD = 1,000,000), whatever a gateway
// field's name says (`*_micro_cents`, `*_micro_usdc`, a balance in "lamports" are all 1e-6 USD).
// Per-token prices are integer micro-USD per million tokens. Everything here is integer
// arithmetic: catalog floats are read from their decimal text, never multiplied as floats.
import { ValidationError } from '../core/error.js';

/** Micro-USD in one US dollar. */
export const MICRO_USD_PER_USD = 1_000_000n;
/** Micro-USD in one cent. */
export const MICRO_USD_PER_CENT = 10_000n;
/** Decimals of USD one micro-USD carries. */
const USD_DECIMALS = 6;
/** Decimals of USD per token that micro-USD per million tokens carries exactly. */
const PER_TOKEN_DECIMALS = 12;

type Amount = number | bigint | string;

function invalid(message: string, value: unknown): ValidationError {
  return new ValidationError(message, [{ path: [], message, code: 'invalid_amount' }], value);
}

/** An amount of micro-USD as bigint: a safe integer, a bigint, or an integer string (`"1500"`, `"-3"`). */
export function toMicroUsd(amount: Amount): bigint {
  if (typeof amount === 'bigint') return amount;
  if (typeof amount === 'number') {
    if (!Number.isSafeInteger(amount)) throw invalid('Amount must be a safe integer of micro-USD', amount);
    return BigInt(amount);
  }
  if (!/^-?(0|[1-9][0-9]*)$/.test(amount)) throw invalid('Amount must be an integer string of micro-USD', amount);
  return BigInt(amount);
}

/** Sums amounts of micro-USD exactly (receipt amounts of any size included). */
export function sumMicroUsd(amounts: Iterable<Amount>): bigint {
  let total = 0n;
  for (const amount of amounts) total += toMicroUsd(amount);
  return total;
}

/**
 * Formats micro-USD as US dollars, exactly: `1050` -> `"$0.00105"`. At least two decimals are
 * shown, more only when the amount needs them (up to 6, the full precision).
 */
export function formatUsd(amount: Amount): string {
  const value = toMicroUsd(amount);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const dollars = abs / MICRO_USD_PER_USD;
  const fraction = (abs % MICRO_USD_PER_USD).toString().padStart(USD_DECIMALS, '0').replace(/0+$/, '').padEnd(2, '0');
  const grouped = dollars.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}$${grouped}.${fraction}`;
}

/**
 * Parses a dollar amount (`"1.25"`, `"$0.00105"`, `"1,000"`) into integer micro-USD without
 * floating point; more than 6 decimals is an error rather than a silent rounding.
 */
export function parseUsd(text: string): bigint {
  const cleaned = text.trim().replace(/^(-?)\$/, '$1').replace(/,(?=\d{3}(\D|$))/g, '');
  const match = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(cleaned);
  if (!match) throw invalid(`Not a dollar amount with at most 6 decimals: ${JSON.stringify(text.slice(0, 40))}`, text);
  const [, sign, whole, frac = ''] = match;
  const value = BigInt(whole!) * MICRO_USD_PER_USD + BigInt(frac.padEnd(USD_DECIMALS, '0'));
  return sign ? -value : value;
}

/** A bigint amount as a REST number, refusing values a JSON reader would round. */
export function toSafeNumber(amount: bigint): number {
  const n = Number(amount);
  if (!Number.isSafeInteger(n)) throw invalid('Amount exceeds Number.MAX_SAFE_INTEGER micro-USD', amount.toString());
  return n;
}

// A plain decimal or exponent form, as `String(n)` writes a non-negative number ("0.00105", "1e-7", "1.5e+21").
const DECIMAL_TEXT = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * @internal `value * 10^decimals` as an integer, computed on the decimal text of `value` and rounded UP
 * when the text carries more precision than that: a price read this way is never understated.
 */
export function scaleDecimalUp(value: number | string, decimals: number, field: string): bigint {
  if (typeof value === 'number' && !Number.isFinite(value)) throw invalid(`${field} must be a finite number`, value);
  const text = (typeof value === 'number' ? String(value) : value).trim();
  const match = DECIMAL_TEXT.exec(text);
  if (!match) throw invalid(`${field} must be a non-negative decimal number, not ${JSON.stringify(text.slice(0, 40))}`, value);
  const [, whole = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) throw invalid(`${field} is out of range`, value);
  const digits = BigInt(`${whole}${fraction}`);
  // value = digits * 10^(exponent - fraction.length); scaled = digits * 10^shift.
  const shift = decimals + exponent - fraction.length;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  const quotient = digits / divisor;
  return digits % divisor === 0n ? quotient : quotient + 1n;
}

function safe(scaled: bigint, field: string, value: unknown): number {
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${field} exceeds Number.MAX_SAFE_INTEGER once converted`, value);
  return Number(scaled);
}

/**
 * A catalog USD(C) amount (`buyer_price_per_request_usdc: 0.00105`) as integer micro-USD (`1050`),
 * read from its decimal text (`String(n)`, exponent forms such as `1e-7` included), never with
 * float arithmetic. Text more precise than a micro-USD rounds UP (`1e-7` -> 1): a price is never
 * understated. Negative, non-finite or unsafe values throw `ValidationError`.
 */
export function usdToMicroUsd(value: number | string): number {
  return safe(scaleDecimalUp(value, USD_DECIMALS, 'A USD amount'), 'A USD amount', value);
}

/**
 * A catalog per-token USD(C) price (`0.000002` per token) as integer micro-USD per million tokens
 * (`2_000_000`): exact for up to 12 decimals of USD, rounded UP beyond (never understated).
 */
export function usdPerTokenToMicroUsdPerMillion(value: number | string): number {
  return safe(scaleDecimalUp(value, PER_TOKEN_DECIMALS, 'A per-token USD price'), 'A per-token USD price', value);
}
