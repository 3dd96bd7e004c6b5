import type { PagePromise } from '../core/pagination.js';
import { path } from '../internal/path.js';
import {
  CategoriesModel,
  ListingDocsModel,
  ListingListModel,
  ListingModel,
  PricingModel,
  ServicesModel,
  type Category,
  type Listing,
  type ListingDocs,
  type PriceEntry,
  type Service,
} from './models.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

export type ListingSort = 'price_asc' | 'price_desc' | 'popular' | 'newest' | 'fastest' | 'best_rated';

export interface CatalogListParams {
  /** Free-text search. */
  q?: string | undefined;
  service?: string | undefined;
  category?: string | undefined;
  sort?: ListingSort | undefined;
  verified?: boolean | undefined;
  type?: 'rest' | 'sse' | undefined;
  /** Page size 1..100 (gateway default 20). */
  limit?: number | undefined;
  /** Start from this opaque cursor. */
  cursor?: string | undefined;
}

/** The public catalog of listings (no token needed). */
export class Catalog extends APIResource {
  /** Lists listings; `await` for the first page or `for await` over every listing. */
  list(params: CatalogListParams = {}, options?: CallOptions): PagePromise<Listing> {
    return this.client.getPage<Listing>({ path: '/v1/apis', query: { ...params }, schema: ListingListModel, ...callOptions(options) });
  }

  /** One listing by id (`lst_...`) or slug. */
  async get(idOrSlug: string, options?: CallOptions): Promise<Listing> {
    const res = await this.client.request({ method: 'GET', path: path`/v1/apis/${idOrSlug}`, schema: ListingModel, ...callOptions(options) });
    return res.data;
  }

  /** Markdown documentation and endpoints of a listing (id or slug). */
  async docs(idOrSlug: string, options?: CallOptions): Promise<ListingDocs> {
    const res = await this.client.request({ method: 'GET', path: path`/v1/apis/${idOrSlug}/docs`, schema: ListingDocsModel, ...callOptions(options) });
    return res.data;
  }

  /** Price of every listing (integer micro-cents). */
  async pricing(options?: CallOptions): Promise<PriceEntry[]> {
    const res = await this.client.request({ method: 'GET', path: '/v1/pricing', schema: PricingModel, ...callOptions(options) });
    return res.data.data;
  }

  async services(options?: CallOptions): Promise<Service[]> {
    const res = await this.client.request({ method: 'GET', path: '/v1/services', schema: ServicesModel, ...callOptions(options) });
    return res.data.data;
  }

  async categories(options?: CallOptions): Promise<Category[]> {
    const res = await this.client.request({ method: 'GET', path: '/v1/categories', schema: CategoriesModel, ...callOptions(options) });
    return res.data.data;
  }
}
