// OAuth through an authProvider against the mock's authorization server: a 401 at any point
// (connect included) finishes with the provider alone, step-up asks once for the union of held
// and challenged scopes, a refresh keeps `scopes` current, and the flow never leaves https.
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, InsufficientScopeError } from '../../src/core/error.js';
import {
  AuthorizationRequiredError,
  connectGateway,
  OAuthFlowError,
  UnsafeUrlError,
  type GatewayMcpClient,
  type GatewayOAuthProvider,
} from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL, ORIGIN, type Harness } from './harness.js';

/** An in-memory OAuth client; with `approve`, it follows the authorization redirect itself (a user saying yes). */
class TestProvider implements GatewayOAuthProvider {
  redirects: URL[] = [];
  registrations = 0;
  private saved: OAuthTokens | undefined;
  private client: OAuthClientInformationMixed | undefined;
  private verifier = '';
  authorizationCode?: (url: URL) => Promise<string>;

  constructor(approve: boolean) {
    if (approve) this.authorizationCode = (url) => approveAt(url);
  }
  get redirectUrl(): string {
    return 'http://127.0.0.1:1/callback';
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'test', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.registrations += 1;
    this.client = info;
  }
  tokens(): OAuthTokens | undefined {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.redirects.push(url);
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
}

async function approveAt(url: URL): Promise<string> {
  const approval = await fetch(url, { redirect: 'manual' });
  const code = new URL(approval.headers.get('location') ?? 'http://x.invalid/').searchParams.get('code');
  if (!code) throw new Error(`no code from ${url.origin}`);
  return code;
}

let h: Harness = createHarness('mcp-oauth');
const server = setupServer();
const open: GatewayMcpClient[] = [];
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  h = createHarness('mcp-oauth');
  server.resetHandlers(...h.handlers);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => server.close());

async function connect(provider: TestProvider, extra: Parameters<typeof connectGateway>[0] = {}): Promise<GatewayMcpClient> {
  const client = await connectGateway({ url: MCP_URL, authProvider: provider, keys: h.keys, fetch: h.recordingFetch, ...extra });
  open.push(client);
  return client;
}

/** Like most MCP servers: every POST to /mcp needs a token (initialize included). */
function requireTokenEverywhere(scope = 'account:read'): void {
  server.use(http.post(`${ORIGIN}/mcp`, ({ request }) => {
    if (request.headers.get('authorization')) return undefined; // on to the mock
    return HttpResponse.json({ error: 'unauthorized', message: 'token needed' }, {
      status: 401,
      headers: { 'www-authenticate': `Bearer realm="proxygate", scope="${scope}", resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"` },
    });
  }));
}

