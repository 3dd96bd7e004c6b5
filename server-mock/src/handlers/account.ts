import { http, type HttpHandler } from 'msw';
import { authenticate, json, pick, query, readJsonBody, withFaults, type HandlerContext } from './common.js';

/** Account routes: who am I, wallet limits, balance, usage and rating. Scopes are checked by the gateway. */
export function accountHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/v1/me', ({ request }) => withFaults(ctx, request, () => json(gateway.me(authenticate(gateway, request))))),
    http.get('*/v1/wallet/limits', ({ request }) => withFaults(ctx, request, () => json(gateway.walletLimits(authenticate(gateway, request))))),
    http.get('*/v1/balance', ({ request }) => withFaults(ctx, request, () => json(gateway.balance(authenticate(gateway, request))))),
    http.get('*/v1/usage', ({ request }) =>
      withFaults(ctx, request, () => json(gateway.usage(authenticate(gateway, request), pick(query(request), ['service', 'model', 'from', 'to', 'limit', 'cursor'])))),
    ),
    http.post('*/v1/rate', ({ request }) =>
      withFaults(ctx, request, async () => {
        const auth = authenticate(gateway, request);
        return json(gateway.rate(auth, await readJsonBody(gateway, request)));
      }),
    ),
  ];
}
