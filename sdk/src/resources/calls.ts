// Paid calls through the gateway: `{METHOD} /proxy/{service}{path}?listing=...`.
// The body is sent as exact bytes and the response read as exact bytes, so the v3 receipt's
// request_sha256 / response_sha256 can be checked against what really crossed the wire.
import type { APIResponse, QueryValue } from '../core/client.js';
import {
  APIError,
  ConnectionError,
  InsufficientScopeError,
  InvalidRequestError,
  markPaidCall,
  PaidCallOutcomeUnknownError,
  ProxygateError,
  ShieldBlockedError,
  UserAbortError,
  ValidationError,
  type ValidationIssue,
} from '../core/error.js';
import { NO_EXTENSIONS } from '../core/extensions.js';
import { attachCredential, credentialOf } from '../internal/credential.js';
import { replayAction } from '../internal/paid-recovery.js';
import { checkHeaders, checkMethod, checkMicroUsd, checkRetries, checkTimeout, PAID_CALL_METHODS } from '../internal/request-checks.js';
import { attachResponseHeaders } from '../internal/response-headers.js';
import { ReceiptParseError } from '../receipts/errors.js';
import { decodeReceiptHeader } from '../receipts/parse.js';
import { readServerSentEvents, SseDecoder, type PositionedEvent, type ServerSentEvent } from '../core/streaming.js';
import { isValidIdempotencyKey } from '../internal/idempotency.js';
import { path as encodePath } from '../internal/path.js';
import { responseHeadersOf } from '../internal/response-headers.js';
import { paidCallRecord, receiptHeader } from '../internal/paid-call.js';
import { hasScope } from '../internal/scopes.js';
import { callPrice } from '../lib/prices.js';
import { KeySet, type KeySetDocument } from '../receipts/key-set.js';
import type { Receipt } from '../receipts/types.js';
import { verifyReceipt } from '../receipts/verify.js';
import { isUnverified, settleReceipt, type ExpectedCall, type PaidReceiptVerdict, type ReceiptVerifier, type SentRequest, type Settlement, type SettleInput } from '../shield/settle.js';
import { ReceiptRecorder, type ReceiptCallDetails, type ReceiptEvent, type ReceiptHook } from './calls-receipts.js';
import { isShieldMode, parseShieldHeaders, SHIELD_HEADERS, shieldFromEvent, shieldFromSigned, type ShieldMode, type ShieldVerdict } from '../shield/verdict.js';
import { lookupListing } from './listing-lookup.js';
import type { Listing } from './models.js';
import { APIResource } from './resource.js';

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
   * checked against it; a mismatch throws `ValidationError` with the charged call's `result` attached.
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
  /** Extra request headers (e.g. `content-type`). */
  headers?: Record<string, string> | undefined;
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

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  /** JSON-parsed when the content type is JSON, else text. */
  body: T;
  /** The exact bytes received (what `response_sha256` covers). */
  rawBody: Uint8Array;
  contentType: string | null;
  /** The parsed receipt, or null when none came (or it could not be parsed: see `receiptVerdict`). */
  receipt: Receipt | null;
  /** The receipt exactly as the gateway sent it (header or SSE event text), or null when none came. */
  rawReceipt: string | null;
  /**
   * Verification verdict. Null only when no receipt came; `no_keys` (`valid: false`) when the
   * receipt could not be verified for want of keys and no local check failed. A receipt that
   * fails never hides the response, it is reported here.
   */
  receiptVerdict: PaidReceiptVerdict | null;
  /** Shield verdict: the signed receipt's when present (it wins over headers), else the headers'. */
  shield: ShieldVerdict | null;
  /** Amount charged in micro-USD (the receipt's `amount`): a number when safe, else a bigint. */
  cost: number | bigint | null;
  /** Gateway request id (from the receipt). */
  requestId: string | null;
  /** True when the gateway answered with the stored result of an earlier call with the same key. */
  replayed: boolean;
  /**
   * The key this call was sent with, or null (none on a gateway without the `idempotency`
   * extension, unless you gave one). Where advertised, reuse it to retry the same call safely.
   */
  idempotencyKey: string | null;
  listing: Listing;
}

/** What a finished stream proved. */
export interface StreamOutcome extends Settlement {
  /** The event-stream bytes before the last `proxygate.receipt` event (what `response_sha256` covers). */
  rawBody: Uint8Array;
  /** Events delivered to the consumer (the gateway's final receipt event excluded; earlier ones are seller content). */
  events: number;
}

/** The call would cost more than `maxCost`: refused before anything was sent. */
export class MaxCostExceededError extends ProxygateError {
  /** The most the call costs, micro-USD (shield surcharge included unless `off`). */
  readonly priceMicroUsd: bigint;
  readonly maxCostMicroUsd: bigint;
  readonly listingId: string;

  constructor(listing: Listing, price: bigint, maxCost: bigint, shield: ShieldMode) {
    const fee = shield === 'off' ? '' : ' including the shield surcharge';
    super(`Listing ${listingName(listing)} costs ${price} micro-USD${fee}, above maxCost ${maxCost}; nothing was sent`, {
      code: 'max_cost_exceeded',
      action: 'Raise maxCost, pick a cheaper listing, or call with shield: "off" to skip the shield surcharge',
    });
    this.priceMicroUsd = price;
    this.maxCostMicroUsd = maxCost;
    this.listingId = listing.listing_id;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      priceMicroUsd: this.priceMicroUsd.toString(),
      maxCostMicroUsd: this.maxCostMicroUsd.toString(),
      listingId: this.listingId,
    };
  }
}

