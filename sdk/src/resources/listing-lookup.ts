// One rule to turn a reference into one listing, shared by `catalog.get`, `catalog.docs` and paid
// calls. The public gateway has no `GET /v1/apis/{id}`: a listing is found with `/v1/apis` filters.
//   UUID           -> ?listing_id=
//   seller/slug    -> ?slug=&seller_slug=
//   anything else  -> ?slug=, then (no slug match) ?service=
// Several matches are never settled by picking one: AmbiguousListingError names them all.
import type { APIResponse, Proxygate, QueryValue } from '../core/client.js';
import { NotFoundError, ProxygateError } from '../core/error.js';
import { errorJson } from '../internal/errors.js';
import { isListingId } from '../internal/listing-id.js';
import { callOptions, type CallOptions } from './resource.js';
import { listingPrices } from '../lib/prices.js';
import { CatalogResponseModel, type CatalogListing, type Listing } from './models.js';

/** Slugs (listing and seller) are kebab-case on the public gateway; anything else cannot be one. */
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Pages read while looking for a second match: a gateway ignoring a filter must not be walked whole. */
const MAX_LOOKUP_PAGES = 10;

export { isListingId };

/** One listing a reference matched. */
export interface ListingCandidate {
  listing_id: string;
  slug: string;
  seller_slug: string | null;
}

function describe(candidate: ListingCandidate): string {
  const name = candidate.seller_slug ? `${candidate.seller_slug}/${candidate.slug}` : candidate.slug;
  return `${name} (${candidate.listing_id})`;
}

/** A reference matched several listings: the SDK will not pick one (least of all to spend on). */
export class AmbiguousListingError extends ProxygateError {
  readonly ref: string;
  /** Every listing matched (up to the pages read), as `seller_slug/slug` and id. */
  readonly candidates: readonly ListingCandidate[];

  constructor(ref: string, matchedBy: 'slug' | 'service' | 'seller_slug/slug', candidates: readonly ListingCandidate[], more: boolean) {
    const names = candidates.map(describe).join(', ');
    super(`"${ref}" matches ${more ? 'at least ' : ''}${candidates.length} listings by ${matchedBy}: ${names}${more ? ', ...' : ''}`, {
      code: 'ambiguous_listing',
      action: 'Pass one of them as seller_slug/slug or by its listing id',
    });
    this.ref = ref;
    this.candidates = candidates;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), ref: this.ref, candidates: this.candidates });
  }
}

/** A catalog listing with its prices converted once to integer micro-USD. */
export function withPrices(listing: CatalogListing): Listing {
  return { ...listing, prices: listingPrices(listing) };
}

interface Matches {
  listings: Listing[];
  /** More pages were left unread. */
  more: boolean;
  response: APIResponse<unknown>;
}

/** The caller's per-call options, sent with every lookup request. */
export type LookupOptions = CallOptions;

/**
 * Listings of `/v1/apis` with `filter`, keeping only exact matches of `keep` (a gateway that ignored
 * a filter would otherwise hand back its whole catalog), until two are found or pages run out.
 */
async function search(client: Proxygate, filter: Record<string, QueryValue>, keep: (listing: CatalogListing) => boolean, options: LookupOptions, onSearch?: () => void): Promise<Matches> {
  const listings: Listing[] = [];
  let cursor: string | null = null;
  let response: APIResponse<unknown> | undefined;
  onSearch?.();
  for (let page = 0; page < MAX_LOOKUP_PAGES; page++) {
    const res: APIResponse<{ data: CatalogListing[]; cursor: string | null; has_more: boolean }> = await client.request({
      method: 'GET',
      path: '/v1/apis',
      query: { ...filter, limit: 100, ...(cursor ? { cursor } : {}) },
      schema: CatalogResponseModel,
      ...callOptions(options),
    });
    response = res;
    for (const listing of res.data.data) if (keep(listing)) listings.push(withPrices(listing));
    const next: string | null = res.data.has_more && typeof res.data.cursor === 'string' && res.data.cursor !== '' && res.data.cursor !== cursor ? res.data.cursor : null;
    if (listings.length > 1 || next === null) return { listings, more: next !== null, response };
    cursor = next;
  }
  return { listings, more: true, response: response! };
}

function notFound(ref: string, how: string): NotFoundError {
  return new NotFoundError({
    status: undefined,
    body: { error: 'listing_not_found', message: `No listing has ${how} "${ref}"` },
  });
}

/** The one listing of `matches`, or why there is not exactly one. */
function one(ref: string, matchedBy: 'slug' | 'service' | 'seller_slug/slug', matches: Matches): APIResponse<Listing> {
  const [only] = matches.listings;
  if (matches.listings.length > 1) {
    throw new AmbiguousListingError(ref, matchedBy, matches.listings.map(({ listing_id, slug, seller_slug }) => ({ listing_id, slug, seller_slug })), matches.more);
  }
  if (!only) throw notFound(ref, `the ${matchedBy}`);
  return { ...matches.response, data: only };
}

/**
 * Resolves `ref` by the rule above. Throws `NotFoundError` when nothing matches and
 * `AmbiguousListingError` when several listings do. `onSearch` runs once the reference passed its
 * local checks, as the first request goes out (a paid call reads /health beside it).
 */
export async function lookupListing(client: Proxygate, rawRef: string, options: LookupOptions = {}, onSearch?: () => void): Promise<APIResponse<Listing>> {
  const ref = rawRef.trim();
  if (ref === '') throw new TypeError('A listing reference must not be empty');
  if (isListingId(ref)) {
    const id = ref.toLowerCase();
    const matches = await search(client, { listing_id: ref }, (l) => l.listing_id.toLowerCase() === id, options, onSearch);
    const [only] = matches.listings;
    if (!only) throw notFound(ref, 'the id');
    return { ...matches.response, data: only };
  }
  const slash = ref.indexOf('/');
  if (slash !== -1) {
    const sellerSlug = ref.slice(0, slash);
    const slug = ref.slice(slash + 1);
    if (!KEBAB.test(sellerSlug) || !KEBAB.test(slug)) throw notFound(ref, 'the seller_slug/slug');
    const matches = await search(client, { slug, seller_slug: sellerSlug }, (l) => l.slug === slug && l.seller_slug === sellerSlug, options, onSearch);
    return one(ref, 'seller_slug/slug', matches);
  }
  if (KEBAB.test(ref)) {
    const bySlug = await search(client, { slug: ref }, (l) => l.slug === ref, options, onSearch);
    if (bySlug.listings.length > 0) return one(ref, 'slug', bySlug);
  }
  const byService = await search(client, { service: ref }, (l) => l.service === ref, options, onSearch);
  if (byService.listings.length === 0) throw notFound(ref, 'the id, slug or service');
  return one(ref, 'service', byService);
}
