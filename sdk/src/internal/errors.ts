// The error base of the SDK and the errors its internal helpers throw (a refused argument, a
// response of the wrong shape, the record of a paid call whose outcome is unknown). Defined here,
// below core/, so internal/ and receipts/ can throw them; public through core/error.ts and the
// package root.
import { redactText, redactValue } from './redact.js';
import { joinSentences } from './text.js';

/**
 * What to do after a paid call failed:
 * - `replay`: call again with `idempotencyKey`; the gateway replays the stored answer without a second charge;
 * - `check_usage`: it may have been charged and the gateway does not replay: look it up (`account.usage`) before calling again;
 * - `retry`: nothing was charged (refused before processing): calling again is safe;
 * - `none`: nothing to recover: the call was refused (fix the request), or it completed and its receipt is attached.
 */
export type PaidCallRecovery = 'replay' | 'check_usage' | 'retry' | 'none';

/**
 * What an error's `toJSON` returns: every string redacted as messages are (a path's query, an
 * issue quoting a body, a receipt field) and every `bigint` (micro-USD) as its decimal string, so
 * `JSON.stringify(error)` neither leaks a token nor throws. Every `toJSON` override goes through it.
 */
export function errorJson(fields: Record<string, unknown>, secrets: readonly string[] = []): Record<string, unknown> {
  const plain: unknown = JSON.parse(JSON.stringify(fields, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
  return redactValue(plain, secrets) as Record<string, unknown>;
}

/** Base of every error the SDK throws. Messages and serialisations never contain a token. */
export class ProxygateError extends Error {
  /** Machine-readable code: the gateway's `error` field, or a local code such as `connection_error`. */
  readonly code: string | undefined;
  /** What the caller can do about it (the gateway's `action`, or a local hint). */
  readonly action: string | undefined;
  /** Gateway request id, when known. */
  readonly requestId: string | undefined;
  /** Gateway trace id (`trace_id`), when known. */
  readonly traceId: string | undefined;
  /** The `Idempotency-Key` the failed paid call was sent with (paid calls only; undefined when none was sent). */
  readonly idempotencyKey: string | undefined;
  /** The recovery step of a failed paid call (paid calls only); `action` says it in words. */
  readonly recovery: PaidCallRecovery | undefined;

  constructor(
    message: string,
    init: { code?: string | undefined; action?: string | undefined; requestId?: string | undefined; traceId?: string | undefined; cause?: unknown } = {},
  ) {
    super(redactText(message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.action = init.action === undefined ? undefined : redactText(init.action);
    this.requestId = init.requestId;
    this.traceId = init.traceId;
    this.idempotencyKey = undefined;
    this.recovery = undefined;
  }

  /**
   * Serialisable view: every string redacted, the cause reduced to its redacted message. A
   * subclass adds its fields through {@link errorJson}. (Only strings here, no deep walk: this
   * base is in the receipt verifier's bundle, through `KeySetError`.)
   */
  toJSON(): Record<string, unknown> {
    const cause = (this as { cause?: unknown }).cause;
    const fields: Record<string, unknown> = {
      name: this.name,
      message: this.message,
      code: this.code,
      action: this.action,
      requestId: this.requestId,
      traceId: this.traceId,
      ...(this.recovery !== undefined ? { idempotencyKey: this.idempotencyKey, recovery: this.recovery } : {}),
      ...(cause instanceof Error ? { cause: `${cause.name}: ${cause.message}` } : {}),
    };
    for (const [name, value] of Object.entries(fields)) if (typeof value === 'string') fields[name] = redactText(value);
    return fields;
  }
}

/**
 * @internal Records how a failed paid call can be recovered: its key, the step, and the step in
 * words as the error's `action` (kept when the error already names one and the step is `none`).
 */
export function markPaidCall<E extends ProxygateError>(error: E, init: { idempotencyKey: string | undefined; recovery: PaidCallRecovery; action?: string | undefined }): E {
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(error, name, { value, enumerable: true, configurable: true, writable: false });
  };
  define('idempotencyKey', init.idempotencyKey);
  define('recovery', init.recovery);
  if (init.action !== undefined) define('action', redactText(init.action));
  return error;
}

/** A local check refused the request before anything was sent (bad option, header, body or URL). */
export class InvalidRequestError extends ProxygateError {
  /** The option or argument at fault (`maxCost`, `method`, `body`, `headers.content-length`, `gatewayUrl`, ...). */
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(joinSentences(`${argument}: ${message}`, 'nothing was sent', '; '), { code: 'invalid_request', action: `Fix ${argument} and call again` });
    this.argument = argument;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), argument: this.argument });
  }
}

/** What a person needs to find a paid call whose outcome the SDK could not learn. */
export interface PaidCallRecord {
  method: string;
  /** The gateway path, e.g. `/proxy/weather/current?listing=...`. */
  path: string;
  service: string | null;
  /** The listing id sent in `?listing=`. */
  listingId: string | null;
  /** When the request that may have been charged was sent (ISO 8601, client clock). */
  sentAt: string;
  /** The idempotency key it carried, if any (meaningful only where the gateway advertises `idempotency`). */
  idempotencyKey: string | null;
  /** Arguments for `account.usage()` that list it (from five minutes before `sentAt`, for clock skew). */
  usageQuery: { service?: string; from: string };
}

/** One validation problem, free of zod types. */
export interface ValidationIssue {
  path: readonly (string | number)[];
  message: string;
  code: string;
}

/** A response did not match the expected shape (or a local value broke a rule, e.g. unsafe money). */
export class ValidationError extends ProxygateError {
  readonly issues: readonly ValidationIssue[];
  /** The value as received, so callers can still inspect it (non-enumerable and never serialised). */
  declare readonly value: unknown;

  constructor(message: string, issues: readonly ValidationIssue[], value: unknown, requestId?: string, init: { code?: string; action?: string } = {}) {
    super(message, {
      code: init.code ?? 'validation_error',
      action: init.action ?? 'Upgrade the SDK, or set `validation: \'off\'` to accept the raw body',
      requestId,
    });
    this.issues = issues;
    Object.defineProperty(this, 'value', { value, enumerable: false });
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), issues: this.issues });
  }
}

/**
 * A success answer whose content type says JSON but whose body does not parse (cut or damaged on
 * the way, or a broken gateway or upstream): not a schema mismatch. `value` is the text as
 * received (non-enumerable); `responseStatus` the answer's status (a success, so not named
 * `status`, which on `APIError` is an error status); `requestId` the gateway's, when sent.
 */
export class InvalidJsonError extends ValidationError {
  readonly responseStatus: number;

  constructor(what: string, status: number, reason: string, text: string, requestId?: string, action?: string) {
    const id = requestId ? ` (request id ${requestId})` : '';
    super(`The ${status} answer to ${what} is not valid JSON: ${reason}${id}`, [{ path: [], message: reason, code: 'invalid_json' }], text, requestId, {
      code: 'invalid_json',
      action: action ?? 'Retry (the body was damaged on the way, or the gateway sent broken JSON); asResponse() hands over the text as received',
    });
    this.responseStatus = status;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), responseStatus: this.responseStatus });
  }
}
