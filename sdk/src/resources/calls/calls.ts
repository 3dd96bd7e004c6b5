// Paid calls through the gateway: `{METHOD} /proxy/{service}{path}?listing=...`. The body is sent
// as exact bytes and the response read as exact bytes, so the v3 receipt's request_sha256 /
// response_sha256 can be checked against what really crossed the wire. This file is the pipeline;
// the pieces it runs are its neighbours (prepare, wire, settle, failure, stream, receipt-hook).
import { APIPromise } from '../../core/api-promise.js';
import type { APIResponse, HeadersInit } from '../../core/client.js';
import { markPaidCall, ProxygateError } from '../../core/error.js';
import { NO_EXTENSIONS } from '../../core/extensions.js';
import { replayAction } from '../../core/paid-recovery.js';
import { credentialOf } from '../../internal/credential.js';
import { receiptHeader } from '../../internal/paid-call.js';
import { parseShieldHeaders } from '../../shield/verdict.js';
import type { Listing } from '../models.js';
import { APIResource } from '../resource.js';
import { explainFailure, type FailureContext } from './failure.js';
import { ListingCache } from './listing-cache.js';
import type { ListingRef, PaidCallOptions } from './options.js';
import { checkCall, checkCost, type Prepared } from './prepare.js';
import { ReceiptRecorder, type ReceiptCallDetails, type ReceiptEvent, type ReceiptHook } from './receipt-hook.js';
import { noKeysVerdict } from './receipt-verdict.js';
import type { CallFunction, CallResult } from './results.js';
import { settleReceipt, type ReceiptVerifier, type SettleInput, type Settlement } from './settle.js';
import { anySignal } from '../../core/signals.js';
import { CallStream } from './stream.js';
import { TokenFacts } from './token-facts.js';
import { PinnedKeys, toKeySet, verifierFor } from './verifier.js';
import { checkBody, decodeBody, gatewayPath } from './wire.js';

type AnsweredAt = Pick<ReceiptCallDetails, 'status' | 'idempotencyKey' | 'outcome'>;

/** Paid calls (`client.call`, `client.calls.stream`). */
export class Calls extends APIResource {
  readonly #listings = new ListingCache(this.client);
  readonly #keys = new PinnedKeys(() => this.client.keys);
  readonly #tokens = new TokenFacts(this.client);

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
   * with the same key, within the retry budget, at no extra charge. A JSON body that still does
   * not parse (or is empty) resolves as an `UnparsedCallResult` (`bodyParseError` set, `body` its text): check
   * `bodyParseError` before reading `body` as `T` (see `CallResult`); with a `schema` it rejects
   * with `InvalidJsonError`, the result attached.
   *
   * The promise also has `.withResponse()` (the result with the `Response`, status, headers and
   * request id) and `.asResponse()` (the raw `Response`, its body the exact upstream bytes). Both
   * resolve only after the receipt was settled and handed to the `onReceipt` hooks: a paid call's
   * receipt is never skipped, whichever view is asked for. A body that fails `schema` still
   * resolves `asResponse()` (awaiting rejects with `ValidationError`).
   */
  // One body for both signatures: `checkBody` is what makes the schema's result a ParsedCallResult.
  call: CallFunction = (<T = unknown>(listing: ListingRef, path: string, options: PaidCallOptions<T> = {}): APIPromise<CallResult<T>> => {
    return APIPromise.select(this.#settledCall(listing, path, options), (result) => (options.schema ? checkBody(result, options.schema) : (result as CallResult<T>)));
  }) as CallFunction;

  /** The whole pipeline of a non-stream call, receipt settled and heard, as an answer the promise views read. */
  async #settledCall(listing: ListingRef, path: string, options: PaidCallOptions<unknown>): Promise<APIResponse<CallResult<unknown>>> {
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
      const result = await this.#result(prepared, res);
      budget -= res.retries;
      if (budget > 0 && res.idempotencyKey !== undefined && isDamaged(result, prepared.receiptExpected) && (await this.#replays())) {
        // The gateway stored the answer under this key: fetching it again costs nothing.
        budget -= 1;
        idempotencyKey = res.idempotencyKey;
        refetching = true;
        continue;
      }
      if (prepared.recorder) await prepared.recorder.answered(result);
      return { ...res, data: result, requestId: result.requestId ?? res.requestId };
    }
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
    const keys = this.#keys.get();
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
    return this.#listings.resolve(ref, signal);
  }

  /**
   * @internal Starts resolving `ref` for a call about to be made (the CLI, while it reads the
   * gateway's extensions), without waiting: the call then finds it under way or done. A failure is
   * the call's, reported once, as if the call had looked the listing up itself. The returned lookup
   * (its rejection handled) can be read after the call without a second request.
   */
  prefetchListing(ref: string): Promise<Listing> {
    return this.#listings.prefetch(ref);
  }

