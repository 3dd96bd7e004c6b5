// Local checks of what a caller asks the SDK to send, so a bad value is refused with a typed
// error before any byte leaves (instead of hanging, being misrouted or failing in fetch with the
// header value, token included, in its message).
import { InvalidRequestError } from './errors.js';

/** Methods a gateway request may use (paid calls: the five the proxy route publishes). */
export const REQUEST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const PAID_CALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Framing and hop headers are fetch's to set. A caller `content-length` that disagrees with the
 * body makes the server wait for bytes that never come (the call hangs to its timeout).
 */
const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Tab and visible ASCII plus obs-text; CR, LF and NUL would split or end the header.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function checkMethod(method: unknown, allowed: readonly string[], argument = 'method'): string {
  if (typeof method !== 'string') throw new InvalidRequestError(argument, 'must be a string');
  const upper = method.toUpperCase();
  if (!allowed.includes(upper)) throw new InvalidRequestError(argument, `${JSON.stringify(method.slice(0, 20))} is not one of ${allowed.join(', ')}`);
  return upper;
}

/** Refuses framing headers and names or values an HTTP header cannot carry (the value is never quoted). */
export function checkHeaders(headers: Record<string, string | null | undefined> | undefined, argument = 'headers'): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    // `undefined` is as if not given (`HeadersInit`): nothing is sent or removed, so nothing to refuse.
    if (value === undefined) continue;
    if (!HEADER_NAME.test(name)) throw new InvalidRequestError(argument, `${JSON.stringify(name.slice(0, 40))} is not a valid header name`);
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower)) throw new InvalidRequestError(`${argument}.${lower}`, 'is set by the HTTP layer from the body; remove it');
    if (value === null) continue;
    if (typeof value !== 'string') throw new InvalidRequestError(`${argument}.${lower}`, 'must be a string');
    if (!HEADER_VALUE.test(value)) throw new InvalidRequestError(`${argument}.${lower}`, 'contains CR, LF or other control characters');
  }
}

/** The RequestInit fields the SDK sets itself, and the option to use instead. */
const SDK_FETCH_FIELDS: Readonly<Record<string, string>> = {
  method: 'the method of the call',
  body: 'the body of the call',
  headers: 'the headers option',
  signal: 'the signal option',
  redirect: 'nothing: the SDK follows same-origin redirects itself and refuses the rest',
  window: 'nothing',
};

/** `fetchOptions` must be an object without the fields the SDK sets itself. */
export function checkFetchOptions(options: unknown, argument = 'fetchOptions'): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidRequestError(argument, 'must be an object of fetch (RequestInit) options');
  for (const name of Object.keys(options)) {
    const instead = SDK_FETCH_FIELDS[name];
    if (instead !== undefined) throw new InvalidRequestError(`${argument}.${name}`, `is set by the SDK; use ${instead}`);
  }
}

/** A timeout in ms: a positive finite number. */
export function checkTimeout(value: unknown, argument = 'timeout'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidRequestError(argument, 'must be a positive number of milliseconds');
  return value;
}

export function checkRetries(value: unknown, argument = 'maxRetries'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidRequestError(argument, 'must be a non-negative integer');
  return value;
}

/** Integer micro-USD, 0 or more: a safe integer number or a bigint. */
export function checkMicroUsd(value: unknown, argument: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new InvalidRequestError(argument, 'must not be negative');
    return value;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidRequestError(argument, 'must be a whole number of micro-USD (a safe integer or a bigint), not NaN, a fraction or an unsafe number');
  }
  if (value < 0) throw new InvalidRequestError(argument, 'must not be negative');
  return BigInt(value);
}

/**
 * The gateway origin as given: an http(s) URL without query, fragment, credentials or any
 * whitespace or control character (URL parsers drop some silently and accept a bare `?` or `#`,
 * after which every path would be appended to the query or fragment).
 */
export function checkGatewayUrl(url: unknown): URL {
  if (typeof url !== 'string') throw new InvalidRequestError('gatewayUrl', 'must be a string');
  if (/[\s\u0000-\u001f\u007f]/.test(url)) throw new InvalidRequestError('gatewayUrl', 'must not contain whitespace, CR, LF or control characters');
  if (/[?#]/.test(url)) throw new InvalidRequestError('gatewayUrl', 'must not carry a query or fragment (not even an empty "?" or "#")');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidRequestError('gatewayUrl', `is not a URL: ${JSON.stringify(url.slice(0, 100))}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidRequestError('gatewayUrl', 'must be an http(s) URL');
  if (parsed.username || parsed.password) throw new InvalidRequestError('gatewayUrl', 'must not carry credentials');
  return parsed;
}
