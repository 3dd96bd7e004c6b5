// Defects found in the adversarial review of the core pipeline; each test failed before its fix.
import { describe, expect, test } from 'vitest';
import { AuthenticationError, ConnectionError, PaidCallOutcomeUnknownError } from '@proxygate-kit/sdk';
import { client, fakeFetch, json, mintToken } from './helpers.js';

const LISTING = '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57';

describe('a token the Headers API refuses never reaches an error message', () => {
  // undici's own TypeError quotes the whole header value ("Bearer <token>") in its message.
  for (const [label, token] of [
    ['an inner line break', `${mintToken()}\nrest`],
    ['a NUL byte', `${mintToken()}\u0000rest`],
    ['a non-Latin-1 character', `${mintToken()}\u2028rest`],
  ] as const) {
    test(`${label}: typed error, no token text, nothing sent`, async () => {
      const { fetch, seen } = fakeFetch(json(200, { balance: 1, pending_settlement: 0, available: 1, in_cooldown: false, currency: 'lamports' }));
      const err = await client(fetch, { apiKey: token }).account.balance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      const secretPart = token.slice('pg_live_'.length, 'pg_live_'.length + 20);
      const seenText = `${String(err)} ${(err as Error).stack ?? ''} ${JSON.stringify(err)}`;
      expect(seenText).not.toContain(secretPart);
      expect(seenText).not.toContain('rest');
      expect(seen).toHaveLength(0);
    });
  }
});

describe('connection errors scrub the client token even in an unfamiliar shape', () => {
  test('message, toJSON and cause carry no token', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    const failing = fakeFetch(new TypeError(`proxy refused credentials ${token}`));
    const err = await client(failing.fetch, { apiKey: token, maxRetries: 0 }).account.balance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    const e = err as ConnectionError;
    expect(e.message).not.toContain(token);
    expect(JSON.stringify(e)).not.toContain(token);
    expect(String((e.cause as Error | undefined)?.message)).not.toContain(token);
    expect(e.message).toContain('[REDACTED]');
  });
});

describe('pagination cannot cycle', () => {
  test('a gateway cycling between two cursors stops with pagination_loop', async () => {
    const usage = (n: number) => ({
      id: `use_${n}`, service: 'w', path: '/', model: null, status_code: 200, latency_ms: 1, cost_micro_cents: 1,
      listing_id: '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57', seller_id: null, created_at: '2026-11-25T12:00:00.000Z',
    });
    // No cursor -> A, A -> B, B -> A, ... (each page differs from the previous one's cursor).
    const { fetch, seen } = fakeFetch((req) => {
      const cursor = req.url.searchParams.get('cursor');
      const next = cursor === 'A' ? 'B' : 'A';
      return json(200, { usage: [usage(seen.length)], summary: [], cursor: next, has_more: true });
    });
    const err = await (async () => {
      let n = 0;
      for await (const _ of client(fetch).account.usage()) if (++n > 50) throw new Error('looped');
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'pagination_loop' });
    expect(seen.length).toBeLessThanOrEqual(3);
  });
});

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

describe('a non-Error thrown by fetch', () => {
  test('a string quoting the token is redacted in the message and in the cause', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    const throwing = async (): Promise<Response> => {
      throw `proxy said no to ${token}`; // eslint-disable-line no-throw-literal
    };
    const err = await client(throwing, { apiKey: token, maxRetries: 0 }).account.balance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain('proxy said no');
    expect((err as Error).message).not.toContain(token);
    expect(String((err as Error).cause)).not.toContain(token);
  });
});

describe('deeply nested error bodies', () => {
  test('a token nested deeper than the redaction walk goes is not kept in clear', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    let nested: unknown = { echo: token };
    for (let i = 0; i < 40; i++) nested = { inner: nested };
    const { fetch } = fakeFetch(json(400, { error: 'validation_error', message: 'bad', detail: nested }));
    const err = await client(fetch, { apiKey: token }).get('/v1/balance').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'validation_error' });
    expect(JSON.stringify(err)).not.toContain(token);
    expect(JSON.stringify((err as { body: unknown }).body)).not.toContain(token);
  });
});
