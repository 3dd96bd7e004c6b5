import { FaultInjector } from '../faults.js';
import { balance, me, usage, walletLimits } from './account-queries.js';
import { authenticate, requireExtensions, requirePermission } from './authentication.js';
import { resultChunks } from './call-response.js';
import type { Listing } from './catalog.js';
import { availableListings, docsOf, findEntry } from './catalog-lookup.js';
import { categoriesOf, pricingOf, servicesOf } from './catalog-views.js';
import type { DemoTokenSecrets } from './demo-tokens.js';
import { health, protectedResourceMetadata, type ProtectedResourceMetadata } from './discovery.js';
import { echo, notFound } from './errors.js';
import type { AuthContext, CallInput, CallResult, GatewayContext, GatewayOptions, ReceiptLogPage } from './gateway-types.js';
import type { RotateKeysOptions, RotateKeysResult } from './keys.js';
import { queryCatalog, type ListApisParams } from './listing-query.js';
import { callListing } from './paid-call.js';
import type { Page, PageParams, QueryValue } from './pagination.js';
import { RECEIPT_KEYS_PATH, switchesOf, type Permission, type Profile, type ProfileSwitches } from './profile.js';
import { rate } from './ratings.js';
import { receiptLog, type ReceiptLogParams } from './receipt-log.js';
import { checkedReceiptVersion, RuntimeSettings, type HealthStatus, type ReceiptHeaderName } from './runtime-settings.js';
import { seedState, type GatewayState } from './seeded-state.js';
import { createToken, issueOAuthToken, listTokens, revokeToken, tokenSelf } from './token-admin.js';
import type { CreateTokenBody } from './token-narrowing.js';
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
import type { UpstreamObserver } from './upstream-forward.js';
import { upstreamCredential } from './upstream-credentials.js';
import type { UsageParams } from './usage.js';

export type { ListApisParams } from './listing-query.js';
export type { UsageParams } from './usage.js';
export type { CreateTokenBody } from './token-narrowing.js';
export type { DemoTokenSecrets } from './demo-tokens.js';
export type { AuthContext, CallInput, CallResult, GatewayOptions, ReceiptLogPage } from './gateway-types.js';

/**
 * The in-memory gateway: every domain operation, transport-free. REST handlers and the MCP
 * endpoint both call these methods; failures are thrown as `GatewayError`, already shaped as the
 * HTTP answer (status, body, headers).
 *
 * A facade: each operation lives in a module of its own (paid-call.ts, ledger.ts,
 * receipt-issuer.ts, token-admin.ts, ...) that reads the seeded state (seeded-state.ts), the
 * control API's runtime settings and a `GatewayContext` (profile switches, clock, trace ids).
 *
 * Flow: `const auth = gateway.authenticate(request.headers.get('authorization'))`, then e.g.
 * `gateway.balance(auth)`. Scope checks happen inside each operation.
 */
export class Gateway {
  readonly faults = new FaultInjector();
  readonly profile: Profile;
  readonly switches: ProfileSwitches;
  private readonly seed: string;
  private readonly now: () => Date;
  /**
   * When the state was first seeded; `reset()` seeds it again at this instant, since the capped
   * demo token's JWT carries iat/exp: a new time would be another secret than the one printed.
   */
  private readonly seededAt: Date;
  private readonly freeDailyCap: number;
  private readonly observeUpstream: UpstreamObserver | undefined;
  private readonly ctx: GatewayContext;
  private readonly settings: RuntimeSettings;
  private origin: string;
  /** Rebuilt by `reset()`. A test may reach `state.catalog` to swap a listing's upstream. */
  private state: GatewayState;

  constructor(options: GatewayOptions = {}) {
    this.profile = options.profile ?? 'extended';
    this.switches = switchesOf(this.profile);
    this.seed = String(options.seed ?? 'proxygate-mock');
    this.now = options.now ?? (() => new Date());
    this.freeDailyCap = options.freeDailyCap ?? 100;
    this.observeUpstream = options.observeUpstream;
    this.ctx = { profile: this.profile, switches: this.switches, now: () => this.now(), traceId: () => this.nextTraceId() };
    this.origin = (options.origin ?? 'https://mock.proxygate.test').replace(/\/+$/, '');
    this.settings = new RuntimeSettings({
      receiptVersion: checkedReceiptVersion(options.receiptVersion ?? (this.profile === 'public' ? 1 : 3), this.switches),
      tagV1Receipts: options.tagV1Receipts ?? false,
    });
    this.seededAt = this.now();
    this.state = this.seeded();
  }

