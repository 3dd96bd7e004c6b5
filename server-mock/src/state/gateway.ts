import { FaultInjector } from '../faults.js';
import { formatScore, scan, SHIELD_MODES, type ShieldMode, type ShieldVerdict } from '../scanner/index.js';
import { available } from './accounts.js';
import { type Listing, type UpstreamRequest } from './catalog.js';
import { callPrice } from './call-price.js';
import { availableListings, docsOf, findEntry } from './catalog-lookup.js';
import { categoriesOf, pricingOf, servicesOf } from './catalog-views.js';
import type { DemoTokenSecrets } from './demo-tokens.js';
import { balance, me, usage, walletLimits } from './account-queries.js';
import { authenticate, requireExtensions, requirePermission } from './authentication.js';
import { rate } from './ratings.js';
import { createToken, issueOAuthToken, listTokens, revokeToken, tokenSelf } from './token-admin.js';
import type { AuthContext, CallInput, CallResult, GatewayContext, GatewayOptions, ReceiptLogPage } from './gateway-types.js';
import { echo, GatewayError, notFound, validationError } from './errors.js';
import { type RotateKeysOptions, type RotateKeysResult } from './keys.js';
import { queryCatalog, type ListApisParams } from './listing-query.js';
import { listingUnavailable, pathNotAllowed, resolveCallListing, servesPath, type ResolveContext } from './listing-resolve.js';
import { type Page, type PageParams, type QueryValue } from './pagination.js';
import {
  EXTENSION_FEATURES,
  OUR_SCOPES,
  PUBLIC_SCOPES,
  RECEIPT_KEYS_PATH,
  switchesOf,
  type Permission,
  type Profile,
  type ProfileSwitches,
  type Scope,
} from './profile.js';
import { encodeReceiptHeader, requestSha256 } from './receipts.js';
import type { CreateTokenBody } from './token-narrowing.js';
import { receiptLog, type ReceiptLogParams } from './receipt-log.js';
import { idempotencyKeyOf } from './idempotency.js';
import { checkSpendLimits, remainingCap } from './spend-limits.js';
import { checkedReceiptVersion, RuntimeSettings, type HealthStatus, type ReceiptHeaderName } from './runtime-settings.js';
import { seedState, type GatewayState } from './seeded-state.js';
import { scrubCredential, upstreamCredential, withCredential } from './upstream-credentials.js';
import type { UsageParams } from './usage.js';
import type {
  CatalogResponse,
  CategoriesResponse,
  HealthResponse,
  LedgerEntry,
  ListingDocsResponse,
  MeResponse,
  PricingResponse,
  RateResponse,
  ReceiptKeySet,
  ReceiptVersion,
  ServicesResponse,
  TokenInfo,
  UsageResponse,
  VaultBalanceResponse,
  WalletLimits,
} from './types.js';

export type { ListApisParams } from './listing-query.js';
export type { UsageParams } from './usage.js';
export type { CreateTokenBody } from './token-narrowing.js';
export type { DemoTokenSecrets } from './demo-tokens.js';
export type { AuthContext, CallInput, CallResult, GatewayOptions, ReceiptLogPage } from './gateway-types.js';

const SHIELD_HEADER_MODE: Record<ShieldMode, string> = { off: 'off', monitor: 'monitored', strict: 'strict' };


/**
 * The in-memory gateway: every domain operation, transport-free. REST handlers and the MCP
 * endpoint both call these methods; failures are thrown as `GatewayError`, already shaped as the
 * HTTP answer (status, body, headers). The profile's switches (profile.ts) are read here.
 *
 * Flow: `const auth = gateway.authenticate(request.headers.get('authorization'))`, then e.g.
 * `gateway.balance(auth)`. Scope checks happen inside each method.
 */
export class Gateway {
  readonly faults = new FaultInjector();
  private readonly seed: string;
  readonly profile: Profile;
  readonly switches: ProfileSwitches;
  private readonly now: () => Date;
  private origin: string;
  private readonly settings: RuntimeSettings;
  private readonly freeDailyCap: number;
  private readonly observeUpstream: ((listingId: string, request: UpstreamRequest) => void) | undefined;
  private state: GatewayState;
  private readonly ctx: GatewayContext;

