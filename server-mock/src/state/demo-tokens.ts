import { BROKE_ACCOUNT_ID, DEMO_ACCOUNT_ID, type Account } from './accounts.js';
import { OUR_SCOPES, PUBLIC_SCOPES, type Profile, type Scope } from './profile.js';
import { DEFAULT_DELEGATION_TTL_MS } from './token-narrowing.js';
import type { TokenStore } from './tokens.js';

/** Secrets of the seeded demo tokens (shown once, like a real dashboard). Same keys in both profiles. */
export interface DemoTokenSecrets {
  /** Cannot spend: extended `catalog:read account:read`; public `balance:read usage:read wallet:limits`. */
  readOnly: string;
  /** Every scope of the profile, demo account. */
  trader: string;
  /** As `trader`, with v1 receipts. */
  traderV1: string;
  /** As `trader`, with v2 receipts. */
  traderV2: string;
  /** `pg_del_` JWT child of `trader` that can spend, capped at `CAPPED_LIMIT_MICRO_USD` (429 `spend_limit_exceeded` beyond). */
  capped: string;
  /** Every scope, on an account with a zero balance (402). */
  broke: string;
}

/** The capped demo token's spend limit: 1 US cent. */
export const CAPPED_LIMIT_MICRO_USD = 10_000;

const SCOPE_SETS: Record<Profile, { all: readonly Scope[]; readOnly: Scope[]; capped: Scope[] }> = {
  extended: { all: OUR_SCOPES, readOnly: ['catalog:read', 'account:read'], capped: ['catalog:read', 'account:read', 'trade'] },
  public: { all: PUBLIC_SCOPES, readOnly: ['balance:read', 'usage:read', 'wallet:limits'], capped: ['proxy', 'balance:read', 'usage:read'] },
};

export function seedDemoTokens(tokens: TokenStore, profile: Profile, accounts: Map<string, Account>, createdAt: Date): DemoTokenSecrets {
  const scopes = SCOPE_SETS[profile];
  const base = { createdAt, expiresAt: null, revokedAt: null, spendCap: null, spent: 0, listings: null, receiptVersion: null };
  const demo = { ...base, accountId: DEMO_ACCOUNT_ID };
  const readOnly = tokens.createApiKey({ ...demo, name: 'demo read-only', scopes: [...scopes.readOnly] });
  const trader = tokens.createApiKey({ ...demo, name: 'demo trader', scopes: [...scopes.all] });
  const traderV1 = tokens.createApiKey({ ...demo, name: 'demo trader (receipts v1)', scopes: [...scopes.all], receiptVersion: 1 });
  const traderV2 = tokens.createApiKey({ ...demo, name: 'demo trader (receipts v2)', scopes: [...scopes.all], receiptVersion: 2 });
  const capped = tokens.createDelegation(
    {
      ...demo,
      name: 'demo capped agent',
      scopes: [...scopes.capped],
      parentId: trader.token.id,
      spendCap: CAPPED_LIMIT_MICRO_USD,
      expiresAt: new Date(createdAt.getTime() + DEFAULT_DELEGATION_TTL_MS),
    },
    accounts.get(DEMO_ACCOUNT_ID)?.wallet ?? DEMO_ACCOUNT_ID,
  );
  const broke = tokens.createApiKey({ ...base, accountId: BROKE_ACCOUNT_ID, name: 'broke trader', scopes: [...scopes.all] });
  return {
    readOnly: readOnly.secret,
    trader: trader.secret,
    traderV1: traderV1.secret,
    traderV2: traderV2.secret,
    capped: capped.secret,
    broke: broke.secret,
  };
}
