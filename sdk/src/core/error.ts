import { parseRetryAfterMs } from '../internal/retry.js';
import { REDACTED, redactHeaders, redactText, redactValue } from '../internal/redact.js';
import { joinSentences } from '../internal/text.js';
import type { Receipt } from '../receipts/types.js';
import type { PaidReceiptVerdict } from '../resources/calls/receipt-verdict.js';
import type { ShieldVerdict } from '../shield/verdict.js';
import { errorJson, InvalidJsonError, InvalidRequestError, markPaidCall, ProxygateError, ValidationError, type PaidCallRecord, type PaidCallRecovery, type ValidationIssue } from '../internal/errors.js';

export { InvalidJsonError, InvalidRequestError, markPaidCall, ProxygateError, ValidationError, type PaidCallRecord, type PaidCallRecovery, type ValidationIssue };

type Json = Record<string, unknown>;

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A value the SDK read from an answer, and whether a verified signed receipt backs it. */
export interface Claim<T> {
  readonly value: T;
  /** True only when a receipt that verified against the pinned keys says so; else an unsigned claim. */
  readonly verified: boolean;
}

/**
 * The gateway answered with a redirect the SDK will not follow: to another origin (the token, a
 * paid request or a catalog answer must never cross to another host), any redirect of a paid call
 * or of a request that is not a GET/HEAD, or more than five hops.
 */
export class RedirectRefusedError extends ProxygateError {
  readonly status: number;
  /** Where it pointed: origin and path only (no query), or null when the runtime hid it. */
  readonly location: string | null;
  readonly reason: 'cross_origin' | 'paid_call' | 'method' | 'too_many' | 'hidden';

  constructor(status: number, location: URL | null, reason: RedirectRefusedError['reason']) {
    const where = location ? `${location.origin}${location.pathname}` : null;
    const why = {
      cross_origin: 'to another origin',
      paid_call: 'of a paid call (a paid request is never sent again elsewhere)',
      method: 'of a request that is not a GET or HEAD',
      too_many: 'beyond five hops',
      hidden: 'whose target this runtime hides (redirect: manual)',
    }[reason];
    super(`The gateway answered ${status}, a redirect ${why}${where ? ` (${where})` : ''}: not followed`, {
      code: 'redirect_refused',
      action: 'Set gatewayUrl to the final gateway origin (no redirect in between)',
    });
    this.status = status;
    this.location = where;
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), status: this.status, location: this.location, reason: this.reason });
  }
}

// The receipt facts a paid call attaches to an error thrown after a receipt arrived
// (`PaidCallErrorDetails`, set by resources/calls/failure.ts; `ShieldBlockedError` declares them).
const PAID_CALL_DETAILS = ['receipt', 'rawReceipt', 'receiptVerdict', 'receiptVerified', 'shield', 'cost'] as const;

/** The receipt facts as the properties hold them, when a paid call attached them (for `toJSON`). */
function paidCallDetails(error: object): Record<string, unknown> {
  if (!Object.prototype.hasOwnProperty.call(error, 'rawReceipt')) return {};
  const record = error as Record<string, unknown>;
  return Object.fromEntries(PAID_CALL_DETAILS.map((name) => [name, record[name] ?? null]));
}

/** Fields of an error answered by the gateway. */
export interface APIErrorInit {
  status: number | undefined;
  headers?: Headers | undefined;
  /** Parsed JSON body, or the raw text when the body was not JSON. */
  body?: unknown;
  message?: string | undefined;
  /** Extra secrets (the client's key) to scrub from what the error keeps. */
  secrets?: readonly string[];
  /** For a 403: the scope(s) the operation likely needs, in words (added to the message). */
  likelyScope?: string | undefined;
}

/** An error answered by the gateway (or decided locally on its behalf, like a missing scope). */
export class APIError extends ProxygateError {
  /** HTTP status; undefined when the SDK decided locally without a request. */
  readonly status: number | undefined;
  /** Response headers, redacted. */
  readonly headers: Record<string, string>;
  /** Parsed response body, redacted. */
  readonly body: unknown;
  /** Documentation link from the gateway, when sent. */
  readonly docs: string | undefined;