  constructor(options: GatewayOptions = {}) {
    this.profile = options.profile ?? 'extended';
    this.switches = switchesOf(this.profile);
    this.ctx = { profile: this.profile, switches: this.switches, now: () => this.now(), traceId: () => this.nextTraceId() };
    this.seed = String(options.seed ?? 'proxygate-mock');
    this.now = options.now ?? (() => new Date());
    this.origin = (options.origin ?? 'https://mock.proxygate.test').replace(/\/+$/, '');
    this.settings = new RuntimeSettings({
      receiptVersion: checkedReceiptVersion(options.receiptVersion ?? (this.profile === 'public' ? 1 : 3), this.switches),
      tagV1Receipts: options.tagV1Receipts ?? false,
    });
    this.freeDailyCap = options.freeDailyCap ?? 100;
    this.observeUpstream = options.observeUpstream;
    this.state = seedState({ seed: this.seed, profile: this.profile, createdAt: this.now(), freeDailyCap: this.freeDailyCap });
  }

  /** Forgets everything (tokens, ledger, receipts, faults, runtime settings) and rebuilds the seeded state. */
  reset(): void {
    this.faults.clear();
    this.settings.reset();
    this.state = seedState({ seed: this.seed, profile: this.profile, createdAt: this.now(), freeDailyCap: this.freeDailyCap });
  }

  /** Replaces an MCP tool's description (`null`: back to the default), as a rug pull would. */
  setMcpToolDescription(name: string, description: string | null): void {
    this.settings.setMcpToolDescription(name, description);
  }

  /** The current MCP tool description overrides (one live object: the MCP handlers read it). */
  get mcpToolDescriptions(): Partial<Record<string, string>> {
    return this.settings.mcpToolDescriptions;
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
    this.settings.defaultReceiptVersion = checkedReceiptVersion(version, this.switches);
  }

  /** Whether v1 receipts carry the optional `receipt_version: 1`. */
  setTagV1Receipts(tagged: boolean): void {
    this.settings.tagV1Receipts = tagged;
  }

  /**
   * Which header carries the receipt: `x-proxygate-receipt` (base64, default) or the public
   * README's plain-JSON `x-receipt`, so clients can test their fallback.
   */
  setReceiptHeader(name: ReceiptHeaderName): void {
    this.settings.receiptHeader = name;
  }

  /** `/health` answers `degraded` (503) until set back to `healthy`. */
  setHealth(status: HealthStatus): void {
    this.settings.health = status;
  }

  /** Takes a listing offline (paid calls answer 503 `listing_unavailable`) or back online. */
  setListingAvailable(ref: string, isAvailable: boolean): void {
    const entry = findEntry(this.state.catalog, ref);
    if (!entry) throw notFound(`No listing ${echo(ref)}.`);
    if (isAvailable) this.state.unavailable.delete(entry.listing.id);
    else this.state.unavailable.add(entry.listing.id);
  }

  /** Per-token receipt version (`null` follows the gateway default). */
  setTokenReceiptVersion(tokenId: string, version: ReceiptVersion | null): void {
    const token = this.state.tokens.get(tokenId);
    if (!token) throw notFound(`No token ${tokenId}.`);
    token.receiptVersion = version === null ? null : checkedReceiptVersion(version, this.switches);
  }

  /** Sets the demo wallet's limits (what `GET /v1/wallet/limits` shows and paid calls enforce). */
  setWalletLimits(limits: WalletLimits, accountId = 'acct_demo'): void {
    this.state.ledger.setLimits(accountId, limits);
  }

  /** Settles every pending charge: `pending_settlement` moves out of `balance`. */
  settle(): void {
    this.state.ledger.settle();
  }

  nextTraceId(): string {
    return this.state.ids.next('trace');
  }

  private iso(): string {
    return this.now().toISOString();
  }

  private resolveContext(): ResolveContext {
    return { isAvailable: (listing) => this.isAvailable(listing), traceId: () => this.nextTraceId() };
  }

  private isAvailable(listing: Listing): boolean {
    return !this.state.unavailable.has(listing.id);
  }

  // ---------------------------------------------------------------- auth

