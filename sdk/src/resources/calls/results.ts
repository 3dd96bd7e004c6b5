// What a paid call gives back: its result, a stream's outcome, and the receipt facts an error
// thrown after the charge carries.
import type { Receipt } from '../../receipts/types.js';
import type { ShieldVerdict } from '../../shield/verdict.js';
import type { APIPromise } from '../../core/api-promise.js';
import type { Listing } from '../models.js';
import type { BodySchema, ListingRef, PaidCallOptions } from './options.js';
import type { PaidReceiptVerdict } from './receipt-verdict.js';
import type { Settlement } from './settle.js';

/** What every paid call's result carries besides its body (see {@link CallResult}). */
export interface CallResultBase {
  status: number;
  headers: Headers;
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
  /**
   * Amount charged, in integer micro-USD (1e-6 USD), from the receipt's `amount`; null when no
   * receipt parsed. Always a `bigint`, exact for any amount a receipt can sign (v3 amounts are
   * integer strings of any size) and the type the money helpers take: `formatUsd(cost)`,
   * `sumMicroUsd(costs)`. `Number(cost)` is exact up to 2^53 micro-USD (about $9 billion); for
   * JSON write `cost.toString()`.
   */
  cost: bigint | null;
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

/** A result whose body decoded as its content type says: JSON-parsed when JSON, else text. */
export interface ParsedCallResult<T = unknown> extends CallResultBase {
  /**
   * JSON-parsed when the content type is JSON, else the text as received. Typed as the call's
   * `schema` (checked) or the `T` you give (only asserted: nothing checks it, and a content type
   * that is not JSON gives a `string` whatever `T` says; see {@link CallResult}).
   */
  body: T;
  /** Null: the body decoded. */
  bodyParseError: null;
}

/**
 * A result whose content type says JSON but whose body does not parse, or is empty: damaged on the
 * way (on a gateway that replays by key, fetched again first, at no extra charge) or broken upstream. The
 * call was made and charged: the receipt, its verdict and the cost are here as on any result.
 */
export interface UnparsedCallResult extends CallResultBase {
  /** The text as received (`rawBody` decoded as UTF-8), never the type the call was asked for. */
  body: string;
  /** Why the body did not parse (the JSON parser's message, or that it is empty). */
  bodyParseError: string;
}

/**
 * What a paid call resolves to: the upstream answer with its receipt (raw and parsed), verdicts
 * and cost. `body` is typed `T` only once `bodyParseError` is checked: a JSON answer that does not
 * parse resolves too (it was charged; its receipt must not be lost), with `body` the text as
 * received and `bodyParseError` saying why, so the compiler will not let it pass as a `T`:
 *
 * ```ts
 * const result = await pg.call<Weather>('skycast/weather-current', '/current', { query: { city: 'Oslo' } });
 * if (result.bodyParseError !== null) throw new Error(`damaged answer (${result.bodyParseError}); receipt kept: ${result.rawReceipt}`);
 * result.body.temperature; // Weather
 * ```
 *
 * With a `schema` the call resolves to a {@link ParsedCallResult} (an unparsed body rejects with
 * `InvalidJsonError`, the charged result on `error.result`).
 *
 * Without a `schema`, `T` is your word for what the JSON body is: the SDK checks that it is JSON,
 * not that it is a `T`. A listing whose content type is not JSON (`text/plain`, `text/html`)
 * answers its text, a `string`, with `bodyParseError: null`: call it as `pg.call<string>()` (or
 * leave `T` out and check `result.contentType`), or give a `schema`, which is handed that text
 * (a mismatch rejects with `ValidationError`, the charged result on `error.result`).
 */
export type CallResult<T = unknown> = ParsedCallResult<T> | UnparsedCallResult;

/** `pg.call`: with a `schema` the body is checked, so the result is a {@link ParsedCallResult}. */
export interface CallFunction {
  <T>(listing: ListingRef, path: string, options: PaidCallOptions<T> & { schema: BodySchema<T> }): APIPromise<ParsedCallResult<T>>;
  <T = unknown>(listing: ListingRef, path: string, options?: PaidCallOptions<T>): APIPromise<CallResult<T>>;
}

/** What a finished stream proved. */
export interface StreamOutcome extends Settlement {
  /** The event-stream bytes before the last `proxygate.receipt` event (what `response_sha256` covers). */
  rawBody: Uint8Array;
  /** Events delivered to the consumer (the gateway's final receipt event excluded; earlier ones are seller content). */
  events: number;
}

/**
 * Fields attached to an error thrown by a paid call whose answer carried a receipt: the gateway
 * charged and passed an upstream error status through (or refunded a shield block). The response
 * is only bound on the request side here (the error body was parsed, not kept as bytes). The
 * error's `requestId` is the receipt's when it parsed. `ShieldBlockedError` declares these fields
 * itself (null until a paid call settles its receipt).
 */
export interface PaidCallErrorDetails {
  receipt: Receipt | null;
  /** The receipt exactly as sent, or null when none came. */
  rawReceipt: string | null;
  receiptVerdict: PaidReceiptVerdict | null;
  /** The signed verdict when present, else the headers' (or the block body's). */
  shield: ShieldVerdict | null;
  /** The receipt's amount in micro-USD (see `CallResult.cost`): a fact only when `receiptVerified`. */
  cost: bigint | null;
  /** True when the receipt verified against the pinned keys: `cost` (and a v3 `shield`) are signed facts. */
  receiptVerified: boolean;
}

/** Extra fields of a `ShieldBlockedError` thrown by a paid call. */
export interface ShieldBlockedDetails extends PaidCallErrorDetails {
  /** The refund receipt (`amount: "0"`, `shield.action: "blocked"`), when the gateway sent one. */
  refundReceipt: Receipt | null;
  refundReceiptVerdict: PaidReceiptVerdict | null;
}
