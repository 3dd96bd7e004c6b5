// The /mcp HTTP layer over an injected backend: auth challenges, scope checks and the tool
// contract. The end-to-end tests over the real in-memory gateway live in mcp-gateway.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMcpHandlers } from '../src/handlers/mcp.js';
import { McpBackendFailure, type McpBackend } from '../src/mcp/backend.js';

const ORIGIN = 'http://gateway.test';
const TOKENS: Record<string, string[]> = { 'Bearer reader': ['catalog:read', 'account:read'], 'Bearer trader': ['trade', 'account:read'] };
const calls: string[] = [];
const BALANCE = { balance: 42, pending_settlement: 2, available: 40, in_cooldown: false, currency: 'lamports' };

const backend: McpBackend<string> = {
  origin: () => ORIGIN,
  async authenticate(authorization) {
    if (authorization === null) return null;
    const scopes = TOKENS[authorization];
    if (!scopes) throw new McpBackendFailure(401, { error: 'invalid_token', message: 'Unknown token.' });
    return { principal: authorization, scopes };
  },
  async browseApis() { calls.push('browse'); return { data: [], cursor: null, has_more: false }; },
  async describeEndpoint(id) { throw new McpBackendFailure(404, { error: 'listing_not_found', message: `No listing ${id}.` }); },
  async getPricing() { return { services: [], has_more: false, cursor: null, currency: 'USDC', deposit_endpoint: '/v1/deposit', last_updated: '2026-11-25T12:00:00.000Z' }; },
  async checkBalance() { calls.push('balance'); return BALANCE; },
  async getUsage() { return { usage: [], summary: [], cursor: null, has_more: false }; },
  async rateSeller() { return { success: true, is_update: false }; },
  async callApi() { calls.push('call'); throw new Error('not used'); },
};

const server = setupServer(...createMcpHandlers(backend));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => { calls.length = 0; });
afterAll(() => server.close());

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {});
  await client.connect(transport);
  return client;
}