/**
 * `maxCost` was set but the call's cost cannot be known before it is made (per-token pricing):
 * refused before anything was sent, unless the call opts in with `allowUnboundedCost: true`.
 */
export class UnboundedCostError extends ProxygateError {
  readonly listingId: string;
  readonly maxCostMicroUsd: bigint;

  constructor(listing: Listing, maxCost: bigint, reason: string) {
    super(`maxCost ${maxCost} micro-USD cannot bound a call to ${listingName(listing)} before it is made: ${reason}; nothing was sent`, {
      code: 'max_cost_unbounded',
      action: 'Pass allowUnboundedCost: true to call anyway (the receipt amount is then checked against maxCost after the call), or drop maxCost',
    });
    this.listingId = listing.listing_id;
    this.maxCostMicroUsd = maxCost;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), listingId: this.listingId, maxCostMicroUsd: this.maxCostMicroUsd.toString() };
  }
}

function listingName(listing: Listing): string {
  return listing.seller_slug ? `${listing.seller_slug}/${listing.slug}` : listing.slug;
}

/**
 * Fields attached to an `APIError` thrown by a paid call whose answer carried a receipt: the
 * gateway charged and passed an upstream error status through (or refunded a shield block).
 * The response is only bound on the request side here (the error body was parsed, not kept as bytes).
 */
export interface PaidCallErrorDetails {
  receipt: Receipt | null;
  /** The receipt exactly as sent, or null when none came. */
  rawReceipt: string | null;
  receiptVerdict: PaidReceiptVerdict | null;
  /** The signed verdict when present, else the headers' (or the block body's). */
  shield: ShieldVerdict | null;
  /** The receipt's amount, micro-USD: a fact only when `receiptVerified`. */
  cost: number | bigint | null;
  requestId: string | null;
  /** True when the receipt verified against the pinned keys: `cost` (and a v3 `shield`) are signed facts. */
  receiptVerified: boolean;
}

/** Extra fields attached to a `ShieldBlockedError` thrown by a paid call. */
export interface ShieldBlockedDetails extends PaidCallErrorDetails {
  /** The refund receipt (`amount: "0"`, `shield.action: "blocked"`), when the gateway sent one. */
  refundReceipt: Receipt | null;
  refundReceiptVerdict: PaidReceiptVerdict | null;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const utf8 = new TextEncoder();

interface EncodedBody {
  bytes: Uint8Array | undefined;
  contentType: string | undefined;
}

/** Body kinds a paid call cannot send as exact, hashable bytes (or whose JSON would be meaningless). */
function unsupportedBody(body: object): string | undefined {
  const kinds: [string, unknown][] = [
    ['a Blob', globalThis.Blob],
    ['a ReadableStream', globalThis.ReadableStream],
    ['FormData', globalThis.FormData],
    ['URLSearchParams', globalThis.URLSearchParams],
    ['a Map', Map],
    ['a Set', Set],
    ['a WeakMap', WeakMap],
    ['a WeakSet', WeakSet],
    ['a Promise', Promise],
  ];
  for (const [name, type] of kinds) if (typeof type === 'function' && body instanceof (type as new () => object)) return name;
  return undefined;
}

function encodeBody(body: unknown): EncodedBody {
  if (body === undefined || body === null) return { bytes: undefined, contentType: undefined };
  if (typeof body === 'string') return { bytes: utf8.encode(body), contentType: 'text/plain; charset=utf-8' };
  if (body instanceof Uint8Array) return { bytes: body, contentType: 'application/octet-stream' };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), contentType: 'application/octet-stream' };
  if (ArrayBuffer.isView(body)) return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: 'application/octet-stream' };
  if (typeof body !== 'object' && typeof body !== 'number' && typeof body !== 'boolean') {
    throw new InvalidRequestError('body', `a ${typeof body} cannot be sent; pass a string, bytes or a JSON value`);
  }
  const unsupported = typeof body === 'object' ? unsupportedBody(body) : undefined;
  if (unsupported) throw new InvalidRequestError('body', `${unsupported} cannot be sent as exact bytes; pass a string, bytes or a JSON value`);
  let json: string | undefined;
  try {
    json = JSON.stringify(body, (_key, value: unknown) => {
      if (typeof value === 'bigint') throw new InvalidRequestError('body', 'a bigint has no JSON form: send it as a string');
      return value;
    });
  } catch (error) {
    if (error instanceof InvalidRequestError) throw error;
    throw new InvalidRequestError('body', 'cannot be serialised as JSON (a circular reference?)');
  }
  if (json === undefined) throw new InvalidRequestError('body', 'has no JSON form');
  return { bytes: utf8.encode(json), contentType: 'application/json' };
}

/** Validates the body; on a mismatch the charged result travels with the error, never lost. */
function checkBody<T>(result: CallResult<unknown>, schema: BodySchema<T>): CallResult<T> {
  try {
    return { ...result, body: schema.parse(result.body) };
  } catch (cause) {
    const raw = (cause as { issues?: unknown }).issues;
    const issues: ValidationIssue[] = Array.isArray(raw)
      ? raw.map((issue: { path?: unknown; message?: unknown; code?: unknown }) => ({
          path: Array.isArray(issue.path) ? issue.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number') : [],
          message: typeof issue.message === 'string' ? issue.message : 'invalid',
          code: typeof issue.code === 'string' ? issue.code : 'invalid',
        }))
      : [{ path: [], message: cause instanceof Error ? cause.message : 'invalid', code: 'custom' }];
    const error = new ValidationError('The upstream body does not match the schema given to call()', issues, result.body, result.requestId ?? undefined);
    Object.defineProperty(error, 'result', { value: result, enumerable: false });
    throw error;
  }
}

