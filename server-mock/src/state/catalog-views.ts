/** `GET /v1/pricing`, `/v1/services`, `/v1/categories`: aggregates over the available listings. */
import { buyerPricePerRequest, ratingPercent, type Listing } from './catalog.js';
import { CATEGORY_TREE } from './catalog-data.js';
import { microUsdToUsdc, perMillionTokensToMicroUsdPerToken, perMillionTokensToUsdcPerToken } from './money.js';
import { paginateByKey, text, type PageParams, type QueryValue } from './pagination.js';
import type { CategoriesResponse, CategoryEntry, PricingResponse, ServicePricing, ServicesResponse, ServiceStats } from './types.js';

function byService(listings: readonly Listing[]): Map<string, Listing[]> {
  const groups = new Map<string, Listing[]>();
  for (const listing of [...listings].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0))) {
    groups.set(listing.service, [...(groups.get(listing.service) ?? []), listing]);
  }
  return groups;
}

function minOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : Math.min(...present);
}

function unitsOf(listings: readonly Listing[]): 'per_request' | 'per_token' | 'both' {
  const units = new Set(listings.map((l) => l.pricingUnit));
  return units.size > 1 ? 'both' : units.has('per_token') ? 'per_token' : 'per_request';
}

function perTokenMicro(perMillion: number | null): number | null {
  return perMillion === null ? null : perMillionTokensToMicroUsdPerToken(perMillion);
}

/**
 * Cheapest SELLER price per service (the published example shows the seller price: 1000 micro-cents
 * next to a buyer price of 0.00105 in the catalog). A service with only per-token listings shows 0
 * per request (the field is not nullable).
 */
export function pricingOf(listings: readonly Listing[], params: PageParams & { service?: QueryValue }, lastUpdated: string): PricingResponse {
  const service = text(params.service);
  const rows: ServicePricing[] = [];
  for (const [name, group] of byService(listings)) {
    if (service !== null && name !== service) continue;
    const perRequest = minOf(group.map((l) => l.price)) ?? 0;
    const input = minOf(group.map((l) => l.perMillion?.input ?? null));
    const output = minOf(group.map((l) => l.perMillion?.output ?? null));
    rows.push({
      service: name,
      name: group[0]?.serviceName ?? name,
      pricing_unit: unitsOf(group),
      price_per_request_micro_cents: perRequest,
      price_per_request_usdc: microUsdToUsdc(perRequest),
      price_per_input_token_micro_cents: perTokenMicro(input),
      price_per_output_token_micro_cents: perTokenMicro(output),
      price_per_input_token_usdc: input === null ? null : perMillionTokensToUsdcPerToken(input),
      price_per_output_token_usdc: output === null ? null : perMillionTokensToUsdcPerToken(output),
      available_rpm: group.reduce((sum, l) => sum + l.availableRpm, 0),
      sellers: new Set(group.map((l) => l.seller.slug)).size,
    });
  }
  const page = paginateByKey(rows, params, (row) => row.service);
  return { services: page.data, has_more: page.has_more, cursor: page.cursor, currency: 'USDC', deposit_endpoint: '/v1/deposit', last_updated: lastUpdated };
}

/** Per-service aggregates; `avg_rating` is a fraction 0..1 (the mock's reading of an unpublished scale). */
export function servicesOf(listings: readonly Listing[], params: PageParams): ServicesResponse {
  const rows: ServiceStats[] = [];
  for (const [name, group] of byService(listings)) {
    const cheapest = minOf(group.map((l) => l.price));
    const cheapestBuyer = minOf(group.map((l) => buyerPricePerRequest(l)));
    const bestRated = [...group].sort((a, b) => ratingPercent(b) - ratingPercent(a))[0];
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
    rows.push({
      service: name,
      service_name: group[0]?.serviceName ?? name,
      cheapest_price_usdc: microUsdToUsdc(cheapest ?? 0),
      cheapest_buyer_price_usdc: microUsdToUsdc(cheapestBuyer ?? 0),
      avg_latency_ms: Math.round(mean(group.map((l) => l.avgLatencyMs))),
      active_seller_count: new Set(group.map((l) => l.seller.slug)).size,
      total_capacity_rpm: group.reduce((sum, l) => sum + l.availableRpm, 0),
      avg_uptime_percent: Math.round(mean(group.map((l) => l.uptimePercent)) * 100) / 100,
      avg_rating: Math.round(mean(group.map((l) => ratingPercent(l)))) / 100,
      best_rated_seller_wallet: bestRated?.seller.wallet ?? '',
      pricing_units: unitsOf(group),
    });
  }
  const page = paginateByKey(rows, params, (row) => row.service);
  return { services: page.data, has_more: page.has_more, cursor: page.cursor, count: page.data.length };
}

/**
 * The category tree with counts of available listings (a parent counts its subcategories'
 * listings: every listing names its parent too). `q` keeps categories whose name matches, and
 * parents of matching subcategories with only those subcategories. Cursor: the last slug.
 */
export function categoriesOf(listings: readonly Listing[], params: PageParams & { q?: QueryValue }): CategoriesResponse {
  const count = (slug: string) => listings.filter((l) => l.categorySlugs.includes(slug)).length;
  const q = text(params.q)?.trim().toLowerCase() ?? '';
  const entries: CategoryEntry[] = [];
  for (const category of [...CATEGORY_TREE].sort((a, b) => (a.slug < b.slug ? -1 : 1))) {
    const subcategories = category.subcategories.map((sub) => ({ ...sub, listing_count: count(sub.slug) }));
    const entry = { slug: category.slug, name: category.name, icon: category.icon, listing_count: count(category.slug), subcategories };
    if (!q || category.name.toLowerCase().includes(q)) {
      entries.push(entry);
      continue;
    }
    const matching = subcategories.filter((sub) => sub.name.toLowerCase().includes(q));
    if (matching.length > 0) entries.push({ ...entry, subcategories: matching });
  }
  const page = paginateByKey(entries, params, (entry) => entry.slug);
  return { categories: page.data, has_more: page.has_more, cursor: page.cursor };
}
