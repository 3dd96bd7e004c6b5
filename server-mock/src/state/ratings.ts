import { requirePermission } from './authentication.js';
import { GatewayError } from './errors.js';
import type { AuthContext, GatewayContext } from './gateway-types.js';
import { UUID_PATTERN } from './ids.js';
import type { GatewayState } from './seeded-state.js';
import type { RateResponse } from './types.js';

const RATING_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * `POST /v1/rate`: one vote per successful call of the caller's account within 24 h; voting
 * again replaces the vote (`is_update: true`) and the listing's counts follow. Every refusal is a
 * `validation_error` envelope (400 body, 403 another wallet's call, 404 unknown request), as
 * published. The published minimum spend of $1.00 on the listing is not modelled.
 */
export function rate(ctx: GatewayContext, state: Pick<GatewayState, 'catalog' | 'ratings' | 'tokens' | 'usage'>, auth: AuthContext, body: unknown): RateResponse {
  requirePermission(ctx, auth, 'rate');
  const refuse = (status: number, message: string) =>
    new GatewayError(status, { error: 'validation_error', message, action: 'Check request body against API documentation', trace_id: ctx.traceId() });
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const requestId = fields['request_id'];
  const positive = fields['is_positive'];
  if (typeof requestId !== 'string' || !UUID_PATTERN.test(requestId) || typeof positive !== 'boolean') {
    throw refuse(400, 'Invalid request body: request_id (uuid) and is_positive (boolean) required');
  }
  const record = state.usage.find((candidate) => candidate.request_id === requestId);
  if (!record) throw refuse(404, 'Request not found');
  if (record.account !== auth.token.accountId || !state.tokens.visibleIds(auth.token).has(record.buyer)) throw refuse(403, 'Cannot rate requests from other wallets');
  if (record.status_code < 200 || record.status_code >= 300) throw refuse(400, 'Only successful requests can be rated');
  if (ctx.now().getTime() - Date.parse(record.created_at) > RATING_WINDOW_MS) throw refuse(400, 'The rating window (24 hours) has closed');
  const listing = state.catalog.find((entry) => entry.listing.id === record.listing_id)?.listing;
  const previous = state.ratings.get(requestId);
  if (listing) {
    if (previous !== undefined) listing.rating[previous ? 'up' : 'down']--;
    listing.rating[positive ? 'up' : 'down']++;
  }
  state.ratings.set(requestId, positive);
  return { success: true, is_update: previous !== undefined };
}
