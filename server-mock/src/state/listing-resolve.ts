import { buyerPricePerRequest, type CatalogEntry, type Listing } from './catalog.js';
import { LISTING_DRAFTS } from './catalog-data.js';
import { listingIdOf } from './catalog.js';
import { echo, GatewayError } from './errors.js';
import { UUID_PATTERN } from './ids.js';

export function endpointMatches(endpoint: { method: string; path: string }, method: string, path: string): boolean {
  if (endpoint.method.toUpperCase() !== method.toUpperCase()) return false;
  const pattern = new RegExp(`^${endpoint.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
  return pattern.test(path);
}

export function servesPath(listing: Listing, method: string, path: string): boolean {
  return listing.endpoints.some((endpoint) => endpointMatches(endpoint, method, path));
}

/**
 * The id of a catalog listing by `slug` (when only one seller uses it) or `seller_slug/slug`,
 * without a gateway instance: ids do not depend on the seed. Throws for an unknown or ambiguous slug.
 */
export function mockListingId(ref: string): string {
  const [first, second] = ref.split('/');
  const matches = LISTING_DRAFTS.filter((d) => (second === undefined ? d.slug === first : d.seller === first && d.slug === second));
  if (matches.length !== 1 || !matches[0]) {
    throw new Error(matches.length === 0 ? `no mock listing ${ref}` : `slug ${ref} is used by several sellers: write <seller_slug>/<slug>`);
  }
  return listingIdOf(matches[0].seller, matches[0].slug);
}

export interface ResolveContext {
  isAvailable(listing: Listing): boolean;
  traceId(): string;
}

function listingNotFound(ref: string, ctx: ResolveContext): GatewayError {
  return new GatewayError(404, {
    error: 'listing_not_found',
    message: `No listing ${echo(ref)}.`,
    action: 'Browse GET /v1/apis for listing ids.',
    trace_id: ctx.traceId(),
  });
}

export function listingUnavailable(listing: Listing, ctx: ResolveContext): GatewayError {
  return new GatewayError(
    503,
    { error: 'listing_unavailable', message: `Listing ${listing.id} is temporarily unavailable.`, action: 'Retry later or pick another listing.', trace_id: ctx.traceId() },
    { 'Retry-After': '30' },
  );
}

export function pathNotAllowed(listing: Listing | null, service: string, method: string, path: string, ctx: ResolveContext): GatewayError {
  const where = listing ? `listing ${listing.id}` : `any listing of service ${echo(service, 60)}`;
  return new GatewayError(400, {
    error: 'path_not_allowed',
    message: `${method} ${echo(path, 120)} is not an endpoint of ${where}.`,
    action: listing ? `See GET /v1/apis/${listing.id}/docs.` : `See GET /v1/apis?service=${encodeURIComponent(service)}.`,
    trace_id: ctx.traceId(),
  });
}

/**
 * The listing a paid call goes to. With `?listing=` it must be the UUID of a listing of
 * `{service}` (else 404 `listing_not_found`). Without it (the published schema routes by service)
 * the rule is: among the service's listings that declare the method and path, the available one
 * with the lowest buyer price per request (per-token listings after every per-request one), ties
 * broken by listing id. No listing of the service: 404; none declares the path: 400
 * `path_not_allowed`; none of those available: 503 `listing_unavailable`. A token narrowed to
 * some listings (`allowed`) resolves among those only.
 */
export function resolveCallListing(
  catalog: readonly CatalogEntry[],
  input: { listing?: string | null | undefined; service: string; method: string; path: string; allowed?: readonly string[] | null },
  ctx: ResolveContext,
): CatalogEntry {
  if (input.listing) {
    const wanted = input.listing.toLowerCase();
    const entry = UUID_PATTERN.test(wanted) ? catalog.find((candidate) => candidate.listing.id === wanted) : undefined;
    if (!entry || entry.listing.service !== input.service) throw listingNotFound(input.listing, ctx);
    return entry;
  }
  // A token narrowed to some listings only ever resolves to one of them.
  const allowed = input.allowed ?? null;
  const ofService = catalog.filter((candidate) => candidate.listing.service === input.service && (allowed === null || allowed.includes(candidate.listing.id)));
  if (ofService.length === 0) throw listingNotFound(input.service, ctx);
  const serving = ofService.filter((candidate) => servesPath(candidate.listing, input.method, input.path));
  if (serving.length === 0) throw pathNotAllowed(null, input.service, input.method.toUpperCase(), input.path, ctx);
  const available = serving.filter((candidate) => ctx.isAvailable(candidate.listing));
  const price = (entry: CatalogEntry) => buyerPricePerRequest(entry.listing) ?? Number.MAX_SAFE_INTEGER;
  const [best] = available.sort((a, b) => price(a) - price(b) || (a.listing.id < b.listing.id ? -1 : 1));
  if (!best) throw listingUnavailable((serving[0] as CatalogEntry).listing, ctx);
  return best;
}