/** The body as JSON when its type says so, else text; `unparsed` when a JSON type did not parse (damage, or a broken upstream). */
function decodeBody(bytes: Uint8Array, contentType: string | null): { body: unknown; unparsed: boolean } {
  const text = new TextDecoder().decode(bytes);
  if (contentType && JSON_TYPE.test(contentType) && text.trim() !== '') {
    try {
      return { body: JSON.parse(text) as unknown, unparsed: false };
    } catch {
      return { body: text, unparsed: true };
    }
  }
  return { body: text, unparsed: false };
}

/**
 * Splits `path?query` and normalises the path to its on-the-wire (percent-encoded) form: the path
 * `request_sha256` covers. Throws TypeError for a path that could leave `/proxy/{service}`.
 */
export function splitUpstreamPath(upstream: string): { path: string; query: [string, string][] } {
  if (typeof upstream !== 'string') throw new InvalidRequestError('path', 'must be a string');
  if (!upstream.startsWith('/')) throw new InvalidRequestError('path', `must start with "/": ${JSON.stringify(upstream.slice(0, 200))}`);
  // URL parsers drop tabs and newlines and read "\" as "/": refuse the first, normalise the second,
  // so the dot-segment check below sees the path fetch will really send.
  if (/[\u0000-\u001f\u007f]/.test(upstream)) throw new InvalidRequestError('path', 'must not contain control characters');
  const [pathPart = '/', rawQuery] = upstream.split(/\?(.*)/s, 2);
  const rawPath = pathPart.replace(/\\/g, '/');
  if (rawPath.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))) {
    // fetch would resolve dot segments and send the call (and the token) outside /proxy/{service}.
    throw new InvalidRequestError('path', `must not contain "." or ".." segments: ${JSON.stringify(upstream.slice(0, 200))}`);
  }
  const wirePath = new URL(`http://upstream.invalid${rawPath}`).pathname;
  return { path: wirePath, query: rawQuery ? [...new URLSearchParams(rawQuery)] : [] };
}

/** Pairs as sent (ofetch repeats the key for array values; null and undefined are dropped). */
function queryPairs(query: CallQuery | undefined): [string, string][] {
  if (query !== undefined && (typeof query !== 'object' || query === null || Array.isArray(query))) throw new InvalidRequestError('query', 'must be an object of names to values');
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
        throw new InvalidRequestError(`query.${key}`, 'values must be strings, numbers or booleans (or arrays of them)');
      }
      pairs.push([key, String(item)]);
    }
  }
  return pairs;
}

/**
 * The query string as sent, built here rather than by the fetch layer so the pairs the gateway
 * parses are exactly the pairs hashed (no merging through an object, where keys such as
 * `toString` or repeated keys could be mangled).
 */
