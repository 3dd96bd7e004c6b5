import { walletFromLabel } from './ids.js';
import type { SeedDerivation } from './derive.js';
import type { WalletLimits } from './types.js';

/**
 * A wallet's money, integer micro-USD. A charge first waits in `pending` (pending settlement);
 * `settle()` moves it out of `balance`. What can be spent is `balance - pending`.
 */
export interface Account {
  id: string;
  wallet: string;
  displayName: string | null;
  createdAt: string;
  balance: number;
  pending: number;
  limits: WalletLimits;
}

export const DEMO_ACCOUNT_ID = 'acct_demo';
export const BROKE_ACCOUNT_ID = 'acct_broke';
/** The demo account starts with 10 USD. */
export const DEMO_BALANCE_MICRO_USD = 10_000_000;
/** The demo wallet's published limits: no daily ceiling, 1 USD per transaction. */
export const DEMO_WALLET_LIMITS: WalletLimits = { daily_limit_micro_usdc: null, per_tx_limit_micro_usdc: 1_000_000 };

export function available(account: Account): number {
  return account.balance - account.pending;
}

export function seedAccounts(derive: SeedDerivation, createdAt: Date): Map<string, Account> {
  const wallet = (id: string) => walletFromLabel(`${derive.seed}\naccount:${id}`);
  const at = createdAt.toISOString();
  return new Map<string, Account>([
    [DEMO_ACCOUNT_ID, { id: DEMO_ACCOUNT_ID, wallet: wallet(DEMO_ACCOUNT_ID), displayName: 'Demo buyer', createdAt: at, balance: DEMO_BALANCE_MICRO_USD, pending: 0, limits: { ...DEMO_WALLET_LIMITS } }],
    [BROKE_ACCOUNT_ID, { id: BROKE_ACCOUNT_ID, wallet: wallet(BROKE_ACCOUNT_ID), displayName: null, createdAt: at, balance: 0, pending: 0, limits: { daily_limit_micro_usdc: null, per_tx_limit_micro_usdc: null } }],
  ]);
}
