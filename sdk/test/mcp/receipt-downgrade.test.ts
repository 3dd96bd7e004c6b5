// A v1/v2 receipt binds neither the request nor the response: a relay (a hostile MCP server, a
// proxy) can hand back a genuine one with another body and it still verifies. So once the
// gateway is known to sign v3 for the token, a weaker receipt for a paid call is a downgrade;
// and a v1/v2 receipt must at least name this client's account wallet (`GET /v1/me`).
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectGateway, ReceiptVerificationError, verifyCallReceipt, type GatewayMcpClient } from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL, ORIGIN, type Harness } from './harness.js';

let h: Harness = createHarness('mcp-downgrade');
const server = setupServer();
const open: GatewayMcpClient[] = [];
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => server.close());

type Content = Record<string, unknown>;

/** A relay between client and gateway that may rewrite every call_api result. */
function relay(edit: (content: Content) => Content): typeof fetch {
  return async (input, init) => {
    const response = await h.recordingFetch(input, init);
    if (!new URL(input instanceof Request ? input.url : String(input)).pathname.endsWith('/mcp')) return response;
    const text = await response.text();
    const message = text ? (JSON.parse(text) as { result?: { structuredContent?: Content; content?: unknown } }) : undefined;
    const content = message?.result?.structuredContent;
    if (message?.result && content && typeof content['receipt'] === 'string') {
      const next = edit(content);
      message.result.structuredContent = next;
      message.result.content = [{ type: 'text', text: JSON.stringify(next) }];
    }
    return new Response(message ? JSON.stringify(message) : null, { status: response.status, headers: response.headers });
  };
}

const swapBody = (content: Content): Content => ({ ...content, body: '{"echo":"what the relay wants the agent to read"}' });

describe('receipt downgrade over MCP (extended gateway: /health advertises receipt_v3)', () => {
  beforeEach(() => {
    h = createHarness('mcp-downgrade');
    server.resetHandlers(...h.handlers);
  });

  it('refuses a genuine v2 receipt as a downgrade, body swapped or not', async () => {
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.traderV2, keys: h.keys, fetch: relay(swapBody) });
    open.push(client);
    expect(client.minReceiptVersion).toBe(3);
    const echo = { listing_id: listingId(h.gateway, 'echo'), method: 'POST' as const, path: '/echo', body: '{"a":1}' };
    const error = await client.callApi(echo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptVerificationError);
    const result = (error as ReceiptVerificationError).result!;
    expect(result.verification).toMatchObject({ valid: false, reason: 'downgrade', field: 'receipt_version' });
    expect(result.verification.receipt?.receipt_version).toBe(2);
    // The charged result still travels with the error (never lost), and says why it is not trusted.
    expect(result.request_id).toBe(result.verification.receipt?.request_id);
  });

  it('receiptIdentity learns the same without keys, for a caller that verifies receipts itself', async () => {
    const bare = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.traderV2, fetch: h.recordingFetch });
    open.push(bare);
    expect({ min: bare.minReceiptVersion, wallet: bare.buyerWallet }).toEqual({ min: 1, wallet: undefined });
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.traderV2, receiptIdentity: true, fetch: h.recordingFetch });
    open.push(client);
    expect(client.minReceiptVersion).toBe(3);
    expect(client.buyerWallet).toEqual(expect.any(String));
    expect(client.tokenId).toMatch(/^tok_/);
    const echo = { listing_id: listingId(h.gateway, 'echo'), path: '/echo' };
    const raw = await client.callTool('call_api', echo);
    const output = raw.structuredContent as { receipt: string; request_id: string; body: string; amount_micro_usd: number };
    const verdict = await verifyCallReceipt(output, echo, h.keys, { tokenId: client.tokenId, wallet: client.buyerWallet, minVersion: client.minReceiptVersion });
    expect(verdict).toMatchObject({ valid: false, reason: 'downgrade', field: 'receipt_version' });
  });

  it('remembers a v3 receipt for the token when /health says nothing: a later v2 is a downgrade', async () => {
    // A REST side that hides the extensions: only what this client saw can tell.
    server.use(http.get(`${ORIGIN}/health`, () => HttpResponse.json({ status: 'healthy', platform_pubkey: h.gateway.health().body.platform_pubkey })));
    let edit = (content: Content): Content => content;
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.trader, keys: h.keys, fetch: relay((c) => edit(c)) });
    open.push(client);
    expect(client.minReceiptVersion).toBe(1);
    const echo = { listing_id: listingId(h.gateway, 'echo'), path: '/echo' };
    const first = await client.callApi(echo);
    expect(first.verification).toMatchObject({ valid: true });
    expect(first.verification.receipt?.receipt_version).toBe(3);
    expect(client.minReceiptVersion).toBe(3);

    // The relay now gets this token's calls signed v2 (genuinely) and swaps the body.
    h.gateway.setTokenReceiptVersion(h.gateway.tokenIdOf(h.gateway.demoTokens.trader), 2);
    edit = swapBody;
    const error = await client.callApi(echo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptVerificationError);
    expect((error as ReceiptVerificationError).reason).toBe('downgrade');
  });

  it('allowLegacyReceipts accepts a token the gateway keeps on legacy receipts, until it had a v3 receipt', async () => {
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.traderV1, keys: h.keys, allowLegacyReceipts: true, fetch: h.recordingFetch });
    open.push(client);
    expect(client.minReceiptVersion).toBe(1);
    const echo = { listing_id: listingId(h.gateway, 'echo'), path: '/echo' };
    expect((await client.callApi(echo)).verification).toMatchObject({ valid: true });
    h.gateway.setTokenReceiptVersion(h.gateway.tokenIdOf(h.gateway.demoTokens.traderV1), 3);
    expect((await client.callApi(echo)).verification.receipt?.receipt_version).toBe(3);
    h.gateway.setTokenReceiptVersion(h.gateway.tokenIdOf(h.gateway.demoTokens.traderV1), 1);
    expect(await client.callApi(echo).catch((e: unknown) => (e as ReceiptVerificationError).reason)).toBe('downgrade');
  });

  it('reports the downgrade without throwing when acceptInvalidReceipts is set', async () => {
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.traderV1, keys: h.keys, acceptInvalidReceipts: true });
    open.push(client);
    const call = await client.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo' });
    expect(call.verification).toMatchObject({ valid: false, reason: 'downgrade' });
  });
});

