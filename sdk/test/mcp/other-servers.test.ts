import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TimeoutError } from '../../src/core/error.js';
import { connectGateway } from '../../src/mcp/index.js';

describe('request timeouts', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('become TimeoutError, and a timed-out paid call warns that it may have been charged', async () => {
    const server = new McpServer({ name: 'slow', version: '0' });
    // Each tool never answers; it says when a request has reached it.
    const arrivals = new Map<string, () => void>();
    const held = (name: string) => (): Promise<never> => {
      arrivals.get(name)?.();
      return new Promise<never>(() => undefined);
    };
    server.registerTool('call_api', { inputSchema: { listing_id: z.string(), path: z.string() } }, held('call_api'));
    server.registerTool('browse_apis', {}, held('browse_apis'));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = await connectGateway({ transport: clientSide, token: null, scopes: ['trade'], timeoutMs: 100 });
    // The request timers run on a fake clock: the test moves it once the server holds the request.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const timesOut = async (name: string, send: () => Promise<unknown>): Promise<unknown> => {
      const arrived = new Promise<void>((resolve) => arrivals.set(name, resolve));
      let settled = false;
      const outcome = send().then((value) => value, (error: unknown) => error).finally(() => (settled = true));
      await arrived;
      await vi.advanceTimersByTimeAsync(99);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      return outcome;
    };

    const read = await timesOut('browse_apis', () => client.browseApis());
    expect(read).toBeInstanceOf(TimeoutError);
    expect((read as Error).message).not.toMatch(/charged/);

    const paid = await timesOut('call_api', () => client.callApi({ listing_id: '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57', path: '/x' }));
    expect(paid).toBeInstanceOf(TimeoutError);
    expect((paid as Error).message).toMatch(/may still have run and been charged/);
    vi.useRealTimers();
    await client.close();
    await server.close();
  });
});

describe('servers without output schemas', () => {
  it('reads the JSON text content as the result, still validated', async () => {
    const server = new McpServer({ name: 'text-only', version: '0' });
    const balance = { balance: 1234, pending_settlement: 0, available: 1234, in_cooldown: false, currency: 'lamports' };
    let answer: unknown = balance;
    server.registerTool('check_balance', {}, () => ({ content: [{ type: 'text', text: JSON.stringify(answer) }] }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = await connectGateway({ transport: clientSide, token: null, scopes: ['account:read'] });
    await expect(client.checkBalance()).resolves.toEqual(balance);
    answer = { ...balance, available: 12.5 }; // money must be an integer
    await expect(client.checkBalance()).rejects.toMatchObject({ name: 'ValidationError' });
    await client.close();
    await server.close();
  });
});
