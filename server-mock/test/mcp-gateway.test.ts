// /mcp over the real in-memory gateway, as createMockGateway wires it: one state for REST and MCP.
import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockGateway, MOCK_ORIGIN } from '../src/index.js';
import { canonicalize } from '../src/crypto/jcs.js';

const mock = createMockGateway({ seed: 'mcp-gateway-test' });
const server = setupServer(...mock.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

async function mcpClient(token: string): Promise<Client> {
  const client = new Client({ name: 'mock-test', version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${MOCK_ORIGIN}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

const decode = (base64: string): Record<string, unknown> => JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as Record<string, unknown>;

describe('/mcp over the shared gateway', () => {
  it('continues the REST receipt chain and spends from the same balance', async () => {
    const trader = mock.demoTokens.trader;
    const listing = mock.gateway.getApi('echo');
    const balance0 = (await (await fetch(`${MOCK_ORIGIN}/v1/balance`, { headers: { authorization: `Bearer ${trader}` } })).json() as { balance_micro_cents: number }).balance_micro_cents;

    const rest = await fetch(`${MOCK_ORIGIN}/proxy/echo/echo?listing=${listing.id}&a=1`, { headers: { authorization: `Bearer ${trader}` } });
    expect(rest.status).toBe(200);
    const restReceipt = decode(rest.headers.get('x-proxygate-receipt') ?? '');

    const client = await mcpClient(trader);
    const result = await client.callTool({ name: 'call_api', arguments: { listing_id: listing.id, path: '/echo', query: { a: '2' } } });
    const content = result.structuredContent as { receipt: string; receipt_decoded: Record<string, unknown>; amount_micro_cents: number; request_id: string };
    const mcpReceipt = decode(content.receipt);
    expect(content.receipt_decoded).toEqual(mcpReceipt);
    expect(mcpReceipt['seq']).toBe(Number(restReceipt['seq']) + 1);
    expect(mcpReceipt['prev']).toBe(createHash('sha256').update(canonicalize(restReceipt)).digest('hex'));
    expect(mcpReceipt['request_id']).toBe(content.request_id);
    expect(mcpReceipt['amount']).toBe(String(content.amount_micro_cents));

    const balance = await client.callTool({ name: 'check_balance', arguments: {} });
    expect((balance.structuredContent as { balance_micro_cents: number }).balance_micro_cents)
      .toBe(balance0 - Number(restReceipt['amount']) - content.amount_micro_cents);
    await client.close();
  });

  it('answers a revoked token with one 401 challenge pointing at the /mcp resource metadata', async () => {
    const owner = mock.gateway.authenticate(`Bearer ${mock.demoTokens.trader}`);
    const child = mock.gateway.createToken(owner, { scopes: ['catalog:read'] });
    mock.gateway.revokeToken(owner, child.info.id);
    const response = await fetch(`${MOCK_ORIGIN}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${child.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'token_revoked' });
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge.match(/Bearer /g)).toHaveLength(1);
    expect(challenge).toContain(`resource_metadata="${MOCK_ORIGIN}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('turns gateway errors into tool errors carrying the REST error body', async () => {
    const client = await mcpClient(mock.demoTokens.broke);
    const result = await client.callTool({ name: 'call_api', arguments: { listing_id: 'echo', path: '/echo' } });
    expect(result.isError).toBe(true);
    const body = JSON.parse((result.content as Array<{ text: string }>)[0]?.text ?? '') as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'insufficient_credits', status: 402 });
    const notAllowed = await client.callTool({ name: 'call_api', arguments: { listing_id: 'echo', path: '/not-an-endpoint' } });
    expect(JSON.parse((notAllowed.content as Array<{ text: string }>)[0]?.text ?? '')).toMatchObject({ error: 'path_not_allowed', status: 400 });
    await client.close();
  });

  it('returns a strict block as a tool error with the refund and the zero-amount receipt', async () => {
    const client = await mcpClient(mock.demoTokens.trader);
    const result = await client.callTool({ name: 'call_api', arguments: { listing_id: 'product-reviews', path: '/reviews', shield: 'strict' } });
    expect(result.isError).toBe(true);
    const body = JSON.parse((result.content as Array<{ text: string }>)[0]?.text ?? '') as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'response_blocked', code: 'shield_blocked', refunded: true, status: 422 });
    expect(decode(body['receipt'] as string)).toMatchObject({ amount: '0', shield: { action: 'blocked', mode: 'strict' } });
    expect(JSON.stringify(body)).not.toContain('Ignore all previous instructions');
    await client.close();
  });
});
