import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Gateway } from '@proxygate-kit/server-mock';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayMcpBackend } from '../../../server-mock/src/mcp/gateway-backend.js';
import { createGatewayMcpServer } from '../../../server-mock/src/mcp/tools.js';
import { ConnectionError } from '../../src/core/error.js';
import { connectGateway } from '../../src/mcp/index.js';
import { KeySet } from '../../src/receipts/index.js';
import { listingId } from './harness.js';

// A stateful MCP server (sessions, like many real deployments) whose sessions can be expired at will.
const gateway = new Gateway({ seed: 'mcp-sessions', origin: 'http://sessions.test' });
const backend = gatewayMcpBackend(gateway);
const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
let initializations = 0;
let expireOnPaidCall = false;

const server = setupServer(
  http.post('http://sessions.test/mcp', async ({ request }) => {
    const id = request.headers.get('mcp-session-id');
    if (id && expireOnPaidCall && /"name":"call_api"/.test(await request.clone().text())) {
      // The session ends just as the paid call arrives (after the client re-read the tool list).
      expireOnPaidCall = false;
      sessions.delete(id);
    }
    if (id) {
      const transport = sessions.get(id);
      if (!transport) return HttpResponse.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }, { status: 404 });
      return transport.handleRequest(request);
    }
    initializations += 1;
    const caller = await backend.authenticate(request.headers.get('authorization'));
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => { sessions.set(sessionId, transport); },
    });
    await createGatewayMcpServer(backend, caller).connect(transport);
    return transport.handleRequest(request);
  }),
  http.get('http://sessions.test/mcp', () => new HttpResponse(null, { status: 405 })),
  http.get('http://sessions.test/health', () => new HttpResponse(null, { status: 404 })),
  http.delete('http://sessions.test/mcp', () => new HttpResponse(null, { status: 405 })),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('an expired MCP session (404)', () => {
  it('starts a new session and re-sends a read, but never re-sends a paid call', async () => {
    const trader = gateway.demoTokens.trader;
    const client = await connectGateway({
      url: 'http://sessions.test/mcp', token: trader, scopes: ['catalog:read', 'account:read', 'trade'],
      // This server has no REST side: scopes, token id and wallet come from the caller.
      tokenId: gateway.tokenSelf(gateway.authenticate(`Bearer ${trader}`)).id,
      buyerWallet: gateway.me(gateway.authenticate(`Bearer ${trader}`)).wallet,
      keys: KeySet.fromDocument(JSON.stringify(gateway.keySet())),
    });
    const first = client.sessionId;
    expect(first).toBeDefined();
    expect(initializations).toBe(1);

    sessions.clear();
    await expect(client.checkBalance()).resolves.toMatchObject({ currency: 'lamports' });
    expect(initializations).toBe(2);
    expect(client.sessionId).not.toBe(first);

    expireOnPaidCall = true;
    const charges = gateway.ledger().length;
    const error = await client.callApi({ listing_id: listingId(gateway, 'echo'), path: '/echo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'session_expired' });
    expect(gateway.ledger()).toHaveLength(charges);
    expect(initializations).toBe(3);

    // The caller retries on the new session, on purpose.
    const paid = await client.callApi({ listing_id: listingId(gateway, 'echo'), path: '/echo', idempotency_key: 'retry-1' });
    expect(paid.verification.valid).toBe(true);
    expect(gateway.ledger()).toHaveLength(charges + 1);

    // Expired before the paid call: the re-read of its definition finds out, opens a new session,
    // and the call goes out once, on the live one.
    sessions.clear();
    const again = await client.callApi({ listing_id: listingId(gateway, 'echo'), path: '/echo', idempotency_key: 'retry-2' });
    expect(again.verification.valid).toBe(true);
    expect(gateway.ledger()).toHaveLength(charges + 2);
    expect(initializations).toBe(4);
    await client.close();
  });

  it('shares one new session between concurrent calls that all saw it expire', async () => {
    const client = await connectGateway({ url: 'http://sessions.test/mcp', token: null });
    sessions.clear();
    const before = initializations;
    const results = await Promise.all(Array.from({ length: 4 }, () => client.getPricing()));
    expect(results.every((r) => r.services.length > 0)).toBe(true);
    expect(initializations).toBe(before + 1);
    await client.close();
  });
});