  /**
   * Resolves an `Authorization` header to the caller; 401 (with the challenge header) otherwise.
   * `requestOrigin` (the origin the request was sent to) goes into the challenge's
   * `resource_metadata`; default: the gateway's origin.
   */
  authenticate(authorization: string | null | undefined, requestOrigin?: string): AuthContext {
    return authenticate(this.ctx, this.state.tokens, authorization, requestOrigin ?? this.origin);
  }

  /** The scope names this profile's tokens carry. */
  private get scopesSupported(): readonly Scope[] {
    return this.profile === 'public' ? PUBLIC_SCOPES : OUR_SCOPES;
  }

  /** 403 unless the caller's token has the permission's scope (see `authentication.ts`). */
  requirePermission(auth: AuthContext, permission: Permission): void {
    requirePermission(this.ctx, auth, permission);
  }

  // ---------------------------------------------------------------- catalog (no auth)

  /** A listing (internal record, copied) by UUID, unique slug or `seller_slug/slug`: test inspection. */
  listing(ref: string): Listing {
    const entry = findEntry(this.state.catalog, ref);
    if (!entry) throw notFound(`No single listing ${echo(ref)}.`);
    return structuredClone(entry.listing);
  }

  /** `GET /v1/apis`. */
  listApis(params: ListApisParams = {}): CatalogResponse {
    const unavailable = this.state.unavailable;
    return queryCatalog(
      this.state.catalog.map((entry) => entry.listing),
      (listing) => !unavailable.has(listing.id),
      params,
      () => this.nextTraceId(),
    );
  }

  /** `GET /v1/apis/{listingId}/docs`: UUID only (400 `invalid_listing_id`), 404 `docs_not_found`. */
  apiDocs(listingId: string): ListingDocsResponse {
    return docsOf(this.ctx, this.state.catalog, listingId);
  }

  /** `GET /v1/pricing`. */
  pricing(params: PageParams & { service?: QueryValue } = {}): PricingResponse {
    return pricingOf(availableListings(this.state.catalog, this.state.unavailable), params, this.iso());
  }

  /** `GET /v1/services`. */
  services(params: PageParams = {}): ServicesResponse {
    return servicesOf(availableListings(this.state.catalog, this.state.unavailable), params);
  }

  /** `GET /v1/categories`. */
  categories(params: PageParams & { q?: QueryValue } = {}): CategoriesResponse {
    return categoriesOf(availableListings(this.state.catalog, this.state.unavailable), params);
  }

  // ---------------------------------------------------------------- account

  /** `GET /v1/me`: any valid token. */
  me(auth: AuthContext): MeResponse {
    return me(this.state, auth);
  }

  /** `GET /v1/wallet/limits`. */
  walletLimits(auth: AuthContext): WalletLimits {
    return walletLimits(this.ctx, this.state, auth);
  }

  /** `GET /v1/balance`. */
  balance(auth: AuthContext): VaultBalanceResponse {
    return balance(this.ctx, this.state, auth);
  }

  /** `GET /v1/usage`. */
  usage(auth: AuthContext, params: UsageParams = {}): UsageResponse {
    return usage(this.ctx, this.state, auth, params);
  }

  /** `POST /v1/rate`. */
  rate(auth: AuthContext, body: unknown): RateResponse {
    return rate(this.ctx, this.state, auth, body);
  }

  // ---------------------------------------------------------------- tokens (extension)

  /** `GET /v1/tokens/self`. */
  tokenSelf(auth: AuthContext): TokenInfo {
    return tokenSelf(this.ctx, auth);
  }

  /** `POST /v1/tokens`: mints a delegation token that narrows the caller. */
  createToken(auth: AuthContext, body: CreateTokenBody): { token: string; info: TokenInfo } {
    return createToken(this.ctx, this.state, auth, body);
  }

  /** The toy OAuth server's grant: a delegation child of the demo trader. */
  issueOAuthToken(requested: readonly string[], expiresInSeconds: number): { token: string; scopes: string[] } {
    return issueOAuthToken(this.ctx, this.state, requested, expiresInSeconds, this.origin);
  }

