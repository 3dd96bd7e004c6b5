// timeoutMs bounds the connect-time REST reads (/v1/tokens/self, /v1/me, /health) as it bounds
// every MCP request: a REST side that never answers fails connect with TimeoutError instead of
// holding it for minutes (the test's own timeout would catch a hang).
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/core/error.js';
import { connectGateway } from '../../src/mcp/index.js';
import { KeySet } from '../../src/receipts/index.js';

/** A fetch whose server never answers: it settles only when the request's signal aborts. */
const silent: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    const signal = init?.signal;
    signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

const TOKEN = `pg_live_${'b'.repeat(32)}`;

describe('connectGateway timeoutMs and the connect-time REST reads', () => {
  it('GET /v1/tokens/self that never answers: TimeoutError naming the request, no token in it', async () => {
    const error = await connectGateway({ url: 'https://gateway.timeout.test/mcp', token: TOKEN, timeoutMs: 50, fetch: silent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('GET /v1/tokens/self got no answer within 50 ms');
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('GET /v1/me too, when the receipt identity is learned', async () => {
    const keys = KeySet.fromDocument({ keys: [] });
    const error = await connectGateway({ url: 'https://gateway.timeout.test/mcp', token: TOKEN, scopes: ['trade'], tokenId: 'tok_x', keys, timeoutMs: 50, fetch: silent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('GET /v1/me got no answer within 50 ms');
  });
});
