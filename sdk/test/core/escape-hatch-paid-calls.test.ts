// pg.request() (the escape hatch) to /proxy/... is a paid call: never re-sent where the gateway
// might charge again (adversarial review).
import { describe, expect, test } from 'vitest';
import { PaidCallOutcomeUnknownError } from '@proxygate-kit/sdk';
import { client, fakeFetch, json } from './helpers.js';

const LISTING = '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57';

describe('the escape hatch never re-sends a paid call the gateway might charge again', () => {
  // The upstream status passes through a paid call (and was charged): a keyless GET retried on a
  // 502 or a reset would be charged again.
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    test(`${method} /proxy/... carries one generated key on every attempt where the gateway replays by key`, async () => {
      const { fetch, seen } = fakeFetch(json(502, { error: 'upstream_error', message: 'x' }), json(200, { ok: true }));
      const pg = client(fetch, { extensions: ['idempotency'] });
      const res = await pg.request({ method, path: '/proxy/weather/now', query: { listing: LISTING } });
      expect(res.status).toBe(200);
      expect(seen).toHaveLength(2);
      const keys = seen.map((r) => r.headers.get('idempotency-key'));
      expect(keys[0]).toMatch(/^[\x20-\x7e]{1,255}$/);
      expect(keys[1]).toBe(keys[0]);
      expect(res.idempotencyKey).toBe(keys[0]);
    });

    test(`${method} /proxy/... is sent once, without a key, where the gateway does not say it replays`, async () => {
      const { fetch, seen } = fakeFetch(json(200, { status: 'healthy', platform_pubkey: 'x' }), json(502, { error: 'upstream_error', message: 'x' }), json(200, { ok: true }));
      const err = await client(fetch).request({ method, path: '/proxy/weather/now', query: { listing: LISTING } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PaidCallOutcomeUnknownError);
      expect(seen.map((r) => r.url.pathname)).toEqual(['/health', '/proxy/weather/now']);
      expect(seen[1]!.headers.get('idempotency-key')).toBeNull();
      expect((err as PaidCallOutcomeUnknownError).request).toMatchObject({ method, service: 'weather', listingId: LISTING, idempotencyKey: null });
    });
  }

  test('other GETs still go without a key', async () => {
    const { fetch, seen } = fakeFetch(json(200, { balance: 1, pending_settlement: 0, available: 1, in_cooldown: false, currency: 'lamports' }));
    await client(fetch).get('/v1/balance');
    expect(seen[0]!.headers.get('idempotency-key')).toBeNull();
  });
});