describe('OAuth through an authProvider', () => {
  it('completes the flow when the 401 comes at connect time, with the provider alone', async () => {
    requireTokenEverywhere();
    const provider = new TestProvider(true);
    const client = await connect(provider);
    expect(provider.registrations).toBe(1); // dynamic client registration
    expect(provider.redirects).toHaveLength(1);
    const authorize = provider.redirects[0]!;
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${ORIGIN}/oauth/authorize`);
    expect(authorize.searchParams.get('resource')).toBe(MCP_URL);
    expect(authorize.searchParams.get('scope')).toBe('account:read');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(client.scopes).toEqual(['account:read']);
    expect((await client.checkBalance()).currency).toBe('lamports');
    // initialize was answered 401, then sent again with the token; the token never rides in a URL.
    expect(h.sent.filter((s) => s === 'initialize')).toHaveLength(2);
    expect(h.sent.some((s) => s.includes('pg_del_'))).toBe(false);
    expect(provider.redirects).toHaveLength(1);
  });

  it('without an authorizationCode hook says where to authorize, and finishAuth completes it later', async () => {
    requireTokenEverywhere();
    const error = await connect(new TestProvider(false)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationRequiredError);
    expect(new URL((error as AuthorizationRequiredError).authorizationUrl ?? '').pathname).toBe('/oauth/authorize');

    server.resetHandlers(...h.handlers); // anonymous browsing allowed again
    const provider = new TestProvider(false);
    const client = await connect(provider);
    expect((await client.browseApis({ limit: 1 })).data).toHaveLength(1);
    const needed = await client.getUsage().catch((e: unknown) => e);
    expect(needed).toBeInstanceOf(AuthorizationRequiredError);
    await client.finishAuth(await approveAt(provider.redirects[0]!));
    expect(client.scopes).toEqual(['account:read']);
    expect((await client.getUsage()).usage).toBeInstanceOf(Array);
  });

  it('steps up once to the union of held and challenged scopes, then sends the read again', async () => {
    requireTokenEverywhere('catalog:read');
    const provider = new TestProvider(true);
    const client = await connect(provider);
    expect(client.scopes).toEqual(['catalog:read']);
    // With OAuth a read is not refused locally: the server's challenge names the scope to add.
    const usage = await client.getUsage();
    expect(usage.usage).toBeInstanceOf(Array);
    expect(provider.redirects.map((u) => u.searchParams.get('scope'))).toEqual(['catalog:read', 'catalog:read account:read']);
    expect(client.scopes).toEqual(['catalog:read', 'account:read']);
  });

  it('asks at most once per operation when the step-up does not satisfy the server', async () => {
    const provider = new TestProvider(true);
    const client = await connect(provider);
    let refused = 0;
    server.use(http.post(`${ORIGIN}/mcp`, async ({ request }) => {
      if (!/"name":"check_balance"/.test(await request.clone().text())) return undefined;
      refused += 1;
      return HttpResponse.json({ error: 'insufficient_scope', required_scope: 'account:read', message: 'no' }, {
        status: 403,
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="account:read", resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"` },
      });
    }));
    const error = await client.checkBalance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ requiredScope: 'account:read', local: false });
    expect(refused).toBe(2); // the call, and its one retry after the step-up
    expect(provider.redirects).toHaveLength(1);
  });

  it('never steps up or re-sends a paid call on its own; stepUp() is the caller asking', async () => {
    const provider = new TestProvider(true);
    provider.saveTokens({ access_token: h.gateway.demoTokens.readOnly, token_type: 'Bearer' }); // scopes unknown to the client
    const client = await connect(provider);
    expect(client.scopes).toBeUndefined();
    const echo = { listing_id: listingId(h.gateway, 'echo'), path: '/echo' };
    const error = await client.callApi(echo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ requiredScope: 'trade', local: false });
    expect(provider.redirects).toHaveLength(0);
    expect(h.sent.filter((s) => s === 'tools/call:call_api')).toHaveLength(1);

    expect(await client.stepUp(['trade'])).toEqual(['trade']);
    expect(provider.redirects[0]?.searchParams.get('scope')).toBe('trade');
    const paid = await client.callApi(echo);
    expect(paid.verification.valid).toBe(true);
  });

  it('does not re-send a paid call after a 401 either: it authorizes and says to retry', async () => {
    const provider = new TestProvider(true);
    const client = await connect(provider);
    const echo = { listing_id: listingId(h.gateway, 'echo'), path: '/echo' };
    const charges = h.gateway.ledger().length;
    const error = await client.callApi(echo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'authorized_retry' });
    expect(client.scopes).toEqual(['trade']);
    expect(h.gateway.ledger()).toHaveLength(charges);
    expect((await client.callApi(echo)).verification.valid).toBe(true);
    expect(h.gateway.ledger()).toHaveLength(charges + 1);
  });

  it('refreshes an expired token once for concurrent requests, and scopes follow the refreshed token', async () => {
    requireTokenEverywhere('account:read catalog:read');
    const provider = new TestProvider(true);
    const client = await connect(provider);
    expect(client.scopes).toEqual(['account:read', 'catalog:read']);
    // The access token dies; the refresh grant answers with a narrower token (the grant shrank).
    const first = provider.tokens()!.access_token;
    h.gateway.revokeToken(h.gateway.authenticate(`Bearer ${h.gateway.demoTokens.trader}`), h.gateway.tokenIdOf(first));
    let refreshes = 0;
    server.use(http.post(`${ORIGIN}/oauth/token`, async ({ request }) => {
      if (new URLSearchParams(await request.clone().text()).get('grant_type') !== 'refresh_token') return undefined;
      refreshes += 1;
      const issued = h.gateway.issueOAuthToken(['account:read'], 3600);
      return HttpResponse.json({ access_token: issued.token, token_type: 'Bearer', expires_in: 3600, scope: 'account:read', refresh_token: `r-${refreshes}` });
    }));
    const [a, b] = await Promise.all([client.checkBalance(), client.getUsage()]);
    expect(a.currency).toBe('lamports');
    expect(b.usage).toBeInstanceOf(Array);
    expect(refreshes).toBe(1);
    expect(provider.redirects).toHaveLength(1); // a refresh, not a new authorization
    expect(client.scopes).toEqual(['account:read']);
  });

  it('rejects a token exchange with a wrong PKCE verifier as a typed OAuth error', async () => {
    const provider = new TestProvider(false);
    const client = await connect(provider);
    await client.getUsage().catch(() => undefined);
    const code = await approveAt(provider.redirects[0]!);
    provider.saveCodeVerifier('not-the-verifier-that-was-hashed-into-the-challenge');
    const error = await client.finishAuth(code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect(error).toMatchObject({ oauthError: 'invalid_grant' });
    expect(provider.tokens()).toBeUndefined();
  });
});

describe('OAuth discovery URLs', () => {
  function challengeTo(resourceMetadata: string): void {
    server.use(http.post(`${ORIGIN}/mcp`, () => HttpResponse.json({ error: 'unauthorized', message: 'token needed' }, {
      status: 401, headers: { 'www-authenticate': `Bearer resource_metadata="${resourceMetadata}"` },
    })));
  }

  it.each([
    ['http (not https)', 'http://gateway.mcp.test/.well-known/oauth-protected-resource/mcp'],
    ['a link-local address (cloud metadata)', 'https://169.254.169.254/latest/meta-data'],
    ['a private address', 'https://10.0.0.7/.well-known/oauth-protected-resource'],
    ['an IPv6 unique-local address', 'https://[fd00::1]/prm'],
    ['loopback without opt-in', 'http://127.0.0.1:9/prm'],
  ])('refuses %s before contacting it', async (_name, target) => {
    challengeTo(target);
    const error = await connect(new TestProvider(true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeUrlError);
    expect(h.sent.some((s) => s.includes(new URL(target).pathname))).toBe(false);
  });

  it('refuses an authorization server that names private endpoints', async () => {
    requireTokenEverywhere();
    server.use(http.get(`${ORIGIN}/.well-known/oauth-authorization-server`, () => HttpResponse.json({
      issuer: ORIGIN, authorization_endpoint: 'https://192.168.1.1/authorize', token_endpoint: 'https://192.168.1.1/token',
      registration_endpoint: 'https://192.168.1.1/register', response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
    })));
    const provider = new TestProvider(true);
    const error = await connect(provider).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeUrlError);
    expect(provider.redirects).toHaveLength(0);
  });
});
