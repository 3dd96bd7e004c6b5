import type { Listing, ServicePricing, ServiceStats } from '@proxygate-kit/sdk';
import { renderKeyValues, renderTable } from './format.js';
import { perMillionText, type Money } from './money.js';

/** `seller/slug`: the reference that names one listing (a slug alone is unique per seller only). */
export function listingRef(listing: Pick<Listing, 'slug' | 'seller_slug'>): string {
  return listing.seller_slug ? `${listing.seller_slug}/${listing.slug}` : listing.slug;
}

/**
 * What a buyer pays, from the SDK's integer prices: `$0.00105` per request, or per-token prices
 * per million tokens (`$2.10/M in, $8.40/M out`).
 */
export function priceText(money: Money, listing: Listing): string {
  const { perRequest, perMillionInputTokens: input, perMillionOutputTokens: output } = listing.prices;
  if (perRequest !== null && listing.pricing_unit === 'per_request') return money.formatUsd(perRequest);
  const parts = [
    ...(input !== null ? [`${money.formatUsd(input)}/M in`] : []),
    ...(output !== null ? [`${money.formatUsd(output)}/M out`] : []),
  ];
  if (parts.length > 0) return parts.join(', ');
  return perRequest !== null ? money.formatUsd(perRequest) : '-';
}

export function listingTable(money: Money, listings: readonly Listing[]): string {
  return renderTable(listings, [
    { header: 'listing', get: (l) => listingRef(l) },
    { header: 'id', get: (l) => l.listing_id },
    { header: 'service', get: (l) => l.service },
    { header: 'price', get: (l) => priceText(money, l) },
    { header: 'latency', get: (l) => `${l.avg_latency_ms}ms` },
    { header: 'uptime', get: (l) => `${l.uptime_percent}%` },
    { header: 'rating', get: (l) => `${l.avg_rating_percent}%` },
    { header: 'verified', get: (l) => (l.is_verified ? 'yes' : 'no') },
  ]);
}

function priceLines(money: Money, listing: Listing): Array<readonly [string, string]> {
  const { prices } = listing;
  const fee = `platform fee ${listing.platform_fee_pct}% included`;
  const lines: Array<readonly [string, string]> = [];
  if (prices.perRequest !== null) {
    const seller = prices.seller.perRequest === null ? '' : `; seller ${money.formatUsd(prices.seller.perRequest)}`;
    lines.push(['price', `${money.formatUsd(prices.perRequest)} per request (${fee}${seller})`]);
  }
  if (prices.perMillionInputTokens !== null) lines.push(['input tokens', `${perMillionText(money, prices.perMillionInputTokens)} (${fee})`]);
  if (prices.perMillionOutputTokens !== null) lines.push(['output tokens', `${perMillionText(money, prices.perMillionOutputTokens)} (${fee})`]);
  if (lines.length === 0) lines.push(['price', 'not published']);
  return lines;
}

/** `apis show`: every field a buyer weighs, then the endpoints with their own prices and caps. */
export function listingDetails(money: Money, listing: Listing, shieldSurchargeMicroUsd: number): string {
  const endpointPrice = new Map(listing.prices.endpoints.map((e) => [e.path, e]));
  const caps = new Map(listing.endpoint_prices.map((e) => [e.path, e]));
  const head = renderKeyValues([
    ['listing', listingRef(listing)],
    ['id', listing.listing_id],
    ['service', `${listing.service} (${listing.service_name})`],
    ['type', listing.listing_type],
    ['categories', listing.category_slugs.join(', ') || '-'],
    ['pricing', listing.pricing_unit.replace('_', ' ')],
    ...priceLines(money, listing),
    ['shield', `+${money.formatUsd(shieldSurchargeMicroUsd)} per call unless --shield off`],
    ['available', listing.is_available ? `yes (${listing.available_rpm} requests/min)` : 'no'],
    ['seller', `${listing.seller_slug ?? '-'}${listing.seller_organization ? ` (${listing.seller_organization})` : ''}, wallet ${listing.seller_wallet}`],
    ['trust score', `${listing.trust_score}${listing.badges.length ? ` (${listing.badges.join(', ')})` : ''}`],
    ['verified', listing.is_verified ? 'yes' : 'no'],
    ['rating', `${listing.avg_rating_percent}% positive`],
    ['latency', `${listing.avg_latency_ms} ms`],
    ['uptime', `${listing.uptime_percent}%`],
    ['docs', listing.has_docs ? `yes: proxygate apis docs ${listing.listing_id}` : 'no'],
  ]);
  const endpoints = renderTable(listing.endpoints, [
    { header: 'method', get: (e) => e.method },
    { header: 'path', get: (e) => e.path },
    {
      header: 'price',
      get: (e) => {
        const own = endpointPrice.get(e.path);
        if (!own) return priceText(money, listing);
        return own.perRequest === null ? own.pricingUnit.replace('_', ' ') : money.formatUsd(own.perRequest);
      },
    },
    {
      header: 'daily cap',
      get: (e) => {
        const cap = caps.get(e.path);
        const parts = [
          ...(typeof cap?.daily_cap_per_wallet === 'number' ? [`${cap.daily_cap_per_wallet}/wallet`] : []),
          ...(typeof cap?.daily_cap_global === 'number' ? [`${cap.daily_cap_global} total`] : []),
        ];
        return parts.join(', ') || '-';
      },
    },
    { header: 'description', get: (e) => e.description },
  ]);
  return `${head}\n\n${listing.description ?? '(no description)'}\n\n${endpoints}`;
}

/** `pricing`: one row per service; per-request in USD, per-token per million tokens. */
export function pricingTable(money: Money, services: readonly ServicePricing[]): string {
  const perMillion = (usdc: number | null) => (usdc === null ? null : `${money.formatUsd(money.usdPerTokenToMicroUsdPerMillion(usdc))}/M`);
  return renderTable(services, [
    { header: 'service', get: (s) => s.service },
    { header: 'name', get: (s) => s.name },
    { header: 'unit', get: (s) => s.pricing_unit.replace('_', ' ') },
    // The gateway names it micro-cents; it is micro-USD like every integer money field.
    { header: 'per request', get: (s) => (s.pricing_unit === 'per_token' ? null : money.formatUsd(s.price_per_request_micro_cents)) },
    { header: 'input', get: (s) => perMillion(s.price_per_input_token_usdc) },
    { header: 'output', get: (s) => perMillion(s.price_per_output_token_usdc) },
    { header: 'sellers', get: (s) => s.sellers },
    { header: 'rpm', get: (s) => s.available_rpm },
  ]);
}

export function servicesTable(money: Money, services: readonly ServiceStats[]): string {
  return renderTable(services, [
    { header: 'service', get: (s) => s.service },
    { header: 'name', get: (s) => s.service_name },
    { header: 'sellers', get: (s) => s.active_seller_count },
    // A per-request price (the buyer's, fee included); a per-token-only service has none to compare.
    { header: 'cheapest', get: (s) => (s.pricing_units === 'per_token' ? null : money.formatUsd(money.usdToMicroUsd(s.cheapest_buyer_price_usdc))) },
    { header: 'units', get: (s) => s.pricing_units.replace('_', ' ') },
    { header: 'latency', get: (s) => `${s.avg_latency_ms}ms` },
    { header: 'uptime', get: (s) => `${s.avg_uptime_percent}%` },
    { header: 'rpm', get: (s) => s.total_capacity_rpm },
  ]);
}
