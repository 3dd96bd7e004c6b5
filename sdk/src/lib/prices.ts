// A listing's prices in the SDK's one unit, converted once from the catalog's USDC floats.
import { scaleDecimalUp, usdPerTokenToMicroUsdPerMillion, usdToMicroUsd } from './money.js';
import { SHIELD_SURCHARGE_MICRO_USD } from '../shield/verdict.js';

/** Prices in integer micro-USD (per request) and micro-USD per million tokens; null where not priced so. */
export interface PriceSet {
  perRequest: number | null;
  perMillionInputTokens: number | null;
  perMillionOutputTokens: number | null;
}

/** The price of one endpoint that `endpoint_prices` prices apart from its listing. */
export interface EndpointPrice {
  path: string;
  pricingUnit: string;
  /**
   * What the buyer pays per request on this path, in micro-USD: the endpoint's price (read as the
   * seller's, in micro-USD) plus `platform_fee_pct`, rounded up: the SDK's estimate, as the gateway
   * publishes neither the unit nor the formula. Null for a per-token endpoint.
   */
  perRequest: number | null;
}

/**
 * A listing's prices, micro-USD. The top-level fields are what the buyer pays (`buyer_*` on the
 * wire, platform fee included); `seller` is before the fee. Converted from the decimal text of the
 * catalog's floats and rounded UP when the text is more precise than the unit: never understated.
 */
export interface ListingPrices extends PriceSet {
  seller: PriceSet;
  endpoints: EndpointPrice[];
}

/** The wire fields prices are read from (a `CatalogListing`). */
export interface PricedListing {
  pricing_unit: string;
  price_per_request_usdc: number | null;
  price_per_input_token_usdc: number | null;
  price_per_output_token_usdc: number | null;
  buyer_price_per_request_usdc: number | null;
  buyer_price_per_input_token_usdc: number | null;
  buyer_price_per_output_token_usdc: number | null;
  platform_fee_pct: number;
  endpoint_prices: readonly { path: string; pricing_unit: string; price_per_request?: number | undefined }[];
}

const perRequest = (value: number | null | undefined): number | null => (typeof value === 'number' ? usdToMicroUsd(value) : null);
const perMillion = (value: number | null | undefined): number | null => (typeof value === 'number' ? usdPerTokenToMicroUsdPerMillion(value) : null);

/**
 * `price * (100 + feePct) / 100`, rounded up to a whole micro-USD, in integers: both numbers are
 * read from their decimal text (an endpoint price may carry a fraction of a micro-USD).
 */
export function withFee(price: number, feePct: number): number {
  const DECIMALS = 6;
  const scale = 10n ** BigInt(DECIMALS);
  const scaledPrice = scaleDecimalUp(price, DECIMALS, 'endpoint price');
  const fee = feePct > 0 ? scaleDecimalUp(feePct, DECIMALS, 'platform_fee_pct') : 0n;
  const numerator = scaledPrice * (100n * scale + fee);
  const denominator = scale * 100n * scale;
  const rounded = numerator / denominator + (numerator % denominator === 0n ? 0n : 1n);
  return Number(rounded);
}

export function listingPrices(listing: PricedListing): ListingPrices {
  return {
    perRequest: perRequest(listing.buyer_price_per_request_usdc),
    perMillionInputTokens: perMillion(listing.buyer_price_per_input_token_usdc),
    perMillionOutputTokens: perMillion(listing.buyer_price_per_output_token_usdc),
    seller: {
      perRequest: perRequest(listing.price_per_request_usdc),
      perMillionInputTokens: perMillion(listing.price_per_input_token_usdc),
      perMillionOutputTokens: perMillion(listing.price_per_output_token_usdc),
    },
    endpoints: (listing.endpoint_prices ?? []).map((entry) => ({
      path: entry.path,
      pricingUnit: entry.pricing_unit,
      perRequest:
        entry.pricing_unit === 'per_request' && typeof entry.price_per_request === 'number' && Number.isFinite(entry.price_per_request) && entry.price_per_request >= 0
          ? withFee(entry.price_per_request, listing.platform_fee_pct)
          : null,
    })),
  };
}

/** What bounds a call before it is made: a known per-request price, or nothing (per-token). */
export type CallPrice = { bounded: true; microUsd: number } | { bounded: false; reason: string };

/**
 * The most one call on `path` costs, when that can be known before making it: the buyer
 * per-request price (the endpoint's own when `endpoint_prices` names the path) plus the shield
 * surcharge unless `off`. A per-token price depends on the tokens used: not bounded.
 */
export function callPrice(listing: { pricing_unit: string; prices: ListingPrices }, path: string, shieldOff: boolean): CallPrice {
  const surcharge = shieldOff ? 0 : SHIELD_SURCHARGE_MICRO_USD;
  const endpoint = listing.prices.endpoints.find((entry) => entry.path === path);
  if (endpoint) {
    if (endpoint.perRequest === null) return { bounded: false, reason: `the endpoint ${path} is priced ${endpoint.pricingUnit.replace('_', ' ')}` };
    return { bounded: true, microUsd: endpoint.perRequest + surcharge };
  }
  if (listing.pricing_unit !== 'per_request') return { bounded: false, reason: `the listing is priced ${listing.pricing_unit.replace('_', ' ')}` };
  if (listing.prices.perRequest === null) return { bounded: false, reason: 'the catalog gives no buyer price per request' };
  return { bounded: true, microUsd: listing.prices.perRequest + surcharge };
}
