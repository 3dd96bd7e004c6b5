import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, InsufficientScopeError } from '../../src/core/error.js';
import { connectGateway } from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL, ORIGIN } from './harness.js';

/** An in-memory OAuth client that records where it was sent instead of opening a browser. */
class RecordingProvider implements OAuthClientProvider {
  redirects: URL[] = [];
  private saved: OAuthTokens | undefined;
  private verifier = '';
  get redirectUrl(): string {
    return 'http://127.0.0.1:1/callback';
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'test', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation(): OAuthClientInformationMixed {
    return { client_id: 'pre-registered-test-client' };
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

const h = createHarness('mcp-oauth');
const server = setupServer(...h.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('OAuth through an authProvider', () => {
  it('follows the 401 discovery to an authorization request, then step-up is surfaced, not retried', async () => {
    const provider = new RecordingProvider();
    const client = await connectGateway({ url: MCP_URL, authProvider: provider, keys: h.keys, fetch: h.recordingFetch });
    // Browsing needs no token.
    expect((await client.browseApis({ limit: 1 })).data).toHaveLength(1);

    const error = await client.checkBalance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(provider.redirects).toHaveLength(1);
    const authorize = provider.redirects[0]!;
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${ORIGIN}/oauth/authorize`);
    expect(authorize.searchParams.get('resource')).toBe(MCP_URL);
    expect(authorize.searchParams.get('scope')).toBe('account:read');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(h.sent).toContain(`GET /.well-known/oauth-protected-resource/mcp`);

    // The user approves; the app receives the code on its redirect URI.
    const approval = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(approval.headers.get('location') ?? '').searchParams.get('code');
    expect(code).toBeTruthy();
    await client.finishAuth(code!);
    expect(client.scopes).toEqual(['account:read']);
    expect((await client.checkBalance()).currency).toBe('lamports');
    // The token rides in the Authorization header only, never in a URL.
    expect(h.sent.some((s) => s.includes('pg_del_'))).toBe(false);

    // A spend needs `trade`, which this token lacks: refused locally, no new authorization.
    await expect(client.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo' })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(provider.redirects).toHaveLength(1);
    await client.close();
  });

  it("answers a 403 from the server with the scope to add instead of the MCP SDK's automatic upscoping", async () => {
    const provider = new RecordingProvider();
    provider.saveTokens({ access_token: h.gateway.demoTokens.readOnly, token_type: 'Bearer' }); // scopes unknown to the client
    const client = await connectGateway({ url: MCP_URL, authProvider: provider, keys: h.keys });
    expect(client.scopes).toBeUndefined();
    const error = await client.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ requiredScope: 'trade', local: false });
    expect(provider.redirects).toHaveLength(0);
    await client.close();
  });

  it('rejects a token exchange with a wrong PKCE verifier', async () => {
    const provider = new RecordingProvider();
    const client = await connectGateway({ url: MCP_URL, authProvider: provider, keys: h.keys });
    await client.getUsage().catch(() => undefined);
    const approval = await fetch(provider.redirects[0]!, { redirect: 'manual' });
    const code = new URL(approval.headers.get('location') ?? '').searchParams.get('code')!;
    provider.saveCodeVerifier('not-the-verifier-that-was-hashed-into-the-challenge');
    // The MCP SDK retries an invalid_grant once, by which time the single-use code is spent.
    await expect(client.finishAuth(code)).rejects.toThrow(/PKCE verification failed|unknown or expired code/);
    expect(provider.tokens()).toBeUndefined();
    await client.close();
  });
});
