import { describe, expect, expectTypeOf, test } from 'vitest';
import type { Balance, components, ListingDocs, TokenInfo } from '@proxygate-kit/sdk';
import { client, fakeFetch, json } from './helpers.js';

describe('typed escape hatch', () => {
  test('answers are typed from the spec for known paths (checked by tsc), unknown otherwise', async () => {
    const { fetch, seen } = fakeFetch(json(200, { balance: 7, pending_settlement: 0, available: 7, in_cooldown: false, currency: 'lamports' }));
    const pg = client(fetch);
    const balance = await pg.get('/v1/balance');
    expectTypeOf(balance).toEqualTypeOf<Balance>();
    expect(balance.available).toBe(7);
    // The wire answer, as published (no SDK-added `prices`: those come with catalog.list/get).
    expectTypeOf(pg.get('/v1/apis')).resolves.toEqualTypeOf<components['schemas']['CatalogResponse']>();
    expectTypeOf(pg.get('/v1/apis/0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57/docs')).resolves.toEqualTypeOf<ListingDocs>();
    expectTypeOf(pg.delete('/v1/tokens/tok_1')).resolves.toEqualTypeOf<TokenInfo>();
    expectTypeOf(pg.get('/not/in/the/spec')).resolves.toBeUnknown();
    expectTypeOf(pg.get<{ mine: true }>('/v1/balance')).resolves.toEqualTypeOf<{ mine: true }>();
    const dynamic: string = '/v1/balance';
    expectTypeOf(pg.get(dynamic)).resolves.toBeUnknown();
    expect(seen[0]!.url.pathname).toBe('/v1/balance');
  });
});
