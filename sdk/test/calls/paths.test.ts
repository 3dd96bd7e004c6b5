import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Proxygate } from '../../src/index.js';
import type { Listing } from '../../src/resources/models.js';
import { splitUpstreamPath } from '../../src/resources/calls.js';

const listing = {
  id: 'lst_test',
  slug: 'svc-test',
  name: 'Test',
  description: '',
  service: 'svc',
  category: 'test',
  type: 'rest',
  seller_id: 'sel_test',
  price_micro_cents: 0,
  shield_fee_micro_cents: 0,
  verified: true,
  rating: { up: 0, down: 0 },
  avg_latency_ms: 1,
  calls_30d: 0,
  created_at: '2026-11-25T12:00:00.000Z',
  endpoints: [],
} as unknown as Listing;

const pathChars = fc.constantFrom('/', '.', '..', '%2e', '%2E', '\\', 'a', 'é', ' ', '%', '?', '#', '\t', '\n', '%2f', '//', 'x=1', '&');
const upstreamPath = fc.array(pathChars, { maxLength: 12 }).map((parts) => `/${parts.join('')}`);

describe('upstream paths', () => {
  test('property: a path is refused or the request stays under /proxy/{service} at exactly the hashed path', async () => {
    let sentUrl: URL | undefined;
    const client = new Proxygate({
      gatewayUrl: 'https://gateway.test',
      apiKey: 'pg_live_' + 'A'.repeat(32),
      logLevel: 'off',
      maxRetries: 0,
      fetch: async (input) => {
        sentUrl = new URL(String(input));
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    await fc.assert(
      fc.asyncProperty(upstreamPath, async (path) => {
        sentUrl = undefined;
        let split: ReturnType<typeof splitUpstreamPath>;
        try {
          split = splitUpstreamPath(path);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          await expect(client.call(listing, path)).rejects.toBeInstanceOf(TypeError);
          expect(sentUrl).toBeUndefined();
          return;
        }
        await client.call(listing, path, { verifyReceipt: false });
        expect(sentUrl?.pathname.startsWith('/proxy/svc/')).toBe(true);
        expect(sentUrl?.pathname).toBe(`/proxy/svc${split.path}`);
        const sentPairs = [...(sentUrl?.searchParams ?? [])].filter(([key]) => key !== 'listing');
        expect(sentPairs).toEqual(split.query);
      }),
      { numRuns: 300 },
    );
  });

  test('examples', () => {
    expect(splitUpstreamPath('/a b/c?x=1&y=%20')).toEqual({ path: '/a%20b/c', query: [['x', '1'], ['y', ' ']] });
    expect(splitUpstreamPath('/a\\b?q=\\')).toEqual({ path: '/a/b', query: [['q', '\\']] });
    expect(() => splitUpstreamPath('/a/.\t./b')).toThrow(/control/);
    expect(() => splitUpstreamPath('/a/\\..\\b')).toThrow(/segments/);
  });
});
