import type { CatalogEntry, UpstreamRequest, UpstreamResponse } from './catalog.js';
import type { SeedDerivation } from './derive.js';
import { scrubCredential, upstreamCredential, withCredential } from './upstream-credentials.js';

export type UpstreamObserver = (listingId: string, request: UpstreamRequest) => void;

export interface ForwardedCall {
  /** What the upstream said, the seller's key included if it echoed it: what the shield scans. */
  raw: UpstreamResponse;
  /** The same answer with the key scrubbed: the only form that may leave the gateway. */
  delivered: UpstreamResponse;
}

/**
 * Sends the buyer's request to the listing's synthetic upstream with the seller's key added where
 * the seller wants it. The buyer's request (and so its hash) never holds the key.
 */
export function forwardUpstream(
  derive: SeedDerivation,
  entry: CatalogEntry,
  request: { method: string; path: string; query: URLSearchParams; body: Uint8Array; contentType?: string | null | undefined },
  observe: UpstreamObserver | undefined,
): ForwardedCall {
  const listing = entry.listing;
  const credential = upstreamCredential(derive, listing.id);
  const forwarded = withCredential(listing.upstreamAuth, credential, request.query, {
    'user-agent': 'proxygate-mock-gateway',
    ...(request.contentType ? { 'content-type': request.contentType } : {}),
  });
  const upstreamRequest: UpstreamRequest = { method: request.method, path: request.path, query: forwarded.query, body: request.body, headers: forwarded.headers };
  observe?.(listing.id, upstreamRequest);
  const raw = entry.respond(upstreamRequest);
  const delivered = {
    ...raw,
    body: scrubCredential(raw.body, credential),
    ...(raw.events ? { events: raw.events.map((event) => scrubCredential(event, credential)) } : {}),
  };
  return { raw, delivered };
}