function queryString(listingId: string, pairs: readonly [string, string][]): string {
  return [['listing', listingId] as const, ...pairs]
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (any) return any.call(AbortSignal, present);
  // Runtimes before AbortSignal.any (Node < 20.3): link by hand.
  const controller = new AbortController();
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

interface Prepared {
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

/** How long a resolved listing (and so its price) is reused by one client. */
export const LISTING_TTL_MS = 5 * 60_000;

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new UserAbortError(undefined, signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new UserAbortError(undefined, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Paid calls (`client.call`, `client.calls.stream`). */
export class Calls extends APIResource {
  readonly #listings = new Map<string, { listing: Promise<Listing>; expires: number }>();
  #keys: { source: unknown; keys: KeySet } | undefined;
  /** Tokens (opaque credential ids) the gateway has signed a v3 receipt for: their weaker receipts are downgrades. */
  readonly #v3Tokens = new Set<string>();
  /** The wallet of each token (from `GET /v1/me`), learned once when its first v1/v2 receipt arrives. */
  readonly #wallets = new Map<string, Promise<string | undefined>>();

  /** The client's pinned key set; a key-set document (or its JSON) is loaded once into a KeySet. */
  #pinnedKeys(): KeySet | undefined {
    const source: unknown = this.client.keys;
    if (source === undefined || source === null) return undefined;
    if (source instanceof KeySet) return source;
    if (this.#keys?.source !== source) {
      this.#keys = { source, keys: KeySet.fromDocument(source as KeySetDocument | string | Uint8Array) };
    }
    return this.#keys.keys;
  }

  /**
   * Calls `path` on a listing through the gateway and returns the upstream answer with its receipt
   * (raw and parsed), receipt verdict and shield verdict. Throws `ShieldBlockedError` for a
   * strict-mode block, `SpendLimitError` for a spend-limit block (nothing charged),
   * `PaidCallOutcomeUnknownError` when the call may have been charged but its answer was lost on a
   * gateway that does not replay by key, typed API errors for gateway refusals, and
   * `InvalidRequestError` / `MaxCostExceededError` / `UnboundedCostError` / `InsufficientScopeError`
   * before sending anything when the call cannot be allowed. An error after a receipt arrived
   * carries it (`rawReceipt`, `receipt`, `receiptVerdict`, `cost`); every error after sending
   * carries `idempotencyKey` and `recovery`. Where the gateway replays by key, a body damaged on
   * the way (its v3 `response_sha256` does not match, or its JSON does not parse) is fetched again
   * with the same key, within the retry budget, at no extra charge.
   */
  call = async <T = unknown>(listing: ListingRef, path: string, options: PaidCallOptions<T> = {}): Promise<CallResult<T>> => {
    const prepared = await this.#prepare(listing, path, options);
    let budget = options.maxRetries ?? this.client.maxRetries;
    let idempotencyKey = prepared.idempotencyKey;
    let refetching = false;
    for (;;) {
      let res: APIResponse<unknown>;
      try {
        res = await this.#send({ ...prepared, idempotencyKey }, { ...options, maxRetries: budget }, false);
      } catch (error) {
        // Fetching a damaged answer again failed: the first send was charged, so whatever this
        // attempt says (a 429, a refusal), the way back is the same key.
        if (refetching && idempotencyKey !== undefined && error instanceof ProxygateError && !(error as { rawReceipt?: unknown }).rawReceipt) {
          markPaidCall(error, { idempotencyKey, recovery: 'replay', action: replayAction(idempotencyKey) });
        }
        // A receipt that came with the failure (a block, a charged error status) is heard first.
        throw prepared.recorder ? await prepared.recorder.failed(error) : error;
      }
      const { result, unparsed } = await this.#result(prepared, res);
      budget -= res.retries;
      if (budget > 0 && res.idempotencyKey !== undefined && isDamaged(result, unparsed, prepared.receiptExpected) && (await this.#replays())) {
        // The gateway stored the answer under this key: fetching it again costs nothing.
        budget -= 1;
        idempotencyKey = res.idempotencyKey;
        refetching = true;
        continue;
      }
      if (prepared.recorder) await prepared.recorder.answered(result);
      return options.schema ? checkBody(result, options.schema) : (result as CallResult<T>);
    }
  };

  /** Hooks of this call: the client's, then the call's own. */
  #recorder(listing: Listing, method: string, path: string, options: PaidCallOptions): ReceiptRecorder | undefined {
    const hooks = [this.client.onReceipt, options.onReceipt].filter((hook): hook is ReceiptHook => typeof hook === 'function');
    if (hooks.length === 0) return undefined;
    return new ReceiptRecorder(hooks, { gateway: this.client.gatewayUrl, listingId: listing.listing_id, service: listing.service, method, path });
  }

  /**
   * Hands a settled receipt to the hooks, with a way to verify it again against other keys
   * (the same checks: `scope` says whether the response bytes are bound).
   */
  #record(
    prepared: Prepared,
    credential: string | undefined,
    input: Omit<SettleInput, 'expected'>,
    settlement: Settlement,
    at: Pick<ReceiptCallDetails, 'status' | 'idempotencyKey' | 'outcome'>,
    scope: 'full' | 'request',
  ): void {
    if (!prepared.recorder) return;
    const reverify: ReceiptEvent['reverify'] = async (keys) => {
      const set = keys instanceof KeySet ? keys : KeySet.fromDocument(keys);
      const again = await this.#settle({ ...prepared, recorder: undefined }, credential, { ...input, verify: verifierFor(set, scope) });
      return again.receiptVerdict ?? { valid: false, reason: 'no_keys', message: 'no receipt to verify' };
    };
    prepared.recorder.add(settlement, at, reverify);
  }

  /** Builds the result of a non-stream call from its bytes, settling its receipt. */
  async #result(prepared: Prepared, res: APIResponse<unknown>): Promise<{ result: CallResult<unknown>; unparsed: boolean }> {
    const { response } = res;
    const bytes = res.data as Uint8Array;
    const contentType = response.headers.get('content-type');
    const input: Omit<SettleInput, 'expected'> = {
      rawReceipt: rawReceiptHeader(response.headers),
      claimedShield: parseShieldHeaders(response.headers),
      request: prepared.sent,
      response: bytes,
      verify: prepared.verify,
      receiptExpected: prepared.receiptExpected,
      unverified: prepared.unverified,
    };
    const settlement = await this.#settle(prepared, credentialOf(response), input);
    this.#record(prepared, credentialOf(response), input, settlement, { status: response.status, idempotencyKey: res.idempotencyKey ?? null, outcome: 'answered' }, 'full');
    const decoded = decodeBody(bytes, contentType);
    const result: CallResult<unknown> = {
      status: response.status,
      headers: response.headers,
      body: decoded.body,
      rawBody: bytes,
      contentType,
      ...settlement,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      idempotencyKey: res.idempotencyKey ?? null,
      listing: prepared.listing,
    };
    return { result, unparsed: decoded.unparsed };
  }

  /** Whether the gateway replays paid calls by key (read once per client from `/health`). */
  async #replays(): Promise<boolean> {
    return (await this.client.extensions().catch(() => NO_EXTENSIONS)).has('idempotency');
  }

  /**
   * Settles a receipt with what this client knows about the token that made the call: the
   * lowest receipt version it may carry (3 once the gateway signed v3 for it, or advertises
   * `receipt_v3`) and, for a v1/v2 receipt, the wallet it must name. Remembers a v3 receipt.
   */
  async #settle(prepared: Prepared, credential: string | undefined, input: Omit<SettleInput, 'expected'>): Promise<Settlement> {
    const version = receiptVersionOf(input.rawReceipt);
    const advertised = (await this.client.extensions().catch(() => NO_EXTENSIONS)).has('receipt_v3');
    const seenV3 = credential !== undefined && this.#v3Tokens.has(credential);
    const minVersion: 1 | 3 = seenV3 || (advertised && !this.client.allowLegacyReceipts) ? 3 : 1;
    const buyerWallet = version !== undefined && version < 3 ? await this.#walletFor(credential) : undefined;
    const settlement = await settleReceipt({ ...input, expected: { ...prepared.expected, minVersion, buyerWallet } });
    const verdict = settlement.receiptVerdict;
    if (credential !== undefined && settlement.receipt?.receipt_version === 3 && (isUnverified(verdict) || verdict?.valid === true)) this.#v3Tokens.add(credential);
    return settlement;
  }

  /**
   * The wallet v1/v2 receipts of this token must name: the `buyerWallet` option, else `GET /v1/me`
   * once per token (a refusal is kept as "unknown"; a failure to reach it is asked again next time).
   */
  #walletFor(credential: string | undefined): Promise<string | undefined> {
    if (this.client.buyerWallet !== undefined) return Promise.resolve(this.client.buyerWallet);
    if (credential === undefined) return Promise.resolve(undefined);
    const known = this.#wallets.get(credential);
    if (known) return known;
    const learning = this.client.request<unknown>({ method: 'GET', path: '/v1/me', maxRetries: 1 }).then(
      (res) => {
        const wallet = (res.data as { wallet?: unknown } | undefined)?.wallet;
        const found = typeof wallet === 'string' && /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(wallet) ? wallet : undefined;
        const answeredFor = credentialOf(res.response);
        // A rotating apiKey may have answered for another token: keep it there, ask again for this one.
        if (answeredFor !== credential) {
          if (answeredFor !== undefined) this.#wallets.set(answeredFor, Promise.resolve(found));
          this.#wallets.delete(credential);
          return undefined;
        }
        return found;
      },
      (error: unknown) => {
        if (!(error instanceof APIError && error.status !== undefined && error.status < 500)) this.#wallets.delete(credential);
        return undefined;
      },
    );
    this.#wallets.set(credential, learning);
    return learning;
  }

  /**
   * Calls an SSE listing and returns once the headers arrive. Iterate the result for events (pulled
   * from the network one read at a time); the receipt and verdicts are in `await stream.finished()`
   * after the final `proxygate.receipt` event (or from the receipt header on the public gateway).
   * `stream.abort()` (or the signal) cancels the read. The raw event-stream bytes are kept until
   * the end, since `response_sha256` covers all of them.
   */
  stream = async (listing: ListingRef, path: string, options: PaidCallOptions = {}): Promise<CallStream> => {
    const prepared = await this.#prepare(listing, path, options);
    const controller = new AbortController();
    const signal = anySignal([options.signal, controller.signal]);
    let res: APIResponse<unknown>;
    try {
      res = await this.#send(prepared, { ...options, signal }, true);
    } catch (error) {
      throw prepared.recorder ? await prepared.recorder.failed(error) : error;
    }
    const replaySafe = await this.#replays();
    const withKey = { ...prepared, idempotencyKey: res.idempotencyKey };
    const credential = credentialOf(res.response);
    const status = res.response.status;
    const keys = this.#pinnedKeys();
    const settle = async (given: Omit<SettleInput, 'expected'>): Promise<Settlement> => {
      // A cut stream's receipt (from the headers) binds the request only: the body is incomplete.
      const whole = given.checkResponse !== false;
      const input = whole || !given.verify || !keys ? given : { ...given, verify: verifierFor(keys, 'request') };
      const settlement = await this.#settle(withKey, credential, input);
      this.#record(withKey, credential, input, settlement, { status, idempotencyKey: res.idempotencyKey ?? null, outcome: whole ? 'answered' : 'failed' }, whole ? 'full' : 'request');
      return settlement;
    };
    return new CallStream(res.response, withKey, controller, signal, replaySafe ? null : res.sentAt, settle);
  };

  /**
   * Resolves a reference to a listing (see `catalog.get`): one lookup per reference per client,
   * shared by concurrent calls and kept for {@link LISTING_TTL_MS} so price checks do not go stale.
   */
  resolveListing(ref: ListingRef, signal?: AbortSignal): Promise<Listing> {
    if (typeof ref !== 'string') return Promise.resolve(ref);
    const now = Date.now();
    const key = ref.trim();
    let entry = this.#listings.get(key);
    if (!entry || entry.expires <= now) {
      // Shared, so no single caller's signal may cancel it; each caller races its own below.
      const listing = lookupListing(this.client, key).then((res) => res.data);
      entry = { listing, expires: now + LISTING_TTL_MS };
      this.#listings.set(key, entry);
      const cached = entry;
      listing.then(
        (found) => {
          const aliases = [found.listing_id, found.seller_slug ? `${found.seller_slug}/${found.slug}` : undefined];
          for (const alias of aliases) if (alias !== undefined && alias !== key) this.#listings.set(alias, cached);
        },
        () => {
          if (this.#listings.get(key) === cached) this.#listings.delete(key);
        },
      );
    }
    return raceSignal(entry.listing, signal);
  }

  async #prepare(ref: ListingRef, upstreamPath: string, options: PaidCallOptions): Promise<Prepared> {
    // Every local check first: nothing at all (not even the catalog lookup) goes out for a call that cannot be made.
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
    const encoded = encodeBody(options.body);
    const method = checkMethod(options.method ?? (encoded.bytes ? 'POST' : 'GET'), PAID_CALL_METHODS);
    if (encoded.bytes && method === 'GET') throw new InvalidRequestError('body', 'a GET call cannot carry a body');
    const held = this.client.knownScopes;
    if (held && !hasScope(held, 'trade')) throw InsufficientScopeError.missing('trade', held);

    const listing = await this.resolveListing(ref, options.signal);
    const price = callPrice(listing, split.path, shield === 'off');
    if (maxCost !== undefined) {
      if (price.bounded && BigInt(price.microUsd) > maxCost) throw new MaxCostExceededError(listing, BigInt(price.microUsd), maxCost, shield);
      if (!price.bounded && options.allowUnboundedCost !== true) throw new UnboundedCostError(listing, maxCost, price.reason);
    }

    const keys = this.#pinnedKeys();
    const verify: ReceiptVerifier | undefined = keys && options.verifyReceipt !== false ? verifierFor(keys, 'full') : undefined;
    const unverified = keys && options.verifyReceipt === false ? 'not verified: the call passed verifyReceipt: false' : undefined;
    return {
      listing,
      method,
      sent: { method, path: split.path, query, body: encoded.bytes },
      shield,
      idempotencyKey: options.idempotencyKey,
      contentType: encoded.contentType,
      // A free call (known price 0) may come without a receipt; anything else must bring one.
      receiptExpected: !(price.bounded && price.microUsd === 0),
      verify,
      unverified,
      recorder: this.#recorder(listing, method, split.path, options),
      expected: { listingId: listing.listing_id, service: listing.service, buyer: this.client.knownTokenId, maxCost, shieldMode: shield },
    };
  }

  /** Sends through the client's one retry loop (the body read included, unless streaming). */
  async #send(prepared: Prepared, options: PaidCallOptions, streaming: boolean) {
    const { listing, sent } = prepared;
    const headers: Record<string, string> = {};
    if (prepared.contentType) headers['content-type'] = prepared.contentType;
    headers['accept'] = streaming ? 'text/event-stream' : 'application/json, */*;q=0.8';
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    headers['x-proxygate-shield'] = prepared.shield;
    try {
      return await this.client.request<unknown>({
        method: sent.method as 'GET',
        path: `${encodePath`/proxy/${listing.service}`}${sent.path}?${queryString(listing.listing_id, sent.query)}`,
        rawBody: sent.body,
        headers,
        ...(prepared.idempotencyKey !== undefined ? { idempotencyKey: prepared.idempotencyKey } : {}),
        requiredScope: 'trade',
        signal: options.signal,
        timeout: options.timeout,
        maxRetries: options.maxRetries,
        ...(streaming ? { stream: true } : { bytes: true }),
      });
    } catch (error) {
      throw await this.#explainFailure(error, prepared);
    }
  }

  /**
   * Attaches the decoded, verified receipt of a charged (or refunded) failure to the error, so a
   * strict block, an upstream error status or a body lost after the charge never loses its
   * receipt. A block's unsigned claims (refund, score, flags) become facts only where a verified
   * receipt says the same, and a 422 whose body was damaged on the way is still a
   * `ShieldBlockedError` when its signed v3 receipt says `blocked`.
   */
  async #explainFailure(error: unknown, prepared: Prepared): Promise<unknown> {
    if (!(error instanceof ProxygateError)) return error;
    const headers = responseHeadersOf(error);
    if (!headers) return error;
    const rawReceipt = rawReceiptHeader(headers);
    if (rawReceipt === undefined && !(error instanceof ShieldBlockedError)) return error;
    const keys = this.#pinnedKeys();
    // The upstream body is not at hand as bytes (blocked: never delivered; lost: cut off), so only the request side is bound.
    const verify: ReceiptVerifier | undefined = prepared.verify && keys ? verifierFor(keys, 'request') : undefined;
    const input: Omit<SettleInput, 'expected'> = {
      rawReceipt,
      claimedShield: error instanceof ShieldBlockedError ? blockedShield(headers, error) : parseShieldHeaders(headers),
      request: prepared.sent,
      response: new Uint8Array(0),
      verify,
      receiptExpected: false,
      checkResponse: false,
      unverified: prepared.unverified,
    };
    const settlement = await this.#settle(prepared, credentialOf(error), input);
    const verified = settlement.receiptVerdict?.valid === true;
    const signedShield = settlement.receipt?.receipt_version === 3 ? shieldFromSigned(settlement.receipt.shield) : null;
    let failure: ProxygateError = error;
    if (!(error instanceof ShieldBlockedError) && error instanceof APIError && error.status === 422 && signedShield?.action === 'blocked' && (verified || isUnverified(settlement.receiptVerdict))) {
      failure = rebuildAsBlock(error, headers);
    }
    this.#record(prepared, credentialOf(error), input, settlement, {
      status: error instanceof APIError ? (error.status ?? null) : null,
      idempotencyKey: error.idempotencyKey ?? prepared.idempotencyKey ?? null,
      outcome: failure instanceof ShieldBlockedError ? 'blocked' : 'failed',
    }, 'request');
    const details: PaidCallErrorDetails = {
      receipt: settlement.receipt,
      rawReceipt: settlement.rawReceipt,
      receiptVerdict: settlement.receiptVerdict,
      shield: settlement.shield,
      cost: settlement.cost,
      requestId: settlement.requestId ?? error.requestId ?? null,
      receiptVerified: verified,
    };
    if (failure instanceof ShieldBlockedError) {
      if (verified && settlement.receipt && settlement.cost !== null) {
        failure.settle({ amount: settlement.cost, shield: signedShield ?? undefined });
      }
      const extra: Pick<ShieldBlockedDetails, 'refundReceipt' | 'refundReceiptVerdict'> = {
        refundReceipt: settlement.receipt,
        refundReceiptVerdict: settlement.receiptVerdict,
      };
      Object.assign(failure, details, extra);
    } else {
      Object.assign(failure, details);
    }
    return failure;
  }
}