  constructor(init: APIErrorInit) {
    const secrets = init.secrets ?? [];
    const body = redactValue(init.body, secrets);
    const json: Json = body && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : {};
    const code = str(json['error']);
    const serverMessage = str(json['message']);
    // "403 insufficient_scope: <gateway message>"; a local decision has no status.
    const head = [init.status, code].filter((part) => part !== undefined).join(' ');
    const detail = serverMessage ?? (typeof body === 'string' && body ? body.slice(0, 500) : undefined);
    const message = init.message ?? ([head, detail].filter((part) => part).join(': ') || 'Gateway error');
    super(redactText(message, secrets), {
      code,
      action: str(json['action']),
      requestId: str(json['request_id']) ?? init.headers?.get('x-request-id') ?? undefined,
      traceId: str(json['trace_id']) ?? init.headers?.get('x-trace-id') ?? undefined,
    });
    this.status = init.status;
    this.headers = redactHeaders(init.headers, secrets);
    this.body = body;
    this.docs = str(json['docs']);
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), ...paidCallDetails(this), status: this.status, docs: this.docs, headers: this.headers, body: this.body });
  }

  /** Builds the most specific error class for a gateway answer. */
  static generate(init: APIErrorInit & { status: number }): APIError {
    const json: Json = init.body && typeof init.body === 'object' ? (init.body as Json) : {};
    const code = str(json['error']);
    const { status } = init;
    if (status === 400) return new BadRequestError(init);
    if (status === 401) return new AuthenticationError(init);
    if (status === 402) return new InsufficientCreditsError(init);
    if (status === 403) {
      const challenge = init.headers?.get('www-authenticate') ?? '';
      if (code === 'insufficient_scope' || /error="?insufficient_scope/i.test(challenge)) return new InsufficientScopeError(init);
      return new PermissionDeniedError(init);
    }
    if (status === 404) return new NotFoundError(init);
    if (status === 409) return new ConflictError(init);
    if (status === 422) {
      if (code === 'response_blocked' || json['code'] === 'shield_blocked') return new ShieldBlockedError(init);
      return new UnprocessableEntityError(init);
    }
    if (status === 429) return new RateLimitError(init);
    if (status >= 500) return new InternalServerError(init);
    return new APIError(init);
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class InsufficientCreditsError extends APIError {}

/**
 * 403: the token may not do this. The public gateway's `forbidden` names no scope, so the SDK adds
 * the scope the operation likely needs (`likelyScope`) to the message.
 */
export class PermissionDeniedError extends APIError {
  /** The scope(s) the operation likely needs, in words (e.g. `"proxy" (public gateway scope) or "trade"`). */
  readonly likelyScope: string | undefined;

  constructor(init: APIErrorInit) {
    super(init);
    this.likelyScope = init.likelyScope;
    if (init.likelyScope !== undefined) this.message = joinSentences(this.message, `This operation likely needs the ${init.likelyScope} scope`);
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), likelyScope: this.likelyScope });
  }
}

/** The token lacks a scope: answered 403 by the gateway, or refused locally before any request. */
export class InsufficientScopeError extends PermissionDeniedError {
  /** The scope to add (from `required_scope`, or `scope="..."` of the WWW-Authenticate challenge). */
  readonly requiredScope: string | undefined;
  /** True when the SDK refused locally and sent nothing. */
  readonly local: boolean;

  constructor(init: APIErrorInit & { requiredScope?: string; local?: boolean }) {
    // It names its scope itself: no guess added to the message.
    super({ ...init, likelyScope: undefined });
    const json: Json = this.body && typeof this.body === 'object' ? (this.body as Json) : {};
    const challenge = init.headers?.get('www-authenticate') ?? '';
    this.requiredScope = init.requiredScope ?? str(json['required_scope']) ?? /scope="([^"]*)"/i.exec(challenge)?.[1];
    this.local = init.local ?? false;
  }

  /** The local refusal: the client knows its token's scopes and `requiredScope` is not among them. */
  static missing(requiredScope: string, held: readonly string[]): InsufficientScopeError {
    return new InsufficientScopeError({
      status: undefined,
      requiredScope,
      local: true,
      body: {
        error: 'insufficient_scope',
        required_scope: requiredScope,
        message: `This token lacks the "${requiredScope}" scope (it has: ${held.join(', ') || 'none'}); nothing was sent`,
        action: `Use a token with the "${requiredScope}" scope`,
      },
    });
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), requiredScope: this.requiredScope, local: this.local });
  }
}

export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class UnprocessableEntityError extends APIError {}

