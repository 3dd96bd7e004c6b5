// Response shapes as zod models (lenient/strict from one description). Public types come from the
// generated spec types; the assertions at the end fail to compile when the two drift apart.
import { z } from 'zod';
import type { components, operations } from '../generated/openapi.js';
import { model, openEnum, safeInt, type Model } from '../internal/validate.js';

type Schemas = components['schemas'];
type ObjectFactory = typeof z.looseObject;

export type Listing = Schemas['Listing'];
export type ListingEndpoint = Schemas['Endpoint'];
export type ListingDocs = Schemas['ListingDocs'];
export type PriceEntry = Schemas['Price'];
export type Service = Schemas['Service'];
export type Category = Schemas['Category'];
export type Balance = Schemas['Balance'];
export type UsageEntry = Schemas['UsageEntry'];
export type RateResult = Schemas['RateResult'];
export type TokenInfo = Schemas['TokenInfo'];
export type CreatedToken = Schemas['CreatedToken'];
export type ReceiptLogEntry = Schemas['ReceiptV3'];
export type ReceiptLogHead = Schemas['ReceiptLogHead'];
export type ReceiptLogBody = Schemas['ReceiptPage'];
export type Health = Schemas['Health'];
export type KeySetDocument = Schemas['KeySet'];
export type Scope = Schemas['Scope'];
export type ListingPage = Schemas['ListingPage'];
export type UsagePage = Schemas['UsagePage'];
export type TokenPage = Schemas['TokenPage'];

/** Query parameters of the list operations, straight from the spec. */
export type CatalogListQuery = NonNullable<operations['listApis']['parameters']['query']>;
export type UsageListQuery = NonNullable<operations['listUsage']['parameters']['query']>;
export type TokenListQuery = NonNullable<operations['listTokens']['parameters']['query']>;
export type ReceiptLogQuery = NonNullable<operations['listReceipts']['parameters']['query']>;
export type CreateTokenRequest = Schemas['CreateTokenRequest'];
export type RateRequest = Schemas['RateRequest'];

const money = safeInt;
const timestamp = () => z.string();
const httpMethod = (o: ObjectFactory) => openEnum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], o);
const usd = () => z.literal('USD');

function page<I extends z.ZodType>(item: I, o: ObjectFactory) {
  return o({ data: z.array(item), cursor: z.string().nullable(), has_more: z.boolean() });
}

const endpoint = (o: ObjectFactory) =>
  o({ method: httpMethod(o), path: z.string(), description: z.string(), streaming: z.boolean().exactOptional() });

const listing = (o: ObjectFactory) =>
  o({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    service: z.string(),
    category: z.string(),
    type: openEnum(['rest', 'sse'], o),
    seller_id: z.string(),
    price_micro_cents: money(),
    shield_fee_micro_cents: money(),
    verified: z.boolean(),
    rating: o({ up: safeInt(), down: safeInt() }),
    avg_latency_ms: safeInt(),
    calls_30d: safeInt(),
    created_at: timestamp(),
    endpoints: z.array(endpoint(o)),
  });

const listingDocs = (o: ObjectFactory) => o({ listing_id: z.string(), markdown: z.string(), endpoints: z.array(endpoint(o)) });
const price = (o: ObjectFactory) =>
  o({
    listing_id: z.string(),
    slug: z.string(),
    service: z.string(),
    price_micro_cents: money(),
    shield_fee_micro_cents: money(),
    currency: usd(),
  });
const service = (o: ObjectFactory) =>
  o({ name: z.string(), description: z.string(), listing_count: safeInt(), categories: z.array(z.string()) });
const category = (o: ObjectFactory) => o({ name: z.string(), listing_count: safeInt() });
const balance = (o: ObjectFactory) => o({ balance_micro_cents: money(), currency: usd() });

const usageEntry = (o: ObjectFactory) =>
  o({
    id: z.string(),
    request_id: z.string(),
    service: z.string(),
    listing_id: z.string(),
    method: httpMethod(o),
    path: z.string(),
    status_code: safeInt(),
    latency_ms: safeInt(),
    cost_micro_cents: money(),
    refunded: z.boolean(),
    created_at: timestamp(),
  });
const rateResult = (o: ObjectFactory) => o({ request_id: z.string(), listing_id: z.string(), is_positive: z.boolean() });

