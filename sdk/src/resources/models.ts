// Response shapes as zod models (lenient/strict from one description). Public types come from the
// generated spec types; the assertions at the end fail to compile when the two drift apart.
// Field names, wrappers and nullability are the public gateway's; every integer money field is
// micro-USD (1e-6 USD) whatever its name says (`*_micro_cents`, `*_micro_usdc`, "lamports").
import * as z from 'zod/mini';
import type { components, operations } from '../generated/openapi.js';
import { model, openEnum, safeInt, type Model } from '../internal/validate.js';
import type { ListingPrices } from '../lib/prices.js';

type Schemas = components['schemas'];
type ObjectFactory = typeof z.looseObject;

/** A catalog listing exactly as the gateway sends it. */
export type CatalogListing = Schemas['CatalogListing'];
/**
 * A catalog listing with every wire field, plus `prices`: its USDC floats converted once to
 * integer micro-USD (per request) and micro-USD per million tokens.
 */
export type Listing = CatalogListing & { prices: ListingPrices };
export type ListingEndpoint = CatalogListing['endpoints'][number];
export type ListingEndpointPrice = CatalogListing['endpoint_prices'][number];
export type CatalogPage = Omit<Schemas['CatalogResponse'], 'data'> & { data: Listing[] };
export type ListingDocs = Schemas['ListingDocsResponse'];
export type ServicePricing = Schemas['ServicePricing'];
export type PricingPage = Schemas['PricingResponse'];
export type ServiceStats = Schemas['ServiceStats'];
export type ServicesPage = Schemas['ServicesResponse'];
export type Category = Schemas['CategoryEntry'];
export type Subcategory = Schemas['CategorySubcategory'];
export type CategoriesPage = Schemas['CategoriesResponse'];
export type Balance = Schemas['VaultBalanceResponse'];
export type UsageRow = Schemas['UsageRow'];
export type UsageSummaryEntry = Schemas['UsageSummaryEntry'];
export type UsagePage = Schemas['UsageResponse'];
export type RateResult = Schemas['RateResponse'];
export type Me = Schemas['MeResponse'];
export type WalletLimits = Schemas['WalletLimits'];
export type Health = Schemas['HealthResponse'];
export type HealthExtensions = NonNullable<Health['extensions']>;
export type TokenInfo = Schemas['TokenInfo'];
export type CreatedToken = Schemas['CreatedToken'];
export type TokenPage = Schemas['TokenPage'];
export type ReceiptLogEntry = Schemas['ReceiptV3'];
export type ReceiptLogHead = Schemas['ReceiptLogHead'];
export type ReceiptLogBody = Schemas['ReceiptPage'];
export type KeySetDocument = Schemas['KeySet'];
export type Scope = Schemas['Scope'];

/** Query parameters of the list operations, straight from the spec. */
export type CatalogListQuery = NonNullable<operations['listApis']['parameters']['query']>;
export type PricingQuery = NonNullable<operations['getPricing']['parameters']['query']>;
export type ServicesQuery = NonNullable<operations['listServices']['parameters']['query']>;
export type CategoriesQuery = NonNullable<operations['listCategories']['parameters']['query']>;
export type UsageListQuery = NonNullable<operations['listUsage']['parameters']['query']>;
export type TokenListQuery = NonNullable<operations['listTokens']['parameters']['query']>;
export type ReceiptLogQuery = NonNullable<operations['listReceipts']['parameters']['query']>;
export type CreateTokenRequest = Schemas['CreateTokenRequest'];
export type RateRequest = Schemas['RateRequest'];

const money = safeInt;
const timestamp = () => z.string();
const httpMethod = (o: ObjectFactory) => openEnum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], o);
const usd = () => z.literal('USD');
// Catalog prices are floats on the wire; they are converted to integers once, by `listingPrices`.
const usdc = () => z.number().check(z.nonnegative());
const cursorOf = () => ({ cursor: z.nullable(z.string()), has_more: z.boolean() });
const record = () => z.record(z.string(), z.unknown());

const endpoint = (o: ObjectFactory) =>
  o({
    method: httpMethod(o),
    path: z.string(),
    description: z.exactOptional(z.string()),
    request_schema: z.exactOptional(record()),
    body_overrides: z.exactOptional(record()),
    query_overrides: z.exactOptional(z.record(z.string(), z.string())),
  });