/** What a verified receipt proves about a blocked call (see `ShieldBlockedError.settle`). */
export interface SignedBlock {
  /** The receipt's amount, micro-USD. */
  amount: bigint;
  /** The signed shield verdict (v3 only; v1/v2 sign no verdict). */
  shield?: { scoreBp: number; flags: readonly string[]; action: string } | undefined;
}

/**
 * A strict-shield block (422 `shield_blocked`). The error body is unsigned: its score, flags and
 * refund are claims until a receipt that verified says the same. `blockVerified` tells whether
 * `score` and `flags` are signed (a verified v3 receipt with `shield.action: blocked`), and
 * `refunded` carries its own `verified` (a verified receipt whose amount is 0; a verified receipt
 * charging more makes `refunded.value` false whatever the body says).
 *
 * The receipt fields are those of every paid-call error (`PaidCallErrorDetails`) plus the refund
 * receipt: a paid call (`client.call`, `calls.stream`, MCP `callApi`) fills them when it settles
 * the block's receipt; until then (a block met through `client.request`) they are null/false and
 * only `rawReceipt` holds the receipt as sent.
 */
export class ShieldBlockedError extends UnprocessableEntityError {
  /** Shield score 0..1: the signed one when `blockVerified`, else the body's claim. */
  readonly score: number | undefined;
  /** Flags: the signed ones when `blockVerified`, else the body's claim. */
  readonly flags: readonly string[];
  /** Whether the charge was refunded, and whether a verified receipt says so. */
  readonly refunded: Claim<boolean>;
  /** True when a verified v3 receipt signs the block (`shield.action: blocked`): `score` and `flags` are facts. */
  readonly blockVerified: boolean;
  /** The receipt header of the blocked call exactly as sent (`x-proxygate-receipt` base64, or plain-JSON `x-receipt`), or null. */
  readonly rawReceipt: string | null;
  /** The parsed receipt (the refund receipt: `amount` 0 when refunded), once a paid call settled it; else null. */
  readonly receipt: Receipt | null = null;
  /** The verdict on `receipt` (`no_keys` without pinned keys), once a paid call settled it; else null. */
  readonly receiptVerdict: PaidReceiptVerdict | null = null;
  /** The signed verdict when present, else the headers' (or the body's), once a paid call settled it; else null. */
  readonly shield: ShieldVerdict | null = null;
  /** The receipt's amount in micro-USD (0 when refunded): a fact only when `receiptVerified`. */
  readonly cost: bigint | null = null;
  /** True when the receipt verified against the pinned keys. */
  readonly receiptVerified: boolean = false;
  /** The refund receipt (`amount: "0"`, `shield.action: "blocked"`): the same as `receipt`. */
  readonly refundReceipt: Receipt | null = null;
  /** The verdict on `refundReceipt`: the same as `receiptVerdict`. */
  readonly refundReceiptVerdict: PaidReceiptVerdict | null = null;

  constructor(init: APIErrorInit) {
    super(init);
    const json: Json = this.body && typeof this.body === 'object' ? (this.body as Json) : {};
    const score = json['shield_score'];
    this.score = typeof score === 'number' ? score : undefined;
    const flags = json['shield_flags'];
    this.flags = Array.isArray(flags) ? flags.filter((f): f is string => typeof f === 'string') : [];
    this.refunded = { value: json['refunded'] === true, verified: false };
    this.blockVerified = false;
    this.rawReceipt = init.headers?.get('x-proxygate-receipt') ?? init.headers?.get('x-receipt') ?? null;
  }

  /**
   * @internal Replaces the body's claims with what a verified receipt proves: the refund (amount
   * 0, or not refunded when it charges), and with a signed verdict the score and flags too.
   */
  settle(signed: SignedBlock): void {
    const set = (name: string, value: unknown): void => {
      Object.defineProperty(this, name, { value, enumerable: true, configurable: true, writable: false });
    };
    const refunded = signed.amount === 0n;
    set('refunded', { value: refunded, verified: true });
    if (signed.shield && signed.shield.action === 'blocked') {
      set('score', signed.shield.scoreBp / 10_000);
      set('flags', [...signed.shield.flags]);
      set('blockVerified', true);
    }
    if (!refunded) {
      this.message = joinSentences(this.message, `The verified receipt charges ${signed.amount} micro-USD: this block was NOT refunded`);
    }
  }

