// Everything decided about a paid call before it is sent: the local checks (nothing at all, not
// even the catalog lookup, goes out for a call that cannot be made) and the price check against
// `maxCost` once the listing is known.
import { InsufficientScopeError, InvalidRequestError } from '../../core/error.js';
import { isValidIdempotencyKey } from '../../internal/idempotency.js';
import { checkFetchOptions, checkHeaders, checkMethod, checkMicroUsd, checkRetries, checkTimeout, PAID_CALL_METHODS } from '../../internal/request-checks.js';
import { hasScope } from '../../internal/scopes.js';
import { callPrice } from '../../lib/prices.js';
import { isShieldMode, type ShieldMode } from '../../shield/verdict.js';
import type { Listing } from '../models.js';
import { MaxCostExceededError, UnboundedCostError } from './errors.js';
import type { ListingRef, PaidCallOptions } from './options.js';
import type { ReceiptRecorder } from './receipt-hook.js';
import type { ExpectedCall, ReceiptVerifier, SentRequest } from './settle.js';
import { encodeBody, queryPairs, splitUpstreamPath } from './wire.js';

/** One paid call, ready to send. */
export interface Prepared {
  listing: Listing;
  method: string;
  sent: SentRequest;
  shield: ShieldMode;
  /** The caller's key; the pipeline generates one where the gateway replays by key. */
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  receiptExpected: boolean;
  verify: ReceiptVerifier | undefined;
  /** The `no_keys` message when `verify` is undefined. */
  unverified: string | undefined;
  /** What the signed receipt must name (listing, service, buyer) and the most it may charge. */
  expected: ExpectedCall;
  /** Hands each receipt to the `onReceipt` hooks; undefined when there are none. */
  recorder: ReceiptRecorder | undefined;
}

/** What the local checks settle: the call as it will be sent, bar the listing. */
export interface CheckedCall {
  shield: ShieldMode;
  method: string;
  /** Upstream path as sent (percent-encoded). */
  path: string;
  query: [string, string][];
  body: Uint8Array | undefined;
  contentType: string | undefined;
  maxCost: bigint | undefined;
}

/**
 * Headers a paid call's receipt and charge depend on, set by the SDK from its own options: a
 * caller's copy would send another token, key or shield mode than the one the call is checked
 * against (buyer, replay, `shield.mode` of the receipt).
 */
const SDK_CALL_HEADERS: Readonly<Record<string, string>> = {
  authorization: 'the client\'s apiKey',
  'idempotency-key': 'the idempotencyKey option',
  'x-proxygate-shield': 'the shield option',
};

/** Every local check of a call's arguments; throws `InvalidRequestError` / `InsufficientScopeError`. */
export function checkCall(ref: ListingRef, upstreamPath: string, options: PaidCallOptions, knownScopes: readonly string[] | undefined): CheckedCall {
  if (typeof ref !== 'string' && (typeof ref !== 'object' || ref === null || typeof ref.listing_id !== 'string')) {
    throw new InvalidRequestError('listing', 'must be a listing id, slug, service name or a listing from the catalog');
  }
  const shield = options.shield ?? 'monitor';
  if (!isShieldMode(shield)) throw new InvalidRequestError('shield', `must be off, monitor or strict, not ${JSON.stringify(String(shield).slice(0, 20))}`);
  if (options.idempotencyKey !== undefined && (typeof options.idempotencyKey !== 'string' || !isValidIdempotencyKey(options.idempotencyKey))) {
    throw new InvalidRequestError('idempotencyKey', 'must be 1..255 printable ASCII characters');
  }
  const split = splitUpstreamPath(upstreamPath);
  const query = [...split.query, ...queryPairs(options.query)];
  if (query.some(([key]) => key === 'listing')) throw new InvalidRequestError('query.listing', 'is set by the SDK');
  const maxCost = options.maxCost === undefined ? undefined : checkMicroUsd(options.maxCost, 'maxCost');
  if (options.timeout !== undefined) checkTimeout(options.timeout);
  if (options.maxRetries !== undefined) checkRetries(options.maxRetries);
  checkHeaders(options.headers);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    // `undefined` is as if not given (documented); `null` would remove the SDK's own header, so it is refused too.
    if (value === undefined) continue;
    const instead = SDK_CALL_HEADERS[name.toLowerCase()];
    if (instead !== undefined) throw new InvalidRequestError(`headers.${name.toLowerCase()}`, `is set by the SDK on a paid call; use ${instead}`);
  }
  checkFetchOptions(options.fetchOptions);
  const encoded = encodeBody(options.body);
  const method = checkMethod(options.method ?? (encoded.bytes ? 'POST' : 'GET'), PAID_CALL_METHODS);
  if (encoded.bytes && method === 'GET') throw new InvalidRequestError('body', 'a GET call cannot carry a body');
  if (knownScopes && !hasScope(knownScopes, 'trade')) throw InsufficientScopeError.missing('trade', knownScopes);
  return { shield, method, path: split.path, query, body: encoded.bytes, contentType: encoded.contentType, maxCost };
}

/**
 * Refuses a call `maxCost` cannot allow (nothing sent) and tells whether a receipt must come: a
 * free call (known price 0) may come without one, anything else must bring one.
 */
export function checkCost(listing: Listing, call: CheckedCall, allowUnboundedCost: boolean | undefined): { receiptExpected: boolean } {
  const price = callPrice(listing, call.path, call.shield === 'off');
  if (call.maxCost !== undefined) {
    if (price.bounded && BigInt(price.microUsd) > call.maxCost) throw new MaxCostExceededError(listing, BigInt(price.microUsd), call.maxCost, call.shield);
    if (!price.bounded && allowUnboundedCost !== true) throw new UnboundedCostError(listing, call.maxCost, price.reason);
  }
  return { receiptExpected: !(price.bounded && price.microUsd === 0) };
}
