import type { PagePromise } from '../core/pagination.js';
import { path } from '../internal/path.js';
import {
  CatalogResponseModel,
  CategoriesPageModel,
  ListingDocsModel,
  PricingPageModel,
  ServicesPageModel,
  type CatalogListQuery,
  type CatalogPage,
  type CategoriesPage,
  type CategoriesQuery,
  type Category,
  type Listing,
  type ListingDocs,
  type PricingPage,
  type PricingQuery,
  type ServicePricing,
  type ServicesPage,
  type ServicesQuery,
  type ServiceStats,
} from './models.js';
import { APIPromise } from '../core/api-promise.js';
import type { Model } from '../internal/validate.js';
import { isListingId, lookupListing, withPrices } from './listing-lookup.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** A query as the spec types it (strings on the wire); free-text fields also take numbers and booleans. */
type QueryInput<Q> = { [K in keyof Q]?: (string extends Q[K] ? Q[K] | number | boolean : Q[K]) | undefined };

/**
 * Query of `GET /v1/apis` (generated from the spec: strings on the wire). Numbers and booleans are
 * accepted too and sent as their text (`limit: 20`, `verified: true`).
 */
export type CatalogListParams = QueryInput<CatalogListQuery>;
export type ListingSort = 'price_asc' | 'price_desc' | 'popular' | 'newest' | 'fastest' | 'best_rated';
export type PricingParams = QueryInput<PricingQuery>;
export type ServicesParams = QueryInput<ServicesQuery>;
export type CategoriesParams = QueryInput<CategoriesQuery>;

/** The public catalog (no token needed). Every list is cursor-paginated: `await` a page or `for await` every item. */
export class Catalog extends APIResource {
  /** Lists listings; each gains `prices` (integer micro-USD) next to its wire fields. */
  list(params: CatalogListParams = {}, options?: CallOptions): PagePromise<Listing, CatalogPage> {
    return this.client.getPage<Listing, CatalogPage>({
      path: '/v1/apis',
      query: { ...params },
      schema: CatalogResponseModel as unknown as Model<CatalogPage>,
      transform: (body) => ({ ...body, data: body.data.map(withPrices) }),
      ...callOptions(options),
    });
  }

  /**
   * One listing by reference: a listing id (UUID), `seller_slug/slug`, a slug, or a service name
   * (slug first, then service). Several matches throw `AmbiguousListingError` naming them (a slug
   * is unique only per seller); none throws `NotFoundError`.
   */
  get(ref: string, options?: CallOptions): APIPromise<Listing> {
    return APIPromise.of(Promise.resolve().then(() => lookupListing(this.client, ref, callOptions(options))));
  }

  /** Documentation of a listing (`ref` as for `get`; a listing id is used as is, without a lookup). */
  docs(ref: string, options?: CallOptions): APIPromise<ListingDocs> {
    const request = Promise.resolve().then(async () => {
      const trimmed = ref.trim();
      const id = isListingId(trimmed) ? trimmed : (await lookupListing(this.client, trimmed, callOptions(options))).data.listing_id;
      return this.client.request({ method: 'GET', path: path`/v1/apis/${id}/docs`, schema: ListingDocsModel, ...callOptions(options) });
    });
    return APIPromise.of(request);
  }

  /** Price per service (`price_per_request_micro_cents` is micro-USD, whatever its name says). */
  pricing(params: PricingParams = {}, options?: CallOptions): PagePromise<ServicePricing, PricingPage> {
    return this.client.getPage<ServicePricing, PricingPage>({ path: '/v1/pricing', itemsKey: 'services', query: { ...params }, schema: PricingPageModel, ...callOptions(options) });
  }

  /** Aggregate stats per service across its sellers. */
  services(params: ServicesParams = {}, options?: CallOptions): PagePromise<ServiceStats, ServicesPage> {
    return this.client.getPage<ServiceStats, ServicesPage>({ path: '/v1/services', itemsKey: 'services', query: { ...params }, schema: ServicesPageModel, ...callOptions(options) });
  }

  /** Categories with their subcategories. */
  categories(params: CategoriesParams = {}, options?: CallOptions): PagePromise<Category, CategoriesPage> {
    return this.client.getPage<Category, CategoriesPage>({ path: '/v1/categories', itemsKey: 'categories', query: { ...params }, schema: CategoriesPageModel, ...callOptions(options) });
  }
}
