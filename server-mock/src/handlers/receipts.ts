import { http, type HttpHandler } from 'msw';
import { authenticate, json, pageParams, query, withFaults, type HandlerContext } from './common.js';

/** Tag `receipts`: the per-token log (account:read) and the public key set. */
export function receiptHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  return [
    http.get('*/v1/receipts', ({ request }) =>
      withFaults(ctx, request, () => {
        const auth = authenticate(gateway, request);
        const params = query(request);
        return json(gateway.receiptLog(auth, { ...pageParams(params), token_id: params.get('token_id') }));
      }),
    ),
    http.get('*/.well-known/proxygate-receipt-keys', ({ request }) => withFaults(ctx, request, () => json(gateway.keySet()))),
  ];
}
