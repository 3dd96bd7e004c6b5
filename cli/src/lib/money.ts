// Money for people: the SDK's one money module (`@proxygate-kit/sdk/money`: integer micro-USD in,
// exact dollar text out), loaded only when a command prints or parses an amount. It is the SDK's
// money entry alone, not the client: the receipt commands' start-up bundle stays small.
// USD flags (`--max-cost`, `--spend-cap`) are parsed here.
import { UsageError } from './errors.js';

type MoneyModule = typeof import('@proxygate-kit/sdk/money');

/** The SDK's money helpers a renderer needs (integer micro-USD in, exact dollar text out). */
export type Money = Pick<MoneyModule, 'formatUsd' | 'usdToMicroUsd' | 'usdPerTokenToMicroUsdPerMillion'>;
export type FormatUsd = MoneyModule['formatUsd'];

export const loadMoney = (): Promise<MoneyModule> => import('@proxygate-kit/sdk/money');

/**
 * `formatUsd` alone, for the receipt commands: their start-up bundle (rolldown.config.mjs) keeps
 * what lazy/money.ts re-exports, where the money module's namespace would keep every function.
 */
export const loadFormatUsd = async (): Promise<FormatUsd> => (await import('../lazy/money.js')).formatUsd;

/**
 * A USD amount given on the command line (`0.05`, `$2.50`) as integer micro-USD, exactly; more than
 * six decimals, a negative or anything that is not an amount is a usage error naming the flag.
 */
export async function parseUsdFlag(flag: string, text: string): Promise<number> {
  const amount = readUsdAmount((await loadMoney()).parseUsd, text);
  if (typeof amount === 'number') return amount;
  const shown = `"${text.slice(0, 40)}"`;
  if (amount === 'not_usd') throw new UsageError(`--${flag} is not an amount of USD with at most 6 decimals: ${shown}`, `e.g. --${flag} 0.05; the smallest amount is 0.000001`);
  if (amount === 'negative') throw new UsageError(`--${flag} must not be negative: ${shown}`, `e.g. --${flag} 0.05`);
  throw new UsageError(`--${flag} is too large: ${shown}`);
}

/**
 * A USD amount someone typed (a flag, a batch line's `max_cost`) as integer micro-USD a REST
 * number can carry, or why it is not one: the one rule both follow.
 */
export function readUsdAmount(parseUsd: (text: string) => bigint, text: string): number | 'not_usd' | 'negative' | 'too_large' {
  let micro: bigint;
  try {
    micro = parseUsd(text);
  } catch {
    return 'not_usd';
  }
  if (micro < 0n) return 'negative';
  return micro > BigInt(Number.MAX_SAFE_INTEGER) ? 'too_large' : Number(micro);
}

/** A per-token price (micro-USD per million tokens) as people read it: `$2.10/M tokens`. */
export function perMillionText(money: Pick<Money, 'formatUsd'>, microUsdPerMillion: number): string {
  return `${money.formatUsd(microUsdPerMillion)}/M tokens`;
}