/** A receipt verifier against `keys`: the request and (`full`) the response bytes bound. */
function verifierFor(keys: KeySet, scope: 'full' | 'request'): ReceiptVerifier {
  return (receipt, content) =>
    verifyReceipt(receipt, {
      keys,
      content: {
        request: { method: content.request.method, path: content.request.path, query: content.request.query, body: content.request.body },
        ...(scope === 'full' ? { response: content.response } : {}),
      },
    });
}

/**
 * An answer damaged on the way: a charged call without its receipt, a v3 `response_sha256` that
 * does not match the bytes, or (no v3 receipt to tell) a JSON content type that does not parse.
 * An upstream that really answered broken JSON under a matching v3 hash is not damage.
 */
function isDamaged(result: CallResult<unknown>, unparsed: boolean, receiptExpected: boolean): boolean {
  if (receiptExpected && result.rawReceipt === null) return true;
  const verdict = result.receiptVerdict;
  if (verdict && !verdict.valid && verdict.field === 'response_sha256') return true;
  return unparsed && result.receipt?.receipt_version !== 3;
}

/** The receipt version of a header value, without settling it (undefined when it does not parse). */
function receiptVersionOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeReceiptHeader(raw).receipt_version ?? 1;
  } catch (error) {
    if (error instanceof ReceiptParseError) return undefined;
    throw error;
  }
}

