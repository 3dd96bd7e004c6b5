import { listingDocs, type CatalogEntry, type Listing } from './catalog.js';
import { GatewayError } from './errors.js';
import type { GatewayContext } from './gateway-types.js';
import { UUID_PATTERN } from './ids.js';
import type { ListingDocsResponse } from './types.js';

/** A catalog entry by listing UUID, unique slug, or `seller_slug/slug`; undefined when none or several match. */
export function findEntry(catalog: readonly CatalogEntry[], ref: string): CatalogEntry | undefined {
  const [first, second] = ref.split('/');
  const matches = catalog.filter(({ listing }) =>
    second !== undefined ? listing.seller.slug === first && listing.slug === second : listing.id === ref.toLowerCase() || listing.slug === ref,
  );
  return matches.length === 1 ? matches[0] : undefined;
}

/** The listings not taken offline (`unavailable` holds listing ids). */
export function availableListings(catalog: readonly CatalogEntry[], unavailable: ReadonlySet<string>): Listing[] {
  return catalog.map((entry) => entry.listing).filter((listing) => !unavailable.has(listing.id));
}

/** `GET /v1/apis/{listingId}/docs`: UUID only (400 `invalid_listing_id`), 404 `docs_not_found`. */
export function docsOf(ctx: GatewayContext, catalog: readonly CatalogEntry[], listingId: string): ListingDocsResponse {
  if (!UUID_PATTERN.test(listingId)) {
    throw new GatewayError(400, { error: 'invalid_listing_id', message: 'Listing ID must be a valid UUID', action: 'Use the listing_id of a GET /v1/apis row.', trace_id: ctx.traceId() });
  }
  const entry = catalog.find(({ listing }) => listing.id === listingId.toLowerCase());
  const docs = entry ? listingDocs(entry.listing) : null;
  if (!docs) throw new GatewayError(404, { error: 'docs_not_found', message: 'No documentation found for this listing', trace_id: ctx.traceId() });
  return docs;
}