const endpointPrice = (o: ObjectFactory) =>
  o({
    path: z.string(),
    pricing_unit: openEnum(['per_request', 'per_token'], o),
    // The published schema gives these no unit; read as micro-USD (per token: may carry a fraction).
    price_per_request: z.exactOptional(z.number().check(z.nonnegative())),
    price_per_input_token: z.exactOptional(z.number().check(z.nonnegative())),
    price_per_output_token: z.exactOptional(z.number().check(z.nonnegative())),
    daily_cap_per_wallet: z.exactOptional(z.nullable(z.number())),
    daily_cap_global: z.exactOptional(z.nullable(z.number())),
  });

const catalogListing = (o: ObjectFactory) =>
  o({
    listing_id: z.string(),
    seller_wallet: z.string(),
    service: z.string(),
    service_name: z.string(),
    auth_pattern: z.string(),
    pricing_unit: z.string(),
    price_per_request_usdc: z.nullable(usdc()),
    price_per_input_token_usdc: z.nullable(usdc()),
    price_per_output_token_usdc: z.nullable(usdc()),
    buyer_price_per_request_usdc: z.nullable(usdc()),
    buyer_price_per_input_token_usdc: z.nullable(usdc()),
    buyer_price_per_output_token_usdc: z.nullable(usdc()),
    platform_fee_pct: z.number(),
    available_rpm: z.number(),
    uptime_percent: z.number(),
    avg_latency_ms: z.number(),
    trust_score: z.number(),
    badges: z.array(z.string()),
    avg_rating_percent: z.number(),
    description: z.nullable(z.string()),
    is_available: z.boolean(),
    member_since: timestamp(),
    category_slugs: z.array(z.string()),
    endpoints: z.array(endpoint(o)),
    endpoint_prices: z.array(endpointPrice(o)),
    has_docs: z.boolean(),
    is_verified: z.boolean(),
    listing_type: z.string(),
    type_metadata: z.nullable(record()),
    slug: z.string(),
    seller_slug: z.nullable(z.string()),
    seller_account_type: openEnum(['personal', 'organization'], o),
    seller_organization: z.nullable(z.string()),
    seller_avatar_url: z.nullable(z.string()),
    provider_logo_url: z.nullable(z.string()),
    is_partner: z.boolean(),
    free_listing_approved: z.boolean(),
  });
const filtersApplied = (o: ObjectFactory) =>
  o({
    service: z.exactOptional(z.string()),
    auth_pattern: z.exactOptional(z.string()),
    pricing_model: z.exactOptional(z.string()),
    min_uptime: z.exactOptional(z.number()),
    max_latency: z.exactOptional(z.number()),
    max_price: z.exactOptional(z.number()),
    min_trust_score: z.exactOptional(z.number()),
    min_rating: z.exactOptional(z.number()),
    has_badges: z.exactOptional(z.boolean()),
    badges: z.exactOptional(z.string()),
    supports_streaming: z.exactOptional(z.boolean()),
    verified: z.exactOptional(z.boolean()),
    q: z.exactOptional(z.string()),
    category: z.exactOptional(z.string()),
    sort: z.exactOptional(openEnum(['price_asc', 'price_desc', 'popular', 'newest', 'fastest', 'best_rated'], o)),
    type: z.exactOptional(z.string()),
    listing_id: z.exactOptional(z.string()),
    slug: z.exactOptional(z.string()),
    seller_slug: z.exactOptional(z.string()),
  });
const catalogResponse = (o: ObjectFactory) =>
  o({ data: z.array(catalogListing(o)), ...cursorOf(), filters_applied: filtersApplied(o) });

const listingDocs = (o: ObjectFactory) =>
  o({
    listing_id: z.string(),
    doc_type: openEnum(['openapi', 'markdown', 'graphql'], o),
    content: z.string(),
    parsed_endpoints: z.nullable(z.array(z.unknown())),
    updated_at: timestamp(),
  });

const pricingUnits = (o: ObjectFactory) => openEnum(['per_request', 'per_token', 'both'], o);
const servicePricing = (o: ObjectFactory) =>
  o({
    service: z.string(),
    name: z.string(),
    pricing_unit: pricingUnits(o),
    price_per_request_micro_cents: money(),
    price_per_request_usdc: usdc(),
    price_per_input_token_micro_cents: z.nullable(z.number()),
    price_per_output_token_micro_cents: z.nullable(z.number()),
    price_per_input_token_usdc: z.nullable(usdc()),
    price_per_output_token_usdc: z.nullable(usdc()),
    available_rpm: z.number(),
    sellers: safeInt(),
  });
