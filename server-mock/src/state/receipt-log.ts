import { requireExtensions, requirePermission } from './authentication.js';
import { GatewayError } from './errors.js';
import type { AuthContext, GatewayContext, ReceiptLogPage } from './gateway-types.js';
import { paginate, type PageParams } from './pagination.js';
import type { ReceiptIssuer } from './receipt-issuer.js';
import type { TokenStore } from './tokens.js';

export type ReceiptLogParams = PageParams & { token_id?: string | null };

/**
 * `GET /v1/receipts` (extension, account:read): a token's v3 chain (seq ascending) with the
 * signed log head; `token_id` picks another token the caller can see (else 404).
 */
export function receiptLog(
  ctx: GatewayContext,
  state: { tokens: TokenStore; receipts: ReceiptIssuer },
  auth: AuthContext,
  params: ReceiptLogParams,
  gatewayOrigin: string,
): ReceiptLogPage {
  requireExtensions(ctx, 'GET /v1/receipts');
  requirePermission(ctx, auth, 'receipts');
  let tokenId = auth.token.id;
  if (params.token_id) {
    if (!state.tokens.visibleIds(auth.token).has(params.token_id)) {
      throw new GatewayError(404, { error: 'not_found', message: 'No such token visible to this token.', trace_id: ctx.traceId() });
    }
    tokenId = params.token_id;
  }
  const page = paginate(state.receipts.chainOf(tokenId), params, `receipts:${tokenId}`, () => ctx.traceId());
  return { ...page, head: state.receipts.head(gatewayOrigin, tokenId, ctx.now()) };
}