/** The same answer as a `ShieldBlockedError` (the signed receipt says the shield blocked it), keeping the call's recovery marks. */
function rebuildAsBlock(error: APIError, headers: Headers): ShieldBlockedError {
  const block = new ShieldBlockedError({ status: 422, headers, body: error.body });
  block.message = `${block.message} (the error body was damaged; the signed receipt says the shield blocked the response)`;
  if (error.recovery !== undefined) markPaidCall(block, { idempotencyKey: error.idempotencyKey, recovery: error.recovery });
  attachResponseHeaders(block, headers);
  attachCredential(block, credentialOf(error));
  return block;
}

/** A 422 block's verdict: the headers' (the public gateway sends no action header: a block is `blocked`), else the body's. */
function blockedShield(headers: Headers, error: ShieldBlockedError): ShieldVerdict | null {
  const fromHeaders = parseShieldHeaders(headers);
  if (!fromHeaders) return blockBodyShield(error);
  return headers.has(SHIELD_HEADERS.action) ? fromHeaders : { ...fromHeaders, action: 'blocked' };
}

function blockBodyShield(error: ShieldBlockedError): ShieldVerdict | null {
  if (error.score === undefined) return null;
  const scoreBp = Math.round(error.score * 10_000);
  return { mode: 'strict', scoreBp, score: scoreBp / 10_000, flags: [...error.flags], action: 'blocked', source: 'headers' };
}

