// The MCP wrapper against a gateway serving only the public wire: no token introspection (scopes
// from a pg_del_ token's claim, unknown for a pg_live_ key), 403 `forbidden`, v1 receipts verified
// against the /health keys, amounts in micro-USD.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientScopeError, PermissionDeniedError } from '../../src/core/error.js';
import { connectGateway, type GatewayMcpClient } from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL, priceOf } from './harness.js';

const h = createHarness('mcp-public', 'public');
const server = setupServer(...h.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
const open: GatewayMcpClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => server.close());

async function connect(token: string | null): Promise<GatewayMcpClient> {
  const client = await connectGateway({ url: MCP_URL, fetch: h.recordingFetch, keys: h.keys, token });
  open.push(client);
  return client;
}

describe('connectGateway against the public profile', () => {
  it('a pg_live_ key: scopes unknown, the paid call runs and its v1 receipt verifies; amounts are micro-USD', async () => {
    const client = await connect(h.gateway.demoTokens.trader);
    expect(client.scopes).toBeUndefined();
    expect(client.tokenId).toBeUndefined();
    const call = await client.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo' });
    expect(call.verification).toMatchObject({ valid: true });
    expect(call.receipt_decoded['amount']).toBe(priceOf(h.gateway, 'echo'));
    expect(call.amount_micro_usd).toBe(priceOf(h.gateway, 'echo'));
    expect(call.idempotent_replayed).toBeUndefined();
  });

  it('a pg_del_ token: its scopes claim is read (proxy counts as trade); a read-only key is refused by the gateway with 403 forbidden', async () => {
    const capped = await connect(h.gateway.demoTokens.capped);
    expect(capped.scopes).toEqual(expect.arrayContaining(['proxy']));
    expect((await capped.callApi({ listing_id: listingId(h.gateway, 'time-now'), path: '/now', shield: 'off' })).status).toBe(200);

    const readOnly = await connect(h.gateway.demoTokens.readOnly);
    expect(readOnly.scopes).toBeUndefined();
    const error = await readOnly.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).not.toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
  });
});
