import { sha256Hex } from '../crypto/hash.js';
import { validationError } from './errors.js';
import type { PageParams } from './pagination.js';
import type { Listing } from './types.js';

export interface ListApisParams extends PageParams {
  q?: string | null;
  service?: string | null;
  category?: string | null;
  sort?: string | null;
  verified?: string | boolean | null;
  type?: string | null;
}

const SORTS: Record<string, (a: Listing, b: Listing) => number> = {
  price_asc: (a, b) => a.price_micro_cents - b.price_micro_cents,
  price_desc: (a, b) => b.price_micro_cents - a.price_micro_cents,
  popular: (a, b) => b.calls_30d - a.calls_30d,
  newest: (a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0),
  fastest: (a, b) => a.avg_latency_ms - b.avg_latency_ms,
  best_rated: (a, b) => ratingScore(b) - ratingScore(a),
};

// Wilson-free but stable: share of positive votes in basis points, unrated listings last.
function ratingScore(listing: Listing): number {
  const total = listing.rating.up + listing.rating.down;
  return total === 0 ? -1 : Math.floor((listing.rating.up * 10000) / total);
}

/**
 * `GET /v1/apis` filters and sort (stable, ties by id), validated strictly. `scope` names this
 * exact query so a cursor of one query cannot page another.
 */
export function queryListings(all: readonly Listing[], params: ListApisParams): { listings: Listing[]; scope: string } {
  let listings = [...all];
  const q = params.q?.trim().toLowerCase();
  if (q) {
    listings = listings.filter((l) => [l.name, l.description, l.slug, l.service, l.category].some((field) => field.toLowerCase().includes(q)));
  }
  if (params.service) listings = listings.filter((l) => l.service === params.service);
  if (params.category) listings = listings.filter((l) => l.category === params.category);
  if (params.type) {
    if (params.type !== 'rest' && params.type !== 'sse') throw validationError('type must be rest or sse', { param: 'type' });
    listings = listings.filter((l) => l.type === params.type);
  }
  if (params.verified !== undefined && params.verified !== null && params.verified !== '') {
    const verified = params.verified === true || params.verified === 'true' ? true : params.verified === false || params.verified === 'false' ? false : null;
    if (verified === null) throw validationError('verified must be true or false', { param: 'verified' });
    listings = listings.filter((l) => l.verified === verified);
  }
  const sortKey = params.sort ?? null;
  if (sortKey !== null && sortKey !== '') {
    const compare = SORTS[sortKey];
    if (!compare) throw validationError(`sort must be one of ${Object.keys(SORTS).join(', ')}`, { param: 'sort' });
    listings.sort((a, b) => compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  const scope = sha256Hex(JSON.stringify([q ?? '', params.service ?? '', params.category ?? '', params.type ?? '', String(params.verified ?? ''), sortKey ?? ''])).slice(0, 12);
  return { listings, scope };
}
