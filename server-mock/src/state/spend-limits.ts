import type { Account } from './accounts.js';
import { GatewayError } from './errors.js';
import type { GatewayContext } from './gateway-types.js';
import type { Ledger } from './ledger.js';
import type { TokenRecord, TokenStore } from './tokens.js';

export interface RemainingCap {
  remaining: number;
  limit: number;
}

/** The smallest remaining spend cap along the token's chain (null when nothing caps it). */
export function remainingCap(tokens: TokenStore, token: TokenRecord): RemainingCap | null {
  let tightest: RemainingCap | null = null;
  for (const link of tokens.chain(token)) {
    if (link.spendCap === null) continue;
    const remaining = Math.max(0, link.spendCap - link.spent);
    if (!tightest || remaining < tightest.remaining) tightest = { remaining, limit: link.spendCap };
  }
  return tightest;
}

function spendLimitExceeded(ctx: GatewayContext, message: string): GatewayError {
  // No Retry-After: waiting does not lift a spend limit (and clients must never retry it).
  return new GatewayError(429, { error: 'spend_limit_exceeded', message, action: 'Raise the limit or use another credential; nothing was charged.', trace_id: ctx.traceId() });
}

/** 429 `spend_limit_exceeded` for a call over the token's cap (chain) or the wallet's per-transaction or daily limit. */
export function checkSpendLimits(ctx: GatewayContext, tokens: TokenStore, ledger: Ledger, token: TokenRecord, account: Account, price: number, at: Date): void {
  if (price === 0) return;
  const cap = remainingCap(tokens, token);
  if (cap && cap.remaining < price) throw spendLimitExceeded(ctx, "This call would exceed the credential's spend limit.");
  const { per_tx_limit_micro_usdc: perTx, daily_limit_micro_usdc: daily } = account.limits;
  if (perTx !== null && price > perTx) throw spendLimitExceeded(ctx, "This call would exceed the wallet's per-transaction limit.");
  if (daily !== null && ledger.spentOn(account, at) + price > daily) throw spendLimitExceeded(ctx, "This call would exceed the wallet's daily limit.");
}