  private seeded(): GatewayState {
    return seedState({ seed: this.seed, profile: this.profile, createdAt: this.seededAt, freeDailyCap: this.freeDailyCap });
  }

  /** Forgets everything (tokens, ledger, receipts, faults, runtime settings) and rebuilds the seeded state, demo tokens and keys as first seeded. */
  reset(): void {
    this.faults.clear();
    this.settings.reset();
    this.state = this.seeded();
  }

  nextTraceId(): string {
    return this.state.ids.next('trace');
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

  // ---------------------------------------------------------------- control (`/__mock/*`)

  /** Replaces an MCP tool's description (`null`: back to the default), as a rug pull would. */
  setMcpToolDescription(name: string, description: string | null): void {
    this.settings.setMcpToolDescription(name, description);
  }

  /** The current MCP tool description overrides (one live object: the MCP handlers read it). */
  get mcpToolDescriptions(): Partial<Record<string, string>> {
    return this.settings.mcpToolDescriptions;
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

  // ---------------------------------------------------------------- test inspection

  /** A listing (internal record, copied) by UUID, unique slug or `seller_slug/slug`. */
  listing(ref: string): Listing {
    const entry = findEntry(this.state.catalog, ref);
    if (!entry) throw notFound(`No single listing ${echo(ref)}.`);
    return structuredClone(entry.listing);
  }

  /**
   * The fake upstream key the gateway holds for a listing (tests search every answer for it).
   * Seeded; starts with `UPSTREAM_CREDENTIAL_PREFIX`.
   */
  upstreamCredentialOf(ref: string): string {
    const entry = findEntry(this.state.catalog, ref);
    if (!entry) throw notFound(`No single listing ${echo(ref)}.`);
    return upstreamCredential(this.state.derive, entry.listing.id);
  }

  /** Every charge and refund, oldest first (`/__mock/ledger`; not a public endpoint). */
  ledger(): LedgerEntry[] {
    return this.state.ledger.entries();
  }

  /** The token id behind a secret (the public profile has no introspection route). */
  tokenIdOf(secret: string): string {
    return this.authenticate(`Bearer ${secret}`).token.id;
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

  /** 403 unless the caller's token has the permission's scope (see `authentication.ts`). */
  requirePermission(auth: AuthContext, permission: Permission): void {
    requirePermission(this.ctx, auth, permission);
  }

  // ---------------------------------------------------------------- catalog (no auth)

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
    return pricingOf(availableListings(this.state.catalog, this.state.unavailable), params, this.now().toISOString());
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

  /** A paid call (`{METHOD} /proxy/{service}{path}?listing=`); `paid-call.ts` gives the order of its checks. */
  callListing(auth: AuthContext, input: CallInput): CallResult {
    return callListing({ ctx: this.ctx, state: this.state, settings: this.settings, observeUpstream: this.observeUpstream }, auth, input);
  }

  /**
   * The streaming variant of `callListing`: the same call (charge, scan, receipt, idempotency),
   * delivered as the chunks a client would read: a stream's events (then, extended, the
   * `proxygate.receipt` event); for any other answer, the whole body once.
   */
  callListingStream(auth: AuthContext, input: CallInput): { result: CallResult; chunks: AsyncIterable<string> } {
    const result = this.callListing(auth, input);
    return { result, chunks: resultChunks(result) };
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

  // ---------------------------------------------------------------- discovery

  /** `GET /health`: 200 healthy, 503 degraded (same shape); `extensions` only in the extended profile. */
  health(): { status: 200 | 503; body: HealthResponse } {
    return health(this.ctx, this.state.keyring, this.settings.health);
  }

  /** `GET /.well-known/oauth-protected-resource` (RFC 9728). */
  protectedResourceMetadata(): ProtectedResourceMetadata {
    return protectedResourceMetadata(this.ctx, this.origin);
  }
}