  /** `GET /v1/tokens`. */
  listTokens(auth: AuthContext, params: PageParams = {}): Page<TokenInfo> {
    return listTokens(this.ctx, this.state, auth, params);
  }

  /** `DELETE /v1/tokens/{id}`: revokes the token and its children. */
  revokeToken(auth: AuthContext, tokenId: string): TokenInfo {
    return revokeToken(this.ctx, this.state, auth, tokenId);
  }

  // ---------------------------------------------------------------- paid calls

  /**
   * The fake upstream key the gateway holds for a listing (test inspection: tests search every
   * answer for it). Seeded; starts with `UPSTREAM_CREDENTIAL_PREFIX`.
   */
  upstreamCredentialOf(ref: string): string {
    const entry = findEntry(this.state.catalog, ref);
    if (!entry) throw notFound(`No single listing ${echo(ref)}.`);
    return upstreamCredential(this.state.derive, entry.listing.id);
  }

  /** Shield headers, only when the response was scanned (mode not `off`); the mode in the public spelling. */
  private shieldHeaders(verdict: ShieldVerdict): Record<string, string> {
    if (verdict.mode === 'off') return {};
    return {
      'x-proxygate-shield': SHIELD_HEADER_MODE[verdict.mode],
      'x-proxygate-shield-score': formatScore(verdict.score_bp),
      'x-proxygate-shield-flags': verdict.flags.length > 0 ? verdict.flags.join(',') : 'none',
      ...(this.switches.shieldActionHeader ? { 'x-proxygate-shield-action': verdict.action } : {}),
    };
  }