const rawReceiptHeader = receiptHeader;

interface ReceiptEventData {
  receipt?: unknown;
  shield?: unknown;
}

/**
 * One streaming call. Async-iterable once; events are pulled from the network only as the loop asks.
 */
export class CallStream implements AsyncIterable<ServerSentEvent> {
  readonly status: number;
  readonly headers: Headers;
  readonly listing: Listing;
  /** The key the call carried, or null (see `PaidCallOptions.idempotencyKey`). */
  readonly idempotencyKey: string | null;
  /** The shield verdict the headers announced (the final one comes with the receipt event). */
  readonly headerShield: ShieldVerdict | null;
  /** True when the gateway replayed a stored answer for this idempotency key. */
  readonly replayed: boolean;

  readonly #response: Response;
  readonly #prepared: Prepared;
  readonly #controller: AbortController;
  readonly #signal: AbortSignal | undefined;
  /** When sent, on a gateway that does not replay by key (a broken stream may not be re-sent); else null. */
  readonly #unreplayableSentAt: number | null;
  readonly #settle: (input: Omit<SettleInput, 'expected'>) => Promise<Settlement>;
  #started = false;
  #outcome: Promise<StreamOutcome> | undefined;
  #resolve!: (outcome: StreamOutcome) => void;
  #reject!: (error: unknown) => void;
  readonly #settled: Promise<StreamOutcome>;

  constructor(
    response: Response,
    prepared: Prepared,
    controller: AbortController,
    signal: AbortSignal | undefined,
    unreplayableSentAt: number | null,
    settle: (input: Omit<SettleInput, 'expected'>) => Promise<Settlement>,
  ) {
    this.#response = response;
    this.#settle = settle;
    this.#unreplayableSentAt = unreplayableSentAt;
    this.#prepared = prepared;
    this.#controller = controller;
    this.#signal = signal;
    this.status = response.status;
    this.headers = response.headers;
    this.listing = prepared.listing;
    this.idempotencyKey = prepared.idempotencyKey ?? null;
    this.headerShield = parseShieldHeaders(response.headers);
    this.replayed = response.headers.get('idempotent-replayed') === 'true';
    this.#settled = new Promise<StreamOutcome>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#settled.catch(() => undefined); // observed through finished()
  }

  /** A stream cut off mid-way was charged (its receipt may still be in the headers); how to get it again depends on the gateway. */
  #broken(cause: unknown, what = 'the connection broke during the stream'): ProxygateError {
    const rawReceipt = rawReceiptHeader(this.headers) ?? null;
    if (this.#unreplayableSentAt !== null) {
      const { sent, listing } = this.#prepared;
      const path = `${encodePath`/proxy/${listing.service}`}${sent.path}?${queryString(listing.listing_id, sent.query)}`;
      const record = paidCallRecord(sent.method, path, undefined, this.#unreplayableSentAt, this.idempotencyKey ?? undefined);
      const error = new PaidCallOutcomeUnknownError(record, what, { status: this.status, cause, charged: rawReceipt !== null });
      markPaidCall(error, { idempotencyKey: this.idempotencyKey ?? undefined, recovery: 'check_usage' });
      return Object.assign(error, { rawReceipt });
    }
    const key = this.idempotencyKey ?? '';
    const error = new ConnectionError(`${what[0]!.toUpperCase()}${what.slice(1)}`, cause);
    markPaidCall(error, { idempotencyKey: key, recovery: 'replay', action: `${replayAction(key)} (the whole stream)` });
    return Object.assign(error, { rawReceipt });
  }

