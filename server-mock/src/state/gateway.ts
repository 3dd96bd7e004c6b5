import { FaultInjector } from '../faults.js';
import { formatScore, scan, SHIELD_MODES, type ShieldMode, type ShieldVerdict } from '../scanner/index.js';
import { sha256Hex } from '../crypto/hash.js';
import { buildCatalog, listingDocs, SERVICE_DESCRIPTIONS, type CatalogEntry } from './catalog.js';
import { SeedDerivation } from './derive.js';
import { echo, GatewayError, notFound, validationError, type ErrorBody } from './errors.js';
import { Keyring } from './keys.js';
import { queryListings, type ListApisParams } from './listing-query.js';
import { paginate, type Page, type PageParams } from './pagination.js';
import {
  chainHash,
  encodeReceiptHeader,
  GENESIS_PREV,
  requestSha256,
  shieldOf,
  signHead,
  signV1,
  signV2,
  signV3,
} from './receipts.js';
import { DEFAULT_DELEGATION_TTL_MS, narrowChild, parseTimestamp, type CreateTokenBody } from './token-narrowing.js';
import { tokenInfo, TokenStore, type TokenRecord } from './tokens.js';
import {
  SCOPES,
  type Endpoint,
  type LedgerEntry,
  type Listing,
  type LogHead,
  type Receipt,
  type ReceiptKeySet,
  type ReceiptV3,
  type ReceiptVersion,
  type Scope,
  type TokenInfo,
  type UsageEntry,
} from './types.js';

export type { ListApisParams } from './listing-query.js';

export interface GatewayOptions {
  /** Everything random derives from it (default `"proxygate-mock"`). */
  seed?: string | number;
  /** Default receipt version for tokens without their own (default 3). */
  receiptVersion?: ReceiptVersion;
  /** Controllable clock (default: the system clock). */
  now?: () => Date;
  /** Origin used in key-set issuer, checkpoints and auth challenges (default `https://mock.proxygate.test`). */
  origin?: string;
  /** Calls per token per UTC day on free listings before `429 daily_free_cap` (default 100). */
  freeDailyCap?: number;
}

/** The authenticated caller, from `authenticate()`; pass it to every account operation. */
export interface AuthContext {
  readonly token: TokenRecord;
}

export interface UsageParams extends PageParams {
  service?: string | null;
  from?: string | null;
  to?: string | null;
}

export type { CreateTokenBody } from './token-narrowing.js';

export interface CallInput {
  /** Listing id or slug (`?listing=`); may be omitted when the service has exactly one listing. */
  listing?: string | null;
  service: string;
  method: string;
  /** Upstream path, after `/proxy/{service}`, starting with `/`. */
  path: string;
  /** Upstream query; a `listing` entry is ignored for hashing and forwarding. */
  query?: URLSearchParams | string;
  body?: Uint8Array | string | null;
  /** `x-proxygate-shield` (default `monitor`). */
  shield?: string | null;
  idempotencyKey?: string | null;
}

export interface CallResult {
  status: number;
  /** Response headers: content type, receipt (except SSE), shield verdict, spend limits, replay marker. */
  headers: Record<string, string>;
  /** The upstream body as delivered (for a strict block: the 422 JSON error). */
  body: string;
  /** SSE listings: the upstream event chunks; `sseReceiptEvent` must be sent after them. */
  events?: string[];
  sseReceiptEvent?: string;
  receipt: Receipt;
  /** base64 of the receipt JSON, exactly what `x-proxygate-receipt` (or the SSE event) carries. */
  receiptHeader: string;
  shield: ShieldVerdict;
  /** Micro-cents finally charged (0 when free or refunded). */
  amount: number;
  requestId: string;
  listingId: string;
  replayed: boolean;
}

export interface ReceiptLogPage extends Page<ReceiptV3> {
  head: LogHead;
}

interface Account {
  id: string;
  balance: number;
}

interface StoredCall {
  requestHash: string;
  storedAt: Date;
  result: CallResult;
}

interface State {
  derive: SeedDerivation;
  keyring: Keyring;
  tokens: TokenStore;
  catalog: CatalogEntry[];
  accounts: Map<string, Account>;
  usage: (UsageEntry & { buyer: string })[];
  ledger: LedgerEntry[];
  ratings: Map<string, boolean>;
  chains: Map<string, ReceiptV3[]>;
  idempotency: Map<string, StoredCall>;
  freeCalls: Map<string, number>;
  unavailable: Set<string>;
  counters: { request: number; usage: number; ledger: number; trace: number };
  demoSecrets: DemoTokenSecrets;
}

