// A 403 step-up challenge must stay readable in the error (its auth-params are not secrets),
// while a token after `Bearer` is still redacted wherever it appears.
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientScopeError } from '../../src/core/error.js';
import { redactText } from '../../src/internal/redact.js';
import { connectGateway } from '../../src/mcp/index.js';
import { createHarness, listingId, MCP_URL } from './harness.js';

const h = createHarness('mcp-challenge');
const server = setupServer(...h.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('WWW-Authenticate in errors', () => {
  it('keeps the insufficient_scope challenge intact in the error headers', async () => {
    const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.readOnly, scopes: ['trade'], keys: h.keys });
    const error = await client.callApi({ listing_id: listingId(h.gateway, 'echo'), path: '/echo' }).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(InsufficientScopeError);
    const challenge = (error as InsufficientScopeError).headers['www-authenticate'] ?? '';
    expect(challenge).toMatch(/^Bearer error="insufficient_scope", scope="trade", resource_metadata="[^"]+"$/);
    expect(JSON.stringify(error)).not.toContain(h.gateway.demoTokens.readOnly);
  });

  it('still redacts credentials: token68 (with padding), quoted or not', () => {
    const token = 'dGhpcyBpcyBhIHRva2Vu=';
    for (const text of [`Bearer ${token}`, `authorization: Bearer ${token} was used`, `"Bearer ${token}"`, `{"h":"Bearer ${token}","b":"x"}`, 'Bearer abc.def_ghi-jkl~']) {
      expect(redactText(text)).toContain('Bearer [REDACTED]');
      expect(redactText(text)).not.toContain(token);
    }
    expect(redactText('Bearer realm="proxygate", error="invalid_token"')).toBe('Bearer realm="proxygate", error="invalid_token"');
  });
});
