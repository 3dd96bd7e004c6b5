import { seedAccounts } from './accounts.js';
import { buildCatalog, type CatalogEntry } from './catalog.js';
import { DailyCallCaps } from './daily-caps.js';
import { seedDemoTokens, type DemoTokenSecrets } from './demo-tokens.js';
import { SeedDerivation } from './derive.js';
import { IdempotencyStore } from './idempotency.js';
import { Keyring } from './keys.js';
import { Ledger } from './ledger.js';
import type { Profile } from './profile.js';
import { ReceiptIssuer } from './receipt-issuer.js';
import { SequentialIds } from './sequential-ids.js';
import { TokenStore } from './tokens.js';
import type { UsageRecord } from './usage.js';

/** Everything `Gateway.reset()` forgets: rebuilt from the seed by `seedState`. */
export interface GatewayState {
  derive: SeedDerivation;
  ids: SequentialIds;
  /** Receipt keys: the v1 platform key, the v2 receipt CA, the v3 keys and their key set. */
  keyring: Keyring;
  tokens: TokenStore;
  /** Each listing with its synthetic upstream (a test may swap an entry's `respond` to play a hostile seller). */
  catalog: CatalogEntry[];
  /** The accounts and every charge and refund. */
  ledger: Ledger;
  usage: UsageRecord[];
  ratings: Map<string, boolean>;
  receipts: ReceiptIssuer;
  idempotency: IdempotencyStore;
  dailyCaps: DailyCallCaps;
  /** Listing ids taken offline (`setListingAvailable`). */
  unavailable: Set<string>;
  demoSecrets: DemoTokenSecrets;
}

export interface SeedOptions {
  seed: string;
  profile: Profile;
  /** When the accounts, tokens and first receipt key were created. */
  createdAt: Date;
  /** Replaces the free endpoints' `daily_cap_per_wallet`. */
  freeDailyCap: number;
}

/** The seeded start: demo accounts and tokens, keys, the catalog; no calls, charges or receipts yet. */
export function seedState({ seed, profile, createdAt, freeDailyCap }: SeedOptions): GatewayState {
  const derive = new SeedDerivation(seed);
  const ids = new SequentialIds(derive);
  const keyring = new Keyring(derive, createdAt);
  const tokens = new TokenStore(derive);
  const accounts = seedAccounts(derive, createdAt);
  const catalog = buildCatalog();
  for (const { listing } of catalog) {
    for (const price of listing.endpointPrices) if (price.price_per_request === 0 && price.daily_cap_per_wallet != null) price.daily_cap_per_wallet = freeDailyCap;
  }
  return {
    derive,
    ids,
    keyring,
    tokens,
    catalog,
    ledger: new Ledger(accounts, tokens, ids),
    usage: [],
    ratings: new Map(),
    receipts: new ReceiptIssuer(keyring),
    idempotency: new IdempotencyStore(),
    dailyCaps: new DailyCallCaps(),
    unavailable: new Set(),
    demoSecrets: seedDemoTokens(tokens, profile, accounts, createdAt),
  };
}
