// /mcp over the real in-memory gateway, as createMockGateway wires it: one state for REST and MCP.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { MOCK_ORIGIN, PROFILES, SHIELD_FEE_MICRO_USD } from '../src/index.js';
import { decodeReceiptHeader, id, proxyPath, useMock } from './helpers.js';

type Content = Array<{ type: string; text: string }>;

describe.each(PROFILES)('/mcp over the shared gateway (%s profile)', (profile) => {
  const t = useMock({ profile, seed: 'mcp-gateway-test' });
  const extended = profile === 'extended';

  async function mcpClient(token?: string): Promise<Client> {
    const client = new Client({ name: 'mock-test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${MOCK_ORIGIN}/mcp`), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}));
    return client;
  }
  const errorBody = (result: Record<string, unknown>) => JSON.parse((result['content'] as Content)[0]?.text ?? '') as Record<string, unknown>;

  it('browses and describes listings as REST does: CatalogListing rows and the docs', async () => {
    const client = await mcpClient();
    const browse = await client.callTool({ name: 'browse_apis', arguments: { service: 'search', limit: 1, sort: 'price_asc' } });
    const page = browse.structuredContent as { data: { listing_id: string }[]; cursor: string | null; has_more: boolean };
    const rest = (await t.json<{ data: unknown[]; cursor: string | null; has_more: boolean }>('/v1/apis?service=search&limit=1&sort=price_asc')).body;
    expect(page).toEqual({ data: rest.data, cursor: rest.cursor, has_more: rest.has_more });
    expect(page.data[0]?.listing_id).toBe(id('seekr/web-search'));
    const verified = await client.callTool({ name: 'browse_apis', arguments: { verified: true, slug: 'web-search' } });
    expect((verified.structuredContent as { data: unknown[] }).data).toHaveLength(1);

    const described = await client.callTool({ name: 'describe_endpoint', arguments: { listing_id: id('weather-current') } });
    const { listing, docs } = described.structuredContent as { listing: { slug: string }; docs: { doc_type: string } | null };
    expect([listing.slug, docs?.doc_type]).toEqual(['weather-current', 'openapi']);
    const noDocs = await client.callTool({ name: 'describe_endpoint', arguments: { listing_id: id('time-now') } });
    expect((noDocs.structuredContent as { docs: unknown }).docs).toBeNull();
    const missing = await client.callTool({ name: 'describe_endpoint', arguments: { listing_id: 'echo' } });
    expect([missing.isError, errorBody(missing)['error']]).toEqual([true, 'listing_not_found']);
    const pricing = await client.callTool({ name: 'get_pricing', arguments: { service: 'llm' } });
    expect(pricing.structuredContent).toEqual({ ...(await t.json('/v1/pricing?service=llm')).body, last_updated: expect.any(String) });
    await client.close();
  });

  it('spends from the same balance and returns the receipt of the header, amount in micro-USD', async () => {
    const trader = t.mock.demoTokens.trader;
    const rest = await t.fetch(proxyPath('echo', 'echo', '/echo', 'a=1'), { token: trader });
    expect(rest.status).toBe(200);
    const restReceipt = decodeReceiptHeader(rest.headers.get('x-proxygate-receipt'));

    const client = await mcpClient(trader);
    const result = await client.callTool({ name: 'call_api', arguments: { listing_id: id('echo'), path: '/echo', query: { a: '2' } } });
    const content = result.structuredContent as Record<string, unknown> & { receipt: string; amount_micro_usd: number; request_id: string };
    expect(Object.keys(content).sort()).toEqual(
      ['amount_micro_usd', 'body', 'content_type', ...(extended ? ['idempotent_replayed'] : []), 'receipt', 'receipt_decoded', 'request_id', 'shield', 'status'].sort(),
    );
    const mcpReceipt = decodeReceiptHeader(content.receipt);
    expect(content['receipt_decoded']).toEqual(mcpReceipt);
    expect([content.amount_micro_usd, Number(mcpReceipt['amount']), mcpReceipt['request_id']]).toEqual([5_105, 5_105, content.request_id]);
    expect(content['shield']).toEqual({ mode: 'monitor', score: 0, flags: [], action: 'allowed' });
    if (extended) expect(mcpReceipt['seq']).toBe(Number(restReceipt['seq']) + 1);

    const balance = await client.callTool({ name: 'check_balance', arguments: {} });
    expect(balance.structuredContent).toEqual((await t.json('/v1/balance', { token: trader })).body);
    expect((balance.structuredContent as { available: number }).available).toBe(10_000_000 - 2 * 5_105);
    const usage = await client.callTool({ name: 'get_usage', arguments: { limit: 1 } });
    const usagePage = usage.structuredContent as { usage: unknown[]; summary: { request_count: number }[]; has_more: boolean };
    expect([usagePage.usage.length, usagePage.summary[0]?.request_count, usagePage.has_more]).toEqual([1, 2, true]);
    const rated = await client.callTool({ name: 'rate_seller', arguments: { request_id: content.request_id, is_positive: true } });
    expect(rated.structuredContent).toEqual({ success: true, is_update: false });
    await client.close();
  });

  it(extended ? 'replays a call_api with the same idempotency_key' : 'has no idempotency_key on call_api: a re-send is a new charge', async () => {
    const client = await mcpClient(t.mock.demoTokens.trader);
    const args = { listing_id: id('echo'), path: '/echo', method: 'POST', body: 'x', idempotency_key: 'mcp-1' };
    if (!extended) {
      // The argument is not in the tool's schema: it is dropped, as the REST header is ignored.
      const first = await client.callTool({ name: 'call_api', arguments: args });
      const again = await client.callTool({ name: 'call_api', arguments: args });
      expect(again.structuredContent).not.toHaveProperty('idempotent_replayed');
      expect((again.structuredContent as { request_id: string }).request_id).not.toBe((first.structuredContent as { request_id: string }).request_id);
      expect(t.mock.ledger().map((entry) => entry.idempotency_key)).toEqual([null, null]);
    } else {
      const first = await client.callTool({ name: 'call_api', arguments: args });
      const again = await client.callTool({ name: 'call_api', arguments: args });
      expect((again.structuredContent as { idempotent_replayed: boolean }).idempotent_replayed).toBe(true);
      expect((again.structuredContent as { receipt: string }).receipt).toBe((first.structuredContent as { receipt: string }).receipt);
      expect(t.mock.ledger()).toHaveLength(1);
    }
    await client.close();
  });

  it('turns gateway errors into tool errors carrying the REST error body', async () => {
    const client = await mcpClient(t.mock.demoTokens.broke);
    const broke = await client.callTool({ name: 'call_api', arguments: { listing_id: id('echo'), path: '/echo' } });
    expect([broke.isError, errorBody(broke)]).toEqual([true, expect.objectContaining({ error: 'insufficient_credits', status: 402 })]);
    const path = await client.callTool({ name: 'call_api', arguments: { listing_id: id('echo'), path: '/not-an-endpoint' } });
    expect(errorBody(path)).toMatchObject({ error: 'path_not_allowed', status: 400 });
    await client.close();
    const capped = await mcpClient(t.mock.demoTokens.capped);
    const over = await capped.callTool({ name: 'call_api', arguments: { listing_id: id('llm-stream'), path: '/chat', method: 'POST', body: '{}' } });
    expect(errorBody(over)).toMatchObject({ error: 'spend_limit_exceeded', status: 429 });
    await capped.close();
  });

  it('returns a strict block as a tool error with the refund and the zero-amount receipt', async () => {
    const client = await mcpClient(t.mock.demoTokens.trader);
    const result = await client.callTool({ name: 'call_api', arguments: { listing_id: id('product-reviews'), path: '/reviews', shield: 'strict' } });
    expect(result.isError).toBe(true);
    const body = errorBody(result);
    expect(body).toMatchObject({ error: 'response_blocked', code: 'shield_blocked', refunded: true, status: 422, shield: { mode: 'strict', action: 'blocked' } });
    expect(Number(decodeReceiptHeader(body['receipt'] as string)['amount'])).toBe(0);
    expect(JSON.stringify(body)).not.toContain('Ignore all previous instructions');
    expect(t.mock.ledger().map((entry) => entry.amount_micro_usd)).toEqual([210 + SHIELD_FEE_MICRO_USD, 210 + SHIELD_FEE_MICRO_USD]);
    await client.close();
  });

  it('answers a missing scope before any tool runs, in the profile style', async () => {
    const response = await fetch(`${MOCK_ORIGIN}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.mock.demoTokens.readOnly}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'call_api', arguments: { listing_id: id('echo'), path: '/echo' } } }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe(extended ? 'insufficient_scope' : 'forbidden');
    expect(t.mock.ledger()).toEqual([]);
  });
});

describe('/mcp token lifecycle (extended profile)', () => {
  const t = useMock({ profile: 'extended', seed: 'mcp-revoked' });
  it('answers a revoked token with one 401 challenge pointing at the /mcp resource metadata', async () => {
    const owner = t.mock.gateway.authenticate(`Bearer ${t.mock.demoTokens.trader}`);
    const child = t.mock.gateway.createToken(owner, { scopes: ['catalog:read'] });
    t.mock.gateway.revokeToken(owner, child.info.id);
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
});
