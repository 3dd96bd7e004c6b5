import { describe, expect, it } from 'vitest';
import {
  createMockGateway,
  decimalText,
  listingIdOf,
  PLATFORM_FEE_PCT,
  PROFILES,
  withPlatformFee,
  type CatalogListing,
  type CatalogResponse,
  type CategoriesResponse,
  type ListingDocsResponse,
  type PricingResponse,
  type ServicesResponse,
} from '../src/index.js';
import { perMillionTokensToMicroUsdPerToken } from '../src/state/money.js';
import { base58Decode } from '../src/crypto/base58.js';
import { BASE58, id, useMock, UUID } from './helpers.js';

/** Integer micro-USD from a catalog USDC number, through its JSON text (no float arithmetic). */
function microOf(usdc: number | null, digits = 6): number | null {
  if (usdc === null) return null;
  const text = JSON.stringify(usdc);
  const match = /^(\d+)(?:\.(\d+))?(?:e-(\d+))?$/.exec(text);
  if (!match) throw new Error(`unexpected number text ${text}`);
  const [, whole = '', fraction = '', exponent = '0'] = match;
  const shift = digits - Number(exponent);
  const digitsText = `${whole}${fraction}`;
  const scaled = shift - fraction.length;
  if (scaled < 0) throw new Error(`${text} has more precision than ${digits} digits`);
  return Number(`${digitsText}${'0'.repeat(scaled)}`);
}

