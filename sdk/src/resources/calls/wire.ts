// The wire form of a paid call: the request body as exact bytes, the upstream path and query as
// sent (what `request_sha256` covers), and the answer's body decoded (and checked against a schema).
import { InvalidJsonError, InvalidRequestError, ValidationError, type ValidationIssue } from '../../core/error.js';
import { isJsonType } from '../../internal/answer-body.js';
import { path as encodePath } from '../../internal/path.js';
import type { Listing } from '../models.js';
import type { BodySchema, CallQuery } from './options.js';
import type { CallResult, ParsedCallResult, UnparsedCallResult } from './results.js';
import type { SentRequest } from './settle.js';

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

export function encodeBody(body: unknown): EncodedBody {
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

/**
 * The body as JSON when its type says so, else text; a JSON type that does not parse (damage, or
 * a broken upstream) gives the text and the parser's message. An empty (or blank) body under a
 * JSON type is no JSON value either: as a `ParsedCallResult<T>` its '' would pass for a `T`.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | null): Pick<ParsedCallResult, 'body' | 'bodyParseError'> | Pick<UnparsedCallResult, 'body' | 'bodyParseError'> {
  const text = new TextDecoder().decode(bytes);
  if (!isJsonType(contentType)) return { body: text, bodyParseError: null };
  if (text.trim() === '') return { body: text, bodyParseError: 'the body is empty, but its content type says JSON' };
  try {
    return { body: JSON.parse(text) as unknown, bodyParseError: null };
  } catch (error) {
    return { body: text, bodyParseError: (error instanceof Error && error.message) || 'not valid JSON' };
  }
}

/**
 * Validates the body; on a mismatch (or a body that is not JSON at all) the charged result travels
 * with the error, never lost.
 */
export function checkBody<T>(result: CallResult<unknown>, schema: BodySchema<T>): ParsedCallResult<T> {
  if (result.bodyParseError !== null) {
    const { seller_slug: seller, slug } = result.listing;
    const what = `the paid call to ${seller ? `${seller}/${slug}` : slug}`;
    const error = new InvalidJsonError(what, result.status, result.bodyParseError, result.body, result.requestId ?? undefined,
      'Keep error.result: the call was charged and its receipt is there; calling again charges again');
    Object.defineProperty(error, 'result', { value: result, enumerable: false });
    throw error;
  }
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

/**
 * Splits `path?query` and normalises the path to its on-the-wire (percent-encoded) form: the path
 * `request_sha256` covers. Throws `InvalidRequestError` for a path that could leave `/proxy/{service}`.
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
export function queryPairs(query: CallQuery | undefined): [string, string][] {
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
 * The gateway path of a paid call, `/proxy/{service}{path}?listing=...&...`. The query string is
 * built here rather than by the fetch layer so the pairs the gateway parses are exactly the pairs
 * hashed (no merging through an object, where keys such as `toString` or repeated keys could be mangled).
 */
export function gatewayPath(listing: Listing, sent: SentRequest): string {
  const query = [['listing', listing.listing_id] as const, ...sent.query]
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return `${encodePath`/proxy/${listing.service}`}${sent.path}?${query}`;
}