  /**
   * The properties as they are: the receipt facts of every paid-call error (`receipt` parsed,
   * `rawReceipt` as sent, `receiptVerdict`, `receiptVerified`, `shield`, `cost` as a decimal
   * string), then the block's `score`, `flags`, `refunded` and `blockVerified`. `refundReceipt`
   * and `refundReceiptVerdict` are the same objects as `receipt` and `receiptVerdict`: not repeated.
   */
  override toJSON(): Record<string, unknown> {
    return errorJson({
      ...super.toJSON(),
      score: this.score,
      flags: this.flags,
      refunded: this.refunded,
      blockVerified: this.blockVerified,
    });
  }
}

/** 429: the wait the gateway asked for is in `retryAfterMs`. */
export class RateLimitError extends APIError {
  readonly retryAfterMs: number | undefined;
  constructor(init: APIErrorInit) {
    super(init);
    this.retryAfterMs = init.headers ? parseRetryAfterMs(init.headers) : undefined;
  }
  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), retryAfterMs: this.retryAfterMs });
  }
}

/**
 * A paid call's 429 that is not a rate limit (`error` other than `rate_limit_exceeded`): a spend
 * limit blocked it before any charge. Never retried: the limit answers the same until it resets or
 * is raised.
 */
export class SpendLimitError extends APIError {
  /** Always false: a spend-limit block refunds its hold. */
  readonly charged = false;
  constructor(init: APIErrorInit) {
    super(init);
    Object.defineProperty(this, 'action', {
      value: this.action ?? 'Raise or wait out the spend limit of this key (nothing was charged)',
      enumerable: true,
    });
  }
}

export class InternalServerError extends APIError {}

/**
 * A paid call may have been charged but its answer was lost (a broken connection, a timeout, a
 * 5xx without a receipt, a body cut off), and it was NOT sent again: the gateway does not
 * advertise idempotent paid calls, so a re-send could be a second charge. Check the usage list
 * (`usageQuery`) before retrying. When a receipt header did arrive, `rawReceipt` holds it.
 */
export class PaidCallOutcomeUnknownError extends ProxygateError {
  /** The call, redacted as the message is (a token in its path or query is `[REDACTED]`). */
  readonly request: PaidCallRecord;
  /** HTTP status of the answer, when one arrived. */
  readonly status: number | undefined;

  constructor(
    sent: PaidCallRecord,
    reason: string,
    init: { status?: number | undefined; cause?: unknown; charged?: boolean; secrets?: readonly string[] | undefined } = {},
  ) {
    // Kept, printed (the CLI's --json) and serialised: the same redaction as the message.
    const request = redactValue(sent, init.secrets) as PaidCallRecord;
    const where = `${request.method} ${request.path.split('?')[0]}${request.listingId ? ` (listing ${request.listingId})` : ''}`;
    const what = init.charged
      ? 'was charged (a receipt arrived) but its answer was lost'
      : 'may have been charged';
    const usage = `account.usage(${JSON.stringify(request.usageQuery)})`;
    super(
      joinSentences(
        `Paid call ${where} sent at ${request.sentAt} ${what}: ${redactText(reason, init.secrets)}`,
        'It was not sent again, because this gateway does not advertise idempotent paid calls and a re-send could be charged twice',
      ),
      {
        code: 'paid_call_outcome_unknown',
        action: `Check ${usage} for it before calling again${request.idempotencyKey ? ` (idempotency key ${request.idempotencyKey})` : ''}`,
        cause: init.cause,
      },
    );
    this.request = request;
    this.status = init.status;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), ...paidCallDetails(this), request: this.request, status: this.status });
  }
}

/** The request could not reach the gateway or the connection broke. */
export class ConnectionError extends ProxygateError {
  constructor(
    message = 'Connection error',
    cause?: unknown,
    init: { code?: string; action?: string } = {},
  ) {
    super(message, {
      code: init.code ?? 'connection_error',
      action: init.action ?? 'Check the gateway URL and your network, then retry',
      cause,
    });
  }

  /** With a paid call's receipt facts when the connection broke after a receipt arrived. */
  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), ...paidCallDetails(this) });
  }
}

/** An attempt exceeded its timeout (and no retry was left). */
export class TimeoutError extends ConnectionError {
  constructor(message = 'Request timed out', cause?: unknown) {
    super(message, cause, { code: 'timeout', action: 'Raise `timeout` or retry later' });
  }
}

/** The caller aborted through its signal; never retried. */
export class UserAbortError extends ProxygateError {
  constructor(message = 'Request was aborted', cause?: unknown) {
    super(message, { code: 'aborted', cause });
  }
}

export { REDACTED };