const pricingResponse = (o: ObjectFactory) =>
  o({
    services: z.array(servicePricing(o)),
    ...cursorOf(),
    currency: z.literal('USDC'),
    deposit_endpoint: z.literal('/v1/deposit'),
    last_updated: timestamp(),
  });

const serviceStats = (o: ObjectFactory) =>
  o({
    service: z.string(),
    service_name: z.string(),
    cheapest_price_usdc: usdc(),
    cheapest_buyer_price_usdc: usdc(),
    avg_latency_ms: z.number(),
    active_seller_count: safeInt(),
    total_capacity_rpm: z.number(),
    avg_uptime_percent: z.number(),
    avg_rating: z.number(),
    best_rated_seller_wallet: z.string(),
    pricing_units: pricingUnits(o),
  });
const servicesResponse = (o: ObjectFactory) => o({ services: z.array(serviceStats(o)), ...cursorOf(), count: safeInt() });

const subcategory = (o: ObjectFactory) => o({ slug: z.string(), name: z.string(), icon: z.string(), listing_count: safeInt() });
const category = (o: ObjectFactory) =>
  o({ slug: z.string(), name: z.string(), icon: z.string(), listing_count: safeInt(), subcategories: z.array(subcategory(o)) });
const categoriesResponse = (o: ObjectFactory) => o({ categories: z.array(category(o)), ...cursorOf() });

const balance = (o: ObjectFactory) =>
  o({ balance: money(), pending_settlement: money(), available: money(), in_cooldown: z.boolean(), currency: z.literal('lamports') });

const usageRow = (o: ObjectFactory) =>
  o({
    id: z.string(),
    service: z.string(),
    path: z.string(),
    model: z.nullable(z.string()),
    status_code: safeInt(),
    latency_ms: z.number(),
    cost_micro_cents: money(),
    listing_id: z.string(),
    seller_id: z.nullable(z.string()),
    created_at: timestamp(),
    // Extension: the receipt's request id, so usage joins receipts.
    request_id: z.exactOptional(z.string()),
  });
const usageSummary = (o: ObjectFactory) =>
  o({ service: z.string(), model: z.nullable(z.string()), request_count: safeInt(), total_cost_micro_cents: money() });
const usageResponse = (o: ObjectFactory) => o({ usage: z.array(usageRow(o)), summary: z.array(usageSummary(o)), ...cursorOf() });

const rateResult = (o: ObjectFactory) => o({ success: z.literal(true), is_update: z.boolean() });
const me = (o: ObjectFactory) =>
  o({
    wallet: z.string(),
    display_name: z.nullable(z.string()),
    created_at: z.nullable(timestamp()),
    auth_method: z.nullable(openEnum(['bearer', 'wallet-sig'], o)),
    seller_status: openEnum(['none', 'applicant', 'accepted'], o),
  });
const walletLimits = (o: ObjectFactory) => o({ daily_limit_micro_usdc: z.nullable(money()), per_tx_limit_micro_usdc: z.nullable(money()) });

const tokenInfo = (o: ObjectFactory) =>
  o({
    id: z.string(),
    name: z.nullable(z.string()),
    type: openEnum(['api_key', 'delegation'], o),
    scopes: z.array(z.string()),
    parent_id: z.nullable(z.string()),
    created_at: timestamp(),
    expires_at: z.nullable(timestamp()),
    revoked_at: z.nullable(timestamp()),
    spend_cap_micro_usd: z.nullable(money()),
    spent_micro_usd: money(),
    listings: z.nullable(z.array(z.string())),
  });
const createdToken = (o: ObjectFactory) => o({ token: z.string(), info: tokenInfo(o) });
const tokenPage = (o: ObjectFactory) => o({ data: z.array(tokenInfo(o)), ...cursorOf() });

// Flags are an open set in the spec (new detectors may appear), so any string is accepted.
const shieldFlag = () => z.string();
// Shape only: signatures, hashes and chain links are the receipts module's to verify.
const receiptV3 = (o: ObjectFactory) =>
  o({
    receipt_version: z.literal(3),
    kid: z.string(),
    request_id: z.string(),
    buyer: z.string(),
    seller: z.string(),
    listing_id: z.string(),
    service: z.string(),
    method: httpMethod(o),
    path: z.string(),
    amount: z.string().check(z.regex(/^(0|[1-9][0-9]*)$/)),
    currency: usd(),
    timestamp: timestamp(),
    request_sha256: z.string(),
    response_sha256: z.string(),
    shield: o({
      mode: z.enum(['off', 'monitor', 'strict']),
      score_bp: safeInt().check(z.minimum(0), z.maximum(10_000)),
      flags: z.array(shieldFlag()),
      action: z.enum(['allowed', 'flagged', 'blocked']),
    }),
    seq: safeInt().check(z.minimum(1)),
    prev: z.string(),
    signature: z.string(),
  });
