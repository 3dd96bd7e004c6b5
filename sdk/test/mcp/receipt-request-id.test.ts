// A v1/v2 receipt is tied to its call only by request_id (and buyer). A tool error's body may
// claim no request_id: then a genuine receipt of an earlier call must not pass for the new one.
// v3 binds the call itself (listing, method, path, hashes), so it still verifies on its own.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectGateway, verifyCallReceipt, type GatewayMcpClient } from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL, type Harness } from './harness.js';

let h: Harness = createHarness('mcp-request-id');
const server = setupServer();
const open: GatewayMcpClient[] = [];
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  h = createHarness('mcp-request-id');
  server.resetHandlers(...h.handlers);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => server.close());

/** A genuine receipt of an `echo` call made with this token, and the wallet it names. */
async function earlierReceipt(token: string): Promise<{ receipt: string; request_id: string; wallet: string }> {
  const client = await connectGateway({ url: MCP_URL, token, receiptIdentity: true, fetch: h.recordingFetch });
  open.push(client);
  const raw = await client.callTool('call_api', { listing_id: listingId(h.gateway, 'echo'), path: '/echo' });
  const output = raw.structuredContent as { receipt: string; request_id: string };
  return { ...output, wallet: client.buyerWallet! };
}

describe('verifyCallReceipt when the answer claims no request_id', () => {
  it.each([
    ['v1', () => h.gateway.demoTokens.traderV1],
    ['v2', () => h.gateway.demoTokens.traderV2],
  ])('refuses a genuine %s receipt of an earlier call: nothing ties it to this one', async (_, token) => {
    const old = await earlierReceipt(token());
    const other = { listing_id: listingId(h.gateway, 'weather-alerts'), method: 'GET', path: '/alerts' };
    const expected = { wallet: old.wallet, minVersion: 1 } as const;
    // With its own request id it verifies: the receipt is genuine and names this wallet.
    expect(await verifyCallReceipt({ receipt: old.receipt, request_id: old.request_id }, other, h.keys, expected)).toMatchObject({ valid: true });

    const verdict = await verifyCallReceipt({ receipt: old.receipt }, other, h.keys, expected);
    expect(verdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'request_id' });
    expect(verdict.message).toMatch(/named no request_id.*v1\/v2 receipt cannot be tied to this call/);
    expect(verdict.receipt?.request_id).toBe(old.request_id);
  });

  it('a v3 receipt still verifies by the call it signs, and not for another call', async () => {
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.trader, receiptIdentity: true, fetch: h.recordingFetch });
    open.push(client);
    const echo = { listing_id: listingId(h.gateway, 'echo'), method: 'GET', path: '/echo' };
    const raw = await client.callTool('call_api', echo);
    const { receipt } = raw.structuredContent as { receipt: string };
    const expected = { tokenId: client.tokenId, wallet: client.buyerWallet, minVersion: 3 } as const;
    expect(await verifyCallReceipt({ receipt }, echo, h.keys, expected)).toMatchObject({ valid: true });
    const other = { listing_id: listingId(h.gateway, 'weather-alerts'), method: 'GET', path: '/alerts' };
    expect(await verifyCallReceipt({ receipt }, other, h.keys, expected)).toMatchObject({ valid: false, reason: 'content_mismatch' });
  });
});
