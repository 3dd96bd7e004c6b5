import { scan, SHIELD_MODES, type ShieldMode } from '../scanner/index.js';
import { available } from './accounts.js';
import { requirePermission } from './authentication.js';
import { callPrice } from './call-price.js';
import { blockedBody, callResult } from './call-response.js';
import type { CatalogEntry } from './catalog.js';
import { GatewayError, validationError } from './errors.js';
import type { AuthContext, CallInput, CallResult, GatewayContext } from './gateway-types.js';
import { idempotencyKeyOf } from './idempotency.js';
import { listingUnavailable, pathNotAllowed, resolveCallListing, servesPath, type ResolveContext } from './listing-resolve.js';
import { requestSha256 } from './receipts.js';
import type { RuntimeSettings } from './runtime-settings.js';
import type { GatewayState } from './seeded-state.js';
import { checkSpendLimits, remainingCap } from './spend-limits.js';
import type { TokenRecord } from './tokens.js';
import { forwardUpstream, type UpstreamObserver } from './upstream-forward.js';

/** What a paid call reads and changes. */
export interface PaidCallDeps {
  ctx: GatewayContext;
  state: GatewayState;
  settings: RuntimeSettings;
  observeUpstream: UpstreamObserver | undefined;
}

function resolveContext({ ctx, state }: PaidCallDeps): ResolveContext {
  return { isAvailable: (listing) => !state.unavailable.has(listing.id), traceId: () => ctx.traceId() };
}

function shieldModeOf(ctx: GatewayContext, raw: string | null | undefined): ShieldMode {
  const mode = (raw ?? 'monitor').toLowerCase() as ShieldMode;
  if (!SHIELD_MODES.includes(mode)) throw validationError('x-proxygate-shield must be off, monitor or strict', { trace_id: ctx.traceId() });
  return mode;
}

/** The listing the call goes to, which must be one the token may call and must serve the method and path. */
function callableListing(deps: PaidCallDeps, token: TokenRecord, input: CallInput, method: string, path: string): CatalogEntry {
  const entry = resolveCallListing(deps.state.catalog, { listing: input.listing, service: input.service, method, path, allowed: token.listings }, resolveContext(deps));
  const listing = entry.listing;
  if (token.listings && !token.listings.includes(listing.id)) {
    throw new GatewayError(403, {
      error: 'listing_not_allowed',
      message: `This token may not call listing ${listing.id}.`,
      action: 'Use a token allowed to call this listing.',
      trace_id: deps.ctx.traceId(),
    });
  }
  if (!servesPath(listing, method, path)) throw pathNotAllowed(listing, input.service, method, path, resolveContext(deps));
  return entry;
}

/**
 * A paid call (`{METHOD} /proxy/{service}{path}?listing=`). Order: scope, validate, resolve the
 * listing, replay or 409 on a known Idempotency-Key (extended), availability, synthetic
 * upstream (its tokens price a per-token call), daily caps, credits (402), spend limits (429
 * `spend_limit_exceeded`, nothing charged), charge, scan, refund on a strict block or an
 * upstream failure, sign the receipt, record usage, store the answer for replay. A strict
 * block is a normal result with status 422 (so it replays too); other failures throw.
 */
export function callListing(deps: PaidCallDeps, auth: AuthContext, input: CallInput): CallResult {
  const { ctx, state, settings } = deps;
  requirePermission(ctx, auth, 'proxy');
  const token = auth.token;
  const account = state.ledger.accountOf(token);
  const mode = shieldModeOf(ctx, input.shield);
  const idempotencyKey = idempotencyKeyOf(ctx, input.idempotencyKey);
  const method = input.method.toUpperCase();
  const path = input.path || '/';
  const entry = callableListing(deps, token, input, method, path);
  const listing = entry.listing;
  const query = new URLSearchParams(input.query ?? '');
  query.delete('listing');
  const body = typeof input.body === 'string' ? new TextEncoder().encode(input.body) : (input.body ?? new Uint8Array());
  const requestHash = requestSha256(method, path, query, body);
  const now = ctx.now();

  // A stored answer replays before anything else is judged (availability, prices, caps).
  const replayed = idempotencyKey === null ? null : state.idempotency.replay(ctx, token.id, idempotencyKey, requestHash, listing.id, now);
  if (replayed) return replayed;
  if (state.unavailable.has(listing.id)) throw listingUnavailable(listing, resolveContext(deps));

  const { raw, delivered: upstream } = forwardUpstream(state.derive, entry, { method, path, query, body, contentType: input.contentType }, deps.observeUpstream);
  const endpointPrice = listing.endpointPrices.find((price) => price.path === path);
  const price = callPrice(listing, endpointPrice, upstream.tokens, mode);
  const capKey = state.dailyCaps.check(ctx, endpointPrice, account.wallet, listing.id, now);
  if (available(account) < price) {
    throw new GatewayError(402, {
      error: 'insufficient_credits',
      message: 'The balance does not cover this call.',
      action: 'Top up the wallet (POST /v1/deposit).',
      trace_id: ctx.traceId(),
    });
  }
  checkSpendLimits(ctx, state.tokens, state.ledger, token, account, price, now);
  if (capKey !== null) state.dailyCaps.count(capKey);

  const requestId = state.ids.next('request');
  const ledgerCall = { requestId, listingId: listing.id, idempotencyKey };
  if (price > 0) state.ledger.charge(token, ledgerCall, price, now);
  // The shield scans what the upstream really said (an echoed seller key is a secret leak).
  const verdict = scan(raw.body, mode);
  const blocked = verdict.action === 'blocked';
  // Billing is reserve, call, then confirm or refund: a blocked answer or an upstream failure is refunded.
  const refunded = price > 0 && (blocked || upstream.status >= 400);
  if (refunded) state.ledger.refund(token, ledgerCall, price, now);
  const amount = refunded ? 0 : price;
  const receipt = state.receipts.issue(token.receiptVersion ?? settings.defaultReceiptVersion, settings.tagV1Receipts, {
    requestId,
    tokenId: token.id,
    buyerWallet: account.wallet,
    listing,
    amount,
    at: now,
    method,
    path,
    requestSha256: requestHash,
    responseBody: upstream.body,
    verdict,
  });
  const responseBody = blocked ? blockedBody(verdict, price > 0, ctx.switches.extensions ? requestId : null, ctx.traceId()) : upstream.body;

  state.usage.push({
    id: state.ids.next('usage'),
    request_id: requestId,
    service: listing.service,
    path,
    model: upstream.model ?? null,
    status_code: blocked ? 422 : upstream.status,
    latency_ms: listing.avgLatencyMs,
    cost_micro_cents: amount,
    listing_id: listing.id,
    seller_id: listing.seller.id,
    created_at: now.toISOString(),
    buyer: token.id,
    account: account.id,
  });

  const result = callResult(
    { upstream, blocked, body: responseBody, verdict, receipt, amount, requestId, listingId: listing.id, capAfter: remainingCap(state.tokens, token) },
    ctx.switches,
    settings.receiptHeader,
  );
  if (idempotencyKey !== null) state.idempotency.store(token.id, idempotencyKey, requestHash, now, result);
  return result;
}
