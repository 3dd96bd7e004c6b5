// The HTTP side of the MCP client: the Bearer token on every request (static or OAuth), the
// token's scopes and buyer identity from the gateway's REST side, and auth answers turned into
// one OAuth round or a typed error before the MCP transport sees them.
import { APIError, AuthenticationError, ConnectionError, TimeoutError, ValidationError } from '../core/error.js';
import { parseExtensions } from '../core/extensions.js';
import { readEnv } from '../internal/env.js';
import { scrubError } from '../internal/redact.js';
import type { McpLimitError } from './errors.js';
import { limitBody } from './limits.js';
import type { OAuthSession } from './oauth-session.js';
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

/**
 * `fetchImpl` bounded by `timeoutMs` per request, its body included: the connect-time REST reads
 * would otherwise wait as long as the runtime lets a silent server hold them (minutes). A timeout
 * rejects with `TimeoutError`. For requests that carry no signal of their own.
 */
export function boundedFetch(fetchImpl: typeof fetch, timeoutMs: number | undefined): typeof fetch {
  if (timeoutMs === undefined) return fetchImpl;
  return async (input, init) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await fetchImpl(input, { ...init, signal });
    } catch (error) {
      if (!signal.aborted) throw error;
      const url = new URL(input instanceof Request ? input.url : String(input));
      throw new TimeoutError(`${init?.method ?? 'GET'} ${url.pathname} got no answer within ${timeoutMs} ms`, error);
    }
  };
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
    if (error instanceof TimeoutError) throw error;
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

/** The account wallet behind the token (`GET /v1/me`): the `buyer` of its v1/v2 receipts. */
export async function fetchBuyerWallet(restBase: string, token: string, fetchImpl: typeof fetch, secrets: readonly string[]): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetchImpl(`${restBase}/v1/me`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  } catch (error) {
    if (error instanceof TimeoutError) throw error;
    throw new ConnectionError('Could not read the account wallet (GET /v1/me)', scrubError(error, [...secrets, token]), {
      action: 'Pass buyerWallet (and tokenId) to connectGateway to connect without this request',
    });
  }
  if (response.status === 404 || response.status === 405) return undefined;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw APIError.generate({ status: response.status, headers: response.headers, body, secrets });
  const wallet = (body as { wallet?: unknown } | undefined)?.wallet;
  return typeof wallet === 'string' && wallet !== '' ? wallet : undefined;
}

/** `GET /health` `extensions.features`; empty when the gateway advertises none or cannot be read. */
export async function fetchExtensionFeatures(restBase: string, fetchImpl: typeof fetch): Promise<readonly string[]> {
  try {
    const response = await fetchImpl(`${restBase}/health`, { headers: { accept: 'application/json' } });
    return parseExtensions(await response.json()).features;
  } catch {
    // Unknown: the downgrade rule then rests on the receipts this client has seen.
    return [];
  }
}

function isScopeChallenge(response: Response): boolean {
  return response.status === 403 && /error="?insufficient_scope/i.test(response.headers.get('www-authenticate') ?? '');
}

/** `resource_metadata` and `scope` of a Bearer challenge (RFC 6750, RFC 9728). */
export function challengeParams(response: Response): { resourceMetadataUrl: URL | undefined; scope: string | undefined } {
  const header = response.headers.get('www-authenticate') ?? '';
  const field = (name: string): string | undefined => new RegExp(`(?:^|[\\s,])${name}=(?:"([^"]*)"|([^\\s,]+))`, 'i').exec(header)?.slice(1).find((v) => v !== undefined);
  const metadata = field('resource_metadata');
  let resourceMetadataUrl: URL | undefined;
  try {
    resourceMetadataUrl = metadata ? new URL(metadata) : undefined;
  } catch {
    resourceMetadataUrl = undefined;
  }
  return { resourceMetadataUrl, scope: field('scope') || undefined };
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

/** The tool a JSON-RPC POST body calls, if it is a tools/call. */
function calledTool(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const message = JSON.parse(body) as { method?: unknown; params?: { name?: unknown } };
    return message.method === 'tools/call' && typeof message.params?.name === 'string' ? message.params.name : undefined;
  } catch {
    return undefined;
  }
}

