import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidRequestError, Proxygate } from '../../src/index.js';
import type { Listing } from '../../src/resources/models.js';
import { splitUpstreamPath } from '../../src/resources/calls/index.js';

// Only what a paid call reads of a listing (a real one comes from the catalog).
const listing = {
  listing_id: '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57',
  slug: 'svc-test',
  seller_slug: 'tester',
  service: 'svc',
  pricing_unit: 'per_request',
  endpoints: [],
  endpoint_prices: [],
  prices: { perRequest: 0, perMillionInputTokens: null, perMillionOutputTokens: null, seller: { perRequest: 0, perMillionInputTokens: null, perMillionOutputTokens: null }, endpoints: [] },
} as unknown as Listing;

const pathChars = fc.constantFrom('/', '.', '..', '%2e', '%2E', '\\', 'a', 'é', ' ', '%', '?', '#', '\t', '\n', '%2f', '//', 'x=1', '&');
const upstreamPath = fc.array(pathChars, { maxLength: 12 }).map((parts) => `/${parts.join('')}`);

/** Read through a function: TypeScript cannot see the fetch double assign it during the await. */
function lastUrl(seen: { url?: URL | undefined }): URL {
  if (!seen.url) throw new Error('nothing was sent');
  return seen.url;
}

describe('upstream paths', () => {
  test('property: a path is refused or the request stays under /proxy/{service} at exactly the hashed path', async () => {
    const seen: { url?: URL | undefined } = {};
    const client = new Proxygate({
      gatewayUrl: 'https://gateway.test',
      apiKey: 'pg_live_' + 'A'.repeat(32),
      logLevel: 'off',
      maxRetries: 0,
      extensions: [],
      fetch: async (input) => {
        seen.url = new URL(String(input));
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    await fc.assert(
      fc.asyncProperty(upstreamPath, async (path) => {
        seen.url = undefined;
        let split: ReturnType<typeof splitUpstreamPath>;
        try {
          split = splitUpstreamPath(path);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidRequestError);
          await expect(client.call(listing, path)).rejects.toBeInstanceOf(InvalidRequestError);
          expect(seen.url).toBeUndefined();
          return;
        }
        await client.call(listing, path, { verifyReceipt: false });
        const url = lastUrl(seen);
        expect(url.pathname.startsWith('/proxy/svc/')).toBe(true);
        expect(url.pathname).toBe(`/proxy/svc${split.path}`);
        const sentPairs = [...url.searchParams].filter(([key]) => key !== 'listing');
        expect(sentPairs).toEqual(split.query);
      }),
      { numRuns: 300 },
    );
  });

  test('property: query values of any text reach the gateway exactly as hashed', async () => {
    const seen: { url?: URL | undefined } = {};
    const client = new Proxygate({
      gatewayUrl: 'https://gateway.test',
      apiKey: 'pg_live_' + 'B'.repeat(32),
      logLevel: 'off',
      maxRetries: 0,
      extensions: [],
      fetch: async (input) => {
        seen.url = new URL(String(input));
        return new Response('ok', { status: 200 });
      },
    });
    const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'listing');
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('a+b', 'a b', '%20', '&x=1', '#frag', '\u00e9', '\u{1F600}', '=', '?'));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })), { maxKeys: 4 }), async (query) => {
        await client.call(listing, '/q', { query, verifyReceipt: false });
        const sent = [...lastUrl(seen).searchParams].filter(([k]) => k !== 'listing');
        const expected = Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((item) => [k, item]));
        expect(sent).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  test('examples', () => {
    expect(splitUpstreamPath('/a b/c?x=1&y=%20')).toEqual({ path: '/a%20b/c', query: [['x', '1'], ['y', ' ']] });
    expect(splitUpstreamPath('/a\\b?q=\\')).toEqual({ path: '/a/b', query: [['q', '\\']] });
    expect(() => splitUpstreamPath('/a/.\t./b')).toThrow(/control/);
    expect(() => splitUpstreamPath('/a/\\..\\b')).toThrow(/segments/);
  });
});
