import type { PagePromise } from '../core/pagination.js';
import { path } from '../internal/path.js';
import {
  CategoriesModel,
  ListingDocsModel,
  ListingPageModel,
  ListingModel,
  PricingModel,
  ServicesModel,
  type CatalogListQuery,
  type Category,
  type Listing,
  type ListingDocs,
  type PriceEntry,
  type Service,
} from './models.js';
import { APIPromise } from '../core/api-promise.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** Query of `GET /v1/apis` (generated from the spec). */
export type CatalogListParams = CatalogListQuery;
export type ListingSort = NonNullable<CatalogListQuery['sort']>;

/** The public catalog of listings (no token needed). */
export class Catalog extends APIResource {
  /** Lists listings; `await` for the first page or `for await` over every listing. */
  list(params: CatalogListParams = {}, options?: CallOptions): PagePromise<Listing> {
    return this.client.getPage<Listing>({ path: '/v1/apis', query: { ...params }, schema: ListingPageModel, ...callOptions(options) });
  }

  /** One listing by id (`lst_...`) or slug. */
  get(idOrSlug: string, options?: CallOptions): APIPromise<Listing> {
    return APIPromise.of(this.send(() => ({ method: 'GET', path: path`/v1/apis/${idOrSlug}`, schema: ListingModel, ...callOptions(options) })));
  }

  /** Markdown documentation and endpoints of a listing (id or slug). */
  docs(idOrSlug: string, options?: CallOptions): APIPromise<ListingDocs> {
    return APIPromise.of(this.send(() => ({ method: 'GET', path: path`/v1/apis/${idOrSlug}/docs`, schema: ListingDocsModel, ...callOptions(options) })));
  }

  /** Price of every listing (integer micro-cents). */
  pricing(options?: CallOptions): APIPromise<PriceEntry[]> {
    return APIPromise.select(this.client.request({ method: 'GET', path: '/v1/pricing', schema: PricingModel, ...callOptions(options) }), (body) => body.data);
  }

  services(options?: CallOptions): APIPromise<Service[]> {
    return APIPromise.select(this.client.request({ method: 'GET', path: '/v1/services', schema: ServicesModel, ...callOptions(options) }), (body) => body.data);
  }

  categories(options?: CallOptions): APIPromise<Category[]> {
    return APIPromise.select(this.client.request({ method: 'GET', path: '/v1/categories', schema: CategoriesModel, ...callOptions(options) }), (body) => body.data);
  }
}
