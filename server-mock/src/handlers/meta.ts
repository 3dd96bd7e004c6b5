import { http, type HttpHandler } from 'msw';
import { echo } from '../state/errors.js';
import { json, withFaults, type HandlerContext } from './common.js';

/** Tag `meta`: health and OAuth protected-resource metadata. */
export function metaHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/health', ({ request }) => withFaults(ctx, request, () => json(gateway.health()))),
    http.get('*/.well-known/oauth-protected-resource', ({ request }) => withFaults(ctx, request, () => json(gateway.protectedResourceMetadata()))),
  ];
}

/** Unknown `/v1/*` routes answer the spec's error shape instead of an adapter-specific 404. */
export function notFoundHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.all('*/v1/*', ({ request }) =>
      withFaults(ctx, request, () =>
        json({ error: 'not_found', message: `No route ${request.method} ${echo(new URL(request.url).pathname, 120)}.`, trace_id: gateway.nextTraceId() }, 404),
      ),
    ),
  ];
}
