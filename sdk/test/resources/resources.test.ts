// Every resource of the SDK against the mock gateway, in both profiles: `public` (only what the
// public gateway serves) and `extended` (plus our extensions, advertised in /health).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AmbiguousListingError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  ExtensionNotSupportedError,
  InsufficientCreditsError,
  InsufficientScopeError,
  InternalServerError,
  InvalidJsonError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ShieldBlockedError,
  SpendLimitError,
  TimeoutError,
  ValidationError,
  usdToMicroUsd,
  type Listing,
  type Proxygate,
} from '@proxygate-kit/sdk';
import { PROFILES, startMock, type Harness } from './harness.js';
import { fireWhenLate, HeldTimeouts } from '../held-timeouts.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHIELD_SURCHARGE = 5_000;

describe.each(PROFILES)('against the %s profile', (profile) => {
  let h: Harness;
  beforeAll(() => {
    h = startMock(`sdk-resources-${profile}`, { profile });
  });
  afterAll(() => h.close());
  const extended = profile === 'extended';

  /** A paid call to the mock's echo listing through the escape hatch (the request pipeline itself). */
  async function paidEcho(pg: Proxygate, body: unknown, idempotencyKey?: string) {
    const echo = await pg.catalog.get('echo');
    return pg.request<Record<string, unknown>>({
      method: 'POST',
      path: '/proxy/echo/echo',
      query: { listing: echo.listing_id },
      body,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      requiredScope: 'trade',
    });
  }

  describe('catalog (no token)', () => {
    test('list walks every listing across pages, the same set as one big page; strict validation passes', async () => {
      const pg = h.client({ validation: 'strict' });
      const all = await pg.catalog.list({ limit: 100 });
      expect(all.hasNextPage()).toBe(false);
      expect(all.data.length).toBeGreaterThan(5);
      h.sent.length = 0;
      const walked: string[] = [];
      for await (const listing of pg.catalog.list({ limit: 3 })) walked.push(listing.listing_id);
      expect(walked).toEqual(all.data.map((l) => l.listing_id));
      expect(h.sent).toHaveLength(Math.ceil(all.data.length / 3));
      const pages: number[] = [];
      for await (const page of pg.catalog.list({ limit: 5 }).iterPages()) pages.push(page.data.length);
      expect(pages.reduce((a, b) => a + b, 0)).toBe(all.data.length);
      for (const l of all.data) expect(l.listing_id).toMatch(UUID);
    });

    test('every wire field is kept, and prices gain integer micro-USD converted once from the floats', async () => {
      const pg = h.client({ validation: 'strict' });
      const listings = await pg.catalog.list({ limit: 100 }).toArray({ limit: 100 });
      const weather = listings.find((l) => l.slug === 'weather-current')!;
      for (const field of ['buyer_price_per_request_usdc', 'is_available', 'uptime_percent', 'avg_latency_ms', 'trust_score', 'badges', 'endpoint_prices', 'seller_slug', 'platform_fee_pct'] as const) {
        expect(weather, field).toHaveProperty(field);
      }
      expect(weather.prices.perRequest).toBe(usdToMicroUsd(weather.buyer_price_per_request_usdc!));
      expect(weather.prices.seller.perRequest).toBe(usdToMicroUsd(weather.price_per_request_usdc!));
      expect(weather.prices.perRequest).toBeGreaterThan(weather.prices.seller.perRequest!);
      const forecast = weather.endpoint_prices.find((p) => p.path === '/forecast');
      expect(forecast?.daily_cap_per_wallet).toBeNull();
      expect(weather.prices.endpoints.find((p) => p.path === '/forecast')?.perRequest).toBe(Math.ceil((forecast!.price_per_request! * 105) / 100));
      const chat = listings.find((l) => l.slug === 'chat-completions')!;
      expect(chat.pricing_unit).not.toBe('per_request');
      expect(chat.prices.perRequest).toBeNull();
      expect(chat.prices.perMillionInputTokens).toBeGreaterThan(0);
      expect(Number.isSafeInteger(chat.prices.perMillionOutputTokens)).toBe(true);
      const free = listings.find((l) => l.slug === 'time-now')!;
      expect(free.endpoint_prices[0]).toMatchObject({ path: '/now', price_per_request: 0, daily_cap_per_wallet: 100 });
    });

    test('list filters reach the gateway', async () => {
      const pg = h.client();
      const weather = await pg.catalog.list({ service: 'weather', sort: 'price_asc' }).toArray({ limit: 50 });
      expect(weather.length).toBeGreaterThan(0);
      expect(weather.every((l) => l.service === 'weather')).toBe(true);
      const prices = weather.map((l) => l.prices.perRequest ?? 0);
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
      const verified = await pg.catalog.list({ verified: true, limit: 100 }).toArray({ limit: 100 });
      expect(verified.length).toBeGreaterThan(0);
      expect(verified.every((l) => l.is_verified)).toBe(true);
    });

    test('pricing, services and categories page with for await over their own wrapper keys', async () => {
      const pg = h.client({ validation: 'strict' });
      const pricing = await pg.catalog.pricing({ limit: 2 });
      expect(pricing.body.currency).toBe('USDC');
      expect(pricing.body.deposit_endpoint).toBe('/v1/deposit');
      const allPricing = await pg.catalog.pricing({ limit: 2 }).toArray({ limit: 100 });
      expect(allPricing.length).toBeGreaterThan(2);
      const echoPrice = allPricing.find((p) => p.service === 'echo')!;
      expect(echoPrice.price_per_request_micro_cents).toBe(usdToMicroUsd(echoPrice.price_per_request_usdc));
      const services: string[] = [];
      for await (const s of pg.catalog.services({ limit: 3 })) services.push(s.service);
      expect(services).toContain('echo');
      expect(new Set(services).size).toBe(services.length);
      const categories = await pg.catalog.categories({ limit: 2 }).toArray({ limit: 100 });
      expect(categories.map((c) => c.slug)).toContain('utilities');
      expect(categories.find((c) => c.slug === 'utilities')!.subcategories.map((s) => s.slug)).toContain('testing');
    });

    test('docs by id, by slug and by seller/slug agree; a listing without docs is a NotFoundError', async () => {
      const pg = h.client({ validation: 'strict' });
      const echo = await pg.catalog.get('echo');
      const byId = await pg.catalog.docs(echo.listing_id);
      expect(byId.listing_id).toBe(echo.listing_id);
      expect(byId.content.length).toBeGreaterThan(0);
      expect(await pg.catalog.docs('echo')).toEqual(byId);
      expect(await pg.catalog.docs(`${echo.seller_slug}/echo`)).toEqual(byId);
      await expect(pg.catalog.docs('time-now')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('the listing lookup rule', () => {
    test('UUID -> ?listing_id=, seller/slug -> ?slug=&seller_slug=, slug -> ?slug=, then service -> ?service=', async () => {
      const pg = h.client({ validation: 'strict' });
      h.sent.length = 0;
      const bySlug = await pg.catalog.get('weather-current');
      expect(h.sent).toEqual(['GET /v1/apis?slug=weather-current&limit=100']);
      h.sent.length = 0;
      expect(await pg.catalog.get(bySlug.listing_id)).toEqual(bySlug);
      expect(h.sent).toEqual([`GET /v1/apis?listing_id=${bySlug.listing_id}&limit=100`]);
      h.sent.length = 0;
      expect(await pg.catalog.get(`${bySlug.seller_slug}/weather-current`)).toEqual(bySlug);
      expect(h.sent).toEqual([`GET /v1/apis?slug=weather-current&seller_slug=${bySlug.seller_slug}&limit=100`]);
      h.sent.length = 0;
      const byService = await pg.catalog.get('translate');
      expect(byService.service).toBe('translate');
      expect(h.sent).toEqual(['GET /v1/apis?slug=translate&limit=100', 'GET /v1/apis?service=translate&limit=100']);
    });

    test('a slug of two sellers is ambiguous: both candidates named, never a silent pick; seller/slug settles it', async () => {
      const pg = h.client();
      const err = await pg.catalog.get('web-search').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AmbiguousListingError);
      const e = err as AmbiguousListingError;
      expect(e.candidates).toHaveLength(2);
      const sellers = e.candidates.map((c) => c.seller_slug).sort();
      expect(new Set(sellers).size).toBe(2);
      for (const c of e.candidates) {
        expect(c.listing_id).toMatch(UUID);
        expect(e.message).toContain(`${c.seller_slug}/web-search (${c.listing_id})`);
        expect((await pg.catalog.get(`${c.seller_slug}/web-search`)).listing_id).toBe(c.listing_id);
      }
    });

    test('a service of several listings is ambiguous too; nothing matching is a NotFoundError', async () => {
      const pg = h.client();
      const err = await pg.catalog.get('weather').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AmbiguousListingError);
      expect((err as AmbiguousListingError).message).toContain('by service');
      for (const ref of ['no-such-listing', 'nobody/echo', '00000000-0000-4000-8000-000000000000', 'Not A Slug']) {
        const missing = await pg.catalog.get(ref).catch((e: unknown) => e);
        expect(missing, ref).toBeInstanceOf(NotFoundError);
      }
    });
  });

  describe('meta', () => {
    test('health, extensions as advertised, and receipt keys that load', async () => {
      const pg = h.client({ validation: 'strict' });
      const health = await pg.meta.health();
      expect(health.status).toBe('healthy');
      expect(health.platform_pubkey).toMatch(/^[1-9A-HJ-NP-Za-km-z]+$/);
      const ext = await pg.meta.extensions();
      expect(ext.advertised).toBe(extended);
      expect(ext.has('idempotency')).toBe(extended);
      const keys = (await pg.meta.receiptKeys()) as { keys: { crv: string }[]; platform_pubkey: string; receipt_ca_pubkey?: string };
      expect(keys.platform_pubkey).toBe(health.platform_pubkey);
      if (extended) expect(keys.keys[0]!.crv).toBe('Ed25519');
      else expect(keys).toEqual({ keys: [], platform_pubkey: health.platform_pubkey, receipt_ca_pubkey: health.receipt_ca_pubkey });
    });
  });

  describe('account', () => {
    test('me, balance (available, pending), limits, usage with its summary, and rate after paid calls', async () => {
      const pg = h.client({ apiKey: h.mock.demoTokens.trader, validation: 'strict' });
      const me = await pg.account.me();
      expect(me.wallet).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
      const limits = await pg.account.limits();
      expect(limits).toHaveProperty('daily_limit_micro_usdc');
      const before = await pg.account.balance();
      expect(before.currency).toBe('lamports');
      expect(before.available).toBe(before.balance - before.pending_settlement);
      const calls = [await pg.call('echo', '/echo', { query: { n: '1' } }), await pg.call('echo', '/echo', { query: { n: '2' } }), await pg.call('echo', '/echo', { query: { n: '3' } })];
      const after = await pg.account.balance();
      const charged = calls.reduce((sum, c) => sum + Number(c.cost), 0);
      expect(before.available - after.available).toBe(charged);
      const echo = await pg.catalog.get('echo');
      expect(calls[0]!.cost).toBe(BigInt(echo.prices.perRequest! + SHIELD_SURCHARGE));

      const rows = await pg.account.usage({ limit: 2, service: 'echo' }).toArray({ limit: 100 });
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const times = rows.map((e) => e.created_at);
      expect(times).toEqual([...times].sort().reverse());
      expect(rows.slice(0, 3).reduce((sum, e) => sum + e.cost_micro_cents, 0)).toBe(charged);
      const page = await pg.account.usage({ service: 'echo' });
      const summary = page.body.summary.find((s) => s.service === 'echo')!;
      expect(summary.request_count).toBe(rows.length);
      expect(summary.total_cost_micro_cents).toBe(rows.reduce((sum, e) => sum + e.cost_micro_cents, 0));
      if (extended) expect(rows[0]!.request_id).toBe(calls[2]!.requestId);
      else expect(rows[0]!.request_id).toBeUndefined();

      const rated = await pg.account.rate({ request_id: calls[0]!.requestId!, is_positive: true });
      expect(rated).toEqual({ success: true, is_update: false });
      expect(await pg.account.rate({ request_id: calls[0]!.requestId!, is_positive: false })).toEqual({ success: true, is_update: true });
    });

    test('a read-only token: balance works, a paid call and a rating are refused', async () => {
      const pg = h.client({ apiKey: h.mock.demoTokens.readOnly });
      expect((await pg.account.balance()).currency).toBe('lamports');
      const err = await pg.account.rate({ request_id: '00000000-0000-4000-8000-000000000000', is_positive: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermissionDeniedError);
      if (extended) {
        expect(err).toBeInstanceOf(InsufficientScopeError);
        expect((err as InsufficientScopeError).requiredScope).toBe('trade');
      } else {
        expect((err as PermissionDeniedError).code).toBe('forbidden');
        expect((err as PermissionDeniedError).message).toContain('"rate:write"');
      }
    });
  });

  describe('tokens and the receipt log (extensions)', () => {
    test.runIf(!extended)('are refused before sending on the public gateway', async () => {
      const pg = h.client({ apiKey: h.mock.demoTokens.trader });
      await pg.extensions();
      h.sent.length = 0;
      await expect(pg.tokens.self()).rejects.toBeInstanceOf(ExtensionNotSupportedError);
      await expect(pg.tokens.list()).rejects.toBeInstanceOf(ExtensionNotSupportedError);
      await expect(pg.receiptsLog.list()).rejects.toBeInstanceOf(ExtensionNotSupportedError);
      expect(h.sent).toEqual([]);
      expect(await pg.resolveScopes()).toBeUndefined();
    });

    test.runIf(extended)('the receipt log pages in seq order and carries its signed head', async () => {
      const pg = h.client({ apiKey: h.mock.demoTokens.trader, validation: 'strict' });
      await pg.call('echo', '/echo');
      const seqs: number[] = [];
      let head: unknown;
      for await (const page of pg.receiptsLog.list({ limit: 2 }).iterPages()) {
        head = page.body.head;
        for (const r of page.data) seqs.push(r.seq);
      }
      expect(seqs.length).toBeGreaterThanOrEqual(1);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(head).toMatchObject({ tree_size: seqs.length });
    });

    test.runIf(extended)('self, create a narrower token, list, revoke; the child works then stops', async () => {
      const pg = h.client({ apiKey: h.mock.demoTokens.trader, validation: 'strict' });
      const me = await pg.tokens.self();
      expect(pg.knownScopes).toEqual(me.scopes);
      expect(await pg.resolveScopes()).toEqual(me.scopes);
      const created = await pg.tokens.create({ name: 'ci reader', scopes: ['catalog:read', 'account:read'], spend_cap_micro_usd: 1000 });
      expect(created.token.startsWith('pg_del_')).toBe(true);
      expect(created.info).toMatchObject({ parent_id: me.id, scopes: ['catalog:read', 'account:read'], spend_cap_micro_usd: 1000 });
      const ids = (await pg.tokens.list({ limit: 1 }).toArray({ limit: 100 })).map((t) => t.id);
      expect(ids).toContain(created.info.id);

      const child = h.client({ apiKey: created.token });
      expect((await child.account.balance()).currency).toBe('lamports');
      await child.tokens.self();
      // The child learnt it cannot trade: refused locally, nothing sent.
      h.sent.length = 0;
      await expect(child.account.rate({ request_id: 'req_x', is_positive: true })).rejects.toMatchObject({ local: true, requiredScope: 'rate:write' });
      expect(h.sent).toHaveLength(0);

      const revoked = await pg.tokens.revoke(created.info.id);
      expect(revoked.revoked_at).not.toBeNull();
      await expect(child.account.balance()).rejects.toBeInstanceOf(AuthenticationError);
    });

    test.runIf(extended)('asking for a scope the parent lacks is a BadRequestError (scope_escalation)', async () => {
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

    test('402 for a broke account', async () => {
      const err = await paidEcho(h.client({ apiKey: h.mock.demoTokens.broke }), { n: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InsufficientCreditsError);
    });

    test('a capped pg_del_ token: its limit is a SpendLimitError, nothing charged, never retried', async () => {
      const pg = h.client({ apiKey: h.mock.demoTokens.capped });
      const weather = await pg.catalog.get('weather-current');
      const ledger = h.mock.ledger().length;
      h.sent.length = 0;
      let err: unknown;
      for (let i = 0; i < 10 && !(err instanceof SpendLimitError); i++) err = await pg.call(weather, '/current', { query: { city: 'Oslo' } }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(SpendLimitError);
      const sends = h.sent.filter((s) => s.startsWith('GET /proxy/'));
      const charges = h.mock.ledger().length - ledger;
      expect(charges).toBe(sends.length - 1); // every send but the refused one charged once
    });

    test.runIf(extended)('409 for a reused idempotency key with another body', async () => {
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
        .request({ method: 'GET', path: '/proxy/reviews/reviews', query: { listing: reviews.listing_id }, headers: { 'x-proxygate-shield': 'strict' } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShieldBlockedError);
      const e = err as ShieldBlockedError;
      // Through client.request the receipt is not settled: the body's refund stays an unsigned claim.
      expect(e.refunded).toEqual({ value: true, verified: false });
      expect(e.blockVerified).toBe(false);
      expect(e.score).toBeGreaterThanOrEqual(0.7);
      expect(e.flags.length).toBeGreaterThan(0);
      expect(e.rawReceipt).toBeTruthy();
    });

    test('5xx and 429 faults on reads are retried; when they persist the typed error surfaces', async () => {
      const pg = h.client();
      h.mock.faults.inject({ kind: 'server_error', path: '/v1/categories', times: 2 });
      expect((await pg.catalog.categories()).data.length).toBeGreaterThan(0);
      h.mock.faults.inject({ kind: 'server_error', status: 502, path: '/v1/services', times: 3 });
      await expect(pg.catalog.services()).rejects.toBeInstanceOf(InternalServerError);
      h.mock.faults.inject({ kind: 'rate_limit', retryAfter: 2, path: '/v1/pricing', times: 3 });
      const err = await pg.catalog.pricing().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitError);
      expect((err as RateLimitError).retryAfterMs).toBe(2000);
    });

    test('a connection reset on a GET is retried; a persistent one is a ConnectionError', async () => {
      const pg = h.client();
      h.mock.faults.inject({ kind: 'reset', path: '/v1/categories', times: 1 });
      expect((await pg.catalog.categories()).data.length).toBeGreaterThan(0);
      h.mock.faults.inject({ kind: 'reset', path: '/v1/categories', times: 3 });
      await expect(pg.catalog.categories()).rejects.toBeInstanceOf(ConnectionError);
    });

    test('a slow answer beyond the per-attempt timeout is a TimeoutError after the retries', async () => {
      // Each attempt's timeout fires once the mock holds its answer back (held, not waited for).
      const timeouts = new HeldTimeouts();
      const pg = timeouts.install(h.client({ timeout: 20, maxRetries: 1 }));
      h.mock.faults.inject({ kind: 'latency', latencyMs: 200, path: '/v1/services', times: 2 });
      const undo = fireWhenLate(h.mock.faults, timeouts);
      h.sent.length = 0;
      try {
        await expect(pg.catalog.services()).rejects.toBeInstanceOf(TimeoutError);
      } finally {
        undo();
      }
      expect(h.sent).toHaveLength(2);
      expect(timeouts.fired).toEqual([20, 20]);
    });

    test.runIf(extended)('403 listing_not_allowed for a token limited to other listings (not a scope problem)', async () => {
      const parent = h.client({ apiKey: h.mock.demoTokens.trader });
      const echo = await parent.catalog.get('echo');
      const child = await parent.tokens.create({ scopes: ['catalog:read', 'trade'], listings: [echo.listing_id] });
      const pg = h.client({ apiKey: child.token });
      expect((await paidEcho(pg, { ok: 1 })).status).toBe(200);
      const reviews: Listing = await pg.catalog.get('product-reviews');
      const err = await pg.request({ method: 'GET', path: '/proxy/reviews/reviews', query: { listing: reviews.listing_id } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermissionDeniedError);
      expect(err).not.toBeInstanceOf(InsufficientScopeError);
      expect((err as PermissionDeniedError).code).toBe('listing_not_allowed');
    });
  });

  describe('damaged answers', () => {
    test('a body cut mid-stream on a GET is retried; persistently cut, it is a ConnectionError', async () => {
      const pg = h.client();
      h.mock.faults.inject({ kind: 'truncate', path: '/v1/categories', times: 1 });
      expect((await pg.catalog.categories()).data.length).toBeGreaterThan(0);
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

    test('a JSON body that does not parse says so (invalid_json, status, request id), not a schema complaint', async () => {
      // The answer the reviewer met: a 200 whose JSON was cut short.
      const broken = async (): Promise<Response> => new Response('{"balance": 1, ', { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_broken_1' } });
      const pg = h.client({ apiKey: h.mock.demoTokens.trader, fetch: broken });
      const err = (await pg.account.balance().catch((e: unknown) => e)) as InvalidJsonError;
      expect(err).toBeInstanceOf(InvalidJsonError);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.code).toBe('invalid_json');
      expect(err.responseStatus).toBe(200);
      expect(err.requestId).toBe('req_broken_1');
      expect(err.message).toMatch(/^The 200 answer to GET \/v1\/balance is not valid JSON: .+ \(request id req_broken_1\)$/);
      expect(err.message).not.toMatch(/expected object/);
      expect(err.value).toBe('{"balance": 1, ');
      expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: 'invalid_json', responseStatus: 200, requestId: 'req_broken_1' });
      // The raw view still hands the answer over.
      expect(await (await pg.account.balance().asResponse()).text()).toBe('{"balance": 1, ');
    });
  });

  describe('withResponse and the escape hatch', () => {
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

    test('raw get matches the resource method; an unknown path is a NotFoundError', async () => {
      const pg = h.client({ apiKey: h.mock.demoTokens.trader });
      expect(await pg.get('/v1/balance')).toEqual(await pg.account.balance());
      await expect(pg.get('/v1/_unknown')).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
