import { http, type HttpHandler } from 'msw';
import { json, withFaults, type HandlerContext } from './common.js';

/** Tag `meta`: health and OAuth protected-resource metadata. */
export function metaHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/health', ({ request }) => withFaults(ctx, request, () => json(gateway.health()))),
    http.get('*/.well-known/oauth-protected-resource', ({ request }) => withFaults(ctx, request, () => json(gateway.protectedResourceMetadata()))),
  ];
}