  /** Stops the stream: the upstream read is cancelled and iteration ends with a `UserAbortError`. */
  abort(reason?: unknown): void {
    this.#controller.abort(reason ?? new UserAbortError('Stream aborted'));
  }

  /** Resolves after the stream ends with its receipt and verdicts; drains it if nobody iterates. */
  finished(): Promise<StreamOutcome> {
    if (!this.#started && !this.#outcome) {
      this.#outcome = (async () => {
        for await (const _event of this) {
          // draining: the caller only wants the outcome
        }
        return this.#settled;
      })();
    }
    return this.#outcome ?? this.#settled;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ServerSentEvent> {
    if (this.#started) throw new ProxygateError('A CallStream can be iterated only once', { code: 'stream_consumed' });
    this.#started = true;
    const body = this.#response.body;
    const decoder = new SseDecoder(true);
    // Only the gateway's receipt event ends the stream; an earlier one is seller content (it may be
    // injected to cut the stream short), so a receipt event is held until we know nothing follows it.
    let held: PositionedEvent | undefined;
    let delivered = 0;
    let completed = false;
    let failed = false;
    try {
      if (body) {
        for await (const event of readServerSentEvents(body, { signal: this.#signal, decoder })) {
          if (held) {
            delivered++;
            yield consumerEvent(held);
            held = undefined;
          }
          if (event.event === 'proxygate.receipt') {
            held = event;
            continue;
          }
          delivered++;
          yield consumerEvent(event);
        }
      }
      completed = true;
    } catch (error) {
      let failure = this.#signal?.aborted
        ? toAbortError(this.#signal.reason, error)
        : error instanceof ProxygateError
          ? error
          : this.#broken(error);
      failure = await this.#heardBroken(failure);
      failed = true;
      this.#reject(failure);
      throw failure;
    } finally {
      // The consumer left the loop early (break/return): there will be no receipt to wait for,
      // but one the headers already brought (the public gateway's) is still heard.
      if (!completed && !failed) {
        const closed = new UserAbortError('The stream was closed before its receipt arrived');
        this.#reject(await this.#heardBroken(Object.assign(closed, { rawReceipt: rawReceiptHeader(this.headers) ?? null })));
      }
    }
    const receiptEvent = held ? { data: parseReceiptEvent(held.data), start: held.start } : undefined;
    const rawBody = decoder.bytesBefore(receiptEvent ? receiptEvent.start : decoder.bytesSeen);
    const eventShield = receiptEvent ? shieldFromEvent(receiptEvent.data.shield) : null;
    const rawReceipt = typeof receiptEvent?.data.receipt === 'string' ? receiptEvent.data.receipt : rawReceiptHeader(this.headers);
    if (rawReceipt === undefined && this.#prepared.receiptExpected && this.#unreplayableSentAt === null && this.idempotencyKey !== null) {
      // A paid stream ends with its receipt; one that stops without it was cut or damaged on the
      // way, and the gateway replays the whole stream (receipt included) for its key.
      const failure = this.#broken(undefined, 'the stream ended without its receipt');
      this.#reject(failure);
      throw failure;
    }
    const settlement = await this.#settle({
      rawReceipt,
      // SSE headers leave before the body is scanned, so only the event's verdict is a claim to check.
      claimedShield: receiptEvent ? eventShield : this.headerShield,
      request: this.#prepared.sent,
      response: rawBody,
      verify: this.#prepared.verify,
      receiptExpected: this.#prepared.receiptExpected,
      unverified: this.#prepared.unverified,
    });
    const outcome: StreamOutcome = { ...settlement, rawBody, events: delivered };
    try {
      // The onReceipt hooks hear the receipt before the outcome is known to anyone.
      if (this.#prepared.recorder) await this.#prepared.recorder.answered(outcome);
    } catch (hookError) {
      this.#reject(hookError);
      throw hookError;
    }
    this.#resolve(outcome);
  }

  /** A broken stream whose receipt came in the headers: the hooks hear it (request side bound only). */
  async #heardBroken(failure: unknown): Promise<unknown> {
    const recorder = this.#prepared.recorder;
    const rawReceipt = (failure as { rawReceipt?: unknown }).rawReceipt;
    if (!recorder || typeof rawReceipt !== 'string') return failure;
    await this.#settle({
      rawReceipt,
      claimedShield: this.headerShield,
      request: this.#prepared.sent,
      response: new Uint8Array(0),
      verify: this.#prepared.verify,
      receiptExpected: false,
      checkResponse: false,
      unverified: this.#prepared.unverified,
    });
    return recorder.failed(failure);
  }
}

function consumerEvent(event: PositionedEvent): ServerSentEvent {
  const out: ServerSentEvent = { event: event.event, data: event.data };
  if (event.id !== undefined) out.id = event.id;
  if (event.retry !== undefined) out.retry = event.retry;
  return out;
}

function parseReceiptEvent(data: string): ReceiptEventData {
  try {
    const parsed = JSON.parse(data) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ReceiptEventData) : {};
  } catch {
    return {};
  }
}

function toAbortError(reason: unknown, cause: unknown): unknown {
  if (reason instanceof UserAbortError) return reason;
  return new UserAbortError(undefined, reason ?? cause);
}
