/**
 * Money is integer micro-USD (1e-6 USD) everywhere in the mock. The catalog's USDC floats are made
 * here, once, from decimal text built with integer arithmetic (never float math).
 */

/** The platform fee every listing of the mock charges on top of the seller price. */
export const PLATFORM_FEE_PCT = 5;
/** Shield surcharge per call when the shield mode is not `off` ($0.005). */
export const SHIELD_FEE_MICRO_USD = 5_000;

/** Buyer price = seller price plus the platform fee, rounded up to a whole unit (never understated). */
export function withPlatformFee(sellerPrice: number, feePct: number = PLATFORM_FEE_PCT): number {
  const scaled = sellerPrice * (100 + feePct);
  return (scaled - (scaled % 100)) / 100 + (scaled % 100 === 0 ? 0 : 1);
}

/** `value / 10^digits` as decimal text, without trailing zeros ("1050", 6 -> "0.00105"). */
export function decimalText(value: number, digits: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative safe integer: ${value}`);
  const padded = String(value).padStart(digits + 1, '0');
  const whole = padded.slice(0, padded.length - digits);
  const fraction = padded.slice(padded.length - digits).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** micro-USD -> the catalog's USDC number (the double nearest the exact decimal). */
export function microUsdToUsdc(microUsd: number): number {
  return Number(decimalText(microUsd, 6));
}

/** micro-USD per million tokens -> USDC per token. */
export function perMillionTokensToUsdcPerToken(microUsdPerMillion: number): number {
  return Number(decimalText(microUsdPerMillion, 12));
}

/** micro-USD per million tokens -> whole micro-USD per token, rounded up (a price is never understated). */
export function perMillionTokensToMicroUsdPerToken(microUsdPerMillion: number): number {
  if (!Number.isSafeInteger(microUsdPerMillion) || microUsdPerMillion < 0) throw new RangeError(`not a non-negative safe integer: ${microUsdPerMillion}`);
  const rest = microUsdPerMillion % 1_000_000;
  return (microUsdPerMillion - rest) / 1_000_000 + (rest === 0 ? 0 : 1);
}

/** Cost of a per-token call, micro-USD, rounded up: tokens x price-per-million / 1e6. */
export function tokenCost(inputTokens: number, outputTokens: number, inputPerMillion: number, outputPerMillion: number): number {
  const scaled = BigInt(inputTokens) * BigInt(inputPerMillion) + BigInt(outputTokens) * BigInt(outputPerMillion);
  const cost = (scaled + 999_999n) / 1_000_000n;
  return Number(cost);
}
