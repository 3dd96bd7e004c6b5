// Response shapes of spec/README.md as zod models (lenient/strict from one description).
// Types are inferred here until sdk/src/generated/openapi.ts lands; then they are checked against it.
import { z } from 'zod';
import { model, safeInt } from '../internal/validate.js';

type ObjectFactory = typeof z.looseObject;

const money = safeInt;
const timestamp = () => z.string();

function list<I extends z.ZodType>(item: I, o: ObjectFactory) {
  return o({ data: z.array(item), cursor: z.string().nullable(), has_more: z.boolean() });
}

const endpoint = (o: ObjectFactory) =>
  o({ method: z.string(), path: z.string(), description: z.string().optional(), streaming: z.boolean().optional() });

const listing = (o: ObjectFactory) =>
  o({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    service: z.string(),
    category: z.string(),
    type: z.enum(['rest', 'sse']),
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

export const ListingModel = model(listing);
export const ListingListModel = model((o) => list(listing(o), o));
export const ListingDocsModel = model((o) =>
  o({ listing_id: z.string(), markdown: z.string(), endpoints: z.array(endpoint(o)) }),
);
export const PricingModel = model((o) =>
  o({
    data: z.array(
      o({
        listing_id: z.string(),
        slug: z.string(),
        service: z.string(),
        price_micro_cents: money(),
        shield_fee_micro_cents: money(),
        currency: z.string(),
      }),
    ),
  }),
);
export const ServicesModel = model((o) =>
  o({
    data: z.array(o({ name: z.string(), description: z.string(), listing_count: safeInt(), categories: z.array(z.string()) })),
  }),
);
export const CategoriesModel = model((o) => o({ data: z.array(o({ name: z.string(), listing_count: safeInt() })) }));

export const BalanceModel = model((o) => o({ balance_micro_cents: money(), currency: z.string() }));

const usageEntry = (o: ObjectFactory) =>
  o({
    id: z.string(),
    request_id: z.string(),
    service: z.string(),
    listing_id: z.string(),
    method: z.string(),
    path: z.string(),
    status_code: safeInt(),
    latency_ms: safeInt(),
    cost_micro_cents: money(),
    refunded: z.boolean(),
    created_at: timestamp(),
  });
export const UsageListModel = model((o) => list(usageEntry(o), o));
export const RateResultModel = model((o) => o({ request_id: z.string(), listing_id: z.string(), is_positive: z.boolean() }));

const tokenInfo = (o: ObjectFactory) =>
  o({
    id: z.string(),
    name: z.string().nullable(),
    type: z.enum(['api_key', 'delegation']),
    scopes: z.array(z.string()),
    parent_id: z.string().nullable(),
    created_at: timestamp(),
    expires_at: timestamp().nullable(),
    revoked_at: timestamp().nullable(),
    spend_cap_micro_cents: money().nullable(),
    spent_micro_cents: money(),
    listings: z.array(z.string()).nullable(),
  });
export const TokenInfoModel = model(tokenInfo);
export const TokenListModel = model((o) => list(tokenInfo(o), o));
export const CreatedTokenModel = model((o) => o({ token: z.string(), info: tokenInfo(o) }));

// Receipts are kept as loose records here: their exact checks belong to the receipts module.
const receiptRecord = () => z.record(z.string(), z.unknown());
const logHead = (o: ObjectFactory) =>
  o({
    origin: z.string(),
    tree_size: safeInt(),
    root_hash: z.string(),
    timestamp: timestamp(),
    kid: z.string(),
    checkpoint: z.string(),
  });
export const ReceiptLogModel = model((o) =>
  o({ data: z.array(receiptRecord()), cursor: z.string().nullable(), has_more: z.boolean(), head: logHead(o) }),
);

export const HealthModel = model((o) =>
  o({ platform_pubkey: z.string().optional(), receipt_ca_pubkey: z.string().optional() }),
);

export type Listing = z.output<ReturnType<typeof listing>>;
export type ListingEndpoint = z.output<ReturnType<typeof endpoint>>;
export type ListingDocs = z.output<(typeof ListingDocsModel)['loose']>;
export type PriceEntry = z.output<(typeof PricingModel)['loose']>['data'][number];
export type Service = z.output<(typeof ServicesModel)['loose']>['data'][number];
export type Category = z.output<(typeof CategoriesModel)['loose']>['data'][number];
export type Balance = z.output<(typeof BalanceModel)['loose']>;
export type UsageEntry = z.output<ReturnType<typeof usageEntry>>;
export type RateResult = z.output<(typeof RateResultModel)['loose']>;
export type TokenInfo = z.output<ReturnType<typeof tokenInfo>>;
export type CreatedToken = z.output<(typeof CreatedTokenModel)['loose']>;
export type ReceiptLogEntry = Record<string, unknown>;
export type ReceiptLogHead = z.output<ReturnType<typeof logHead>>;
export type ReceiptLogBody = z.output<(typeof ReceiptLogModel)['loose']>;
export type Health = z.output<(typeof HealthModel)['loose']>;