const logHead = (o: ObjectFactory) =>
  o({ origin: z.string(), tree_size: safeInt(), root_hash: z.string(), timestamp: timestamp(), kid: z.string(), checkpoint: z.string() });
const receiptPage = (o: ObjectFactory) => o({ data: z.array(receiptV3(o)), ...cursorOf(), head: logHead(o) });

const healthExtensions = (o: ObjectFactory) =>
  o({ version: safeInt(), features: z.array(z.string()), receipt_keys_url: z.exactOptional(z.string()) });
const health = (o: ObjectFactory) =>
  o({
    status: openEnum(['healthy', 'degraded'], o),
    platform_pubkey: z.string(),
    receipt_ca_pubkey: z.exactOptional(z.string()),
    extensions: z.exactOptional(healthExtensions(o)),
  });

/** A catalog page as validated (prices not yet added: see `catalog.ts`). */
export const CatalogResponseModel: Model<Schemas['CatalogResponse']> = model(catalogResponse);
export const ListingDocsModel: Model<ListingDocs> = model(listingDocs);
export const PricingPageModel: Model<PricingPage> = model(pricingResponse);
export const ServicesPageModel: Model<ServicesPage> = model(servicesResponse);
export const CategoriesPageModel: Model<CategoriesPage> = model(categoriesResponse);
export const BalanceModel: Model<Balance> = model(balance);
export const UsagePageModel: Model<UsagePage> = model(usageResponse);
export const RateResultModel: Model<RateResult> = model(rateResult);
export const MeModel: Model<Me> = model(me);
export const WalletLimitsModel: Model<WalletLimits> = model(walletLimits);
export const TokenInfoModel: Model<TokenInfo> = model(tokenInfo);
export const TokenPageModel: Model<TokenPage> = model(tokenPage);
export const CreatedTokenModel: Model<CreatedToken> = model(createdToken);
export const ReceiptPageModel: Model<ReceiptLogBody> = model(receiptPage);
export const HealthModel: Model<Health> = model(health);

// Drift check, both ways: every generated field is validated, and validation adds nothing the spec lacks.
type Out<F extends (o: ObjectFactory) => z.ZodMiniType> = z.output<ReturnType<F>>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ModelDriftCheck = [
  Assert<Same<Out<typeof catalogListing>, CatalogListing>>,
  Assert<Same<Out<typeof endpoint>, ListingEndpoint>>,
  Assert<Same<Out<typeof endpointPrice>, ListingEndpointPrice>>,
  Assert<Same<Out<typeof catalogResponse>, Schemas['CatalogResponse']>>,
  Assert<Same<Out<typeof listingDocs>, ListingDocs>>,
  Assert<Same<Out<typeof servicePricing>, ServicePricing>>,
  Assert<Same<Out<typeof pricingResponse>, PricingPage>>,
  Assert<Same<Out<typeof serviceStats>, ServiceStats>>,
  Assert<Same<Out<typeof servicesResponse>, ServicesPage>>,
  Assert<Same<Out<typeof category>, Category>>,
  Assert<Same<Out<typeof categoriesResponse>, CategoriesPage>>,
  Assert<Same<Out<typeof balance>, Balance>>,
  Assert<Same<Out<typeof usageRow>, UsageRow>>,
  Assert<Same<Out<typeof usageSummary>, UsageSummaryEntry>>,
  Assert<Same<Out<typeof usageResponse>, UsagePage>>,
  Assert<Same<Out<typeof rateResult>, RateResult>>,
  Assert<Same<Out<typeof me>, Me>>,
  Assert<Same<Out<typeof walletLimits>, WalletLimits>>,
  Assert<Same<Out<typeof tokenInfo>, TokenInfo>>,
  Assert<Same<Out<typeof createdToken>, CreatedToken>>,
  Assert<Same<Out<typeof receiptV3>, ReceiptLogEntry>>,
  Assert<Same<Out<typeof logHead>, ReceiptLogHead>>,
  Assert<Same<Out<typeof health>, Health>>,
];
