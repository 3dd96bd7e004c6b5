// Errors of the MCP wrapper must not carry the token, whatever shape it has, in their message,
// JSON or cause chain (what `console.error(err)` prints), even when the server echoes it.
import { describe, expect, it } from 'vitest';
import { AuthorizationRequiredError, connectGateway, UnsafeUrlError } from '../../src/mcp/index.js';

function everythingSaid(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    parts.push(String(current), current.stack ?? '', current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n') + JSON.stringify(error);
}

describe('MCP errors and echoed tokens', () => {
  it('a 404 at connect whose body echoes the token: the ConnectionError chain is scrubbed', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    const echoing: typeof fetch = async (input, init) => {
      const auth = new Headers(init?.headers).get('authorization') ?? '';
      return new Response(`no session for ${auth}`, { status: 404, headers: { 'content-type': 'text/plain' } });
    };
    const error = await connectGateway({ url: 'http://127.0.0.1:9/mcp', token, scopes: ['trade'], fetch: echoing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const said = everythingSaid(error);
    expect(said).toContain('Error POSTing to endpoint');
    expect(said).not.toContain(token);
  });
});

describe('MCP tool-call errors and echoed tokens', () => {
  it('a server echoing the token in a 404 body: the McpProtocolError and its cause are scrubbed', async () => {
    const { setupServer } = await import('msw/node');
    const { createHarness, MCP_URL } = await import('./harness.js');
    const h = createHarness('mcp-error-secrets');
    const server = setupServer(...h.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    const token = h.gateway.demoTokens.trader;
    const echoing: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"tools/call"')) {
        return new Response(`no session for ${new Headers(init.headers).get('authorization')}`, { status: 404 });
      }
      return h.recordingFetch(input, init);
    };
    const client = await connectGateway({ url: MCP_URL, fetch: echoing, keys: h.keys, token });
    try {
      const error = await client.browseApis().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'McpProtocolError' });
      const said = everythingSaid(error);
      expect(said).toContain('no session for');
      expect(said).not.toContain(token);
    } finally {
      await client.close();
      server.close();
    }
  });
});

describe('reading the token scopes', () => {
  it('a fetch failure quoting the token leaves no token in the ConnectionError chain', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    const quoting: typeof fetch = async (_input, init) => {
      throw new TypeError('fetch failed', { cause: new Error(`proxy refused ${new Headers(init?.headers).get('authorization')}`) });
    };
    const error = await connectGateway({ url: 'http://127.0.0.1:9/mcp', token, fetch: quoting }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConnectionError' });
    const said = everythingSaid(error);
    expect(said).toContain('proxy refused');
    expect(said).not.toContain(token);
  });

  it('the fields an MCP error adds to its JSON (a URL, a pin diff) are redacted like its message', () => {
    const token = `pg_live_${'a'.repeat(24)}`;
    const errors = [
      new AuthorizationRequiredError(new URL(`https://auth.example/authorize?state=${token}`)),
      new UnsafeUrlError(`http://evil.example/cb?t=${token}`, 'not https'),
    ];
    for (const error of errors) {
      const json = JSON.stringify(error);
      expect(json).toMatch(/authorizationUrl|url/);
      expect(json).not.toContain(token);
    }
  });
});
