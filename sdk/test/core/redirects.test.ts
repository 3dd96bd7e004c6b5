// Redirects: fetch no longer follows them for us. Before, a paid request (its query and
// idempotency key with it) was re-sent to whatever host a 307 named, and a catalog answer from
// another origin was believed. Now nothing crosses to another origin, a paid call follows no
// redirect at all, and only a same-origin GET/HEAD is followed (five hops at most).
import { describe, expect, test } from 'vitest';
import { RedirectRefusedError, type Listing } from '@proxygate-kit/sdk';
import { client, fakeFetch, json, type Reply } from './helpers.js';

const ORIGIN = 'http://127.0.0.1:9';
const LISTING = '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57';
const redirect = (status: number, location: string): Response => new Response(null, { status, headers: { location } });

const listing = {
  listing_id: LISTING,
  slug: 'weather-now',
  seller_slug: 'skycast',
  service: 'weather',
  pricing_unit: 'per_request',
  endpoints: [],
  endpoint_prices: [],
  prices: { perRequest: 100, perMillionInputTokens: null, perMillionOutputTokens: null, seller: { perRequest: 100, perMillionInputTokens: null, perMillionOutputTokens: null }, endpoints: [] },
} as unknown as Listing;

function setup(...replies: Reply[]) {
  const double = fakeFetch(...replies);
  return { ...double, pg: client(double.fetch, { extensions: [] }) };
}

describe('redirects', () => {
  test('every attempt asks fetch not to follow redirects', async () => {
    const inits: RequestInit[] = [];
    const pg = client(async (_input, init) => {
      inits.push(init ?? {});
      return json(200, { balance: 1, pending_settlement: 0, available: 1, in_cooldown: false, currency: 'lamports' });
    });
    await pg.account.balance();
    expect(inits.map((init) => init.redirect)).toEqual(['manual']);
  });

  test('a paid call redirected to another host is not sent there: RedirectRefusedError, one send', async () => {
    const { pg, seen } = setup(redirect(307, 'https://evil.test/collect?steal=1'), json(200, { ok: true }));
    const error = await pg.call(listing, '/now', { body: { q: 1 }, idempotencyKey: 'key-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectRefusedError);
    const e = error as RedirectRefusedError;
    expect([e.code, e.reason, e.status, e.location]).toEqual(['redirect_refused', 'cross_origin', 307, 'https://evil.test/collect']);
    expect(e.idempotencyKey).toBe('key-1');
    expect(e.recovery).toBe('none');
    expect(seen.map((r) => r.url.origin)).toEqual([ORIGIN]);
    expect(seen.filter((r) => r.url.pathname.startsWith('/proxy/'))).toHaveLength(1);
  });

  test('a paid call follows no redirect, not even to its own origin', async () => {
    const { pg, seen } = setup(redirect(302, `${ORIGIN}/proxy/weather/elsewhere?listing=${LISTING}`), json(200, {}));
    const error = await pg.call(listing, '/now').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RedirectRefusedError', reason: 'paid_call' });
    expect(seen.filter((r) => r.url.pathname.startsWith('/proxy/'))).toHaveLength(1);
  });

  test('a catalog answer from another origin is not believed: the other host is never asked', async () => {
    const { pg, seen } = setup(redirect(302, 'https://evil.test/v1/apis'), json(200, { data: [], cursor: null, has_more: false, filters_applied: {} }));
    const error = await pg.catalog.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectRefusedError);
    expect((error as RedirectRefusedError).reason).toBe('cross_origin');
    expect(seen.map((r) => r.url.origin)).toEqual([ORIGIN]);
  });

  test('a same-origin redirect of a GET is followed with the same credentials', async () => {
    const body = { balance: 5, pending_settlement: 0, available: 5, in_cooldown: false, currency: 'lamports' };
    const { pg, seen } = setup(redirect(301, '/v2/balance'), json(200, body));
    expect((await pg.account.balance()).available).toBe(5);
    expect(seen.map((r) => r.url.pathname)).toEqual(['/v1/balance', '/v2/balance']);
    expect(seen[1]!.headers.get('authorization')).toBe(seen[0]!.headers.get('authorization'));
  });

  test('a redirect of a POST, or a sixth hop, is refused', async () => {
    const post = setup(redirect(307, '/v1/rate2'), json(200, { success: true, is_update: false }));
    await expect(post.pg.request({ method: 'POST', path: '/v1/rate', body: { request_id: 'r', is_positive: true } })).rejects.toMatchObject({ reason: 'method' });
    expect(post.seen).toHaveLength(1);

    const loop = setup(redirect(302, '/v1/balance'));
    await expect(loop.pg.account.balance()).rejects.toMatchObject({ reason: 'too_many' });
    expect(loop.seen).toHaveLength(6);
  });

  test('a fetch that follows by itself anyway: an answer from another origin is refused', async () => {
    const pg = client(async () => {
      const followed = json(200, { data: [], cursor: null, has_more: false, filters_applied: {} });
      Object.defineProperty(followed, 'redirected', { value: true });
      Object.defineProperty(followed, 'url', { value: 'https://evil.test/v1/apis' });
      return followed;
    });
    await expect(pg.catalog.list()).rejects.toMatchObject({ name: 'RedirectRefusedError', reason: 'cross_origin' });
  });

  test('a 3xx without Location is an answer, not a redirect', async () => {
    const { pg } = setup(new Response(null, { status: 304 }));
    await expect(pg.request({ method: 'GET', path: '/v1/balance' })).rejects.not.toBeInstanceOf(RedirectRefusedError);
  });
});
