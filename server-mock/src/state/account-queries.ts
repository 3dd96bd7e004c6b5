import { available } from './accounts.js';
import { requirePermission } from './authentication.js';
import type { AuthContext, GatewayContext } from './gateway-types.js';
import type { GatewayState } from './seeded-state.js';
import type { MeResponse, UsageResponse, VaultBalanceResponse, WalletLimits } from './types.js';
import { queryUsage, type UsageParams } from './usage.js';

/** `GET /v1/me`: any valid token. */
export function me(state: Pick<GatewayState, 'ledger'>, auth: AuthContext): MeResponse {
  const account = state.ledger.accountOf(auth.token);
  return { wallet: account.wallet, display_name: account.displayName, created_at: account.createdAt, auth_method: 'bearer', seller_status: 'none' };
}

/** `GET /v1/wallet/limits` (public `wallet:limits`, extended `account:read`). */
export function walletLimits(ctx: GatewayContext, state: Pick<GatewayState, 'ledger'>, auth: AuthContext): WalletLimits {
  requirePermission(ctx, auth, 'wallet_limits');
  return { ...state.ledger.accountOf(auth.token).limits };
}

/** `GET /v1/balance`: micro-USD, `available` = balance minus pending settlement. */
export function balance(ctx: GatewayContext, state: Pick<GatewayState, 'ledger'>, auth: AuthContext): VaultBalanceResponse {
  requirePermission(ctx, auth, 'balance');
  const account = state.ledger.accountOf(auth.token);
  return { balance: account.balance, pending_settlement: account.pending, available: available(account), in_cooldown: false, currency: 'lamports' };
}

/** `GET /v1/usage`: an api key sees its account's calls, a delegation token its subtree's. */
export function usage(ctx: GatewayContext, state: Pick<GatewayState, 'tokens' | 'usage'>, auth: AuthContext, params: UsageParams): UsageResponse {
  requirePermission(ctx, auth, 'usage');
  const visible = state.tokens.visibleIds(auth.token);
  return queryUsage(state.usage, (record) => visible.has(record.buyer), params, ctx.switches.usageRequestId);
}
