/** Longest server-requested wait the SDK honours, in ms. */
export const MAX_RETRY_AFTER_MS = 60_000;
const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/**
 * Wait requested by the server: `retry-after-ms` first, then `Retry-After` as seconds or an HTTP
 * date; undefined when absent or unparseable. Not capped: callers compare with MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null || retryAfter.trim() === '') return undefined;
  const trimmed = retryAfter.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(date - now, 0);
}

/** Exponential backoff 0.5 s * 2^n capped at 8 s, minus up to 25% jitter so clients spread out. */
export function backoffMs(retriesDone: number, random: () => number = Math.random): number {
  const base = Math.min(INITIAL_BACKOFF_MS * 2 ** retriesDone, MAX_BACKOFF_MS);
  return base * (1 - random() * 0.25);
}

/** Statuses worth another attempt when the server does not say otherwise. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Statuses that prove the server did not act on the request, so even an unprotected POST may be
 * sent again: 408 (request never fully read) and 429 (rejected before processing).
 */
export function provesNotProcessed(status: number): boolean {
  return status === 408 || status === 429;
}

/** `x-should-retry: true|false` from the server overrides our own judgement. */
export function serverRetryVerdict(headers: Headers): boolean | undefined {
  const value = headers.get('x-should-retry')?.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** Connection failures that happen before any byte reaches the server. */
export function isPreConnectFailure(error: unknown): boolean {
  const codes = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && codes.includes(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
