import { http, type HttpHandler } from 'msw';
import { RECEIPT_KEYS_PATH } from '../state/profile.js';
import { authenticate, json, pageParams, query, withFaults, type HandlerContext } from './common.js';

/** Extensions `receipt_log` and `receipt_keys` (extended profile only). */
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
    http.get(`*${RECEIPT_KEYS_PATH}`, ({ request }) => withFaults(ctx, request, () => json(gateway.keySet()))),
  ];
}
