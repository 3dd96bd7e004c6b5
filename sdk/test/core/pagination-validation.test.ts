import { describe, expect, test } from 'vitest';
import { Page, ValidationError } from '@proxygate-kit/sdk';
import { client, fakeFetch, json, type SeenRequest } from './helpers.js';

const LISTING = '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57';
const usage = (n: number) => ({
  id: `use_${n}`, service: 'weather', path: '/now', model: null, status_code: 200, latency_ms: 10,
  cost_micro_cents: 1000 * n, listing_id: LISTING, seller_id: null, created_at: '2026-11-25T12:00:00.000Z',
});
const summary = [{ service: 'weather', model: null, request_count: 3, total_cost_micro_cents: 6000 }];

/** Serves `total` items under `key` in pages, using the item index as the opaque cursor. */
function paged(total: number, key: string, item: (n: number) => unknown, extra: Record<string, unknown> = {}) {
  return (req: SeenRequest): Response => {
    const limit = Number(req.url.searchParams.get('limit') ?? '2');
    const start = Number(req.url.searchParams.get('cursor') ?? '0');
    const end = Math.min(start + limit, total);
    const items = Array.from({ length: end - start }, (_, i) => item(start + i + 1));
    return json(200, { [key]: items, cursor: end < total ? String(end) : null, has_more: end < total, ...extra });
  };
}
const pagedUsage = (total: number) => paged(total, 'usage', usage, { summary });

describe('pagination', () => {
  test('await gives the first page; for await walks every item across pages', async () => {
    const { fetch, seen } = fakeFetch(pagedUsage(5));
    const pg = client(fetch);
    const first = await pg.account.usage({ limit: 2 });
    expect(first).toBeInstanceOf(Page);
    expect(first.data.map((u) => u.id)).toEqual(['use_1', 'use_2']);
    expect(first.body.summary).toEqual(summary);
    expect(first.hasNextPage()).toBe(true);
    const ids: string[] = [];
    for await (const entry of pg.account.usage({ limit: 2 })) ids.push(entry.id);
    expect(ids).toEqual(['use_1', 'use_2', 'use_3', 'use_4', 'use_5']);
    expect(seen.slice(1).map((r) => r.url.searchParams.get('cursor'))).toEqual([null, '2', '4']);
    expect(seen.every((r) => r.url.searchParams.get('limit') === '2')).toBe(true);
  });

  test('nextPage, iterPages and the last page', async () => {
    const { fetch } = fakeFetch(pagedUsage(3));
    const pg = client(fetch);
    const second = await (await pg.account.usage({ limit: 2 })).nextPage();
    expect(second.data.map((u) => u.id)).toEqual(['use_3']);
    expect(second.hasNextPage()).toBe(false);
    await expect(second.nextPage()).rejects.toThrow(/No next page/);
    const sizes: number[] = [];
    for await (const page of pg.account.usage({ limit: 2 }).iterPages()) sizes.push(page.data.length);
    expect(sizes).toEqual([2, 1]);
  });

  test('toArray stops at the limit without fetching further pages', async () => {
    const { fetch, seen } = fakeFetch(pagedUsage(10));
    const items = await client(fetch).account.usage({ limit: 2 }).toArray({ limit: 3 });
    expect(items.map((u) => u.id)).toEqual(['use_1', 'use_2', 'use_3']);
    expect(seen).toHaveLength(2);
    await expect(client(fetch).account.usage().toArray({ limit: -1 })).rejects.toThrow(TypeError);
  });

  test('a list call sends nothing until used', async () => {
    const { fetch, seen } = fakeFetch(pagedUsage(1));
    const pending = client(fetch).account.usage();
    expect(seen).toHaveLength(0);
    await pending;
    await pending;
    expect(seen).toHaveLength(1);
  });

  test('every wrapper key of the wire pages the same way: services, categories, pricing', async () => {
    const stats = (n: number) => ({
      service: `svc-${n}`, service_name: `Service ${n}`, cheapest_price_usdc: 0.001, cheapest_buyer_price_usdc: 0.00105, avg_latency_ms: 10,
      active_seller_count: 1, total_capacity_rpm: 60, avg_uptime_percent: 99, avg_rating: 90, best_rated_seller_wallet: '', pricing_units: 'per_request',
    });
    const category = (n: number) => ({ slug: `cat-${n}`, name: `Cat ${n}`, icon: 'x', listing_count: n, subcategories: [] });
    const price = (n: number) => ({
      service: `svc-${n}`, name: `Service ${n}`, pricing_unit: 'per_request', price_per_request_micro_cents: 1000 * n, price_per_request_usdc: n / 1000,
      price_per_input_token_micro_cents: null, price_per_output_token_micro_cents: null, price_per_input_token_usdc: null,
      price_per_output_token_usdc: null, available_rpm: 60, sellers: 1,
    });
    const services = fakeFetch(paged(3, 'services', stats, { count: 3 }));
    expect((await client(services.fetch, { validation: 'strict' }).catalog.services({ limit: 2 }).toArray({ limit: 10 })).map((s) => s.service)).toEqual(['svc-1', 'svc-2', 'svc-3']);
    const categories = fakeFetch(paged(3, 'categories', category));
    expect((await client(categories.fetch, { validation: 'strict' }).catalog.categories({ limit: 2 }).toArray({ limit: 10 })).map((c) => c.slug)).toEqual(['cat-1', 'cat-2', 'cat-3']);
    const pricing = fakeFetch(paged(3, 'pricing-wrong-key', price));
    // Each route has its own wrapper key: a pricing body without `services` is not a pricing page.
    await expect(client(pricing.fetch).catalog.pricing().toArray({ limit: 10 })).rejects.toBeInstanceOf(ValidationError);
    const body = { currency: 'USDC', deposit_endpoint: '/v1/deposit', last_updated: '2026-11-25T12:00:00.000Z' };
    const good = fakeFetch(paged(3, 'services', price, body));
    const pages: number[] = [];
    for await (const page of client(good.fetch, { validation: 'strict' }).catalog.pricing({ limit: 2 }).iterPages()) pages.push(page.data.length);
    expect(pages).toEqual([2, 1]);
  });
});

