import { sha256Hex } from '../crypto/hash.js';
import { buyerPricePerRequest, ratingPercent, toCatalogListing, type Listing } from './catalog.js';
import { GatewayError } from './errors.js';
import { KEBAB_CASE, UUID_PATTERN } from './ids.js';
import { paginate, text, type QueryValue } from './pagination.js';
import type { CatalogResponse, FiltersApplied } from './types.js';

/** `GET /v1/apis` query as published (strings on the wire; MCP passes typed values). */
export interface ListApisParams {
  service?: QueryValue;
  auth_pattern?: QueryValue;
  pricing_model?: QueryValue;
  min_uptime?: QueryValue;
  max_latency?: QueryValue;
  max_price?: QueryValue;
  min_trust_score?: QueryValue;
  min_rating?: QueryValue;
  has_badges?: QueryValue;
  badges?: QueryValue;
  supports_streaming?: QueryValue;
  verified?: QueryValue;
  q?: QueryValue;
  category?: QueryValue;
  sort?: QueryValue;
  type?: QueryValue;
  listing_id?: QueryValue;
  slug?: QueryValue;
  seller_slug?: QueryValue;
  cursor?: QueryValue;
  limit?: QueryValue;
}

export const LIST_APIS_PARAMS: readonly (keyof ListApisParams)[] = [
  'service', 'auth_pattern', 'pricing_model', 'min_uptime', 'max_latency', 'max_price', 'min_trust_score', 'min_rating',
  'has_badges', 'badges', 'supports_streaming', 'verified', 'q', 'category', 'sort', 'type', 'listing_id', 'slug', 'seller_slug',
  'cursor', 'limit',
];

type Sort = NonNullable<FiltersApplied['sort']>;
const SORTS: Record<Sort, (a: Listing, b: Listing) => number> = {
  // Per-token listings have no per-request price: they sort after every priced listing.
  price_asc: (a, b) => (buyerPricePerRequest(a) ?? Number.MAX_SAFE_INTEGER) - (buyerPricePerRequest(b) ?? Number.MAX_SAFE_INTEGER),
  price_desc: (a, b) => (buyerPricePerRequest(b) ?? -1) - (buyerPricePerRequest(a) ?? -1),
  popular: (a, b) => b.calls30d - a.calls30d,
  newest: (a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0),
  fastest: (a, b) => a.avgLatencyMs - b.avgLatencyMs,
  best_rated: (a, b) => ratingPercent(b) - ratingPercent(a),
};

// Without `sort`: verified listings first, then by seller trust score (the gateway's ranking is
// not published; this is the mock's stand-in).
const DEFAULT_ORDER = (a: Listing, b: Listing): number => Number(b.verified) - Number(a.verified) || b.seller.trustScore - a.seller.trustScore;