export interface GatewayFetchOptions {
  /** The MCP endpoint: only requests to it get the token and the error mapping. */
  mcpUrl: URL;
  token: ConnectGatewayOptions['token'];
  /** With OAuth, this fetch runs the 401 flow and the step-up itself (the transport gets no provider). */
  oauth: OAuthSession | undefined;
  fetch: typeof fetch;
  /** Every token seen, so errors can scrub them; appended to as tokens rotate. */
  secrets: string[];
  /** Tools that spend: never re-sent on their own after a 401 or 403. */
  spendingTools: ReadonlySet<string>;
  /** Bytes of one answer (JSON body or SSE event). */
  maxResultBytes: number;
  /** Told when an answer went past `maxResultBytes` (calls waiting on a stream are failed). */
  onLimit: (error: McpLimitError) => void;
}

/**
 * fetch for the MCP transport. It sends the token (static, or the OAuth provider's), and turns
 * auth answers into typed errors or one retry:
 * - 401 with OAuth: authorize once (discovery from the challenge; the provider supplies the code),
 *   then re-send, except a paid call, which is never re-sent on its own.
 * - 403 `insufficient_scope`: with OAuth and a challenge naming scopes not held, one step-up to the
 *   union of held and challenged scopes, then re-send (not a paid call); otherwise an
 *   `InsufficientScopeError` naming the scope. The MCP SDK never sees the challenge.
 * Other failed POSTs become typed gateway errors (a 429 keeps its Retry-After). Bodies are counted
 * against `maxResultBytes` as they stream.
 */
export function createGatewayFetch(options: GatewayFetchOptions): typeof fetch {
  const endpoint = `${options.mcpUrl.origin}${options.mcpUrl.pathname}`;
  const { oauth } = options;
  return async (input, init) => {
    const target = new URL(input instanceof Request ? input.url : String(input));
    if (`${target.origin}${target.pathname}` !== endpoint) return options.fetch(input, init);
    const method = init?.method ?? 'GET';
    const tool = method === 'POST' ? calledTool(init?.body) : undefined;
    const paid = tool !== undefined && options.spendingTools.has(tool);
    let authorized = false;
    let steppedUp = false;
    for (;;) {
      const headers = new Headers(init?.headers);
      const token = oauth ? await oauth.accessToken() : await resolveToken(options.token);
      if (token) {
        if (!options.secrets.includes(token)) options.secrets.push(token);
        headers.set('authorization', `Bearer ${token}`);
      }
      const response = await options.fetch(input, { ...init, headers });
      if (response.ok) return limitBody(response, options.maxResultBytes, options.onLimit);

      if (response.status === 401 && oauth && !authorized) {
        const { resourceMetadataUrl, scope } = challengeParams(response);
        void response.body?.cancel().catch(() => undefined); // not awaited: some fetch mocks never settle it
        authorized = true;
        // A 401 racing another request's authorization: that one's token may already do.
        if ((await oauth.accessToken()) === token) await oauth.authorize({ resourceMetadataUrl, scope });
        if (paid) {
          throw new AuthenticationError({
            status: 401,
            body: {
              error: 'authorized_retry',
              message: `Authorized with the gateway; ${tool} was refused before it ran and is not sent again on its own`,
              action: 'Retry the call (pass idempotency_key to make retries safe)',
            },
          });
        }
        continue;
      }

      if (isScopeChallenge(response)) {
        const { resourceMetadataUrl, scope } = challengeParams(response);
        const held = oauth?.scopes ?? [];
        const challenged = parseScopes(scope) ?? [];
        const missing = challenged.filter((s) => !held.includes(s));
        if (oauth && !steppedUp && !paid && missing.length > 0) {
          void response.body?.cancel().catch(() => undefined); // not awaited: some fetch mocks never settle it
          steppedUp = true;
          await oauth.authorize({ resourceMetadataUrl, scope: [...new Set([...held, ...challenged])].join(' '), fresh: true });
          continue;
        }
        throw await errorFrom(response, options.secrets);
      }
      if (response.status === 401 && oauth) {
        throw new AuthenticationError({ status: 401, body: { error: 'unauthorized', message: 'The MCP server refused the token it was just issued' }, headers: response.headers, secrets: options.secrets });
      }
      // GET (optional SSE stream) and DELETE (session end) answers are the transport's business;
      // 404 on a POST means an expired session, which the client handles by reconnecting.
      if (method !== 'POST' || response.status === 404) return response;
      throw await errorFrom(response, options.secrets);
    }
  };
}