/** Secrets of the seeded demo tokens (shown once, like a real dashboard). */
export interface DemoTokenSecrets {
  /** catalog:read + account:read */
  readOnly: string;
  /** all four scopes, demo account */
  trader: string;
  /** all four scopes, receipts v1 */
  traderV1: string;
  /** all four scopes, receipts v2 */
  traderV2: string;
  /** delegation child of `trader`: catalog:read account:read trade, cap 1,000,000 micro-cents */
  capped: string;
  /** all four scopes on an account with a zero balance */
  broke: string;
}

export const DEMO_ACCOUNT_ID = 'acct_demo';
export const BROKE_ACCOUNT_ID = 'acct_broke';
/** 10 USD. */
export const DEMO_BALANCE_MICRO_CENTS = 1_000_000_000;
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

function endpointMatches(endpoint: Endpoint, method: string, path: string): boolean {
  if (endpoint.method.toUpperCase() !== method.toUpperCase()) return false;
  const pattern = new RegExp(`^${endpoint.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
  return pattern.test(path);
}



/**
 * The in-memory gateway: every domain operation of spec/README.md, transport-free. REST handlers
 * and the MCP endpoint both call these methods; failures are thrown as `GatewayError`, already
 * shaped as the HTTP answer (status, body, headers).
 *
 * Flow: `const auth = gateway.authenticate(request.headers.get('authorization'))`, then e.g.
 * `gateway.balance(auth)`. Scope checks happen inside each method.
 */
export class Gateway {
  readonly faults = new FaultInjector();
  readonly seed: string;
  readonly now: () => Date;
  private origin: string;
  private readonly initialReceiptVersion: ReceiptVersion;
  private defaultReceiptVersion: ReceiptVersion;
  private receiptHeaderName: 'x-proxygate-receipt' | 'x-receipt' = 'x-proxygate-receipt';
  private readonly freeDailyCap: number;
  private state: State;

  constructor(options: GatewayOptions = {}) {
    this.seed = String(options.seed ?? 'proxygate-mock');
    this.now = options.now ?? (() => new Date());
    this.origin = (options.origin ?? 'https://mock.proxygate.test').replace(/\/+$/, '');
    this.initialReceiptVersion = options.receiptVersion ?? 3;
    this.defaultReceiptVersion = this.initialReceiptVersion;
    this.freeDailyCap = options.freeDailyCap ?? 100;
    this.state = this.initialState();
  }

  private initialState(): State {
    const derive = new SeedDerivation(this.seed);
    const createdAt = this.now();
    const tokens = new TokenStore(derive);
    const accounts = new Map<string, Account>([
      [DEMO_ACCOUNT_ID, { id: DEMO_ACCOUNT_ID, balance: DEMO_BALANCE_MICRO_CENTS }],
      [BROKE_ACCOUNT_ID, { id: BROKE_ACCOUNT_ID, balance: 0 }],
    ]);
    const base = { createdAt, expiresAt: null, revokedAt: null, spendCap: null, spent: 0, listings: null, receiptVersion: null };
    const readOnly = tokens.createApiKey({ ...base, accountId: DEMO_ACCOUNT_ID, name: 'demo read-only', scopes: ['catalog:read', 'account:read'] });
    const trader = tokens.createApiKey({ ...base, accountId: DEMO_ACCOUNT_ID, name: 'demo trader', scopes: [...SCOPES] });
    const traderV1 = tokens.createApiKey({ ...base, accountId: DEMO_ACCOUNT_ID, name: 'demo trader (receipts v1)', scopes: [...SCOPES], receiptVersion: 1 });
    const traderV2 = tokens.createApiKey({ ...base, accountId: DEMO_ACCOUNT_ID, name: 'demo trader (receipts v2)', scopes: [...SCOPES], receiptVersion: 2 });
    const capped = tokens.createDelegation({
      ...base,
      accountId: DEMO_ACCOUNT_ID,
      name: 'demo capped agent',
      scopes: ['catalog:read', 'account:read', 'trade'],
      parentId: trader.token.id,
      spendCap: 1_000_000,
      expiresAt: new Date(createdAt.getTime() + DEFAULT_DELEGATION_TTL_MS),
    });
    const broke = tokens.createApiKey({ ...base, accountId: BROKE_ACCOUNT_ID, name: 'broke trader', scopes: [...SCOPES] });
    return {
      derive,
      keyring: new Keyring(derive, createdAt),
      tokens,
      catalog: buildCatalog(),
      accounts,
      usage: [],
      ledger: [],
      ratings: new Map(),
      chains: new Map(),
      idempotency: new Map(),
      freeCalls: new Map(),
      unavailable: new Set(),
      counters: { request: 0, usage: 0, ledger: 0, trace: 0 },
      demoSecrets: {
        readOnly: readOnly.secret,
        trader: trader.secret,
        traderV1: traderV1.secret,
        traderV2: traderV2.secret,
        capped: capped.secret,
        broke: broke.secret,
      },
    };
  }

  /** Forgets everything (tokens, ledger, receipts, faults, runtime settings) and rebuilds the seeded state. */
  reset(): void {
    this.faults.clear();
    this.defaultReceiptVersion = this.initialReceiptVersion;
    this.receiptHeaderName = 'x-proxygate-receipt';
    this.state = this.initialState();
  }

  get demoTokens(): DemoTokenSecrets {
    return { ...this.state.demoSecrets };
  }

  getOrigin(): string {
    return this.origin;
  }

  /** Sets the public origin (the real server learns its port only after listening). */
  setOrigin(origin: string): void {
    this.origin = origin.replace(/\/+$/, '');
  }

  setDefaultReceiptVersion(version: ReceiptVersion): void {
    this.defaultReceiptVersion = version;
  }

  /**
   * Which header carries the receipt: `x-proxygate-receipt` (base64, default) or the public
   * README's plain-JSON `x-receipt`, so clients can test their fallback.
   */
  setReceiptHeader(name: 'x-proxygate-receipt' | 'x-receipt'): void {
    this.receiptHeaderName = name;
  }

  /** Takes a listing offline (paid calls answer 503 `listing_unavailable`) or back online. */
  setListingAvailable(idOrSlug: string, available: boolean): void {
    const entry = this.findEntry(idOrSlug);
    if (!entry) throw this.listingNotFound(idOrSlug);
    if (available) this.state.unavailable.delete(entry.listing.id);
    else this.state.unavailable.add(entry.listing.id);
  }

  /** Per-token receipt version (`null` follows the gateway default). */
  setTokenReceiptVersion(tokenId: string, version: ReceiptVersion | null): void {
    const token = this.state.tokens.get(tokenId);
    if (!token) throw notFound(`No token ${tokenId}.`);
    token.receiptVersion = version;
  }

  nextTraceId(): string {
    return this.state.derive.id('trc_', `trace:${++this.state.counters.trace}`);
  }

  private iso(): string {
    return this.now().toISOString();
  }

  // ---------------------------------------------------------------- auth

  private unauthorized(error: 'unauthorized' | 'invalid_token' | 'token_expired' | 'token_revoked', message: string, origin: string): GatewayError {
    return new GatewayError(
      401,
      { error, message, action: 'Present a valid token as `Authorization: Bearer <token>`.', trace_id: this.nextTraceId() },
      {
        'WWW-Authenticate': `Bearer realm="proxygate", error="invalid_token", resource_metadata="${origin}/.well-known/oauth-protected-resource"`,
      },
    );
  }

  /**
   * Resolves an `Authorization` header to the caller; 401 (with the challenge header) otherwise.
   * Never echoes the token. `requestOrigin` (the origin the request was sent to) goes into the
   * challenge's `resource_metadata`; default: the gateway's origin.
   */
  authenticate(authorization: string | null | undefined, requestOrigin?: string): AuthContext {
    const origin = requestOrigin ?? this.origin;
    if (!authorization) throw this.unauthorized('unauthorized', 'This operation needs a token.', origin);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const secret = match?.[1];
    if (!secret || !(secret.startsWith('pg_live_') || secret.startsWith('pg_del_'))) {
      throw this.unauthorized('invalid_token', 'The token is malformed or unknown.', origin);
    }
    const found = this.state.tokens.lookup(secret, this.now());
    if (!found.ok) {
      const messages = {
        invalid_token: 'The token is malformed or unknown.',
        token_expired: 'The token has expired.',
        token_revoked: 'The token has been revoked.',
      } as const;
      throw this.unauthorized(found.reason, messages[found.reason], origin);
    }
    return { token: found.token };
  }

  /** 403 `insufficient_scope` unless the caller holds `scope`. */
  requireScope(auth: AuthContext, scope: Scope): void {
    if (auth.token.scopes.includes(scope)) return;
    throw new GatewayError(
      403,
      {
        error: 'insufficient_scope',
        required_scope: scope,
        message: `This operation needs the ${scope} scope.`,
        action: `Use a token with the ${scope} scope.`,
        trace_id: this.nextTraceId(),
      },
      { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
    );
  }

  // ---------------------------------------------------------------- catalog (no auth)

  private findEntry(idOrSlug: string): CatalogEntry | undefined {
    return this.state.catalog.find((entry) => entry.listing.id === idOrSlug || entry.listing.slug === idOrSlug);
  }

  private listingNotFound(idOrSlug: string): GatewayError {
    return new GatewayError(404, {
      error: 'listing_not_found',
      message: `No listing ${echo(idOrSlug)}.`,
      action: 'Browse GET /v1/apis for listing ids.',
      trace_id: this.nextTraceId(),
    });
  }

  /** `GET /v1/apis`: filter, sort (stable, ties by id) and paginate. */
  listApis(params: ListApisParams = {}): Page<Listing> {
    const { listings, scope } = queryListings(
      this.state.catalog.map((entry) => entry.listing),
      params,
    );
    return paginate(structuredClone(listings), params, `apis:${scope}`);
  }

  /** `GET /v1/apis/{id}`: by id or slug. */
  getApi(idOrSlug: string): Listing {
    const entry = this.findEntry(idOrSlug);
    if (!entry) throw this.listingNotFound(idOrSlug);
    return structuredClone(entry.listing);
  }

  apiDocs(idOrSlug: string): { listing_id: string; markdown: string; endpoints: Endpoint[] } {
    const listing = this.getApi(idOrSlug);
    return { listing_id: listing.id, markdown: listingDocs(listing), endpoints: listing.endpoints };
  }

  pricing(): { data: { listing_id: string; slug: string; service: string; price_micro_cents: number; shield_fee_micro_cents: number; currency: 'USD' }[] } {
    return {
      data: this.state.catalog.map(({ listing }) => ({
        listing_id: listing.id,
        slug: listing.slug,
        service: listing.service,
        price_micro_cents: listing.price_micro_cents,
        shield_fee_micro_cents: listing.shield_fee_micro_cents,
        currency: 'USD' as const,
      })),
    };
  }

  services(): { data: { name: string; description: string; listing_count: number; categories: string[] }[] } {
    const byService = new Map<string, Listing[]>();
    for (const { listing } of this.state.catalog) byService.set(listing.service, [...(byService.get(listing.service) ?? []), listing]);
    return {
      data: [...byService.entries()].map(([name, listings]) => ({
        name,
        description: SERVICE_DESCRIPTIONS[name] ?? name,
        listing_count: listings.length,
        categories: [...new Set(listings.map((l) => l.category))].sort(),
      })),
    };
  }

  categories(): { data: { name: string; listing_count: number }[] } {
    const counts = new Map<string, number>();
    for (const { listing } of this.state.catalog) counts.set(listing.category, (counts.get(listing.category) ?? 0) + 1);
    return { data: [...counts.entries()].map(([name, listing_count]) => ({ name, listing_count })) };
  }

  // ---------------------------------------------------------------- account

  private account(token: TokenRecord): Account {
    const account = this.state.accounts.get(token.accountId);
    if (!account) throw new Error(`state invariant: no account ${token.accountId}`);
    return account;
  }

  private visibleTokenIds(token: TokenRecord): Set<string> {
    return new Set(this.state.tokens.visible(token).map((t) => t.id));
  }

  /** `GET /v1/balance` (account:read). */
  balance(auth: AuthContext): { balance_micro_cents: number; currency: 'USD' } {
    this.requireScope(auth, 'account:read');
    return { balance_micro_cents: this.account(auth.token).balance, currency: 'USD' };
  }

  /** `GET /v1/usage` (account:read): the caller's calls and its children's, newest first. */
  usage(auth: AuthContext, params: UsageParams = {}): Page<UsageEntry> {
    this.requireScope(auth, 'account:read');
    const visible = this.visibleTokenIds(auth.token);
    const from = params.from ? parseTimestamp(params.from, 'from').toISOString() : null;
    const to = params.to ? parseTimestamp(params.to, 'to').toISOString() : null;
    const entries = this.state.usage
      .filter((entry) => visible.has(entry.buyer))
      .filter((entry) => !params.service || entry.service === params.service)
      .filter((entry) => (from === null || entry.created_at >= from) && (to === null || entry.created_at <= to))
      .reverse()
      .map(({ buyer: _buyer, ...entry }) => entry);
    return paginate(entries, params, `usage:${auth.token.id}:${params.service ?? ''}:${from ?? ''}:${to ?? ''}`);
  }

  /** `POST /v1/rate` (trade): one vote per request; voting again replaces the vote. */
  rate(auth: AuthContext, body: unknown): { request_id: string; listing_id: string; is_positive: boolean } {
    this.requireScope(auth, 'trade');
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const requestId = fields['request_id'];
    const positive = fields['is_positive'];
    if (typeof requestId !== 'string' || !requestId) throw validationError('request_id is required', { param: 'request_id' });
    if (typeof positive !== 'boolean') throw validationError('is_positive must be a boolean', { param: 'is_positive' });
    const visible = this.visibleTokenIds(auth.token);
    const entry = this.state.usage.find((candidate) => candidate.request_id === requestId && visible.has(candidate.buyer));
    if (!entry) throw new GatewayError(404, { error: 'not_found', message: 'No call with this request_id for this token.', trace_id: this.nextTraceId() });
    const listing = this.findEntry(entry.listing_id)?.listing;
    if (listing) {
      const previous = this.state.ratings.get(requestId);
      if (previous !== undefined) listing.rating[previous ? 'up' : 'down']--;
      listing.rating[positive ? 'up' : 'down']++;
    }
    this.state.ratings.set(requestId, positive);
    return { request_id: requestId, listing_id: entry.listing_id, is_positive: positive };
  }

  // ---------------------------------------------------------------- tokens

  /** `GET /v1/tokens/self`: any valid token. */
  tokenSelf(auth: AuthContext): TokenInfo {
    return tokenInfo(auth.token);
  }

  /** Smallest remaining cap along the token's chain (null when nothing caps it). */
  private remainingCap(token: TokenRecord): { remaining: number; limit: number } | null {
    let tightest: { remaining: number; limit: number } | null = null;
    for (const link of this.state.tokens.chain(token)) {
      if (link.spendCap === null) continue;
      const remaining = Math.max(0, link.spendCap - link.spent);
      if (!tightest || remaining < tightest.remaining) tightest = { remaining, limit: link.spendCap };
    }
    return tightest;
  }

  /** `POST /v1/tokens` (tokens:write): mints a delegation token that narrows the caller. */
  createToken(auth: AuthContext, body: CreateTokenBody): { token: string; info: TokenInfo } {
    this.requireScope(auth, 'tokens:write');
    const parent = auth.token;
    const now = this.now();
    const child = narrowChild(parent, body, {
      now,
      parentRemainingCap: this.remainingCap(parent)?.remaining ?? null,
      listingId: (idOrSlug) => this.findEntry(idOrSlug)?.listing.id,
      traceId: () => this.nextTraceId(),
    });
    const { token, secret } = this.state.tokens.createDelegation({
      ...child,
      accountId: parent.accountId,
      parentId: parent.id,
      createdAt: now,
      revokedAt: null,
      spent: 0,
      receiptVersion: parent.receiptVersion,
    });
    return { token: secret, info: tokenInfo(token) };
  }

  /** `GET /v1/tokens` (tokens:write): an api key sees its account's tokens, a delegation its subtree. */
  listTokens(auth: AuthContext, params: PageParams = {}): Page<TokenInfo> {
    this.requireScope(auth, 'tokens:write');
    return paginate(this.state.tokens.visible(auth.token).map(tokenInfo), params, `tokens:${auth.token.id}`);
  }

  /** `DELETE /v1/tokens/{id}` (tokens:write): revokes the token and, in cascade, its children. */
  revokeToken(auth: AuthContext, tokenId: string): TokenInfo {
    this.requireScope(auth, 'tokens:write');
    const target = this.state.tokens.visible(auth.token).find((token) => token.id === tokenId);
    if (!target) throw new GatewayError(404, { error: 'not_found', message: 'No such token visible to this token.', trace_id: this.nextTraceId() });
    const now = this.now();
    for (const token of [target, ...this.state.tokens.descendants(target)]) token.revokedAt ??= now;
    return tokenInfo(target);
  }

  // ---------------------------------------------------------------- paid calls

  private resolveListing(auth: AuthContext, input: CallInput): CatalogEntry {
    let entry: CatalogEntry | undefined;
    if (input.listing) {
      entry = this.findEntry(input.listing);
      if (!entry || entry.listing.service !== input.service) throw this.listingNotFound(input.listing);
    } else {
      const candidates = this.state.catalog.filter((candidate) => candidate.listing.service === input.service);
      if (candidates.length === 0) throw this.listingNotFound(input.service);
      if (candidates.length > 1) {
        throw validationError(`service ${input.service} has several listings: pass ?listing=<id>`, { param: 'listing', trace_id: this.nextTraceId() });
      }
      entry = candidates[0] as CatalogEntry;
    }
    const allowed = auth.token.listings;
    if (allowed && !allowed.includes(entry.listing.id)) {
      throw new GatewayError(403, {
        error: 'listing_not_allowed',
        message: `This token may not call listing ${entry.listing.id}.`,
        listing_id: entry.listing.id,
        trace_id: this.nextTraceId(),
      });
    }
    return entry;
  }

  private checkFreeCap(token: TokenRecord, now: Date): void {
    const day = now.toISOString().slice(0, 10);
    const key = `${token.id}:${day}`;
    const used = this.state.freeCalls.get(key) ?? 0;
    if (used >= this.freeDailyCap) {
      const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      const retryAfter = Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
      throw new GatewayError(
        429,
        { error: 'daily_free_cap', message: `Free listings allow ${this.freeDailyCap} calls per day.`, retry_after: retryAfter, trace_id: this.nextTraceId() },
        { 'Retry-After': String(retryAfter) },
      );
    }
    this.state.freeCalls.set(key, used + 1);
  }

  private addLedger(token: TokenRecord, requestId: string, listingId: string, amount: number, kind: 'charge' | 'refund', idempotencyKey: string | null): void {
    this.state.ledger.push({
      id: this.state.derive.id('led_', `ledger:${++this.state.counters.ledger}`),
      token_id: token.id,
      request_id: requestId,
      listing_id: listingId,
      amount_micro_cents: amount,
      kind,
      idempotency_key: idempotencyKey,
      created_at: this.iso(),
    });
  }

  private moveMoney(token: TokenRecord, delta: number): void {
    this.account(token).balance -= delta;
    for (const link of this.state.tokens.chain(token)) link.spent += delta;
  }

  private receiptVersionFor(token: TokenRecord): ReceiptVersion {
    return token.receiptVersion ?? this.defaultReceiptVersion;
  }

  private issueReceipt(
    token: TokenRecord,
    listing: Listing,
    requestId: string,
    amount: number,
    timestamp: Date,
    hashes: { method: string; path: string; request: string; response: string },
    verdict: ShieldVerdict,
  ): Receipt {
    const version = this.receiptVersionFor(token);
    const payment = { request_id: requestId, buyer: token.id, seller: listing.seller_id, amount, timestamp: timestamp.toISOString() };
    const keyring = this.state.keyring;
    if (version === 1) return signV1(payment, keyring.platform);
    if (version === 2) return signV2(payment, keyring.ephemeralAt(timestamp), keyring.receiptCa);
    const chain = this.state.chains.get(token.id) ?? [];
    const last = chain[chain.length - 1];
    const active = keyring.active;
    const receipt = signV3(
      {
        receipt_version: 3,
        kid: active.kid,
        request_id: requestId,
        buyer: token.id,
        seller: listing.seller_id,
        listing_id: listing.id,
        service: listing.service,
        method: hashes.method,
        path: hashes.path,
        amount: String(amount),
        currency: 'USD',
        timestamp: timestamp.toISOString(),
        request_sha256: hashes.request,
        response_sha256: hashes.response,
        shield: shieldOf(verdict),
        seq: chain.length + 1,
        prev: last ? chainHash(last) : GENESIS_PREV,
      },
      active.key,
    );
    this.state.chains.set(token.id, [...chain, receipt]);
    return receipt;
  }

  private shieldHeaders(verdict: ShieldVerdict): Record<string, string> {
    return {
      'x-proxygate-shield': verdict.mode,
      'x-proxygate-shield-score': formatScore(verdict.score_bp),
      'x-proxygate-shield-flags': verdict.flags.length > 0 ? verdict.flags.join(',') : 'none',
      'x-proxygate-shield-action': verdict.action,
    };
  }

  /**
   * A paid call (`{METHOD} /proxy/{service}{path}?listing=`), needs `trade`. Order: validate,
   * resolve the listing, replay or 409 on a known Idempotency-Key, check credits and caps,
   * charge, call the synthetic upstream, scan, refund on a strict block, sign the receipt,
   * record usage and store the answer for replay. A strict block is a normal result with
   * status 422 (so it replays too); other failures throw `GatewayError`.
   */
  callListing(auth: AuthContext, input: CallInput): CallResult {
    this.requireScope(auth, 'trade');
    const token = auth.token;
    const mode = (input.shield ?? 'monitor').toLowerCase() as ShieldMode;
    if (!SHIELD_MODES.includes(mode)) throw validationError('x-proxygate-shield must be off, monitor or strict', { param: 'x-proxygate-shield', trace_id: this.nextTraceId() });
    const idempotencyKey = input.idempotencyKey ?? null;
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw validationError('Idempotency-Key must be 1..255 printable ASCII characters', { param: 'Idempotency-Key', trace_id: this.nextTraceId() });
    }
    const entry = this.resolveListing(auth, input);
    const listing = entry.listing;
    const method = input.method.toUpperCase();
    const path = input.path || '/';
    const query = new URLSearchParams(input.query ?? '');
    query.delete('listing');
    const body = typeof input.body === 'string' ? new TextEncoder().encode(input.body) : (input.body ?? new Uint8Array());
    const requestHash = requestSha256(method, path, query, body);
    const now = this.now();

    // A stored answer replays before anything else is judged (availability, prices, caps).
    const storeKey = idempotencyKey === null ? null : `${token.id}\n${idempotencyKey}`;
    if (storeKey !== null) {
      const stored = this.state.idempotency.get(storeKey);
      if (stored && now.getTime() - stored.storedAt.getTime() < IDEMPOTENCY_TTL_MS) {
        // The request hash leaves out `listing`, so the listing is compared on its own.
        if (stored.requestHash !== requestHash || stored.result.listingId !== listing.id) {
          throw new GatewayError(409, {
            error: 'idempotency_conflict',
            message: 'This Idempotency-Key was used with another request.',
            action: 'Use a new Idempotency-Key for a new request.',
            trace_id: this.nextTraceId(),
          });
        }
        return { ...stored.result, headers: { ...stored.result.headers, 'idempotent-replayed': 'true' }, replayed: true };
      }
    }

    if (this.state.unavailable.has(listing.id)) {
      throw new GatewayError(
        503,
        { error: 'listing_unavailable', message: `Listing ${listing.id} is temporarily unavailable.`, action: 'Retry later or pick another listing.', trace_id: this.nextTraceId() },
        { 'Retry-After': '30' },
      );
    }
    if (!listing.endpoints.some((endpoint) => endpointMatches(endpoint, method, path))) {
      throw new GatewayError(400, {
        error: 'path_not_allowed',
        message: `${method} ${echo(path, 120)} is not an endpoint of listing ${listing.id}.`,
        action: `See GET /v1/apis/${listing.id}/docs.`,
        trace_id: this.nextTraceId(),
      });
    }

    const price = listing.price_micro_cents + (mode === 'off' ? 0 : listing.shield_fee_micro_cents);
    if (price === 0) this.checkFreeCap(token, now);
    if (this.account(token).balance < price) {
      throw new GatewayError(402, {
        error: 'insufficient_credits',
        message: 'The balance does not cover this call.',
        required_micro_cents: price,
        balance_micro_cents: this.account(token).balance,
        action: 'Top up the account.',
        trace_id: this.nextTraceId(),
      });
    }
    const cap = this.remainingCap(token);
    if (cap && cap.remaining < price) {
      throw new GatewayError(402, {
        error: 'spend_cap_exceeded',
        message: "This call would exceed the token's spend cap.",
        required_micro_cents: price,
        remaining_micro_cents: cap.remaining,
        trace_id: this.nextTraceId(),
      });
    }

    const requestId = this.state.derive.id('req_', `request:${++this.state.counters.request}`);
    if (price > 0) {
      this.moveMoney(token, price);
      this.addLedger(token, requestId, listing.id, price, 'charge', idempotencyKey);
    }

    const upstream = entry.respond({ method, path, query, body });
    const verdict = scan(upstream.body, mode);
    const blocked = verdict.action === 'blocked';
    if (blocked && price > 0) {
      this.moveMoney(token, -price);
      this.addLedger(token, requestId, listing.id, price, 'refund', idempotencyKey);
    }
    const amount = blocked ? 0 : price;
    const receipt = this.issueReceipt(
      token,
      listing,
      requestId,
      amount,
      now,
      { method, path, request: requestHash, response: sha256Hex(upstream.body) },
      verdict,
    );
    const status = blocked ? 422 : upstream.status;
    const traceId = this.nextTraceId();
    const responseBody = blocked
      ? JSON.stringify({
          error: 'response_blocked',
          code: 'shield_blocked',
          shield_score: verdict.score_bp / 10000,
          shield_flags: verdict.flags,
          refunded: price > 0,
          message: 'The shield blocked the upstream response; the call was refunded.',
          request_id: requestId,
          trace_id: traceId,
        } satisfies ErrorBody & Record<string, unknown>)
      : upstream.body;

    this.state.usage.push({
      id: this.state.derive.id('use_', `usage:${++this.state.counters.usage}`),
      request_id: requestId,
      service: listing.service,
      listing_id: listing.id,
      method,
      path,
      status_code: status,
      latency_ms: listing.avg_latency_ms,
      cost_micro_cents: amount,
      refunded: blocked && price > 0,
      created_at: now.toISOString(),
      buyer: token.id,
    });

    const streaming = listing.type === 'sse' && !blocked;
    // On streams the verdict travels in the final SSE event (spec: no shield headers there).
    const headers: Record<string, string> = {
      'content-type': blocked ? 'application/json' : upstream.contentType,
      ...(streaming ? {} : this.shieldHeaders(verdict)),
    };
    const capAfter = this.remainingCap(token);
    if (capAfter) {
      headers['x-spendlimit-remaining'] = String(capAfter.remaining);
      headers['x-spendlimit-limit'] = String(capAfter.limit);
    }
    const receiptHeader = encodeReceiptHeader(receipt);
    if (streaming) {
      headers['cache-control'] = 'no-cache';
    } else if (this.receiptHeaderName === 'x-receipt') {
      headers['x-receipt'] = JSON.stringify(receipt);
    } else {
      headers['x-proxygate-receipt'] = receiptHeader;
    }
    const result: CallResult = {
      status,
      headers,
      body: responseBody,
      receipt,
      receiptHeader,
      shield: verdict,
      amount,
      requestId,
      listingId: listing.id,
      replayed: false,
    };
    if (streaming) {
      result.events = upstream.events ?? [upstream.body];
      const shield = { mode: verdict.mode, score: verdict.score_bp / 10000, flags: verdict.flags, action: verdict.action };
      result.sseReceiptEvent = `event: proxygate.receipt\ndata: ${JSON.stringify({ receipt: receiptHeader, shield })}\n\n`;
    }
    if (storeKey !== null) this.state.idempotency.set(storeKey, { requestHash, storedAt: now, result });
    return result;
  }

  /**
   * The streaming variant of `callListing`: the same call (charge, scan, receipt, idempotency),
   * delivered as the chunks a client would read. For an `sse` listing these are the upstream
   * events and then the `proxygate.receipt` event; for any other answer, the whole body once.
   */
  callListingStream(auth: AuthContext, input: CallInput): { result: CallResult; chunks: AsyncIterable<string> } {
    const result = this.callListing(auth, input);
    const parts = result.events ? [...result.events, result.sseReceiptEvent ?? ''] : [result.body];
    async function* chunks(): AsyncGenerator<string> {
      for (const part of parts) yield part;
    }
    return { result, chunks: chunks() };
  }

  // ---------------------------------------------------------------- receipts and keys

  /** `GET /v1/receipts` (account:read): a token's v3 chain (seq ascending) with the signed log head. */
  receiptLog(auth: AuthContext, params: PageParams & { token_id?: string | null } = {}): ReceiptLogPage {
    this.requireScope(auth, 'account:read');
    let tokenId = auth.token.id;
    if (params.token_id) {
      if (!this.visibleTokenIds(auth.token).has(params.token_id)) {
        throw new GatewayError(404, { error: 'not_found', message: 'No such token visible to this token.', trace_id: this.nextTraceId() });
      }
      tokenId = params.token_id;
    }
    const chain = this.state.chains.get(tokenId) ?? [];
    const page = paginate(chain, params, `receipts:${tokenId}`);
    const active = this.state.keyring.active;
    const head = signHead(this.logOrigin(tokenId), chain, this.iso(), active.kid, active.key);
    return { ...page, head };
  }

  /** The checkpoint origin line of a token's log: `<host>/receipts/<token id>`. */
  logOrigin(tokenId: string): string {
    return `${this.origin.replace(/^[a-z]+:\/\//i, '')}/receipts/${tokenId}`;
  }

  /** `GET /.well-known/proxygate-receipt-keys`. */
  keySet(): ReceiptKeySet {
    return this.state.keyring.keySet(this.origin);
  }

  /** Retires the active receipt key (its window closes now) and activates a new one. */
  rotateKeys(): { retired: string; active: string } {
    return this.state.keyring.rotate(this.now());
  }

  /** Revokes a receipt key at now (a revoked active key is replaced first). */
  revokeKey(kid: string): ReceiptKeySet['keys'][number] {
    const record = this.state.keyring.revoke(kid, this.now());
    const published = this.keySet().keys.find((key) => key.kid === record.kid);
    if (!published) throw new Error('keyring invariant: revoked key missing from the key set');
    return published;
  }

  /** `GET /health`. */
  health(): { status: 'ok'; platform_pubkey: string; receipt_ca_pubkey: string; receipt_versions: ReceiptVersion[]; time: string } {
    const keys = this.keySet();
    return { status: 'ok', platform_pubkey: keys.platform_pubkey, receipt_ca_pubkey: keys.receipt_ca_pubkey, receipt_versions: [1, 2, 3], time: this.iso() };
  }

  /** `GET /.well-known/oauth-protected-resource` (RFC 9728). */
  protectedResourceMetadata(): {
    resource: string;
    authorization_servers: string[];
    scopes_supported: Scope[];
    bearer_methods_supported: string[];
    resource_name: string;
  } {
    return {
      resource: this.origin,
      authorization_servers: [this.origin],
      scopes_supported: [...SCOPES],
      bearer_methods_supported: ['header'],
      resource_name: 'Proxygate mock gateway',
    };
  }

  /** Every charge and refund, oldest first (test inspection; not a public endpoint). */
  ledger(): LedgerEntry[] {
    return this.state.ledger.map((entry) => ({ ...entry }));
  }

  /** The account balance behind a token id (test inspection). */
  balanceOf(tokenId: string): number {
    const token = this.state.tokens.get(tokenId);
    if (!token) throw notFound(`No token ${tokenId}.`);
    return this.account(token).balance;
  }
}