  /**
   * A paid call (`{METHOD} /proxy/{service}{path}?listing=`). Order: scope, validate, resolve the
   * listing, replay or 409 on a known Idempotency-Key (extended), availability, synthetic
   * upstream (its tokens price a per-token call), daily caps, credits (402), spend limits (429
   * `spend_limit_exceeded`, nothing charged), charge, scan, refund on a strict block or an
   * upstream failure, sign the receipt, record usage, store the answer for replay. A strict
   * block is a normal result with status 422 (so it replays too); other failures throw.
   */
  callListing(auth: AuthContext, input: CallInput): CallResult {
    this.requirePermission(auth, 'proxy');
    const token = auth.token;
    const account = this.state.ledger.accountOf(token);
    const mode = (input.shield ?? 'monitor').toLowerCase() as ShieldMode;
    if (!SHIELD_MODES.includes(mode)) throw validationError('x-proxygate-shield must be off, monitor or strict', { trace_id: this.nextTraceId() });
    const idempotencyKey = idempotencyKeyOf(this.ctx, input.idempotencyKey);
    const method = input.method.toUpperCase();
    const path = input.path || '/';
    const entry = resolveCallListing(this.state.catalog, { listing: input.listing, service: input.service, method, path, allowed: token.listings }, this.resolveContext());
    const listing = entry.listing;
    if (token.listings && !token.listings.includes(listing.id)) {
      throw new GatewayError(403, {
        error: 'listing_not_allowed',
        message: `This token may not call listing ${listing.id}.`,
        action: 'Use a token allowed to call this listing.',
        trace_id: this.nextTraceId(),
      });
    }
    if (!servesPath(listing, method, path)) throw pathNotAllowed(listing, input.service, method, path, this.resolveContext());
    const query = new URLSearchParams(input.query ?? '');
    query.delete('listing');
    const body = typeof input.body === 'string' ? new TextEncoder().encode(input.body) : (input.body ?? new Uint8Array());
    const requestHash = requestSha256(method, path, query, body);
    const now = this.now();

    // A stored answer replays before anything else is judged (availability, prices, caps).
    const replayed = idempotencyKey === null ? null : this.state.idempotency.replay(this.ctx, token.id, idempotencyKey, requestHash, listing.id, now);
    if (replayed) return replayed;
    if (!this.isAvailable(listing)) throw listingUnavailable(listing, this.resolveContext());

    // The seller's key goes upstream only: the buyer's request (and so its hash) never holds it.
    const credential = upstreamCredential(this.state.derive, listing.id);
    const forwarded = withCredential(listing.upstreamAuth, credential, query, {
      'user-agent': 'proxygate-mock-gateway',
      ...(input.contentType ? { 'content-type': input.contentType } : {}),
    });
    const upstreamRequest: UpstreamRequest = { method, path, query: forwarded.query, body, headers: forwarded.headers };
    this.observeUpstream?.(listing.id, upstreamRequest);
    const raw = entry.respond(upstreamRequest);
    // The shield scans what the upstream really said (an echoed key is a secret leak); nothing
    // the gateway returns may carry the key, whatever the shield mode.
    const upstream = {
      ...raw,
      body: scrubCredential(raw.body, credential),
      ...(raw.events ? { events: raw.events.map((event) => scrubCredential(event, credential)) } : {}),
    };
    const endpointPrice = listing.endpointPrices.find((price) => price.path === path);
    const price = callPrice(listing, endpointPrice, upstream.tokens, mode);
    const capKey = this.state.dailyCaps.check(this.ctx, endpointPrice, account.wallet, listing.id, now);
    if (available(account) < price) {
      throw new GatewayError(402, {
        error: 'insufficient_credits',
        message: 'The balance does not cover this call.',
        action: 'Top up the wallet (POST /v1/deposit).',
        trace_id: this.nextTraceId(),
      });
    }
    checkSpendLimits(this.ctx, this.state.tokens, this.state.ledger, token, account, price, now);
    if (capKey !== null) this.state.dailyCaps.count(capKey);

    const requestId = this.state.ids.next('request');
    const ledgerCall = { requestId, listingId: listing.id, idempotencyKey };
    if (price > 0) {
      this.state.ledger.charge(token, ledgerCall, price, now);
    }
    const verdict = scan(raw.body, mode);
    const blocked = verdict.action === 'blocked';
    // Billing is reserve, call, then confirm or refund: a blocked answer or an upstream failure is refunded.
    const refunded = price > 0 && (blocked || upstream.status >= 400);
    if (refunded) {
      this.state.ledger.refund(token, ledgerCall, price, now);
    }
    const amount = refunded ? 0 : price;
    const receipt = this.state.receipts.issue(token.receiptVersion ?? this.settings.defaultReceiptVersion, this.settings.tagV1Receipts, {
      requestId,
      tokenId: token.id,
      buyerWallet: account.wallet,
      listing,
      amount,
      at: now,
      method,
      path,
      requestSha256: requestHash,
      responseBody: upstream.body,
      verdict,
    });
    const status = blocked ? 422 : upstream.status;
    const responseBody = blocked
      ? JSON.stringify({
          error: 'response_blocked',
          code: 'shield_blocked',
          shield_score: verdict.score_bp / 10000,
          shield_flags: verdict.flags,
          refunded: price > 0,
          message: 'The shield blocked the upstream response; the call was refunded.',
          ...(this.switches.extensions ? { request_id: requestId } : {}),
          trace_id: this.nextTraceId(),
        })
      : upstream.body;

    this.state.usage.push({
      id: this.state.ids.next('usage'),
      request_id: requestId,
      service: listing.service,
      path,
      model: upstream.model ?? null,
      status_code: status,
      latency_ms: listing.avgLatencyMs,
      cost_micro_cents: amount,
      listing_id: listing.id,
      seller_id: listing.seller.id,
      created_at: now.toISOString(),
      buyer: token.id,
      account: account.id,
    });

    const streaming = upstream.events !== undefined && !blocked;
    // The extended profile sends a stream's receipt and verdict in a final SSE event; the public
    // one knows them up front (the synthetic upstream answered already) and sends headers.
    const finalEvent = streaming && this.switches.sseReceiptEvent;
    const headers: Record<string, string> = {
      'content-type': blocked ? 'application/json' : upstream.contentType,
      ...(finalEvent ? {} : this.shieldHeaders(verdict)),
    };
    const capAfter = remainingCap(this.state.tokens, token);
    if (capAfter) {
      headers['x-spendlimit-remaining'] = String(capAfter.remaining);
      headers['x-spendlimit-limit'] = String(capAfter.limit);
    }
    const receiptHeader = encodeReceiptHeader(receipt);
    if (streaming) headers['cache-control'] = 'no-cache';
    if (!finalEvent) {
      if (this.settings.receiptHeader === 'x-receipt') headers['x-receipt'] = JSON.stringify(receipt);
      else headers['x-proxygate-receipt'] = receiptHeader;
    }
    const result: CallResult = { status, headers, body: responseBody, receipt, receiptHeader, shield: verdict, amount, requestId, listingId: listing.id, replayed: false };
    if (streaming) result.events = upstream.events ?? [upstream.body];
    if (finalEvent) {
      const shield = { mode: verdict.mode, score: verdict.score_bp / 10000, flags: verdict.flags, action: verdict.action };
      result.sseReceiptEvent = `event: proxygate.receipt\ndata: ${JSON.stringify({ receipt: receiptHeader, shield })}\n\n`;
    }
    if (idempotencyKey !== null) this.state.idempotency.store(token.id, idempotencyKey, requestHash, now, result);
    return result;
  }

