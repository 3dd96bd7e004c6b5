import { http, type HttpHandler } from 'msw';
import type { CreateTokenBody } from '../state/gateway.js';
import { json, pageParams, query, readJsonBody, withFaults, type HandlerContext } from './common.js';

/** Tag `tokens`: self needs any valid token; mint, list and revoke need tokens:write. */
export function tokenHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/v1/tokens/self', ({ request }) =>
      withFaults(ctx, request, () => json(gateway.tokenSelf(gateway.authenticate(request.headers.get('authorization'))))),
    ),
    http.get('*/v1/tokens', ({ request }) =>
      withFaults(ctx, request, () => json(gateway.listTokens(gateway.authenticate(request.headers.get('authorization')), pageParams(query(request))))),
    ),
    http.post('*/v1/tokens', ({ request }) =>
      withFaults(ctx, request, async () => {
        const auth = gateway.authenticate(request.headers.get('authorization'));
        gateway.requireScope(auth, 'tokens:write');
        const body = await readJsonBody(gateway, request);
        return json(gateway.createToken(auth, body as CreateTokenBody), 201, { 'cache-control': 'no-store' });
      }),
    ),
    http.delete('*/v1/tokens/:tokenId', ({ request, params }) =>
      withFaults(ctx, request, () => json(gateway.revokeToken(gateway.authenticate(request.headers.get('authorization')), String(params['tokenId'])))),
    ),
  ];
}
