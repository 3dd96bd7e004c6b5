import { http, type HttpHandler } from 'msw';
import { echo } from '../state/errors.js';
import { RECEIPT_KEYS_PATH } from '../state/profile.js';
import { json, withFaults, type HandlerContext } from './common.js';

/** Health and OAuth protected-resource metadata. */
export function metaHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/health', ({ request }) =>
      withFaults(ctx, request, () => {
        const { status, body } = gateway.health();
        return json(body, status);
      }),
    ),
    http.get('*/.well-known/oauth-protected-resource', ({ request }) => withFaults(ctx, request, () => json(gateway.protectedResourceMetadata()))),
  ];
}

/**
 * Unknown `/v1/*` routes (and, in the public profile, every extension route) answer 404
 * `not_found` in the error envelope instead of an adapter-specific 404.
 */
export function notFoundHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  const notFound = ({ request }: { request: Request }) =>
    withFaults(ctx, request, () =>
      json({ error: 'not_found', message: `No route ${request.method} ${echo(new URL(request.url).pathname, 120)}.`, trace_id: gateway.nextTraceId() }, 404),
    );
  return [http.all('*/v1/*', notFound), http.all(`*${RECEIPT_KEYS_PATH}`, notFound)];
}