describe('response validation', () => {
  const balance = { balance: 42, pending_settlement: 2, available: 40, in_cooldown: false, currency: 'lamports' };

  test('lenient keeps unknown fields', async () => {
    const { fetch } = fakeFetch(json(200, { ...balance, promo: 'x' }));
    expect(await client(fetch).account.balance()).toEqual({ ...balance, promo: 'x' });
  });

  test('strict rejects unknown fields; off passes anything through', async () => {
    const { fetch } = fakeFetch(json(200, { ...balance, promo: 'x' }));
    const err = (await client(fetch, { validation: 'strict' }).account.balance().catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues[0]!.code).toBe('unrecognized_keys');
    expect(err.value).toEqual({ ...balance, promo: 'x' });
    const off = fakeFetch(json(200, { nonsense: true }));
    expect(await client(off.fetch, { validation: 'off' }).account.balance()).toEqual({ nonsense: true });
  });

  test('lenient lets a value a newer gateway added to an open set through; strict and money stay closed', async () => {
    const me = { wallet: 'W', display_name: null, created_at: null, auth_method: 'passkey', seller_status: 'none' };
    const lenient = fakeFetch(json(200, me));
    expect((await client(lenient.fetch).account.me()).auth_method).toBe('passkey');
    const strict = fakeFetch(json(200, me));
    const err = (await client(strict.fetch, { validation: 'strict' }).account.me().catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues[0]!.path).toEqual(['auth_method']);
    // A unit is never guessed: a balance in another currency must not read as micro-USD.
    const eur = fakeFetch(json(200, { ...balance, currency: 'EUR' }));
    await expect(client(eur.fetch).account.balance()).rejects.toBeInstanceOf(ValidationError);
  });

  test('money must be a safe integer', async () => {
    for (const bad of [1.5, 2 ** 53, '42', -Infinity]) {
      const text = typeof bad === 'string' ? JSON.stringify(bad) : bad === -Infinity ? '-1e400' : String(bad);
      const { fetch } = fakeFetch(new Response(JSON.stringify({ ...balance, available: 0 }).replace('"available":0', `"available":${text}`), { headers: { 'content-type': 'application/json' } }));
      const err = await client(fetch).account.balance().catch((e: unknown) => e);
      expect(err, String(bad)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues[0]!.path).toEqual(['available']);
    }
  });

  test('a spend cap that is not a safe integer is refused before sending', async () => {
    const { fetch, seen } = fakeFetch(json(201, {}));
    await expect(client(fetch, { extensions: ['tokens'] }).tokens.create({ scopes: ['trade'], spend_cap_micro_usd: 0.5 })).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toHaveLength(0);
  });

  test('validation errors expose no zod types and keep the raw value out of JSON', async () => {
    const { fetch } = fakeFetch(json(200, { ...balance, balance: 'lots' }));
    const err = (await client(fetch).account.balance().catch((e: unknown) => e)) as ValidationError;
    expect(Object.keys(err.issues[0]!).sort()).toEqual(['code', 'message', 'path']);
    expect(JSON.stringify(err)).not.toContain('lots');
  });
});

describe('pagination safety', () => {
  test('a gateway that repeats the cursor stops iteration with an error instead of looping', async () => {
    const { fetch, seen } = fakeFetch(() => json(200, { usage: [usage(1)], summary, cursor: 'same', has_more: true }));
    const ids: string[] = [];
    const err = await (async () => {
      for await (const u of client(fetch).account.usage()) ids.push(u.id);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'pagination_loop' });
    expect(seen).toHaveLength(2);
    expect(ids).toEqual(['use_1', 'use_1']);
  });
});