  async #prepare(ref: ListingRef, upstreamPath: string, options: PaidCallOptions): Promise<Prepared> {
    const call = checkCall(ref, upstreamPath, options, this.client.knownScopes);
    const listing = await this.resolveListing(ref, options.signal);
    const { receiptExpected } = checkCost(listing, call, options.allowUnboundedCost);
    const keys = this.#keys.get();
    const verify: ReceiptVerifier | undefined = keys && options.verifyReceipt !== false ? verifierFor(keys, 'full') : undefined;
    const unverified = keys && options.verifyReceipt === false ? 'not verified: the call passed verifyReceipt: false' : undefined;
    return {
      listing,
      method: call.method,
      sent: { method: call.method, path: call.path, query: call.query, body: call.body },
      shield: call.shield,
      idempotencyKey: options.idempotencyKey,
      contentType: call.contentType,
      receiptExpected,
      verify,
      unverified,
      recorder: this.#recorder(listing, call.method, call.path, options),
      expected: { listingId: listing.listing_id, service: listing.service, buyer: this.client.knownTokenId, maxCost: call.maxCost, shieldMode: call.shield },
    };
  }

  /** Sends through the client's one retry loop (the body read included, unless streaming). */
  async #send(prepared: Prepared, options: PaidCallOptions, streaming: boolean): Promise<APIResponse<unknown>> {
    const { listing, sent } = prepared;
    const headers: HeadersInit = {};
    if (prepared.contentType) headers['content-type'] = prepared.contentType;
    headers['accept'] = streaming ? 'text/event-stream' : 'application/json, */*;q=0.8';
    // null removes a header (the client's default too); undefined is as if not given.
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
    headers['x-proxygate-shield'] = prepared.shield;
    try {
      return await this.client.request<unknown>({
        method: sent.method as 'GET',
        path: gatewayPath(listing, sent),
        rawBody: sent.body,
        headers,
        ...(prepared.idempotencyKey !== undefined ? { idempotencyKey: prepared.idempotencyKey } : {}),
        requiredScope: 'trade',
        signal: options.signal,
        timeout: options.timeout,
        maxRetries: options.maxRetries,
        fetchOptions: options.fetchOptions,
        ...(streaming ? { stream: true } : { bytes: true }),
      });
    } catch (error) {
      throw await explainFailure(error, prepared, this.#failureContext());
    }
  }

  #failureContext(): FailureContext {
    return {
      keys: this.#keys.get(),
      settle: (prepared, credential, input) => this.#settle(prepared, credential, input),
      record: (prepared, credential, input, settlement, at, scope) => this.#record(prepared, credential, input, settlement, at, scope),
    };
  }

  /** Builds the result of a non-stream call from its bytes, settling its receipt. */
  async #result(prepared: Prepared, res: APIResponse<unknown>): Promise<CallResult<unknown>> {
    const { response } = res;
    const bytes = res.data as Uint8Array;
    const contentType = response.headers.get('content-type');
    const input: Omit<SettleInput, 'expected'> = {
      rawReceipt: receiptHeader(response.headers),
      claimedShield: parseShieldHeaders(response.headers),
      request: prepared.sent,
      response: bytes,
      verify: prepared.verify,
      receiptExpected: prepared.receiptExpected,
      unverified: prepared.unverified,
    };
    const credential = credentialOf(response);
    const settlement = await this.#settle(prepared, credential, input);
    this.#record(prepared, credential, input, settlement, { status: response.status, idempotencyKey: res.idempotencyKey ?? null, outcome: 'answered' }, 'full');
    return {
      status: response.status,
      headers: response.headers,
      ...decodeBody(bytes, contentType),
      rawBody: bytes,
      contentType,
      ...settlement,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      idempotencyKey: res.idempotencyKey ?? null,
      listing: prepared.listing,
    };
  }

  /** Whether the gateway replays paid calls by key (read once per client from `/health`). */
  async #replays(): Promise<boolean> {
    return (await this.client.extensions().catch(() => NO_EXTENSIONS)).has('idempotency');
  }

  /**
   * Settles a receipt with what this client knows about the token that made the call: the
   * lowest receipt version it may carry and, for a v1/v2 receipt, the wallet it must name.
   */
  async #settle(prepared: Prepared, credential: string | undefined, input: Omit<SettleInput, 'expected'>): Promise<Settlement> {
    const minVersion = await this.#tokens.minVersion(credential);
    const settlement = await settleReceipt({ ...input, expected: { ...prepared.expected, minVersion }, walletOf: () => this.#tokens.walletFor(credential) });
    this.#tokens.settled(credential, settlement);
    return settlement;
  }

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
  #record(prepared: Prepared, credential: string | undefined, input: Omit<SettleInput, 'expected'>, settlement: Settlement, at: AnsweredAt, scope: 'full' | 'request'): void {
    if (!prepared.recorder) return;
    const reverify: ReceiptEvent['reverify'] = async (keys) => {
      const again = await this.#settle({ ...prepared, recorder: undefined }, credential, { ...input, verify: verifierFor(toKeySet(keys), scope) });
      return again.receiptVerdict ?? noKeysVerdict('no receipt to verify');
    };
    prepared.recorder.add(settlement, at, reverify);
  }
}

/**
 * An answer damaged on the way: a charged call without its receipt, a v3 `response_sha256` that
 * does not match the bytes, or (no v3 receipt to tell) a JSON content type that does not parse.
 * An upstream that really answered broken JSON under a matching v3 hash is not damage.
 */
function isDamaged(result: CallResult<unknown>, receiptExpected: boolean): boolean {
  if (receiptExpected && result.rawReceipt === null) return true;
  const verdict = result.receiptVerdict;
  if (verdict && !verdict.valid && verdict.field === 'response_sha256') return true;
  return result.bodyParseError !== null && result.receipt?.receipt_version !== 3;
}