const tokenInfo = (o: ObjectFactory) =>
  o({
    id: z.string(),
    name: z.string().nullable(),
    type: openEnum(['api_key', 'delegation'], o),
    scopes: z.array(z.string()),
    parent_id: z.string().nullable(),
    created_at: timestamp(),
    expires_at: timestamp().nullable(),
    revoked_at: timestamp().nullable(),
    spend_cap_micro_cents: money().nullable(),
    spent_micro_cents: money(),
    listings: z.array(z.string()).nullable(),
  });
const createdToken = (o: ObjectFactory) => o({ token: z.string(), info: tokenInfo(o) });

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
    amount: z.string().regex(/^(0|[1-9][0-9]*)$/),
    currency: usd(),
    timestamp: timestamp(),
    request_sha256: z.string(),
    response_sha256: z.string(),
    shield: o({
      mode: z.enum(['off', 'monitor', 'strict']),
      score_bp: safeInt().min(0).max(10_000),
      flags: z.array(shieldFlag()),
      action: z.enum(['allowed', 'flagged', 'blocked']),
    }),
    seq: safeInt().min(1),
    prev: z.string(),
    signature: z.string(),
  });
const logHead = (o: ObjectFactory) =>
  o({ origin: z.string(), tree_size: safeInt(), root_hash: z.string(), timestamp: timestamp(), kid: z.string(), checkpoint: z.string() });
const receiptPage = (o: ObjectFactory) =>
  o({ data: z.array(receiptV3(o)), cursor: z.string().nullable(), has_more: z.boolean(), head: logHead(o) });

const health = (o: ObjectFactory) =>
  o({
    status: z.string().exactOptional(),
    // Open list (spec): a newer gateway may announce versions this SDK does not verify yet.
    receipt_versions: z.array(safeInt().min(1)).exactOptional(),
    time: timestamp().exactOptional(),
    platform_pubkey: z.string(),
    receipt_ca_pubkey: z.string(),
  });

export const ListingModel: Model<Listing> = model(listing);
export const ListingPageModel: Model<ListingPage> = model((o) => page(listing(o), o));
export const ListingDocsModel: Model<ListingDocs> = model(listingDocs);
export const PricingModel: Model<Schemas['PricingList']> = model((o) => o({ data: z.array(price(o)) }));
export const ServicesModel: Model<Schemas['ServiceList']> = model((o) => o({ data: z.array(service(o)) }));
export const CategoriesModel: Model<Schemas['CategoryList']> = model((o) => o({ data: z.array(category(o)) }));
export const BalanceModel: Model<Balance> = model(balance);
export const UsagePageModel: Model<UsagePage> = model((o) => page(usageEntry(o), o));
export const RateResultModel: Model<RateResult> = model(rateResult);
export const TokenInfoModel: Model<TokenInfo> = model(tokenInfo);
export const TokenPageModel: Model<TokenPage> = model((o) => page(tokenInfo(o), o));
export const CreatedTokenModel: Model<CreatedToken> = model(createdToken);
export const ReceiptPageModel: Model<ReceiptLogBody> = model(receiptPage);
export const HealthModel: Model<Health> = model(health);

// Drift check, both ways: every generated field is validated, and validation adds nothing the spec lacks.
type Out<F extends (o: ObjectFactory) => z.ZodType> = z.output<ReturnType<F>>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ModelDriftCheck = [
  Assert<Same<Out<typeof listing>, Listing>>,
  Assert<Same<Out<typeof endpoint>, ListingEndpoint>>,
  Assert<Same<Out<typeof listingDocs>, ListingDocs>>,
  Assert<Same<Out<typeof price>, PriceEntry>>,
  Assert<Same<Out<typeof service>, Service>>,
  Assert<Same<Out<typeof category>, Category>>,
  Assert<Same<Out<typeof balance>, Balance>>,
  Assert<Same<Out<typeof usageEntry>, UsageEntry>>,
  Assert<Same<Out<typeof rateResult>, RateResult>>,
  Assert<Same<Out<typeof tokenInfo>, TokenInfo>>,
  Assert<Same<Out<typeof createdToken>, CreatedToken>>,
  Assert<Same<Out<typeof receiptV3>, ReceiptLogEntry>>,
  Assert<Same<Out<typeof logHead>, ReceiptLogHead>>,
  Assert<Same<Out<typeof health>, Health>>,
];

// Earlier names, kept for modules written against them.
export const ListingListModel = ListingPageModel;
export const UsageListModel = UsagePageModel;
export const TokenListModel = TokenPageModel;
export const ReceiptLogModel = ReceiptPageModel;
