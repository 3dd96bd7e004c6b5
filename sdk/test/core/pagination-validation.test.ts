import { describe, expect, test } from 'vitest';
import { Page, ValidationError } from '@proxygate-kit/sdk';
import { client, fakeFetch, json, type SeenRequest } from './helpers.js';

const usage = (n: number) => ({
  id: `use_${n}`, request_id: `req_${n}`, service: 'weather', listing_id: 'lst_1', method: 'GET', path: '/now',
  status_code: 200, latency_ms: 10, cost_micro_cents: 1000 * n, refunded: false, created_at: '2026-11-25T12:00:00.000Z',
});

/** Serves `total` usage entries in pages, using the item index as the opaque cursor. */
function pagedUsage(total: number) {
  return (req: SeenRequest): Response => {
    const limit = Number(req.url.searchParams.get('limit') ?? '2');
    const start = Number(req.url.searchParams.get('cursor') ?? '0');
    const end = Math.min(start + limit, total);
    const data = Array.from({ length: end - start }, (_, i) => usage(start + i + 1));
    return json(200, { data, cursor: end < total ? String(end) : null, has_more: end < total });
  };
}

describe('pagination', () => {
  test('await gives the first page; for await walks every item across pages', async () => {
    const { fetch, seen } = fakeFetch(pagedUsage(5));
    const pg = client(fetch);
    const first = await pg.account.usage({ limit: 2 });
    expect(first).toBeInstanceOf(Page);
    expect(first.data.map((u) => u.id)).toEqual(['use_1', 'use_2']);
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
});

describe('response validation', () => {
  const balance = { balance_micro_cents: 42, currency: 'USD' };

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
    const page = { data: [{ ...usage(1), method: 'QUERY' }], cursor: null, has_more: false };
    const lenient = fakeFetch(json(200, page));
    expect((await client(lenient.fetch).account.usage()).data[0]!.method).toBe('QUERY');
    const strict = fakeFetch(json(200, page));
    const err = (await client(strict.fetch, { validation: 'strict' }).account.usage().catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues[0]!.path).toEqual(['data', 0, 'method']);
    // A currency is never guessed: amounts in an unknown one must not read as USD.
    const eur = fakeFetch(json(200, { ...balance, currency: 'EUR' }));
    await expect(client(eur.fetch).account.balance()).rejects.toBeInstanceOf(ValidationError);
  });

  test('money must be a safe integer', async () => {
    for (const bad of [1.5, 2 ** 53, '42', -Infinity]) {
      const { fetch } = fakeFetch(new Response(`{"balance_micro_cents":${typeof bad === 'string' ? JSON.stringify(bad) : bad === -Infinity ? '-1e400' : String(bad)},"currency":"USD"}`, { headers: { 'content-type': 'application/json' } }));
      const err = await client(fetch).account.balance().catch((e: unknown) => e);
      expect(err, String(bad)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues[0]!.path).toEqual(['balance_micro_cents']);
    }
  });

  test('a spend cap that is not a safe integer is refused before sending', async () => {
    const { fetch, seen } = fakeFetch(json(201, {}));
    await expect(client(fetch).tokens.create({ scopes: ['trade'], spend_cap_micro_cents: 0.5 })).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toHaveLength(0);
  });

  test('validation errors expose no zod types and keep the raw value out of JSON', async () => {
    const { fetch } = fakeFetch(json(200, { balance_micro_cents: 'lots' }));
    const err = (await client(fetch).account.balance().catch((e: unknown) => e)) as ValidationError;
    expect(Object.keys(err.issues[0]!).sort()).toEqual(['code', 'message', 'path']);
    expect(JSON.stringify(err)).not.toContain('lots');
  });
});

describe('pagination safety', () => {
  test('a gateway that repeats the cursor stops iteration with an error instead of looping', async () => {
    const { fetch, seen } = fakeFetch(() => json(200, { data: [usage(1)], cursor: 'same', has_more: true }));
    const ids: string[] = [];
    const err = await (async () => {
      for await (const u of client(fetch).account.usage()) ids.push(u.id);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'pagination_loop' });
    expect(seen).toHaveLength(2);
    expect(ids).toEqual(['use_1', 'use_1']);
  });
});
