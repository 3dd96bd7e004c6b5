import { LISTING_DRAFTS, SELLERS, SERVICE_NAMES, type ListingDraft, type SellerDraft } from './catalog-data.js';
import { uuidV5, walletFromLabel } from './ids.js';
import { microUsdToUsdc, perMillionTokensToUsdcPerToken, PLATFORM_FEE_PCT, withPlatformFee } from './money.js';
import type { CatalogEndpoint, CatalogListing, EndpointPrice, ListingDocsResponse } from './types.js';
import type { UpstreamRequest, UpstreamResponse } from './upstream.js';
import { upstreamAuthOf, type UpstreamAuth } from './upstream-credentials.js';

export type { UpstreamRequest, UpstreamResponse } from './upstream.js';

export interface Seller extends SellerDraft {
  wallet: string;
  /** The seller id of usage rows. */
  id: string;
}

/** A listing as the mock keeps it: integer micro-USD prices; the wire shape is derived. */
export interface Listing {
  id: string;
  slug: string;
  seller: Seller;
  service: string;
  serviceName: string;
  description: string;
  categorySlugs: string[];
  authPattern: string;
  /** Where the gateway puts the seller's upstream key (never shown to buyers). */
  upstreamAuth: UpstreamAuth;
  pricingUnit: 'per_request' | 'per_token';
  /** Seller price per request, micro-USD (null on per-token listings). */
  price: number | null;
  perMillion: { input: number; output: number } | null;
  endpointPrices: EndpointPrice[];
  streaming: boolean;
  verified: boolean;
  rating: { up: number; down: number };
  avgLatencyMs: number;
  uptimePercent: number;
  availableRpm: number;
  calls30d: number;
  createdAt: string;
  docs: 'markdown' | 'openapi' | null;
  endpoints: CatalogEndpoint[];
}

export interface CatalogEntry {
  listing: Listing;
  respond(request: UpstreamRequest): UpstreamResponse;
}

/** Listing ids are name-based UUIDs of `<seller slug>/<slug>`: stable across seeds and runs. */
export function listingIdOf(sellerSlug: string, slug: string): string {
  return uuidV5(`listing:${sellerSlug}/${slug}`);
}

function sellerOf(draft: SellerDraft): Seller {
  return { ...draft, badges: [...draft.badges], wallet: walletFromLabel(`seller:${draft.slug}`), id: uuidV5(`seller:${draft.slug}`) };
}

function listingOf(draft: ListingDraft, sellers: Map<string, Seller>): Listing {
  const seller = sellers.get(draft.seller);
  if (!seller) throw new Error(`catalog: unknown seller ${draft.seller}`);
  return {
    id: listingIdOf(draft.seller, draft.slug),
    slug: draft.slug,
    seller,
    service: draft.service,
    serviceName: SERVICE_NAMES[draft.service] ?? draft.service,
    description: draft.description,
    categorySlugs: [...draft.categories],
    authPattern: draft.authPattern,
    upstreamAuth: upstreamAuthOf(draft.authPattern, draft.upstreamAuth),
    pricingUnit: draft.perMillion ? 'per_token' : 'per_request',
    price: draft.price,
    perMillion: draft.perMillion ? { ...draft.perMillion } : null,
    endpointPrices: (draft.endpointPrices ?? []).map((price) => ({ ...price })),
    streaming: draft.streaming ?? false,
    verified: draft.verified,
    rating: { up: draft.rating[0], down: draft.rating[1] },
    avgLatencyMs: draft.latency,
    uptimePercent: draft.uptime,
    availableRpm: draft.rpm,
    calls30d: draft.calls,
    createdAt: draft.created,
    docs: draft.docs,
    endpoints: draft.endpoints.map((endpoint) => structuredClone(endpoint)),
  };
}

/** The fixed catalog: 16 listings of 8 sellers over 12 services. */
export function buildCatalog(): CatalogEntry[] {
  const sellers = new Map(SELLERS.map((draft) => [draft.slug, sellerOf(draft)]));
  return LISTING_DRAFTS.map((draft) => ({ listing: listingOf(draft, sellers), respond: draft.respond }));
}

/** Share of positive votes as a whole percent (0 when unrated). */
export function ratingPercent(listing: Listing): number {
  const total = listing.rating.up + listing.rating.down;
  return total === 0 ? 0 : Math.round((listing.rating.up * 100) / total);
}

/** Buyer price per request (fee included), micro-USD; null for per-token listings. */
export function buyerPricePerRequest(listing: Listing): number | null {
  return listing.price === null ? null : withPlatformFee(listing.price);
}

