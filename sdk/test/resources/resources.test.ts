import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InsufficientCreditsError,
  InsufficientScopeError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  PermissionDeniedError,
  ShieldBlockedError,
  TimeoutError,
  ValidationError,
  Proxygate,
} from '@proxygate-kit/sdk';
import { startMock, type Harness } from './harness.js';

let h: Harness;
beforeAll(() => {
  h = startMock();
});
afterAll(() => h.close());

/** A paid call to the mock's echo listing, straight through the request pipeline. */
async function paidEcho(pg: Proxygate, body: unknown, idempotencyKey?: string) {
  const echo = await pg.catalog.get('echo');
  return pg.request<Record<string, unknown>>({
    method: 'POST',
    path: '/proxy/echo/echo',
    query: { listing: echo.id },
    body,
    idempotent: true,
    ...(idempotencyKey ? { idempotencyKey } : {}),
    requiredScope: 'trade',
  });
}

describe('catalog (no token)', () => {
  test('list walks every listing across pages, same set as one big page, strict validation passes', async () => {
    const pg = h.client({ validation: 'strict' });
    const all = await pg.catalog.list({ limit: 100 });
    expect(all.hasNextPage()).toBe(false);
    expect(all.data.length).toBeGreaterThan(5);
    h.sent.length = 0;
    const walked: string[] = [];
    for await (const listing of pg.catalog.list({ limit: 3 })) walked.push(listing.id);
    expect(walked).toEqual(all.data.map((l) => l.id));
    expect(h.sent).toHaveLength(Math.ceil(all.data.length / 3));
    for (const l of all.data) expect(Number.isSafeInteger(l.price_micro_cents)).toBe(true);
  });

  test('list filters reach the gateway', async () => {
    const pg = h.client();
    const weather = await pg.catalog.list({ service: 'weather', sort: 'price_asc' }).toArray({ limit: 50 });
    expect(weather.length).toBeGreaterThan(0);
    expect(weather.every((l) => l.service === 'weather')).toBe(true);
    const prices = weather.map((l) => l.price_micro_cents);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  test('get by id and by slug agree; docs, pricing, services, categories are consistent', async () => {
    const pg = h.client({ validation: 'strict' });
    const bySlug = await pg.catalog.get('echo');
    expect(await pg.catalog.get(bySlug.id)).toEqual(bySlug);
    const docs = await pg.catalog.docs('echo');
    expect(docs.listing_id).toBe(bySlug.id);
    expect(docs.markdown.length).toBeGreaterThan(0);
    const pricing = await pg.catalog.pricing();
    expect(pricing.find((p) => p.listing_id === bySlug.id)?.price_micro_cents).toBe(bySlug.price_micro_cents);
    const services = await pg.catalog.services();
    expect(services.map((s) => s.name)).toContain('echo');
    const categories = await pg.catalog.categories();
    const total = (await pg.catalog.list({ limit: 100 })).data.length;
    expect(categories.reduce((sum, c) => sum + c.listing_count, 0)).toBe(total);
  });

  test('an unknown listing is a NotFoundError; a path-walking id is refused locally', async () => {
    const pg = h.client();
    const err = await pg.catalog.get('no-such-listing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).status).toBe(404);
    await expect(pg.catalog.get('..')).rejects.toThrow(TypeError);
  });

  test('an out-of-range limit is a BadRequestError from the gateway', async () => {
    await expect(h.client().catalog.list({ limit: 1000 })).rejects.toBeInstanceOf(BadRequestError);
  });
});

describe('meta', () => {
  test('health and the raw receipt key set', async () => {
    const pg = h.client({ validation: 'strict' });
    const health = await pg.meta.health();
    expect(health.platform_pubkey).toMatch(/^[1-9A-HJ-NP-Za-km-z]+$/);
    const keys = (await pg.meta.receiptKeys()) as { keys: { kid: string; crv: string }[] };
    expect(keys.keys.length).toBeGreaterThan(0);
    expect(keys.keys[0]!.crv).toBe('Ed25519');
  });
  test('a gateway announcing a receipt version newer than this SDK still answers health (an open list)', async () => {
    const body = { status: 'ok', receipt_versions: [1, 2, 3, 4], time: '2026-11-25T12:00:00.000Z', platform_pubkey: '11111111111111111111111111111111', receipt_ca_pubkey: '11111111111111111111111111111111' };
    const fetch = async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    for (const validation of ['lenient', 'strict'] as const) {
      const pg = new Proxygate({ apiKey: null, gatewayUrl: 'http://127.0.0.1:9', fetch, validation, logLevel: 'off' });
      expect((await pg.meta.health()).receipt_versions).toEqual([1, 2, 3, 4]);
    }
    const bad = new Proxygate({ apiKey: null, gatewayUrl: 'http://127.0.0.1:9', fetch: async () => new Response(JSON.stringify({ ...body, receipt_versions: [0] }), { headers: { 'content-type': 'application/json' } }), logLevel: 'off' });
    await expect(bad.meta.health()).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('account and tokens', () => {
  test('balance, usage and rate after a paid call; the usage list pages newest first', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader, validation: 'strict' });
    const before = await pg.account.balance();
    const first = await paidEcho(pg, { n: 1 });
    await paidEcho(pg, { n: 2 });
    await paidEcho(pg, { n: 3 });
    const after = await pg.account.balance();
    expect(before.balance_micro_cents - after.balance_micro_cents).toBeGreaterThan(0);
    const entries = await pg.account.usage({ limit: 2 }).toArray({ limit: 100 });
    expect(entries.length).toBeGreaterThanOrEqual(3);
    const times = entries.map((e) => e.created_at);
    expect(times).toEqual([...times].sort().reverse());
    const charged = entries.slice(0, 3).reduce((sum, e) => sum + e.cost_micro_cents, 0);
    expect(charged).toBe(before.balance_micro_cents - after.balance_micro_cents);
    const requestId = entries.at(-1)!.request_id;
    expect(first.status).toBe(200);
    const rated = await pg.account.rate({ request_id: requestId, is_positive: true });
    expect(rated).toMatchObject({ request_id: requestId, is_positive: true });
  });

  test('the receipt log pages in seq order and carries its signed head', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader, validation: 'strict' });
    const seqs: number[] = [];
    let head: unknown;
    for await (const page of pg.receiptsLog.list({ limit: 2 }).iterPages()) {
      head = page.body.head;
      for (const r of page.data) seqs.push(r.seq);
    }
    expect(seqs.length).toBeGreaterThanOrEqual(3);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(head).toMatchObject({ tree_size: seqs.length });
  });

  test('self, create a narrower token, list, revoke; the child works then stops', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader, validation: 'strict' });
    const me = await pg.tokens.self();
    expect(pg.knownScopes).toEqual(me.scopes);
    const created = await pg.tokens.create({ name: 'ci reader', scopes: ['catalog:read', 'account:read'], spend_cap_micro_cents: 1000 });
    expect(created.token.startsWith('pg_del_')).toBe(true);
    expect(created.info).toMatchObject({ parent_id: me.id, scopes: ['catalog:read', 'account:read'], spend_cap_micro_cents: 1000 });
    const ids = (await pg.tokens.list({ limit: 1 }).toArray({ limit: 100 })).map((t) => t.id);
    expect(ids).toContain(created.info.id);

    const child = h.client({ apiKey: created.token });
    expect((await child.account.balance()).currency).toBe('USD');
    await child.tokens.self();
    // The child learnt it cannot trade: refused locally, nothing sent.
    h.sent.length = 0;
    await expect(child.account.rate({ request_id: 'req_x', is_positive: true })).rejects.toMatchObject({ local: true, requiredScope: 'trade' });
    expect(h.sent).toHaveLength(0);

    const revoked = await pg.tokens.revoke(created.info.id);
    expect(revoked.revoked_at).not.toBeNull();
    await expect(child.account.balance()).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('asking for a scope the parent lacks is a BadRequestError (scope_escalation)', async () => {
    const parent = h.client({ apiKey: h.mock.demoTokens.trader });
    const minter = await parent.tokens.create({ scopes: ['catalog:read', 'tokens:write'] });
    const err = await h.client({ apiKey: minter.token }).tokens.create({ scopes: ['trade'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).code).toBe('scope_escalation');
    expect(JSON.stringify(err)).not.toContain(minter.token);
  });
});

describe('errors from real mock answers', () => {
  test('401 for a bad token', async () => {
    const err = await h.client({ apiKey: 'pg_live_' + 'x'.repeat(32) }).account.balance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify(err)).not.toContain('x'.repeat(32));
  });

  test('403 insufficient_scope from the gateway carries the scope to add', async () => {
    const err = await h.client({ apiKey: h.mock.demoTokens.readOnly }).account.rate({ request_id: 'req_1', is_positive: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect((err as InsufficientScopeError).requiredScope).toBe('trade');
    expect((err as InsufficientScopeError).local).toBe(false);
  });

  test('402 for a broke account', async () => {
    const err = await paidEcho(h.client({ apiKey: h.mock.demoTokens.broke }), { n: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientCreditsError);
  });

  test('409 for a reused idempotency key with another body', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader, maxRetries: 0 });
    const key = `it-${crypto.randomUUID()}`;
    const a = await paidEcho(pg, { v: 1 }, key);
    const replay = await paidEcho(pg, { v: 1 }, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.data).toEqual(a.data);
    await expect(paidEcho(pg, { v: 2 }, key)).rejects.toBeInstanceOf(ConflictError);
  });

  test('422 strict shield block, refunded, with the receipt header', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader });
    const reviews = await pg.catalog.get('product-reviews');
    const err = await pg
      .request({ method: 'GET', path: '/proxy/reviews/reviews', query: { listing: reviews.id }, headers: { 'x-proxygate-shield': 'strict' }, idempotent: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShieldBlockedError);
    const e = err as ShieldBlockedError;
    expect(e.refunded).toBe(true);
    expect(e.score).toBeGreaterThanOrEqual(0.7);
    expect(e.flags.length).toBeGreaterThan(0);
    expect(e.receipt).toBeTruthy();
  });

  test('5xx and 429 faults are retried; when they persist the typed error surfaces', async () => {
    const pg = h.client();
    h.mock.faults.inject({ kind: 'server_error', path: '/v1/categories', times: 2 });
    expect((await pg.catalog.categories()).length).toBeGreaterThan(0);
    h.mock.faults.inject({ kind: 'server_error', status: 502, path: '/v1/services', times: 3 });
    await expect(pg.catalog.services()).rejects.toBeInstanceOf(InternalServerError);
    h.mock.faults.inject({ kind: 'rate_limit', retryAfter: 2, path: '/v1/pricing', times: 3 });
    const err = await pg.catalog.pricing().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(2000);
  });

  test('a paid call whose answer is lost is retried with the same key and charged once', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader });
    const before = (await pg.account.balance()).balance_micro_cents;
    h.mock.faults.inject({ kind: 'server_error', path: '/proxy/echo', phase: 'after', times: 1 });
    const res = await paidEcho(pg, { once: true });
    expect(res.status).toBe(200);
    const echo = await pg.catalog.get('echo');
    const spent = before - (await pg.account.balance()).balance_micro_cents;
    expect(spent).toBe(echo.price_micro_cents + echo.shield_fee_micro_cents);
  });

  test('a connection reset on a GET is retried; a persistent one is a ConnectionError', async () => {
    const pg = h.client();
    h.mock.faults.inject({ kind: 'reset', path: '/v1/categories', times: 1 });
    expect((await pg.catalog.categories()).length).toBeGreaterThan(0);
    h.mock.faults.inject({ kind: 'reset', path: '/v1/categories', times: 3 });
    await expect(pg.catalog.categories()).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe('withResponse', () => {
  test('a resource call also yields status and headers without a second request', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader });
    h.sent.length = 0;
    const promise = pg.account.balance();
    const { data, status, headers, response } = await promise.withResponse();
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('application/json');
    expect(response.bodyUsed).toBe(true);
    expect(data).toEqual(await promise);
    expect(h.sent).toHaveLength(1);
  });
});

