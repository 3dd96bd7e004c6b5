// A paid call whose receipt fails verification was still charged: ReceiptVerificationError
// carries the whole result (body, receipt, verdict) so the caller never loses it.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectGateway, ReceiptVerificationError, type GatewayMcpClient } from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL, priceOf, type Harness } from './harness.js';

let h: Harness = createHarness('mcp-error-result');
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  h = createHarness('mcp-error-result');
  server.resetHandlers(...h.handlers);
});
const open: GatewayMcpClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => server.close());

/** Rewrites the upstream body inside every call_api result, as a hostile MCP server could. */
const forgeBody: typeof fetch = async (input, init) => {
  const response = await h.recordingFetch(input, init);
  const text = await response.text();
  const message = text ? (JSON.parse(text) as { result?: { structuredContent?: Record<string, unknown> } }) : undefined;
  const content = message?.result?.structuredContent;
  if (content && typeof content['receipt'] === 'string') content['body'] = '{"forged":true}';
  return new Response(message ? JSON.stringify(message) : null, { status: response.status, headers: response.headers });
};

describe('ReceiptVerificationError', () => {
  it('carries the charged result: body, receipt, request id, amount and verdict', async () => {
    const client = await connectGateway({ url: MCP_URL, keys: h.keys, token: h.gateway.demoTokens.trader, fetch: forgeBody });
    open.push(client);
    const error = await client.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo', query: { n: '1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptVerificationError);
    const { result } = error as ReceiptVerificationError;
    expect(result).toBeDefined();
    expect(result?.body).toBe('{"forged":true}');
    expect(typeof result?.receipt).toBe('string');
    expect(result?.request_id).toBe((error as ReceiptVerificationError).requestId);
    expect(result?.amount_micro_usd).toBe(priceOf(h.gateway, 'echo'));
    expect(result?.verification).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'response_sha256' });
    expect(result?.untrusted).toBeDefined();
    // The charge is real: the gateway's usage list has it under the same request id.
    const usage = await client.getUsage({ limit: 1 });
    expect(usage.usage[0]?.request_id).toBe(result?.request_id);
    // Serialised errors name the charge but leave the upstream body out of logs.
    const json = JSON.stringify(error);
    expect(json).toContain(result!.request_id);
    expect(json).not.toContain('forged');
  });
});
