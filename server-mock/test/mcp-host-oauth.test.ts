// /mcp and its authorization server under a DNS-rebinding attacker (a page whose host name now
// points at 127.0.0.1), plus the authorization server's registration and refresh-token rotation.
import { request as httpRequest } from 'node:http';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockGateway, MOCK_ORIGIN } from '../src/index.js';
import { startMockServer, type MockServer } from '../src/serve.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request over a real socket with the Host and Origin a browser would send (fetch cannot set Host). */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'rebinding-test', version: '1' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('Host and Origin checks over a real socket', () => {
  let mock: MockServer;
  let port: string;
  beforeAll(async () => {
    mock = await startMockServer({ seed: 'mcp-host' });
    port = new URL(mock.url).port;
  });
  afterAll(() => mock.close());

  it('serves its own host names, loopback aliases included', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const answer = await raw(mock.url, 'POST', '/mcp', { ...MCP_HEADERS, host, origin: `http://${host}` }, INITIALIZE);
      expect(answer.status, host).toBe(200);
    }
  });

  it('refuses a rebound host name on /mcp and on every OAuth route before doing anything', async () => {
    const evil = { host: `evil.example.com:${port}`, origin: `http://evil.example.com:${port}` };
    const attempts: Array<[string, string, Record<string, string>, string?]> = [
      ['POST', '/mcp', MCP_HEADERS, INITIALIZE],
      ['GET', '/.well-known/oauth-protected-resource/mcp', {}],
      ['GET', '/.well-known/oauth-authorization-server', {}],
      ['POST', '/oauth/register', { 'content-type': 'application/json' }, JSON.stringify({ redirect_uris: ['http://evil.example.com/cb'] })],
      ['GET', '/oauth/authorize?response_type=code&client_id=x&redirect_uri=http%3A%2F%2Fevil.example.com%2Fcb', {}],
      ['POST', '/oauth/token', { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=authorization_code&code=x'],
    ];
    for (const [method, path, headers, body] of attempts) {
      const answer = await raw(mock.url, method, path, { ...headers, ...evil }, body);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'forbidden' });
    }
  });

  it('refuses a foreign or opaque Origin even when the Host is right', async () => {
    for (const origin of ['http://evil.example.com', 'null', `https://127.0.0.1.evil.example:${port}`]) {
      const answer = await raw(mock.url, 'POST', '/mcp', { ...MCP_HEADERS, host: `127.0.0.1:${port}`, origin }, INITIALIZE);
      expect(answer.status, origin).toBe(403);
    }
    const register = await raw(mock.url, 'POST', '/oauth/register',
      { 'content-type': 'application/json', host: `127.0.0.1:${port}`, origin: 'http://evil.example.com' },
      JSON.stringify({ redirect_uris: ['http://evil.example.com/cb'] }));
    expect(register.status).toBe(403);
  });
});

