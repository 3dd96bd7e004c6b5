// A token that an HTTP header cannot carry must fail with a typed error that does not quote it:
// undici's own TypeError would print "Bearer <token>" in clear.
import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/core/error.js';
import { connectGateway } from '../../src/mcp/index.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function mintToken(): string {
  return 'pg_live_' + Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => BASE62[b % 62]).join('');
}

function everythingSaid(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    parts.push(String(current), current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n') + JSON.stringify(error);
}

describe('connectGateway with a token a header cannot carry', () => {
  for (const scopes of [undefined, ['catalog:read']] as const) {
    it(`fails typed without quoting it (${scopes ? 'scopes given: MCP request' : 'scopes read from /v1/tokens/self'})`, async () => {
      const token = mintToken();
      const sent: string[] = [];
      const recording: typeof fetch = async (input, init) => {
        sent.push(String(input));
        return fetch(input, init);
      };
      const error = await connectGateway({
        url: 'http://127.0.0.1:9/mcp',
        token: `${token}\nrest`,
        fetch: recording,
        ...(scopes ? { scopes } : {}),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(everythingSaid(error)).not.toContain(token.slice(8, 28));
      expect(sent).toHaveLength(0);
    });
  }
});
