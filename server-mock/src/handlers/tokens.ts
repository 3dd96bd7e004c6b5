import { http, type HttpHandler } from 'msw';
import type { CreateTokenBody } from '../state/gateway.js';
import { authenticate, json, pageParams, query, readJsonBody, withFaults, type HandlerContext } from './common.js';

/** Extension `tokens` (extended profile only): self needs any valid token; mint, list and revoke need tokens:write. */
export function tokenHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/v1/tokens/self', ({ request }) => withFaults(ctx, request, () => json(gateway.tokenSelf(authenticate(gateway, request))))),
    http.get('*/v1/tokens', ({ request }) =>
      withFaults(ctx, request, () => json(gateway.listTokens(authenticate(gateway, request), pageParams(query(request))))),
    ),
    http.post('*/v1/tokens', ({ request }) =>
      withFaults(ctx, request, async () => {
        const auth = authenticate(gateway, request);
        gateway.requirePermission(auth, 'tokens');
        const body = await readJsonBody(gateway, request);
        return json(gateway.createToken(auth, body as CreateTokenBody), 201, { 'cache-control': 'no-store' });
      }),
    ),
    http.delete('*/v1/tokens/:tokenId', ({ request, params }) =>
      withFaults(ctx, request, () => json(gateway.revokeToken(authenticate(gateway, request), String(params['tokenId'])))),
    ),
  ];
}
