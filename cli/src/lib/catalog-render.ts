import type { Listing } from '@proxygate-kit/sdk';
import { formatUsd, renderTable } from './format.js';

export function listingTable(listings: readonly Listing[]): string {
  return renderTable(listings, [
    { header: 'id', get: (l) => l.id },
    { header: 'slug', get: (l) => l.slug },
    { header: 'service', get: (l) => l.service },
    { header: 'type', get: (l) => l.type },
    { header: 'price', get: (l) => formatUsd(l.price_micro_cents) },
    { header: 'shield fee', get: (l) => formatUsd(l.shield_fee_micro_cents) },
    { header: 'rating', get: (l) => `+${l.rating.up}/-${l.rating.down}` },
    { header: 'latency', get: (l) => `${l.avg_latency_ms}ms` },
    { header: 'verified', get: (l) => (l.verified ? 'yes' : 'no') },
  ]);
}