describe.each(PROFILES)('catalog (%s profile, no token)', (profile) => {
  const t = useMock({ profile, seed: 'catalog-tests' });
  const all = async () => (await t.json<CatalogResponse>('/v1/apis?limit=100')).body.data;
  const bySlug = async (ref: string) => (await all()).find((l) => l.listing_id === id(ref)) as CatalogListing;

  it('serves every published CatalogListing field, with UUID ids, base58 wallets and kebab-case slugs', async () => {
    const { status, body } = await t.json<CatalogResponse>('/v1/apis?limit=100');
    expect(status).toBe(200);
    expect([body.has_more, body.cursor, body.filters_applied]).toEqual([false, null, {}]);
    expect(body.data).toHaveLength(16);
    for (const listing of body.data) {
      expect(listing.listing_id).toMatch(UUID);
      expect(listing.listing_id).toBe(listingIdOf(listing.seller_slug ?? '', listing.slug));
      expect(listing.seller_wallet).toMatch(BASE58);
      expect(base58Decode(listing.seller_wallet)).toHaveLength(32);
      expect(listing.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(listing.seller_slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(listing.platform_fee_pct).toBe(PLATFORM_FEE_PCT);
      expect(listing.listing_type).toBe('api');
      expect(listing.endpoints.length).toBeGreaterThan(0);
      expect(Object.keys(listing)).toHaveLength(37);
    }
  });

  it('converts integer micro-USD prices to USDC numbers exactly, buyer = seller + fee rounded up', async () => {
    for (const listing of await all()) {
      const seller = microOf(listing.price_per_request_usdc);
      const buyer = microOf(listing.buyer_price_per_request_usdc);
      if (seller === null) {
        expect(listing.pricing_unit).toBe('per_token');
        expect(buyer).toBeNull();
        continue;
      }
      expect(buyer).toBe(withPlatformFee(seller));
      expect(listing.buyer_price_per_input_token_usdc).toBeNull();
    }
    const echo = await bySlug('echo');
    expect([echo.price_per_request_usdc, echo.buyer_price_per_request_usdc]).toEqual([0.0001, 0.000105]);
    const weather = await bySlug('weather-current');
    expect([weather.price_per_request_usdc, weather.buyer_price_per_request_usdc]).toEqual([0.001, 0.00105]);
    expect(weather.endpoint_prices).toEqual([{ path: '/forecast', pricing_unit: 'per_request', price_per_request: 2000, daily_cap_per_wallet: null, daily_cap_global: null }]);
  });

  it('has the catalog roles: free with daily caps, SSE, echo, per-token, hostile, shared slug, multi-listing service', async () => {
    const listings = await all();
    const free = listings.filter((l) => l.price_per_request_usdc === 0);
    expect(free.map((l) => l.slug).sort()).toEqual(['time-now', 'weather-alerts']);
    for (const listing of free) {
      expect(listing.free_listing_approved).toBe(true);
      expect(listing.endpoint_prices[0]).toMatchObject({ price_per_request: 0, daily_cap_per_wallet: 100 });
    }
    const streaming = listings.filter((l) => l.type_metadata?.['supports_streaming'] === true);
    expect(streaming.map((l) => l.slug)).toEqual(['llm-stream']);
    expect((await bySlug('echo')).endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /echo', 'POST /echo', 'PUT /echo', 'PATCH /echo', 'DELETE /echo', 'GET /headers']);

    const chat = await bySlug('chat-completions');
    expect(chat).toMatchObject({ pricing_unit: 'per_token', price_per_request_usdc: null, buyer_price_per_request_usdc: null });
    expect(microOf(chat.price_per_input_token_usdc, 12)).toBe(2_000_000);
    expect(microOf(chat.buyer_price_per_input_token_usdc, 12)).toBe(2_100_000);
    expect(microOf(chat.buyer_price_per_output_token_usdc, 12)).toBe(8_400_000);

    expect(listings.filter((l) => l.category_slugs.includes('security-test')).map((l) => l.slug).sort()).toEqual(
      ['link-directory', 'paste-dump', 'product-reviews', 'release-notes'],
    );
    const shared = listings.filter((l) => l.slug === 'web-search');
    expect(shared.map((l) => l.seller_slug).sort()).toEqual(['findly', 'seekr']);
    expect(new Set(shared.map((l) => l.listing_id)).size).toBe(2);
    expect(() => id('web-search')).toThrow(/several sellers/);
    expect(listings.filter((l) => l.service === 'llm')).toHaveLength(2);
  });

  it('derives listing ids and seller wallets from names, not from the seed', () => {
    const a = createMockGateway({ profile, seed: 'one' }).gateway.listApis({ limit: '100' }).data;
    const b = createMockGateway({ profile, seed: 'two' }).gateway.listApis({ limit: '100' }).data;
    expect(a.map((l) => [l.listing_id, l.seller_wallet])).toEqual(b.map((l) => [l.listing_id, l.seller_wallet]));
  });

  it('pages with opaque cursors, clamps limit to 1..100 (default 20), and 400s a foreign cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=5&cursor=${encodeURIComponent(cursor)}` : '?limit=5';
      const { body } = await t.json<CatalogResponse>(`/v1/apis${query}`);
      expect(body.data.length).toBeLessThanOrEqual(5);
      seen.push(...body.data.map((l) => l.listing_id));
      cursor = body.cursor;
      expect(body.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual((await all()).map((l) => l.listing_id));
    expect((await t.json<CatalogResponse>('/v1/apis?limit=0')).body.data).toHaveLength(1);
    expect((await t.json<CatalogResponse>('/v1/apis?limit=500')).body.data).toHaveLength(16);
    expect((await t.json<CatalogResponse>('/v1/apis?limit=abc')).body.data).toHaveLength(16);
    const finance = await t.json<CatalogResponse>('/v1/apis?service=finance&limit=1');
    expect(finance.body.cursor).not.toBeNull();
    const foreign = await t.json(`/v1/apis?limit=1&cursor=${encodeURIComponent(finance.body.cursor ?? '')}`);
    expect([foreign.status, foreign.body['error']]).toEqual([400, 'invalid_cursor']);
  });

  it('looks a listing up by listing_id, by slug, and by slug + seller_slug', async () => {
    const one = await t.json<CatalogResponse>(`/v1/apis?listing_id=${id('echo')}`);
    expect(one.body.data.map((l) => l.slug)).toEqual(['echo']);
    expect(one.body.filters_applied).toEqual({ listing_id: id('echo') });
    expect((await t.json<CatalogResponse>('/v1/apis?listing_id=not-a-uuid')).body.data).toEqual([]);
    expect((await t.json<CatalogResponse>(`/v1/apis?listing_id=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).body.data).toEqual([]);
    const ambiguous = await t.json<CatalogResponse>('/v1/apis?slug=web-search');
    expect(ambiguous.body.data).toHaveLength(2);
    const exact = await t.json<CatalogResponse>('/v1/apis?slug=web-search&seller_slug=seekr');
    expect(exact.body.data.map((l) => l.listing_id)).toEqual([id('seekr/web-search')]);
    expect(exact.body.filters_applied).toEqual({ slug: 'web-search', seller_slug: 'seekr' });
    for (const bad of ['slug=Web_Search', 'seller_slug=Seekr']) {
      const answer = await t.json(`/v1/apis?${bad}`);
      expect([answer.status, answer.body['error']]).toEqual([400, 'invalid_slug']);
    }
  });

  it('applies every published filter and reports it typed in filters_applied', async () => {
    const slugs = async (query: string) => {
      const { body } = await t.json<CatalogResponse>(`/v1/apis?limit=100&${query}`);
      return { slugs: body.data.map((l) => `${l.seller_slug}/${l.slug}`).sort(), applied: body.filters_applied };
    };
    expect(await slugs('service=finance')).toEqual({ slugs: ['ledgerly/fx-rates', 'ledgerly/stock-quote'], applied: { service: 'finance' } });
    expect((await slugs('q=WEATHER')).slugs).toEqual(['skycast/weather-alerts', 'skycast/weather-current']);
    expect((await slugs('category=finance,media')).slugs).toEqual(['ledgerly/fx-rates', 'ledgerly/stock-quote', 'wirefeed/news-headlines']);
    expect((await slugs('category=llm')).slugs).toEqual(['lingua/chat-completions', 'lingua/llm-stream']);
    expect(await slugs('supports_streaming=true')).toEqual({ slugs: ['lingua/llm-stream'], applied: { supports_streaming: true } });
    expect((await slugs('supports_streaming=false')).slugs).toHaveLength(16);
    const verified = await slugs('verified=true');
    expect(verified.applied).toEqual({ verified: true });
    expect(verified.slugs).not.toContain('seekr/web-search');
    // max_price is the buyer price per request in micro-USD; per-token listings never match.
    expect(await slugs('max_price=1050')).toEqual({
      slugs: ['ledgerly/fx-rates', 'mockworks/echo', 'mockworks/time-now', 'shadyco/link-directory', 'shadyco/paste-dump', 'shadyco/product-reviews', 'shadyco/release-notes', 'skycast/weather-alerts', 'skycast/weather-current'],
      applied: { max_price: 1050 },
    });
    expect((await slugs('max_price=1049')).slugs).not.toContain('skycast/weather-current');
    expect(await slugs('pricing_model=per_token')).toEqual({ slugs: ['lingua/chat-completions'], applied: { pricing_model: 'per_token' } });
    expect((await slugs('min_trust_score=90')).slugs).toEqual(['ledgerly/fx-rates', 'ledgerly/stock-quote', 'skycast/weather-alerts', 'skycast/weather-current']);
    expect((await slugs('badges=reliable,veteran')).applied).toEqual({ badges: 'reliable,veteran' });
    expect((await slugs('badges=fast,veteran')).slugs).toEqual(['ledgerly/fx-rates', 'ledgerly/stock-quote']);
    expect((await slugs('has_badges=true')).slugs).not.toContain('shadyco/paste-dump');
    expect(await slugs('min_uptime=99.9&max_latency=100')).toEqual({
      slugs: ['ledgerly/fx-rates', 'mockworks/echo', 'mockworks/time-now', 'skycast/weather-alerts', 'skycast/weather-current'],
      applied: { min_uptime: 99.9, max_latency: 100 },
    });
    expect((await slugs('min_rating=95')).slugs).toEqual(['ledgerly/fx-rates', 'mockworks/echo', 'skycast/weather-alerts', 'skycast/weather-current']);
    expect((await slugs('auth_pattern=bearer')).slugs).toEqual(['findly/web-search', 'lingua/chat-completions', 'lingua/llm-stream', 'lingua/translate-text']);
    expect((await slugs('type=api')).slugs).toHaveLength(16);
    expect((await slugs('type=tunnel')).slugs).toEqual([]);
    // An unknown sort is not applied (the published enum), a non-number numeric filter neither.
    expect((await slugs('sort=cheapest&min_uptime=high')).applied).toEqual({});
  });

  it('sorts by every documented key, ties by listing id', async () => {
    const sorted = async (sort: string) => {
      const { body } = await t.json<CatalogResponse>(`/v1/apis?limit=100&sort=${sort}`);
      expect(body.filters_applied.sort).toBe(sort);
      return body.data;
    };
    const price = (l: CatalogListing) => microOf(l.buyer_price_per_request_usdc);
    const asc = (await sorted('price_asc')).map(price);
    expect(asc.at(-1)).toBeNull();
    const ascPriced = asc.filter((p): p is number => p !== null);
    expect(ascPriced).toEqual([...ascPriced].sort((a, b) => a - b));
    const desc = (await sorted('price_desc')).map(price).filter((p): p is number => p !== null);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const fastest = (await sorted('fastest')).map((l) => l.avg_latency_ms);
    expect(fastest).toEqual([...fastest].sort((a, b) => a - b));
    const best = (await sorted('best_rated')).map((l) => l.avg_rating_percent);
    expect(best).toEqual([...best].sort((a, b) => b - a));
    expect((await sorted('newest'))[0]?.slug).toBe('time-now');
    expect((await sorted('popular'))[0]?.slug).toBe('fx-rates');
  });

  it('serves docs by UUID: OpenAPI with parsed endpoints, Markdown, 400 for a slug, 404 without docs', async () => {
    const openapi = await t.json<ListingDocsResponse>(`/v1/apis/${id('weather-current')}/docs`);
    expect(openapi.status).toBe(200);
    expect(openapi.body).toMatchObject({ listing_id: id('weather-current'), doc_type: 'openapi' });
    expect(JSON.parse(openapi.body.content).paths['/forecast'].get).toBeDefined();
    expect(openapi.body.parsed_endpoints).toHaveLength(2);
    const markdown = await t.json<ListingDocsResponse>(`/v1/apis/${id('echo')}/docs`);
    expect(markdown.body).toMatchObject({ doc_type: 'markdown', parsed_endpoints: null });
    expect(markdown.body.content).toContain(`/proxy/echo/echo?listing=${id('echo')}`);
    expect(markdown.body.content).toContain('105 micro-USD per call');
    const slug = await t.json('/v1/apis/echo/docs');
    expect([slug.status, slug.body['error']]).toEqual([400, 'invalid_listing_id']);
    for (const missing of [id('time-now'), '00000000-0000-4000-8000-000000000000']) {
      const answer = await t.json(`/v1/apis/${missing}/docs`);
      expect([answer.status, answer.body['error']]).toEqual([404, 'docs_not_found']);
    }
    expect((await bySlug('time-now')).has_docs).toBe(false);
  });

  it('has no GET /v1/apis/{id}', async () => {
    const answer = await t.json(`/v1/apis/${id('echo')}`);
    expect([answer.status, answer.body['error']]).toEqual([404, 'not_found']);
  });

  it('prices each service at its cheapest seller price, micro-USD and USDC agreeing', async () => {
    const { body } = await t.json<PricingResponse>('/v1/pricing?limit=100');
    expect(body).toMatchObject({ has_more: false, cursor: null, currency: 'USDC', deposit_endpoint: '/v1/deposit' });
    expect(body.services.map((s) => s.service)).toEqual(['echo', 'finance', 'links', 'llm', 'news', 'pages', 'pastebin', 'reviews', 'search', 'time', 'translate', 'weather']);
    for (const row of body.services) {
      expect(microOf(row.price_per_request_usdc)).toBe(row.price_per_request_micro_cents);
    }
    expect(body.services.find((s) => s.service === 'search')).toMatchObject({ price_per_request_micro_cents: 3000, sellers: 2, available_rpm: 360 });
    expect(body.services.find((s) => s.service === 'llm')).toMatchObject({
      pricing_unit: 'both', price_per_request_micro_cents: 10_000, price_per_input_token_micro_cents: 2, price_per_output_token_micro_cents: 8,
      price_per_input_token_usdc: 0.000002, price_per_output_token_usdc: 0.000008,
    });
    const first = await t.json<PricingResponse>('/v1/pricing?limit=5');
    expect([first.body.services.length, first.body.has_more, first.body.cursor]).toEqual([5, true, 'news']);
    const next = await t.json<PricingResponse>('/v1/pricing?limit=5&cursor=news');
    expect(next.body.services[0]?.service).toBe('pages');
    expect((await t.json<PricingResponse>('/v1/pricing?service=weather')).body.services.map((s) => s.price_per_request_micro_cents)).toEqual([0]);
    expect((await t.json<PricingResponse>('/v1/pricing?cursor=nope')).body).toMatchObject({ services: [], has_more: false, cursor: null });
  });

  it('aggregates services (cheapest seller and buyer price, sellers, capacity) and pages them', async () => {
    const { body } = await t.json<ServicesResponse>('/v1/services?limit=100');
    expect(body.count).toBe(12);
    const search = body.services.find((s) => s.service === 'search');
    expect(search).toMatchObject({ cheapest_price_usdc: 0.003, cheapest_buyer_price_usdc: 0.00315, active_seller_count: 2, total_capacity_rpm: 360, pricing_units: 'per_request' });
    expect(search?.best_rated_seller_wallet).toBe((await bySlug('findly/web-search')).seller_wallet);
    const page = await t.json<ServicesResponse>('/v1/services?limit=3');
    expect([page.body.count, page.body.has_more, page.body.cursor]).toEqual([3, true, 'links']);
  });

  it('serves the category tree with subcategories, counts, q and a slug cursor', async () => {
    const { body } = await t.json<CategoriesResponse>('/v1/categories?limit=100');
    expect(body.categories.map((c) => c.slug)).toEqual(['ai', 'data', 'finance', 'media', 'search', 'security-test', 'utilities']);
    const listings = await all();
    for (const category of body.categories) {
      expect(category.listing_count).toBe(listings.filter((l) => l.category_slugs.includes(category.slug)).length);
      for (const sub of category.subcategories) expect(sub.listing_count).toBeLessThanOrEqual(category.listing_count);
    }
    expect(body.categories.find((c) => c.slug === 'ai')?.subcategories.map((s) => [s.slug, s.listing_count])).toEqual([['llm', 2], ['translation', 1]]);
    const q = await t.json<CategoriesResponse>('/v1/categories?q=weather');
    expect(q.body.categories).toEqual([expect.objectContaining({ slug: 'data', subcategories: [expect.objectContaining({ slug: 'weather', listing_count: 2 })] })]);
    const first = await t.json<CategoriesResponse>('/v1/categories?limit=2');
    expect([first.body.cursor, first.body.has_more]).toEqual(['data', true]);
    expect((await t.json<CategoriesResponse>('/v1/categories?limit=2&cursor=data')).body.categories[0]?.slug).toBe('finance');
  });

  it('serves health: extensions only in the extended profile; 503 degraded with the same shape', async () => {
    const health = await t.json('/health');
    expect(health.status).toBe(200);
    expect(health.body['status']).toBe('healthy');
    expect(base58Decode(String(health.body['platform_pubkey']))).toHaveLength(32);
    expect(health.body['receipt_ca_pubkey']).toMatch(BASE58);
    if (profile === 'public') expect(health.body).not.toHaveProperty('extensions');
    else expect(health.body['extensions']).toEqual({ version: 1, features: ['token_scopes', 'tokens', 'idempotency', 'receipt_keys', 'receipt_v3', 'receipt_log', 'shield_action'], receipt_keys_url: '/.well-known/proxygate-receipt-keys' });
    expect((await t.json('/__mock/health', { body: { status: 'degraded' } })).status).toBe(200);
    const degraded = await t.json('/health');
    expect([degraded.status, degraded.body['status']]).toEqual([503, 'degraded']);
    const metadata = await t.json<{ resource: string; scopes_supported: string[] }>('/.well-known/oauth-protected-resource');
    expect(metadata.body.resource).toBe('https://mock.proxygate.test');
    expect(metadata.body.scopes_supported).toContain(profile === 'public' ? 'proxy' : 'trade');
  });
});

describe('per-token prices in whole micro-USD', () => {
  it('round up in integer arithmetic, up to the largest safe integer; anything else is refused', () => {
    expect([0, 1, 1_000_000, 2_000_000, 2_100_000, 8_400_000].map(perMillionTokensToMicroUsdPerToken)).toEqual([0, 1, 1, 2, 3, 9]);
    expect(perMillionTokensToMicroUsdPerToken(9_000_000_000_000_001)).toBe(9_000_000_001);
    expect(perMillionTokensToMicroUsdPerToken(Number.MAX_SAFE_INTEGER)).toBe(9_007_199_255);
    // Not micro-USD: a fraction or a float beyond the safe integers would be silently rounded.
    expect(() => perMillionTokensToMicroUsdPerToken(1.5)).toThrow(RangeError);
    expect(() => perMillionTokensToMicroUsdPerToken(2 ** 53)).toThrow(RangeError);
    expect(() => perMillionTokensToMicroUsdPerToken(-1)).toThrow(RangeError);
  });
});

describe('decimal text of micro-USD', () => {
  it('is exact and never uses exponents', () => {
    expect(decimalText(1050, 6)).toBe('0.00105');
    expect(decimalText(10_000_000, 6)).toBe('10');
    expect(decimalText(2_100_000, 12)).toBe('0.0000021');
    expect(decimalText(0, 6)).toBe('0');
  });
});
