// Listings resolved for paid calls, one lookup per reference per client, shared by concurrent
// calls and kept for a while so price checks do not go stale.
import type { Proxygate } from '../../core/client.js';
import { lookupListing } from '../listing-lookup.js';
import type { Listing } from '../models.js';
import type { ListingRef } from './options.js';
import { raceSignal } from '../../core/signals.js';

/** How long a resolved listing (and so its price) is reused by one client. */
export const LISTING_TTL_MS = 5 * 60_000;

export class ListingCache {
  readonly #client: Proxygate;
  readonly #listings = new Map<string, { listing: Promise<Listing>; expires: number }>();

  constructor(client: Proxygate) {
    this.#client = client;
  }

  /** Whether resolving `ref` now needs no lookup (a listing given as is, or one looked up and still fresh). */
  has(ref: ListingRef): boolean {
    if (typeof ref !== 'string') return true;
    const entry = this.#listings.get(ref.trim());
    return entry !== undefined && entry.expires > Date.now();
  }

  resolve(ref: ListingRef, signal?: AbortSignal): Promise<Listing> {
    if (typeof ref !== 'string') return Promise.resolve(ref);
    const now = Date.now();
    const key = ref.trim();
    let entry = this.#listings.get(key);
    if (!entry || entry.expires <= now) {
      // Shared, so no single caller's signal may cancel it; each caller races its own below.
      const listing = lookupListing(this.#client, key).then((res) => res.data);
      entry = { listing, expires: now + LISTING_TTL_MS };
      this.#listings.set(key, entry);
      const cached = entry;
      listing.then(
        (found) => {
          const aliases = [found.listing_id, found.seller_slug ? `${found.seller_slug}/${found.slug}` : undefined];
          for (const alias of aliases) if (alias !== undefined && alias !== key) this.#listings.set(alias, cached);
        },
        () => {
          if (this.#listings.get(key) === cached) this.#listings.delete(key);
        },
      );
    }
    return raceSignal(entry.listing, signal);
  }
}
