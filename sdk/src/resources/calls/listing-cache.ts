// Listings resolved for paid calls, one lookup per reference per client, shared by concurrent
// calls and kept for a while so price checks do not go stale.
import type { Proxygate } from '../../core/client.js';
import { lookupListing } from '../listing-lookup.js';
import type { Listing } from '../models.js';
import type { ListingRef } from './options.js';
import { SharedRead } from '../../core/shared-read.js';
import { raceSignal } from '../../core/signals.js';

/** How long a resolved listing (and so its price) is reused by one client. */
export const LISTING_TTL_MS = 5 * 60_000;

/** One lookup, shared (see SharedRead), and until when its answer is fresh. */
interface Entry {
  read: SharedRead<Listing>;
  expires: number;
}

export class ListingCache {
  readonly #client: Proxygate;
  readonly #listings = new Map<string, Entry>();

  constructor(client: Proxygate) {
    this.#client = client;
  }

  resolve(ref: ListingRef, signal?: AbortSignal): Promise<Listing> {
    if (typeof ref !== 'string') return Promise.resolve(ref);
    return raceSignal(this.#entry(ref.trim()).read.take(), signal);
  }

  /**
   * Starts looking `ref` up unless a lookup is under way or fresh, for a call about to be made:
   * nobody waits for it here, and its failure is kept for the next `resolve`, as if that had
   * started the lookup itself (so a failure costs no second request). Returns the lookup, for the
   * caller to read afterwards without asking again.
   */
  prefetch(ref: string): Promise<Listing> {
    return this.#entry(ref.trim()).read.promise;
  }

  #entry(key: string): Entry {
    const now = Date.now();
    const found = this.#listings.get(key);
    if (found && found.expires > now) return found;
    // Shared, so no single caller's signal may cancel it; each caller races its own. The paid call
    // asks /health (does the gateway replay by key?) beside the lookup's first request, not after it.
    const listing = lookupListing(this.#client, key, {}, () => this.#client.prefetchExtensions()).then((res) => res.data);
    const entry: Entry = {
      read: new SharedRead(listing, () => {
        if (this.#listings.get(key) === entry) this.#listings.delete(key);
      }),
      expires: now + LISTING_TTL_MS,
    };
    this.#listings.set(key, entry);
    listing.then(
      (found) => {
        const aliases = [found.listing_id, found.seller_slug ? `${found.seller_slug}/${found.slug}` : undefined];
        for (const alias of aliases) if (alias !== undefined && alias !== key) this.#listings.set(alias, entry);
      },
      () => undefined,
    );
    return entry;
  }
}
