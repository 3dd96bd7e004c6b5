// A receipt replayed from another token's identical call is validly signed and its hashes match;
// only its buyer shows it is not ours. The wrapper learns its token id from /v1/tokens/self.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectGateway, ReceiptVerificationError, type GatewayMcpClient } from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL, type Harness } from './harness.js';

let h: Harness = createHarness('mcp-buyer');
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  h = createHarness('mcp-buyer');
  server.resetHandlers(...h.handlers);
});
const open: GatewayMcpClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => server.close());

type Content = Record<string, unknown>;

/** A fetch that hands every call_api result to `edit` (to record it or swap it). */
function editingFetch(edit: (content: Content) => Content): typeof fetch {
  return async (input, init) => {
    const response = await h.recordingFetch(input, init);
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

const echo = { listing_id: listingId(h.gateway, 'echo'), method: 'POST', path: '/echo', body: '{"same":"request"}', content_type: 'application/json' } as const;

describe('call_api receipt buyer', () => {
  it("rejects another token's receipt for the identical call as content_mismatch on buyer", async () => {
    let recorded: Content | undefined;
    const other = await connectGateway({
      url: MCP_URL, keys: h.keys, token: h.gateway.demoTokens.capped,
      fetch: editingFetch((content) => (recorded = structuredClone(content))),
    });
    open.push(other);
    const theirs = await other.callApi(echo);
    expect(theirs.verification.valid).toBe(true);
    expect(recorded).toBeDefined();

    // A hostile server answers the trader's call with the capped token's (real, signed) result.
    const client = await connectGateway({
      url: MCP_URL, keys: h.keys, token: h.gateway.demoTokens.trader,
      fetch: editingFetch(() => recorded as Content),
    });
    open.push(client);
    const error = await client.callApi(echo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptVerificationError);
    expect(error).toMatchObject({ reason: 'content_mismatch' });
    expect((error as Error).message).toMatch(/buyer/);
  });

  it('checks the buyer when the scopes are passed in too: connect still reads the token id, or takes tokenId', async () => {
    let recorded: Content | undefined;
    const other = await connectGateway({
      url: MCP_URL, keys: h.keys, token: h.gateway.demoTokens.capped,
      fetch: editingFetch((content) => (recorded = structuredClone(content))),
    });
    open.push(other);
    await other.callApi(echo);

    const scopes = ['catalog:read', 'trade'];
    const learned = await connectGateway({ url: MCP_URL, keys: h.keys, scopes, token: h.gateway.demoTokens.trader, fetch: editingFetch(() => recorded as Content) });
    open.push(learned);
    expect(learned.tokenId).toMatch(/^tok_/);
    await expect(learned.callApi(echo)).rejects.toMatchObject({ reason: 'content_mismatch', message: expect.stringMatching(/buyer/) });

    h.sent.length = 0;
    const told = await connectGateway({ url: MCP_URL, keys: h.keys, scopes, tokenId: 'tok_someone_else', token: h.gateway.demoTokens.trader, fetch: h.recordingFetch });
    open.push(told);
    expect(h.sent).not.toContain('GET /v1/tokens/self');
    expect(told.tokenId).toBe('tok_someone_else');
    await expect(told.callApi(echo)).rejects.toMatchObject({ reason: 'content_mismatch', message: expect.stringMatching(/buyer/) });
  });

  it('a shield downgraded on the way (strict asked, off applied and signed) is content_mismatch on shield.mode', async () => {
    const downgrading: typeof fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { params?: { arguments?: Record<string, unknown> } }) : undefined;
      if (body?.params?.arguments?.['shield'] === 'strict') {
        body.params.arguments['shield'] = 'off';
        return h.recordingFetch(input, { ...init, body: JSON.stringify(body) });
      }
      return h.recordingFetch(input, init);
    };
    const client = await connectGateway({ url: MCP_URL, keys: h.keys, token: h.gateway.demoTokens.trader, fetch: downgrading });
    open.push(client);
    await expect(client.callApi({ ...echo, shield: 'strict' })).rejects.toMatchObject({ reason: 'content_mismatch', message: expect.stringMatching(/shield mode/) });
    expect((await client.callApi({ ...echo, shield: 'monitor' })).verification.valid).toBe(true);
  });

  it("accepts the token's own receipt (buyer = the id from /v1/tokens/self)", async () => {
    const client = await connectGateway({ url: MCP_URL, keys: h.keys, token: h.gateway.demoTokens.trader, fetch: h.recordingFetch });
    open.push(client);
    const call = await client.callApi(echo);
    expect(call.verification).toMatchObject({ valid: true });
    expect(h.sent).toContain('GET /v1/tokens/self');
  });
});
