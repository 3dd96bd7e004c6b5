// PROXYGATE_API_KEY belongs to the gateway the environment names: connectGateway must not send it
// to some other MCP server whose url was passed in (no token passthrough).
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectGateway } from '../../src/mcp/index.js';

interface Seen {
  url: string;
  authorization: string | null;
}

/** A fetch that records where each request goes and with which Authorization, then answers 503. */
function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    seen.push({ url, authorization: new Headers(init?.headers).get('authorization') });
    return new Response(JSON.stringify({ error: 'service_unavailable', message: 'test server' }), {
      status: 503,
      headers: { 'content-type': 'application/json' },
    });
  };
}

async function connectAndRecord(options: Parameters<typeof connectGateway>[0]): Promise<Seen[]> {
  const seen: Seen[] = [];
  await connectGateway({ ...options, fetch: recordingFetch(seen), timeoutMs: 2000 }).then(
    (client) => client.close(),
    () => undefined, // the fake server refuses everything; only what was sent matters
  );
  return seen;
}

const envToken = `pg_live_${randomBytes(16).toString('hex')}`;

describe('the env token and explicit MCP urls', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('an explicit url on another origin gets no env token, neither on /mcp nor on /v1/tokens/self', async () => {
    vi.stubEnv('PROXYGATE_API_KEY', envToken);
    vi.stubEnv('PROXYGATE_GATEWAY_URL', 'https://gateway.example.test');
    const seen = await connectAndRecord({ url: 'https://evil.example.test/mcp' });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.authorization === null)).toBe(true);
    expect(seen.some((s) => s.url.includes('/v1/tokens/self'))).toBe(false);
    expect(JSON.stringify(seen)).not.toContain(envToken);
  });

  it('without PROXYGATE_GATEWAY_URL only the default gateway is trusted with the env token', async () => {
    vi.stubEnv('PROXYGATE_API_KEY', envToken);
    vi.stubEnv('PROXYGATE_GATEWAY_URL', '');
    const other = await connectAndRecord({ url: 'https://gateway.proxygate.ai.evil.test/mcp' });
    expect(other.length).toBeGreaterThan(0);
    expect(other.every((s) => s.authorization === null)).toBe(true);
    const same = await connectAndRecord({ url: 'https://gateway.proxygate.ai/mcp' });
    expect(same.some((s) => s.authorization === `Bearer ${envToken}`)).toBe(true);
  });

  it('the env gateway /mcp passed explicitly (or by default) gets the env token', async () => {
    vi.stubEnv('PROXYGATE_API_KEY', envToken);
    vi.stubEnv('PROXYGATE_GATEWAY_URL', 'https://gateway.example.test/');
    for (const options of [{ url: 'https://gateway.example.test/mcp' }, {}]) {
      const seen = await connectAndRecord(options);
      expect(seen[0]?.url).toBe('https://gateway.example.test/v1/tokens/self');
      expect(seen[0]?.authorization).toBe(`Bearer ${envToken}`);
    }
  });

  it('the same path on another origin, or another path on the gateway origin, is not the gateway endpoint', async () => {
    vi.stubEnv('PROXYGATE_API_KEY', envToken);
    vi.stubEnv('PROXYGATE_GATEWAY_URL', 'https://gateway.example.test');
    for (const url of ['http://gateway.example.test/mcp', 'https://gateway.example.test:8443/mcp', 'https://gateway.example.test/other/mcp']) {
      const seen = await connectAndRecord({ url });
      expect(seen.length, url).toBeGreaterThan(0);
      expect(seen.every((s) => s.authorization === null), url).toBe(true);
    }
  });

  it('a token passed explicitly is sent to any url (the caller chose it)', async () => {
    vi.stubEnv('PROXYGATE_API_KEY', envToken);
    const explicit = `pg_live_${randomBytes(16).toString('hex')}`;
    const seen = await connectAndRecord({ url: 'https://elsewhere.example.test/mcp', token: explicit });
    expect(seen.some((s) => s.authorization === `Bearer ${explicit}`)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(envToken);
  });
});
