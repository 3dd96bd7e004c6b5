import { canonicalize } from './jcs.js';
import { toHex, utf8Bytes } from './encoding.js';
import type { Receipt } from './types.js';

/** SHA-256 through WebCrypto (Node 20, browsers, edge runtimes alike). */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return toHex(await sha256(typeof data === 'string' ? utf8Bytes(data) : data));
}

/** Query forms accepted by {@link requestSha256}; a string is read as a URL query (`a=1&b=2`, `?` optional). */
export type QueryInput =
  | string
  | URLSearchParams
  | Iterable<readonly [string, string]>
  | Record<string, string | number | boolean | readonly (string | number | boolean)[] | undefined>;

export type BodyInput = string | Uint8Array | ArrayBuffer | null | undefined;

export interface RequestDescription {
  method: string;
  /** The upstream path, after `/proxy/{service}`. */
  path: string;
  query?: QueryInput;
  body?: BodyInput;
}

/** RFC 3986 percent-encoding that keeps only the unreserved characters. */
function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function queryPairs(query: QueryInput | undefined): [string, string][] {
  if (query === undefined) return [];
  if (typeof query === 'string') return [...new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)];
  if (query instanceof URLSearchParams) return [...query];
  if (typeof (query as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return [...(query as Iterable<readonly [string, string]>)].map(([k, v]) => [k, v]);
  }
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) pairs.push([k, String(item)]);
  }
  return pairs;
}

/**
 * The canonical query of `request_sha256`: pairs without `listing`, sorted by key then value
 * (UTF-16 code units, as given), then each percent-encoded per RFC 3986 (unreserved kept) and
 * joined as `k=v` with `&`.
 */
export function canonicalQuery(query: QueryInput | undefined): string {
  const pairs = queryPairs(query).filter(([k]) => k !== 'listing');
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
}

function bodyBytes(body: BodyInput): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return utf8Bytes(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

/**
 * `request_sha256` of a v3 receipt: SHA-256 hex of UTF-8 `METHOD\npath\nquery\n` followed by
 * the raw body bytes (nothing for an empty body).
 */
export async function requestSha256(request: RequestDescription): Promise<string> {
  const head = utf8Bytes(`${request.method.toUpperCase()}\n${request.path}\n${canonicalQuery(request.query)}\n`);
  const body = bodyBytes(request.body);
  const all = new Uint8Array(head.length + body.length);
  all.set(head, 0);
  all.set(body, head.length);
  return sha256Hex(all);
}

/** `response_sha256` of a v3 receipt: SHA-256 hex of the upstream body bytes as delivered. */
export async function responseSha256(body: BodyInput): Promise<string> {
  return sha256Hex(bodyBytes(body));
}

/** The JCS text of a whole receipt, signature included (what `prev` and log leaves hash). */
export function receiptJcs(receipt: Receipt): string {
  return canonicalize(receipt);
}

/** SHA-256 hex of the receipt's JCS form with its signature: the next receipt's `prev`. */
export async function receiptHash(receipt: Receipt): Promise<string> {
  return sha256Hex(receiptJcs(receipt));
}
