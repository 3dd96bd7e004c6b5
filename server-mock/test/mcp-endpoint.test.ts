// The /mcp HTTP layer over an injected backend: auth challenges, scope checks and the tool
// contract. The end-to-end tests over the real in-memory gateway live in mcp-gateway.test.ts.
import '../../sdk/test/mcp/source-condition-fix.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMcpHandlers } from '../src/handlers/mcp.js';
import type { McpBackend } from '../src/mcp/backend.js';

const ORIGIN = 'http://gateway.test';
const TOKENS: Record<string, string[]> = { 'Bearer reader': ['catalog:read', 'account:read'], 'Bearer trader': ['trade', 'account:read'] };
const calls: string[] = [];

const backend: McpBackend<string> = {
  async authenticate(authorization) {
    if (authorization === null) return null;
    const scopes = TOKENS[authorization];
    if (!scopes) throw { status: 401, body: { error: 'invalid_token', message: 'Unknown token.' } };
    return { principal: authorization, scopes };
  },
  async browseApis() { calls.push('browse'); return { data: [], cursor: null, has_more: false }; },
  async describeEndpoint(id) { throw { status: 404, body: { error: 'listing_not_found', message: `No listing ${id}.` } }; },
  async getPricing() { return { data: [] }; },
  async checkBalance() { calls.push('balance'); return { balance_micro_cents: 42, currency: 'USD' }; },
  async getUsage() { return { data: [], cursor: null, has_more: false }; },
  async rateSeller(_c, args) { return { ...args, listing_id: 'lst_1' }; },
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
    const response = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'call_api', arguments: { listing_id: 'lst_1', path: '/x' } } }, 'reader');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="trade"/);
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope', required_scope: 'trade' });
    expect(calls).toEqual([]);
  });

  it('runs account tools for a token holding the scope and renders gateway errors as tool errors', async () => {
    const client = await connect('reader');
    const balance = await client.callTool({ name: 'check_balance', arguments: {} });
    expect(balance.structuredContent).toEqual({ balance_micro_cents: 42, currency: 'USD' });
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
