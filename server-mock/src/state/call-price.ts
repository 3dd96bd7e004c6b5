import { buyerPricePerRequest, type Listing } from './catalog.js';
import { SHIELD_FEE_MICRO_USD, tokenCost, withPlatformFee } from './money.js';
import type { ShieldMode } from '../scanner/index.js';
import type { EndpointPrice } from './types.js';

/**
 * What a call costs the buyer, micro-USD: the seller price with the platform fee (the endpoint's
 * own price, else the listing's; per-token listings from the answer's token counts), plus the
 * shield fee unless the shield is `off`.
 */
export function callPrice(listing: Listing, endpointPrice: EndpointPrice | undefined, tokens: { input: number; output: number } | undefined, mode: ShieldMode): number {
  return basePrice(listing, endpointPrice, tokens) + (mode === 'off' ? 0 : SHIELD_FEE_MICRO_USD);
}

function basePrice(listing: Listing, endpointPrice: EndpointPrice | undefined, tokens: { input: number; output: number } | undefined): number {
  if (endpointPrice?.price_per_request !== undefined) return withPlatformFee(endpointPrice.price_per_request);
  if (listing.perMillion) {
    if (!tokens) return 0;
    return tokenCost(tokens.input, tokens.output, withPlatformFee(listing.perMillion.input), withPlatformFee(listing.perMillion.output));
  }
  return buyerPricePerRequest(listing) ?? 0;
}