/** The published `CatalogListing` row of a listing. */
export function toCatalogListing(listing: Listing, available: boolean): CatalogListing {
  const usdc = (micro: number | null) => (micro === null ? null : microUsdToUsdc(micro));
  const perToken = (perMillion: number | undefined) => (perMillion === undefined ? null : perMillionTokensToUsdcPerToken(perMillion));
  const per = listing.perMillion;
  return {
    listing_id: listing.id,
    seller_wallet: listing.seller.wallet,
    service: listing.service,
    service_name: listing.serviceName,
    auth_pattern: listing.authPattern,
    pricing_unit: listing.pricingUnit,
    price_per_request_usdc: usdc(listing.price),
    price_per_input_token_usdc: perToken(per?.input),
    price_per_output_token_usdc: perToken(per?.output),
    buyer_price_per_request_usdc: usdc(buyerPricePerRequest(listing)),
    buyer_price_per_input_token_usdc: perToken(per ? withPlatformFee(per.input) : undefined),
    buyer_price_per_output_token_usdc: perToken(per ? withPlatformFee(per.output) : undefined),
    platform_fee_pct: PLATFORM_FEE_PCT,
    available_rpm: available ? listing.availableRpm : 0,
    uptime_percent: listing.uptimePercent,
    avg_latency_ms: listing.avgLatencyMs,
    trust_score: listing.seller.trustScore,
    badges: [...listing.seller.badges],
    avg_rating_percent: ratingPercent(listing),
    description: listing.description,
    is_available: available,
    member_since: listing.seller.memberSince,
    category_slugs: [...listing.categorySlugs],
    endpoints: listing.endpoints.map((endpoint) => structuredClone(endpoint)),
    endpoint_prices: listing.endpointPrices.map((price) => ({ ...price })),
    has_docs: listing.docs !== null,
    is_verified: listing.verified,
    listing_type: 'api',
    // The published schema names no field for streaming support: the mock says it here, under the
    // name of the `supports_streaming` filter.
    type_metadata: listing.streaming ? { supports_streaming: true } : null,
    slug: listing.slug,
    seller_slug: listing.seller.slug,
    seller_account_type: listing.seller.accountType,
    seller_organization: listing.seller.organization,
    seller_avatar_url: null,
    provider_logo_url: null,
    is_partner: listing.seller.partner,
    free_listing_approved: listing.price === 0,
  };
}

function markdownDocs(listing: Listing): string {
  const price =
    listing.price !== null
      ? `${withPlatformFee(listing.price)} micro-USD per call (${listing.price} to the seller + ${PLATFORM_FEE_PCT}% platform fee)`
      : `${withPlatformFee(listing.perMillion?.input ?? 0)} / ${withPlatformFee(listing.perMillion?.output ?? 0)} micro-USD per million input / output tokens`;
  const lines = [
    `# ${listing.serviceName}: ${listing.slug}`,
    '',
    listing.description,
    '',
    `Service \`${listing.service}\`, listing \`${listing.id}\` (\`${listing.seller.slug}/${listing.slug}\`).`,
    `Price: ${price}; the shield adds 5000 micro-USD per call unless it is off.`,
    '',
    '| Method | Path | Description |',
    '| --- | --- | --- |',
    ...listing.endpoints.map((e) => `| ${e.method} | \`/proxy/${listing.service}${e.path}\` | ${e.description ?? ''} |`),
    '',
    `Call: \`${listing.endpoints[0]?.method ?? 'GET'} /proxy/${listing.service}${listing.endpoints[0]?.path ?? '/'}?listing=${listing.id}\``,
  ];
  return `${lines.join('\n')}\n`;
}

function openApiDocs(listing: Listing): string {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of listing.endpoints) {
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method.toLowerCase()]: { summary: endpoint.description ?? '', responses: { '200': { description: 'OK' } } } };
  }
  return JSON.stringify({ openapi: '3.1.0', info: { title: `${listing.serviceName} (${listing.slug})`, version: '1.0.0' }, paths }, null, 2);
}

/** `GET /v1/apis/{id}/docs` for a listing with docs (null when it has none). */
export function listingDocs(listing: Listing): ListingDocsResponse | null {
  if (listing.docs === null) return null;
  const openapi = listing.docs === 'openapi';
  return {
    listing_id: listing.id,
    doc_type: listing.docs,
    content: openapi ? openApiDocs(listing) : markdownDocs(listing),
    parsed_endpoints: openapi ? listing.endpoints.map((e) => ({ method: e.method, path: e.path, description: e.description ?? null })) : null,
    updated_at: listing.createdAt,
  };
}
