// The recovery step of a failed paid call, decided once for every way a paid call can fail.
// The question is always the same: may it have been charged, and can its answer be fetched again
// without a second charge?
import {
  APIError,
  ConnectionError,
  PaidCallOutcomeUnknownError,
  RateLimitError,
  RedirectRefusedError,
  SpendLimitError,
  type PaidCallRecovery,
  type ProxygateError,
} from './error.js';
import { receiptHeader } from '../internal/paid-call.js';
import { responseHeadersOf } from '../internal/response-headers.js';

export interface PaidCallProgress {
  /** The gateway replays paid calls by key (`idempotency` advertised). */
  replayable: boolean;
  idempotencyKey: string | undefined;
  /** Attempts that may have reached the gateway. */
  sends: number;
  /** An attempt before the last one may have been processed (charged). */
  processedBefore: boolean;
}

export interface Recovery {
  idempotencyKey: string | undefined;
  recovery: PaidCallRecovery;
  /** The step in words, when the error's own `action` does not already say it. */
  action?: string | undefined;
}

export function replayAction(idempotencyKey: string): string {
  return `Call again with idempotencyKey "${idempotencyKey}": the gateway replays the stored answer without charging again`;
}

export function paidRecovery(error: ProxygateError, progress: PaidCallProgress): Recovery {
  const key = progress.idempotencyKey;
  const maybeCharged = (): Recovery =>
    progress.replayable && key !== undefined
      ? { idempotencyKey: key, recovery: 'replay', action: replayAction(key) }
      : {
          idempotencyKey: key,
          recovery: 'check_usage',
          action:
            error instanceof PaidCallOutcomeUnknownError
              ? undefined
              : 'It may have been charged and this gateway does not replay paid calls by key: check account.usage() for it before calling again',
        };
  if (error instanceof PaidCallOutcomeUnknownError) return maybeCharged();
  const headers = responseHeadersOf(error);
  if (headers && receiptHeader(headers) !== undefined) {
    // The gateway answered with the call's receipt (attached to the error): it completed, charged or
    // refunded. Only a body lost on the way is worth fetching again, where the gateway replays.
    if (error instanceof ConnectionError) return maybeCharged();
    return { idempotencyKey: key, recovery: 'none' };
  }
  if (progress.sends === 0) return { idempotencyKey: key, recovery: 'retry', action: 'Nothing reached the gateway, so nothing was charged: call again' };
  const refusal =
    error instanceof SpendLimitError ||
    error instanceof RateLimitError ||
    error instanceof RedirectRefusedError ||
    (error instanceof APIError && error.status !== undefined && error.status < 500 && error.status !== 408);
  if (refusal) {
    if (progress.processedBefore) return maybeCharged();
    return { idempotencyKey: key, recovery: error instanceof RateLimitError ? 'retry' : 'none' };
  }
  // A 5xx or 408 without a receipt, a broken connection, a timeout, an abort after sending.
  return maybeCharged();
}