  /**
   * The streaming variant of `callListing`: the same call (charge, scan, receipt, idempotency),
   * delivered as the chunks a client would read: a stream's events (then, extended, the
   * `proxygate.receipt` event); for any other answer, the whole body once.
   */
  callListingStream(auth: AuthContext, input: CallInput): { result: CallResult; chunks: AsyncIterable<string> } {
    const result = this.callListing(auth, input);
    const parts = result.events ? [...result.events, ...(result.sseReceiptEvent ? [result.sseReceiptEvent] : [])] : [result.body];
    async function* chunks(): AsyncGenerator<string> {
      for (const part of parts) yield part;
    }
    return { result, chunks: chunks() };
  }

  // ---------------------------------------------------------------- receipts and keys (extensions)

  /** `GET /v1/receipts` (account:read): a token's v3 chain (seq ascending) with the signed log head. */
  receiptLog(auth: AuthContext, params: ReceiptLogParams = {}): ReceiptLogPage {
    return receiptLog(this.ctx, this.state, auth, params, this.origin);
  }

  /** `GET /.well-known/proxygate-receipt-keys` (extension `receipt_keys`). */
  keySet(): ReceiptKeySet {
    requireExtensions(this.ctx, `GET ${RECEIPT_KEYS_PATH}`);
    return this.state.keyring.keySet(this.origin);
  }

  /**
   * Retires the active receipt key (its window closes now) and activates a new one, endorsed by
   * the keys before it unless `endorse: false`; `platform: true` replaces the v1 platform key.
   */
  rotateKeys(options: RotateKeysOptions = {}): RotateKeysResult {
    return this.state.keyring.rotate(this.now(), options);
  }

  /** Revokes a receipt key at now (a revoked active key is replaced first). */
  revokeKey(kid: string): ReceiptKeySet['keys'][number] {
    const record = this.state.keyring.revoke(kid, this.now());
    const published = this.state.keyring.keySet(this.origin).keys.find((key) => key.kid === record.kid);
    if (!published) throw new Error('keyring invariant: revoked key missing from the key set');
    return published;
  }

  /** `GET /health`: 200 healthy, 503 degraded (same shape); `extensions` only in the extended profile. */
  health(): { status: 200 | 503; body: HealthResponse } {
    const keys = this.state.keyring.keySet(this.origin);
    const body: HealthResponse = { status: this.settings.health, platform_pubkey: keys.platform_pubkey, receipt_ca_pubkey: keys.receipt_ca_pubkey };
    if (this.switches.extensions) body.extensions = { version: 1, features: [...EXTENSION_FEATURES], receipt_keys_url: RECEIPT_KEYS_PATH };
    return { status: this.settings.health === 'healthy' ? 200 : 503, body };
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
      scopes_supported: [...this.scopesSupported],
      bearer_methods_supported: ['header'],
      resource_name: 'Proxygate mock gateway',
    };
  }

  /** Every charge and refund, oldest first (test inspection; not a public endpoint). */
  ledger(): LedgerEntry[] {
    return this.state.ledger.entries();
  }

  /** The token id behind a secret (test inspection; the public profile has no introspection route). */
  tokenIdOf(secret: string): string {
    return this.authenticate(`Bearer ${secret}`).token.id;
  }
}
