import { http, type HttpHandler } from 'msw';
import { authenticate, json, pageParams, query, readJsonBody, withFaults, type HandlerContext } from './common.js';

/** Tag `account`: balance and usage need account:read, rating needs trade. */
export function accountHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/v1/balance', ({ request }) =>
      withFaults(ctx, request, () => json(gateway.balance(authenticate(gateway, request)))),
    ),
    http.get('*/v1/usage', ({ request }) =>
      withFaults(ctx, request, () => {
        const auth = authenticate(gateway, request);
        const params = query(request);
        return json(gateway.usage(auth, { ...pageParams(params), service: params.get('service'), from: params.get('from'), to: params.get('to') }));
      }),
    ),
    http.post('*/v1/rate', ({ request }) =>
      withFaults(ctx, request, async () => {
        const auth = authenticate(gateway, request);
        gateway.requireScope(auth, 'trade');
        return json(gateway.rate(auth, await readJsonBody(gateway, request)));
      }),
    ),
  ];
}
