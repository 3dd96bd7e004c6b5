// The request shaping the SDK used to take from ofetch (URL query, JSON bodies), kept byte for byte
// (the query encoding is ufo's, which ofetch used). ofetch's Node entry imports a fetch polyfill
// (node-fetch-native, with node:http/https/zlib/stream) that costs a CLI ~25-100 ms of start-up on
// Node >= 20, whose global fetch needs none, and no exported entry of ofetch avoids it on Node.
// Retries, timeouts, redirects and errors are the client's own; nothing here retries.

/** What one attempt sends: a method, an optional query merged into the URL, a body, headers. */
export interface RequestParts {
  method: string;
  /** Values as ofetch took them: strings, numbers, booleans, arrays of them (others are JSON). */
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  headers: HeadersInit;
  signal: AbortSignal;
  /** Other RequestInit fields (`cache`, `keepalive`, undici's `dispatcher`...); the ones above win. */
  fetchOptions?: Record<string, unknown> | undefined;
}

/**
 * The network layer's failure (fetch threw), wrapping what it threw as `cause`. The client unwraps
 * it by name; unlike ofetch's, it holds no request options (so no Authorization header).
 */
export class FetchError extends Error {
  override readonly name = 'FetchError';
}

/** The URL and RequestInit fetch receives for these parts. */
export function prepareRequest(url: string, parts: RequestParts): { url: string; init: RequestInit & { duplex?: 'half' } } {
  const method = parts.method.toUpperCase();
  const headers = new Headers(parts.headers);
  const init: RequestInit & { duplex?: 'half' } = { ...parts.fetchOptions, method, headers, signal: parts.signal };
  let body = parts.body;
  if (body && isPayloadMethod(method)) {
    if (isJsonSerializable(body)) {
      const contentType = headers.get('content-type');
      if (typeof body !== 'string') {
        body = contentType === 'application/x-www-form-urlencoded' ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
      }
      if (!contentType) headers.set('content-type', 'application/json');
      if (!headers.has('accept')) headers.set('accept', 'application/json');
    } else if (isStream(body)) {
      init.duplex = 'half';
    }
  }
  if (body !== undefined) init.body = body as BodyInit;
  return { url: parts.query ? withQuery(url, parts.query) : url, init };
}

/** Sends one attempt through `fetch`; a thrown error comes back wrapped in `FetchError`. */
export async function sendRequest(fetch: (url: string, init: RequestInit) => Promise<Response>, url: string, parts: RequestParts): Promise<Response> {
  const prepared = prepareRequest(url, parts);
  try {
    return await fetch(prepared.url, prepared.init);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new FetchError(`[${prepared.init.method}] ${JSON.stringify(prepared.url)}: <no response>${detail ? ` ${detail}` : ''}`, error === undefined ? undefined : { cause: error });
  }
}

const PAYLOAD_METHODS = new Set(['PATCH', 'POST', 'PUT', 'DELETE']);

function isPayloadMethod(method: string): boolean {
  return PAYLOAD_METHODS.has(method);
}

function isJsonSerializable(value: unknown): boolean {
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (type !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  if ((value as { buffer?: unknown }).buffer) return false;
  if ((typeof FormData !== 'undefined' && value instanceof FormData) || value instanceof URLSearchParams) return false;
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return (ctor !== undefined && ctor.name === 'Object') || typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function isStream(value: unknown): boolean {
  const body = value as { pipeTo?: unknown; pipe?: unknown };
  return typeof body.pipeTo === 'function' || typeof body.pipe === 'function';
}

/** `url` with `query` merged over the query it already has (ufo's `withQuery`). */
export function withQuery(url: string, query: Record<string, unknown>): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const searchAt = beforeHash.indexOf('?');
  const base = searchAt === -1 ? beforeHash : beforeHash.slice(0, searchAt);
  const merged: Record<string, unknown> = { ...parseQuery(searchAt === -1 ? '' : beforeHash.slice(searchAt + 1)), ...query };
  const search = Object.keys(merged)
    .filter((key) => merged[key] !== undefined)
    .map((key) => encodeQueryItem(key, merged[key]))
    .filter(Boolean)
    .join('&');
  return `${base}${search ? `?${search}` : ''}${hash}`;
}

function parseQuery(search: string): Record<string, string | string[]> {
  const object = Object.create(null) as Record<string, string | string[]>;
  for (const parameter of search.split('&')) {
    const match = /([^=]+)=?(.*)/.exec(parameter);
    if (!match) continue;
    const key = decode((match[1] ?? '').replace(/\+/g, ' '));
    if (key === '__proto__' || key === 'constructor') continue;
    const value = decode((match[2] ?? '').replace(/\+/g, ' '));
    const existing = object[key];
    if (existing === undefined) object[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else object[key] = [existing, value];
  }
  return object;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function encodeQueryItem(key: string, input: unknown): string {
  const value = typeof input === 'number' || typeof input === 'boolean' ? String(input) : input;
  if (!value) return encodeQueryKey(key);
  if (Array.isArray(value)) return value.map((item: unknown) => `${encodeQueryKey(key)}=${encodeQueryValue(item)}`).join('&');
  return `${encodeQueryKey(key)}=${encodeQueryValue(value)}`;
}

function encodeQueryValue(input: unknown): string {
  return encodeURI(typeof input === 'string' ? input : String(JSON.stringify(input)))
    .replace(/%7c/gi, '|')
    .replace(/\+/g, '%2B')
    .replace(/%20/gi, '+')
    .replace(/#/g, '%23')
    .replace(/&/g, '%26')
    .replace(/%60/gi, '`')
    .replace(/%5e/gi, '^')
    .replace(/\//g, '%2F');
}

function encodeQueryKey(key: string): string {
  return encodeQueryValue(key).replace(/=/g, '%3D');
}