describe('v1/v2 receipts and the buyer wallet (public gateway: v2 only)', () => {
  beforeEach(() => {
    h = createHarness('mcp-downgrade-public', 'public');
    h.gateway.setDefaultReceiptVersion(2);
    server.resetHandlers(...h.handlers);
  });

  it("refuses another account's genuine v2 receipt with a swapped body: its buyer is not this wallet", async () => {
    const echo = { listing_id: listingId(h.gateway, 'echo'), method: 'POST' as const, path: '/echo', body: '{"same":"call"}' };
    let recorded: Content | undefined;
    const other = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.trader, keys: h.keys, fetch: relay((c) => (recorded = structuredClone(c))) });
    open.push(other);
    const theirs = await other.callApi(echo);
    expect(theirs.verification).toMatchObject({ valid: true });
    expect(theirs.verification.receipt?.receipt_version).toBe(2);
    expect(other.buyerWallet).toBe(theirs.verification.receipt?.buyer);

    // The relay answers another account's call itself, with that genuine receipt and a body of its own.
    const replaying: typeof fetch = async (input, init) => {
      const message = typeof init?.body === 'string' ? (JSON.parse(init.body) as { id?: number; method?: string; params?: { name?: string } }) : undefined;
      if (message?.method !== 'tools/call' || message.params?.name !== 'call_api') return h.recordingFetch(input, init);
      const content = swapBody(recorded!);
      return Response.json({ jsonrpc: '2.0', id: message.id, result: { structuredContent: content, content: [{ type: 'text', text: JSON.stringify(content) }] } });
    };
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.broke, keys: h.keys, fetch: replaying });
    open.push(client);
    expect(client.minReceiptVersion).toBe(1); // the public gateway signs no v3
    expect(client.buyerWallet).toBeDefined();
    expect(client.buyerWallet).not.toBe(other.buyerWallet);
    const error = await client.callApi(echo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptVerificationError);
    expect((error as ReceiptVerificationError).result?.verification).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'buyer' });
  });

  it('takes the wallet from buyerWallet without asking /v1/me', async () => {
    const wallet = h.gateway.me(h.gateway.authenticate(`Bearer ${h.gateway.demoTokens.trader}`)).wallet;
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.trader, keys: h.keys, buyerWallet: wallet, fetch: h.recordingFetch });
    open.push(client);
    expect(h.sent).not.toContain('GET /v1/me');
    expect((await client.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo' })).verification.valid).toBe(true);
  });
});
