import { http, type HttpHandler } from 'msw';
import { LIST_APIS_PARAMS } from '../state/listing-query.js';
import { json, pick, query, withFaults, type HandlerContext } from './common.js';

/** Catalog routes: no token needed. There is no `GET /v1/apis/{id}` (look one up with `?listing_id=`). */
export function catalogHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/v1/apis', ({ request }) => withFaults(ctx, request, () => json(gateway.listApis(pick(query(request), LIST_APIS_PARAMS))))),
    http.get('*/v1/apis/:listingId/docs', ({ request, params }) => withFaults(ctx, request, () => json(gateway.apiDocs(String(params['listingId']))))),
    http.get('*/v1/pricing', ({ request }) => withFaults(ctx, request, () => json(gateway.pricing(pick(query(request), ['service', 'limit', 'cursor']))))),
    http.get('*/v1/services', ({ request }) => withFaults(ctx, request, () => json(gateway.services(pick(query(request), ['limit', 'cursor']))))),
    http.get('*/v1/categories', ({ request }) => withFaults(ctx, request, () => json(gateway.categories(pick(query(request), ['limit', 'cursor', 'q']))))),
  ];
}