function numberParam(raw: QueryValue): number | null {
  const value = text(raw);
  if (value === null) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** Only "true" turns a boolean filter on (the published wording: `When "true", only ...`). */
function trueParam(raw: QueryValue): boolean {
  return raw === true || text(raw) === 'true';
}

function invalidSlug(param: string, traceId: () => string): GatewayError {
  return new GatewayError(400, { error: 'invalid_slug', message: `${param} must be kebab-case`, action: 'Use the lower-case, dash-separated slug shown in the catalog.', trace_id: traceId() });
}

/**
 * Filters, sorts (stable: ties by listing id) and pages the catalog, and reports the filters it
 * applied with their typed values. Tunnel listings would be hidden unless asked for; the mock has none.
 */
export function queryCatalog(
  all: readonly Listing[],
  isAvailable: (listing: Listing) => boolean,
  params: ListApisParams,
  traceId: () => string,
): CatalogResponse {
  const applied: FiltersApplied = {};
  let listings = [...all];
  const keep = (test: (listing: Listing) => boolean) => {
    listings = listings.filter(test);
  };

  const slug = text(params.slug);
  const sellerSlug = text(params.seller_slug);
  if (slug !== null && !KEBAB_CASE.test(slug)) throw invalidSlug('slug', traceId);
  if (sellerSlug !== null && !KEBAB_CASE.test(sellerSlug)) throw invalidSlug('seller_slug', traceId);

  const listingId = text(params.listing_id);
  if (listingId !== null) {
    applied.listing_id = listingId;
    const wanted = listingId.toLowerCase();
    keep((l) => UUID_PATTERN.test(wanted) && l.id === wanted);
  }
  if (slug !== null) {
    applied.slug = slug;
    keep((l) => l.slug === slug);
  }
  if (sellerSlug !== null) {
    applied.seller_slug = sellerSlug;
    keep((l) => l.seller.slug === sellerSlug);
  }
  const service = text(params.service);
  if (service !== null) {
    applied.service = service;
    keep((l) => l.service === service);
  }
  const authPattern = text(params.auth_pattern);
  if (authPattern !== null) {
    applied.auth_pattern = authPattern;
    keep((l) => l.authPattern === authPattern);
  }
  const pricingModel = text(params.pricing_model);
  if (pricingModel !== null) {
    applied.pricing_model = pricingModel;
    keep((l) => l.pricingUnit === pricingModel);
  }
  const minUptime = numberParam(params.min_uptime);
  if (minUptime !== null) {
    applied.min_uptime = minUptime;
    keep((l) => l.uptimePercent >= minUptime);
  }
  const maxLatency = numberParam(params.max_latency);
  if (maxLatency !== null) {
    applied.max_latency = maxLatency;
    keep((l) => l.avgLatencyMs <= maxLatency);
  }
  const maxPrice = numberParam(params.max_price);
  if (maxPrice !== null) {
    // Buyer price per request in micro-USD; a per-token listing has none and never matches.
    applied.max_price = maxPrice;
    keep((l) => {
      const price = buyerPricePerRequest(l);
      return price !== null && price <= maxPrice;
    });
  }
  const minTrust = numberParam(params.min_trust_score);
  if (minTrust !== null) {
    applied.min_trust_score = minTrust;
    keep((l) => l.seller.trustScore >= minTrust);
  }
  const minRating = numberParam(params.min_rating);
  if (minRating !== null) {
    applied.min_rating = minRating;
    keep((l) => ratingPercent(l) >= minRating);
  }
  if (trueParam(params.has_badges)) {
    applied.has_badges = true;
    keep((l) => l.seller.badges.length > 0);
  }
  const badges = text(params.badges);
  if (badges !== null) {
    applied.badges = badges;
    const wanted = badges.split(',').map((badge) => badge.trim()).filter(Boolean);
    keep((l) => wanted.every((badge) => l.seller.badges.includes(badge)));
  }
  if (trueParam(params.supports_streaming)) {
    applied.supports_streaming = true;
    keep((l) => l.streaming);
  }
  if (trueParam(params.verified)) {
    applied.verified = true;
    keep((l) => l.verified);
  }
  const q = text(params.q)?.trim().slice(0, 500);
  if (q) {
    applied.q = q;
    const needle = q.toLowerCase();
    keep((l) => [l.serviceName, l.service, l.description].some((field) => field.toLowerCase().includes(needle)));
  }
  const category = text(params.category);
  if (category !== null) {
    applied.category = category;
    const wanted = category.split(',').map((slug) => slug.trim()).filter(Boolean);
    keep((l) => wanted.some((slug) => l.categorySlugs.includes(slug)));
  }
  const type = text(params.type);
  if (type !== null) {
    applied.type = type;
    keep(() => type === 'api');
  }

  const sort = text(params.sort);
  const compare = sort !== null && sort in SORTS ? SORTS[sort as Sort] : null;
  if (compare) applied.sort = sort as Sort;
  listings.sort((a, b) => (compare ?? DEFAULT_ORDER)(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const scope = sha256Hex(JSON.stringify(applied)).slice(0, 12);
  const page = paginate(listings, params, `apis:${scope}`, traceId);
  return { data: page.data.map((l) => toCatalogListing(l, isAvailable(l))), cursor: page.cursor, has_more: page.has_more, filters_applied: applied };
}
