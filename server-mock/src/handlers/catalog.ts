import { http, type HttpHandler } from 'msw';
import { json, pageParams, query, withFaults, type HandlerContext } from './common.js';

/** Tag `catalog`: no token needed. */
export function catalogHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/v1/apis', ({ request }) =>
      withFaults(ctx, request, () => {
        const params = query(request);
        return json(
          gateway.listApis({
            ...pageParams(params),
            q: params.get('q'),
            service: params.get('service'),
            category: params.get('category'),
            sort: params.get('sort'),
            verified: params.get('verified'),
            type: params.get('type'),
          }),
        );
      }),
    ),
    http.get('*/v1/apis/:listingId/docs', ({ request, params }) =>
      withFaults(ctx, request, () => json(gateway.apiDocs(String(params['listingId'])))),
    ),
    http.get('*/v1/apis/:listingId', ({ request, params }) =>
      withFaults(ctx, request, () => json(gateway.getApi(String(params['listingId'])))),
    ),
    http.get('*/v1/pricing', ({ request }) => withFaults(ctx, request, () => json(gateway.pricing()))),
    http.get('*/v1/services', ({ request }) => withFaults(ctx, request, () => json(gateway.services()))),
    http.get('*/v1/categories', ({ request }) => withFaults(ctx, request, () => json(gateway.categories()))),
  ];
}