describe('authorization server: registration, codes and refresh tokens', () => {
  const mock = createMockGateway({ seed: 'mcp-oauth-server' });
  const server = setupServer(...mock.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  const REDIRECT = 'http://127.0.0.1:1/callback';
  const verifier = 'x'.repeat(50);

  async function register(body: unknown): Promise<Response> {
    return fetch(`${MOCK_ORIGIN}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function authorize(clientId: string, overrides: Record<string, string> = {}): Promise<Response> {
    const challenge = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString('base64url');
    const url = new URL(`${MOCK_ORIGIN}/oauth/authorize`);
    const params = {
      response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: challenge,
      code_challenge_method: 'S256', scope: 'account:read trade', resource: `${MOCK_ORIGIN}/mcp`, ...overrides,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  }

  const token = (form: Record<string, string>): Promise<Response> =>
    fetch(`${MOCK_ORIGIN}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });

  async function grant(clientId: string): Promise<{ access_token: string; refresh_token: string; scope: string }> {
    const code = new URL((await authorize(clientId)).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const answer = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT, resource: `${MOCK_ORIGIN}/mcp` });
    expect(answer.status).toBe(200);
    return (await answer.json()) as { access_token: string; refresh_token: string; scope: string };
  }

  async function balanceWith(accessToken: string): Promise<number> {
    const answer = await fetch(`${MOCK_ORIGIN}/mcp`, {
      method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'check_balance', arguments: {} } }),
    });
    return answer.status;
  }

  it('registers clients (RFC 7591) as public clients and refuses bad redirect URIs', async () => {
    const answer = await register({ client_name: 'test', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' });
    expect(answer.status).toBe(201);
    const client = (await answer.json()) as Record<string, unknown>;
    expect(client).toMatchObject({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
    expect(client['client_secret']).toBeUndefined();
    expect(typeof client['client_id']).toBe('string');
    for (const bad of [{}, { redirect_uris: [] }, { redirect_uris: ['javascript:alert(1)'] }, { redirect_uris: ['http://x.test/cb#frag'] }, { redirect_uris: ['/relative'] }]) {
      expect(((await (await register(bad)).json()) as { error: string }).error).toBe('invalid_redirect_uri');
    }
    const metadata = (await (await fetch(`${MOCK_ORIGIN}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ registration_endpoint: `${MOCK_ORIGIN}/oauth/register`, grant_types_supported: ['authorization_code', 'refresh_token'] });
  });

  it('serves only registered clients, and only to their registered redirect URIs (never redirecting an error)', async () => {
    const unknown = await authorize('never-registered');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('location')).toBeNull();
    const { client_id: clientId } = (await (await register({ redirect_uris: [REDIRECT] })).json()) as { client_id: string };
    const elsewhere = await authorize(clientId, { redirect_uri: 'http://evil.example.com/cb' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
    expect((await authorize(clientId)).status).toBe(302);
  });

  it('rotates refresh tokens: each works once, a reuse revokes the whole grant', async () => {
    const { client_id: clientId } = (await (await register({ redirect_uris: [REDIRECT] })).json()) as { client_id: string };
    const first = await grant(clientId);
    expect(first.scope).toBe('account:read trade');
    expect(await balanceWith(first.access_token)).toBe(200);

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: clientId, resource: `${MOCK_ORIGIN}/mcp` });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { access_token: string; refresh_token: string; scope: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(await balanceWith(second.access_token)).toBe(200);

    // The rotated-out token comes back (a stolen copy): refused, and the current one dies with it.
    const replay = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: clientId });
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    const after = await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token, client_id: clientId });
    expect(await after.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('lets a refresh narrow the grant but never widen it, and binds it to its client', async () => {
    const { client_id: clientId } = (await (await register({ redirect_uris: [REDIRECT] })).json()) as { client_id: string };
    const { client_id: otherId } = (await (await register({ redirect_uris: [REDIRECT] })).json()) as { client_id: string };
    const code = new URL((await authorize(clientId, { scope: 'account:read' })).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const granted = (await (await token({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT, resource: `${MOCK_ORIGIN}/mcp` })).json()) as { refresh_token: string };

    const wider = await token({ grant_type: 'refresh_token', refresh_token: granted.refresh_token, client_id: clientId, scope: 'account:read trade' });
    expect(await wider.json()).toMatchObject({ error: 'invalid_scope' });
    const stolen = await token({ grant_type: 'refresh_token', refresh_token: granted.refresh_token, client_id: otherId });
    expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });
    const narrowed = await token({ grant_type: 'refresh_token', refresh_token: granted.refresh_token, client_id: clientId, scope: 'account:read' });
    expect(await narrowed.json()).toMatchObject({ scope: 'account:read' });
  });

  it('challenges per RFC 6750: no error without a token, invalid_token for a bad one, insufficient_scope with the scope', async () => {
    const call = (authorization?: string, name = 'check_balance'): Promise<Response> => fetch(`${MOCK_ORIGIN}/mcp`, {
      method: 'POST', headers: { ...MCP_HEADERS, ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name, arguments: {} } }),
    });
    const none = await call();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="proxygate", scope="account:read", resource_metadata="[^"]+"$/);
    const bad = await call('Bearer pg_live_notarealtokenatall');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const readOnly = await call(`Bearer ${mock.demoTokens.readOnly}`, 'call_api');
    expect(readOnly.status).toBe(403);
    expect(readOnly.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="trade"/);
  });
});
