// Money helpers: REST amounts are integer micro-cents (1 USD = 100,000,000); receipts v3 carry
// integer strings. Everything here is integer arithmetic: no float ever touches an amount.
import { ValidationError } from '../core/error.js';

/** Micro-cents in one US dollar. */
export const MICRO_CENTS_PER_USD = 100_000_000n;
/** Micro-cents in one cent. */
export const MICRO_CENTS_PER_CENT = 1_000_000n;

type Amount = number | bigint | string;

function invalid(message: string, value: unknown): ValidationError {
  return new ValidationError(message, [{ path: [], message, code: 'invalid_amount' }], value);
}

/** An amount as bigint: a safe integer, a bigint, or an integer string (`"1500"`, `"-3"`). */
export function toMicroCents(amount: Amount): bigint {
  if (typeof amount === 'bigint') return amount;
  if (typeof amount === 'number') {
    if (!Number.isSafeInteger(amount)) throw invalid('Amount must be a safe integer of micro-cents', amount);
    return BigInt(amount);
  }
  if (!/^-?(0|[1-9][0-9]*)$/.test(amount)) throw invalid('Amount must be an integer string of micro-cents', amount);
  return BigInt(amount);
}

/** Sums amounts exactly (receipt amounts of any size included). */
export function sumMicroCents(amounts: Iterable<Amount>): bigint {
  let total = 0n;
  for (const amount of amounts) total += toMicroCents(amount);
  return total;
}

/**
 * Formats micro-cents as US dollars, exactly: `150000` -> `"$0.0015"`. At least two decimals are
 * shown, more only when the amount needs them (up to 8, the full precision).
 */
export function formatUsd(amount: Amount): string {
  const value = toMicroCents(amount);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const dollars = abs / MICRO_CENTS_PER_USD;
  const fraction = (abs % MICRO_CENTS_PER_USD).toString().padStart(8, '0').replace(/0+$/, '').padEnd(2, '0');
  const grouped = dollars.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}$${grouped}.${fraction}`;
}

/**
 * Parses a dollar amount (`"1.25"`, `"$0.0015"`, `"1,000"`) into integer micro-cents without
 * floating point; more than 8 decimals is an error rather than a silent rounding.
 */
export function parseUsd(text: string): bigint {
  const cleaned = text.trim().replace(/^(-?)\$/, '$1').replace(/,(?=\d{3}(\D|$))/g, '');
  const match = /^(-)?(\d+)(?:\.(\d{1,8}))?$/.exec(cleaned);
  if (!match) throw invalid(`Not a dollar amount with at most 8 decimals: ${JSON.stringify(text.slice(0, 40))}`, text);
  const [, sign, whole, frac = ''] = match;
  const value = BigInt(whole!) * MICRO_CENTS_PER_USD + BigInt(frac.padEnd(8, '0'));
  return sign ? -value : value;
}

/** A bigint amount as a REST number, refusing values a JSON reader would round. */
export function toSafeNumber(amount: bigint): number {
  const n = Number(amount);
  if (!Number.isSafeInteger(n)) throw invalid('Amount exceeds Number.MAX_SAFE_INTEGER micro-cents', amount.toString());
  return n;
}