function rpc(body: unknown, token?: string): Promise<Response> {
  return fetch(`${ORIGIN}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

describe('/mcp endpoint', () => {
  it('lists the seven tools, each with an output schema, to an anonymous client', async () => {
    const client = await connect();
    // The server names itself with the package's own version.
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(client.getServerVersion()).toEqual({ name: 'proxygate-mock', version: pkg.version });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['browse_apis', 'call_api', 'check_balance', 'describe_endpoint', 'get_pricing', 'get_usage', 'rate_seller'],
    );
    for (const tool of tools) expect(tool.outputSchema?.type).toBe('object');
    const browse = await client.callTool({ name: 'browse_apis', arguments: {} });
    expect(browse.structuredContent).toEqual({ data: [], cursor: null, has_more: false });
    await client.close();
  });

  it('answers a tool needing a token, called without one, with 401 and a resource_metadata challenge', async () => {
    const response = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'check_balance', arguments: {} } });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`);
    expect(challenge).toContain('scope="account:read"');
    // RFC 6750 §3.1: no token was sent, so the challenge names no error.
    expect(challenge).not.toContain('error=');
    expect(calls).toEqual([]);

    const metadata = await (await fetch(`${ORIGIN}/.well-known/oauth-protected-resource/mcp`)).json() as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: `${ORIGIN}/mcp`, authorization_servers: [ORIGIN], bearer_methods_supported: ['header'] });
    const root = await (await fetch(`${ORIGIN}/.well-known/oauth-protected-resource`)).json() as Record<string, unknown>;
    expect(root['authorization_servers']).toEqual([ORIGIN]);
  });

  it('answers a bad token with 401 invalid_token on any request', async () => {
    const response = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, 'forged');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers a missing scope with 403 insufficient_scope naming it, and runs nothing', async () => {
    const response = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'call_api', arguments: { listing_id: '00000000-0000-4000-8000-000000000000', path: '/x' } } }, 'reader');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="trade"/);
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope', required_scope: 'trade' });
    expect(calls).toEqual([]);
  });

  it('runs account tools for a token holding the scope and renders gateway errors as tool errors', async () => {
    const client = await connect('reader');
    const balance = await client.callTool({ name: 'check_balance', arguments: {} });
    expect(balance.structuredContent).toEqual(BALANCE);
    const missing = await client.callTool({ name: 'describe_endpoint', arguments: { listing_id: 'nope' } });
    expect(missing.isError).toBe(true);
    const text = (missing.content as Array<{ type: string; text: string }>)[0]?.text ?? '';
    expect(JSON.parse(text)).toMatchObject({ error: 'listing_not_found', status: 404 });
    await client.close();
  });

  it('has no GET stream or session to delete (stateless): 405', async () => {
    expect((await fetch(`${ORIGIN}/mcp`)).status).toBe(405);
    expect((await fetch(`${ORIGIN}/mcp`, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('toy OAuth authorization server', () => {
  const issued: string[][] = [];
  const oauthServer = setupServer(...createMcpHandlers({
    ...backend,
    async issueAccessToken(scopes) {
      issued.push([...scopes]);
      return { token: 'issued-token', scopes: [...scopes], expiresIn: 60 };
    },
  }));
  beforeAll(() => { server.close(); oauthServer.listen({ onUnhandledRequest: 'error' }); });
  afterAll(() => { oauthServer.close(); server.listen({ onUnhandledRequest: 'error' }); });

  const verifier = 'v'.repeat(43);
  let clientId = '';
  beforeAll(async () => {
    const registered = await fetch(`${ORIGIN}/oauth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'endpoint-test', redirect_uris: ['http://127.0.0.1:1/cb'] }),
    });
    expect(registered.status).toBe(201);
    clientId = ((await registered.json()) as { client_id: string }).client_id;
  });
  const challenge = async (text: string): Promise<string> =>
    Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('base64url');

  async function authorize(params: Record<string, string>): Promise<Response> {
    const url = new URL(`${ORIGIN}/oauth/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:1/cb', code_challenge: await challenge(verifier),
      code_challenge_method: 'S256', scope: 'trade', resource: `${ORIGIN}/mcp`, state: 's1', ...params,
    })) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  }

  const exchange = (code: string, overrides: Record<string, string> = {}): Promise<Response> =>
    fetch(`${ORIGIN}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId,
        redirect_uri: 'http://127.0.0.1:1/cb', resource: `${ORIGIN}/mcp`, ...overrides,
      }),
    });

  it('advertises itself through RFC 8414 metadata', async () => {
    const metadata = await (await fetch(`${ORIGIN}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>;
    expect(metadata).toMatchObject({ issuer: ORIGIN, token_endpoint: `${ORIGIN}/oauth/token`, code_challenge_methods_supported: ['S256'] });
  });

  it('issues a code bound to PKCE and resource, usable once', async () => {
    const approval = await authorize({});
    expect(approval.status).toBe(302);
    const location = new URL(approval.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('s1');
    const code = location.searchParams.get('code') ?? '';
    const token = await exchange(code);
    expect(await token.json()).toEqual({ access_token: 'issued-token', token_type: 'Bearer', expires_in: 60, scope: 'trade', refresh_token: expect.any(String) });
    expect(issued.at(-1)).toEqual(['trade']);
    expect((await exchange(code)).status).toBe(400); // single use
  });

  it('refuses a wrong verifier, a foreign resource, and plain PKCE', async () => {
    const code = new URL((await authorize({})).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const wrong = await exchange(code, { code_verifier: 'w'.repeat(43) });
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant', error_description: 'PKCE verification failed' });
    expect(await (await authorize({ resource: 'https://elsewhere.test/mcp' })).json()).toMatchObject({ error: 'invalid_target' });
    expect((await authorize({ code_challenge_method: 'plain' })).status).toBe(400);
  });
});

describe('/mcp in the public profile', () => {
  const publicTokens: Record<string, string[]> = { 'Bearer reader': ['balance:read', 'usage:read'], 'Bearer buyer': ['proxy', 'balance:read'] };
  const publicServer = setupServer(...createMcpHandlers({
    ...backend,
    async authenticate(authorization) {
      if (authorization === null) return null;
      const scopes = publicTokens[authorization];
      if (!scopes) throw new McpBackendFailure(401, { error: 'unauthorized', message: 'Unknown token.' });
      return { principal: authorization, scopes };
    },
  }, { profile: 'public' }));
  beforeAll(() => { server.close(); publicServer.listen({ onUnhandledRequest: 'error' }); });
  afterAll(() => { publicServer.close(); server.listen({ onUnhandledRequest: 'error' }); });

  it('names the public scope in the 401 challenge and answers a missing scope with 403 forbidden, no scope named', async () => {
    const anonymous = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'check_balance', arguments: {} } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('scope="balance:read"');
    const denied = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'call_api', arguments: { listing_id: '00000000-0000-4000-8000-000000000000', path: '/x' } } }, 'reader');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBeNull();
    const body = (await denied.json()) as Record<string, unknown>;
    expect(body['error']).toBe('forbidden');
    expect(JSON.stringify(body)).not.toContain('proxy');
    expect(calls).toEqual([]);
    const metadata = await (await fetch(`${ORIGIN}/.well-known/oauth-protected-resource/mcp`)).json() as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(['proxy', 'balance:read', 'usage:read', 'rate:write', 'wallet:limits']);
  });

  it('leaves the idempotency extension out of call_api', async () => {
    const client = await connect('buyer');
    const { tools } = await client.listTools();
    const callApi = tools.find((tool) => tool.name === 'call_api');
    expect(Object.keys(callApi?.inputSchema.properties ?? {})).not.toContain('idempotency_key');
    expect(Object.keys((callApi?.outputSchema as { properties?: object } | undefined)?.properties ?? {})).not.toContain('idempotent_replayed');
    await client.close();
  });
});
