import { SHIELD_FEE_MICRO_USD, withPlatformFee, type MockGateway } from '@proxygate-kit/server-mock';

/**
 * Dollars as the CLI must print them, written independently of the SDK's formatter: integer
 * micro-USD, at least two decimals, no trailing zeros beyond (1050 -> "$0.00105", 0 -> "$0.00").
 */
export function usd(microUsd: number): string {
  const whole = Math.floor(microUsd / 1_000_000);
  const fraction = String(microUsd % 1_000_000).padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `$${whole.toLocaleString('en-US')}.${fraction}`;
}

/** A listing's buyer price per request (seller price plus the platform fee), from the mock's own catalog. */
export function buyerPrice(mock: Pick<MockGateway, 'gateway'>, ref: string): number {
  const price = mock.gateway.listing(ref).price;
  if (price === null) throw new Error(`${ref} is priced per token`);
  return withPlatformFee(price);
}

/** What one call costs on the mock: buyer price, plus the shield surcharge unless off. */
export function callCost(mock: Pick<MockGateway, 'gateway'>, ref: string, shield: 'off' | 'monitor' | 'strict' = 'monitor'): number {
  return buyerPrice(mock, ref) + (shield === 'off' ? 0 : SHIELD_FEE_MICRO_USD);
}