describe('more errors from real mock answers', () => {
  test('403 listing_not_allowed for a token limited to other listings (not a scope problem)', async () => {
    const parent = h.client({ apiKey: h.mock.demoTokens.trader });
    const echo = await parent.catalog.get('echo');
    const child = await parent.tokens.create({ scopes: ['catalog:read', 'trade'], listings: [echo.id] });
    const pg = h.client({ apiKey: child.token });
    expect((await paidEcho(pg, { ok: 1 })).status).toBe(200);
    const reviews = await pg.catalog.get('product-reviews');
    const err = await pg
      .request({ method: 'GET', path: '/proxy/reviews/reviews', query: { listing: reviews.id }, idempotent: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err).not.toBeInstanceOf(InsufficientScopeError);
    expect((err as PermissionDeniedError).code).toBe('listing_not_allowed');
  });

  test('402 spend_cap_exceeded for a token whose cap is too small', async () => {
    const parent = h.client({ apiKey: h.mock.demoTokens.trader });
    const child = await parent.tokens.create({ scopes: ['catalog:read', 'trade'], spend_cap_micro_cents: 1 });
    const err = await paidEcho(h.client({ apiKey: child.token }), { n: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientCreditsError);
    expect((err as InsufficientCreditsError).code).toBe('spend_cap_exceeded');
  });

  test('a slow answer beyond the per-attempt timeout is a TimeoutError after the retries', async () => {
    const pg = h.client({ timeout: 20, maxRetries: 1 });
    h.mock.faults.inject({ kind: 'latency', latencyMs: 200, path: '/v1/services', times: 2 });
    h.sent.length = 0;
    await expect(pg.catalog.services()).rejects.toBeInstanceOf(TimeoutError);
    expect(h.sent).toHaveLength(2);
  });
});

describe('damaged answers', () => {
  test('a body cut mid-stream on a GET is retried; persistently cut, it is a ConnectionError', async () => {
    const pg = h.client();
    h.mock.faults.inject({ kind: 'truncate', path: '/v1/categories', times: 1 });
    expect((await pg.catalog.categories()).length).toBeGreaterThan(0);
    h.mock.faults.inject({ kind: 'truncate', path: '/v1/categories', times: 3 });
    await expect(pg.catalog.categories()).rejects.toBeInstanceOf(ConnectionError);
  });

  test('malformed JSON on a success is a ValidationError that keeps the raw text', async () => {
    const pg = h.client();
    h.mock.faults.inject({ kind: 'malformed_json', path: '/v1/categories', times: 1 });
    const err = await pg.catalog.categories().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(typeof (err as ValidationError).value).toBe('string');
  });
});

describe('escape hatch against the mock', () => {
  test('raw get matches the resource method; an unknown path is a NotFoundError', async () => {
    const pg = h.client({ apiKey: h.mock.demoTokens.trader });
    expect(await pg.get('/v1/balance')).toEqual(await pg.account.balance());
    await expect(pg.get('/v1/_unknown')).rejects.toBeInstanceOf(NotFoundError);
  });
});
