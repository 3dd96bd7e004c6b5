// The HTTP side of the MCP client: the Bearer token on every request, the token's scopes from
// the gateway, and auth answers turned into typed errors before the MCP transport sees them.
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  ValidationError,
} from '../core/error.js';
import { readEnv } from '../internal/env.js';
import { scrubError } from '../internal/redact.js';
import type { ConnectGatewayOptions } from './options.js';

export async function resolveToken(token: ConnectGatewayOptions['token']): Promise<string | undefined> {
  if (token === null) return undefined;
  const raw = token === undefined ? readEnv('PROXYGATE_API_KEY') : typeof token === 'string' ? token : (await token()) ?? undefined;
  // Trimmed like the REST client's key (a token read from a file often ends with a newline).
  const value = raw?.trim();
  // Headers.set would throw a TypeError quoting "Bearer <token>" in clear: refuse it ourselves.
  if (value && /[^\x21-\x7e]/.test(value)) {
    throw new AuthenticationError({
      status: undefined,
      message: 'The token contains whitespace, control or non-ASCII characters an HTTP header cannot carry; check how it was copied',
    });
  }
  return value;
}

/** OAuth `scope` (space separated) to a list; undefined stays unknown. */
export function parseScopes(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(/\s+/).filter(Boolean);
}

/** What `GET /v1/tokens/self` told about the presented token. */
export interface TokenInfoSummary {
  scopes: string[];
  /** The token id (`tok_...`): the `buyer` of its v3 receipts. */
  id: string | undefined;
}

/** Reads the presented token's scopes and id; undefined when the gateway has no introspection endpoint. */
export async function fetchTokenInfo(
  restBase: string,
  token: string,
  fetchImpl: typeof fetch,
  secrets: readonly string[],
): Promise<TokenInfoSummary | undefined> {
  let response: Response;
  try {
    response = await fetchImpl(`${restBase}/v1/tokens/self`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  } catch (error) {
    throw new ConnectionError('Could not read the token scopes and id (GET /v1/tokens/self)', scrubError(error, [...secrets, token]), {
      action: 'Pass scopes and tokenId to connectGateway to connect without this request',
    });
  }
  if (response.status === 404 || response.status === 405) return undefined;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw APIError.generate({ status: response.status, headers: response.headers, body, secrets });
  const scopes = (body as { scopes?: unknown } | undefined)?.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
    throw new ValidationError('GET /v1/tokens/self returned no scopes list', [{ path: ['scopes'], message: 'expected string[]', code: 'invalid_type' }], body);
  }
  const id = (body as { id?: unknown }).id;
  return { scopes, id: typeof id === 'string' && id !== '' ? id : undefined };
}

function isScopeChallenge(response: Response): boolean {
  return response.status === 403 && /error="?insufficient_scope/i.test(response.headers.get('www-authenticate') ?? '');
}

async function errorFrom(response: Response, secrets: readonly string[]): Promise<APIError> {
  const text = await response.clone().text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the error keeps the (redacted) text
  }
  return APIError.generate({ status: response.status, headers: response.headers, body, secrets });
}

export interface GatewayFetchOptions {
  /** The MCP endpoint: only requests to it get the token and the error mapping. */
  mcpUrl: URL;
  token: ConnectGatewayOptions['token'];
  /** With an OAuth provider the transport adds the token and runs the 401 flow itself. */
  oauth: boolean;
  fetch: typeof fetch;
  /** Every token seen, so errors can scrub them; appended to as tokens rotate. */
  secrets: string[];
}

/**
 * fetch for the MCP transport. A 403 `insufficient_scope` becomes an `InsufficientScopeError`
 * naming the scope: the MCP SDK would otherwise re-authorize with a broader scope on its own,
 * and step-up is the caller's decision. Other failed POSTs become typed gateway errors (a 429
 * keeps its Retry-After); a 401 is left to the transport only when it can run OAuth.
 */
export function createGatewayFetch(options: GatewayFetchOptions): typeof fetch {
  const endpoint = `${options.mcpUrl.origin}${options.mcpUrl.pathname}`;
  return async (input, init) => {
    const target = new URL(input instanceof Request ? input.url : String(input));
    // OAuth discovery and token requests pass through untouched, and never carry our token.
    if (`${target.origin}${target.pathname}` !== endpoint) return options.fetch(input, init);
    const headers = new Headers(init?.headers);
    if (!options.oauth) {
      const token = await resolveToken(options.token);
      if (token) {
        if (!options.secrets.includes(token)) options.secrets.push(token);
        headers.set('authorization', `Bearer ${token}`);
      }
    }
    const response = await options.fetch(input, { ...init, headers });
    if (response.ok) return response;
    if (isScopeChallenge(response)) throw await errorFrom(response, options.secrets);
    if (response.status === 401 && options.oauth) return response;
    // GET (optional SSE stream) and DELETE (session end) answers are the transport's business;
    // 404 on a POST means an expired session, which the client handles by reconnecting.
    if ((init?.method ?? 'GET') !== 'POST' || response.status === 404) return response;
    throw await errorFrom(response, options.secrets);
  };
}
