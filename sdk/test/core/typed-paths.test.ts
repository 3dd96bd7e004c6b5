import { describe, expect, expectTypeOf, test } from 'vitest';
import type { Balance, Listing, ListingDocs, TokenInfo } from '@proxygate-kit/sdk';
import { client, fakeFetch, json } from './helpers.js';

describe('typed escape hatch', () => {
  test('answers are typed from the spec for known paths (checked by tsc), unknown otherwise', async () => {
    const { fetch, seen } = fakeFetch(json(200, { balance_micro_cents: 7, currency: 'USD' }));
    const pg = client(fetch);
    const balance = await pg.get('/v1/balance');
    expectTypeOf(balance).toEqualTypeOf<Balance>();
    expect(balance.balance_micro_cents).toBe(7);
    expectTypeOf(pg.get('/v1/apis/lst_1')).resolves.toEqualTypeOf<Listing>();
    // `{listingId}` may itself contain a slash, so `/docs` also matches the listing template.
    expectTypeOf(pg.get('/v1/apis/lst_1/docs')).resolves.toEqualTypeOf<Listing | ListingDocs>();
    expectTypeOf(pg.delete('/v1/tokens/tok_1')).resolves.toEqualTypeOf<TokenInfo>();
    expectTypeOf(pg.get('/not/in/the/spec')).resolves.toBeUnknown();
    expectTypeOf(pg.get<{ mine: true }>('/v1/balance')).resolves.toEqualTypeOf<{ mine: true }>();
    const dynamic: string = '/v1/balance';
    expectTypeOf(pg.get(dynamic)).resolves.toBeUnknown();
    expect(seen[0]!.url.pathname).toBe('/v1/balance');
  });
});
