// What a paid call is asked with.
import type { FetchOptions, HeadersInit, QueryValue } from '../../core/client.js';
import type { ShieldMode } from '../../shield/verdict.js';
import type { Listing } from '../models.js';
import type { ReceiptHook } from './receipt-hook.js';

/**
 * A listing id (UUID), `seller_slug/slug`, slug or service name (resolved like `catalog.get`), or
 * a listing already fetched.
 */
export type ListingRef = string | Listing;

export type CallQuery = Record<string, QueryValue>;

/** Anything with a zod-like `parse` (zod schemas fit) describing the upstream body. */
export interface BodySchema<T> {
  parse(value: unknown): T;
}

export interface PaidCallOptions<T = unknown> {
  /**
   * Shape of the upstream body, when you know it (listings publish no schema). The parsed body is
   * checked against it; a mismatch throws `ValidationError` with the charged call's `result` attached
   * (`InvalidJsonError`, a `ValidationError`, when a JSON body does not parse at all).
   */
  schema?: BodySchema<T> | undefined;
  /** HTTP method; default `POST` when a body is given, else `GET`. */
  method?: string | undefined;
  /**
   * Request body: a string (sent as UTF-8), bytes (sent as is), or any other value (sent as JSON).
   * Exactly these bytes are what `request_sha256` covers.
   */
  body?: unknown;
  /** Upstream query parameters (`listing` is added by the SDK). */
  query?: CallQuery | undefined;
  /**
   * Extra request headers (e.g. `content-type`), over the client's `defaultHeaders`. The headers
   * the SDK sets for a paid call are refused (`InvalidRequestError`), with a string or a `null`
   * value: `authorization` (use `apiKey`), `idempotency-key` (use `idempotencyKey`) and
   * `x-proxygate-shield` (use `shield`). A `null` value removes any other header (a default one
   * too); `undefined` is as if not given, for every header.
   */
  headers?: HeadersInit | undefined;
  /**
   * `fetch` options for this call, layered over the client's `fetchOptions`; `method`, `body`,
   * `headers`, `signal` and `redirect` are the SDK's and refused (`InvalidRequestError`).
   */
  fetchOptions?: FetchOptions | undefined;
  /**
   * Shield mode; default `monitor`. Unless `off`, the gateway adds a surcharge of 5,000 micro-USD
   * ($0.005, `SHIELD_SURCHARGE_MICRO_USD`) to the call.
   */
  shield?: ShieldMode | undefined;
  /**
   * Idempotency key (1..255 printable ASCII). Where the gateway advertises the `idempotency`
   * extension, one is generated per logical call and reused on every retry; elsewhere none is
   * generated (the public gateway ignores it: a re-send is a new charge).
   */
  idempotencyKey?: string | undefined;
  /**
   * The most this call may cost, in micro-USD. On a per-request listing the call is refused locally
   * (`MaxCostExceededError`, nothing sent) when the buyer price (the endpoint's own when
   * `endpoint_prices` names the path), plus the shield surcharge unless `off`, is above it. A
   * per-token price depends on the tokens used, so `maxCost` cannot bound the call before it is
   * made: it is refused (`UnboundedCostError`) unless `allowUnboundedCost` is set. Either way a
   * receipt charging more is reported as `content_mismatch` on `amount`.
   */
  maxCost?: number | bigint | undefined;
  /**
   * Call a listing whose cost cannot be known before the call (per-token pricing) even though
   * `maxCost` is set; the receipt's amount is then checked against `maxCost` after the call.
   */
  allowUnboundedCost?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Per-attempt timeout (ms) until the response headers arrive, and again for reading the whole
   * body of a non-stream call (default: the client's `timeout`).
   */
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  /**
   * Verify the receipt against the client's pinned key set (`keys` option). Default true when a key
   * set is configured. Without one, content hashes and the shield verdict are still cross-checked,
   * and the verdict is `no_keys` (`valid: false`).
   */
  verifyReceipt?: boolean | undefined;
  /**
   * Called with every receipt this call receives (after the client's own `onReceipt`), awaited
   * before the call settles. See `ClientOptions.onReceipt`.
   */
  onReceipt?: ReceiptHook | undefined;
}
