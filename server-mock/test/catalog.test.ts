import { describe, expect, it } from 'vitest';
import type { Listing, Page } from '../src/index.js';
import { useMock } from './helpers.js';

const t = useMock({ seed: 'catalog-tests' });

describe('catalog endpoints (no token)', () => {
  it('lists at least 12 listings across several services and categories, free, paid, sse and hostile', async () => {
    const { status, body } = await t.json<Page<Listing>>('/v1/apis?limit=100');
    expect(status).toBe(200);
    expect(body.has_more).toBe(false);
    expect(body.cursor).toBeNull();
    const listings = body.data;
    expect(listings.length).toBeGreaterThanOrEqual(12);
    expect(new Set(listings.map((l) => l.service)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(listings.map((l) => l.category)).size).toBeGreaterThanOrEqual(4);
    expect(listings.some((l) => l.price_micro_cents === 0)).toBe(true);
    expect(listings.some((l) => l.price_micro_cents > 0)).toBe(true);
    expect(listings.filter((l) => l.type === 'sse')).toHaveLength(1);
    expect(listings.filter((l) => l.category === 'security-test').length).toBeGreaterThanOrEqual(4);
    for (const listing of listings) {
      expect(listing.id).toMatch(/^lst_/);
      expect(listing.seller_id).toMatch(/^sel_/);
      expect(Number.isSafeInteger(listing.price_micro_cents)).toBe(true);
      expect(listing.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(listing.endpoints.length).toBeGreaterThan(0);
    }
  });

  it('pages with opaque cursors until has_more is false, without overlap', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=5&cursor=${encodeURIComponent(cursor)}` : '?limit=5';
      const { body } = await t.json<Page<Listing>>(`/v1/apis${query}`);
      expect(body.data.length).toBeLessThanOrEqual(5);
      seen.push(...body.data.map((l) => l.id));
      cursor = body.cursor;
      expect(body.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    const all = await t.json<Page<Listing>>('/v1/apis?limit=100');
    expect(seen).toEqual(all.body.data.map((l) => l.id));
    expect(pages).toBe(Math.ceil(seen.length / 5));
  });

  it('defaults limit to 20 and rejects a bad limit or a forged cursor with 400 validation_error', async () => {
    expect((await t.json<Page<Listing>>('/v1/apis')).body.data.length).toBe(Math.min(20, (await t.json<Page<Listing>>('/v1/apis?limit=100')).body.data.length));
    for (const bad of ['limit=0', 'limit=101', 'limit=abc', 'cursor=bm90LWEtY3Vyc29y']) {
      const { status, body } = await t.json(`/v1/apis?${bad}`);
      expect(status, bad).toBe(400);
      expect(body['error']).toBe('validation_error');
      expect(body['trace_id']).toMatch(/^trc_/);
    }
    // A cursor of one filtered list does not page another list.
    const weather = await t.json<Page<Listing>>('/v1/apis?service=finance&limit=1');
    expect(weather.body.cursor).not.toBeNull();
    const other = await t.json(`/v1/apis?limit=1&cursor=${encodeURIComponent(weather.body.cursor ?? '')}`);
    expect(other.status).toBe(400);
  });

  it('filters by q, service, category, type and verified', async () => {
    const finance = await t.json<Page<Listing>>('/v1/apis?service=finance');
    expect(finance.body.data.map((l) => l.slug).sort()).toEqual(['fx-rates', 'stock-quote']);
    const ai = await t.json<Page<Listing>>('/v1/apis?category=ai');
    expect(ai.body.data.every((l) => l.category === 'ai')).toBe(true);
    const sse = await t.json<Page<Listing>>('/v1/apis?type=sse');
    expect(sse.body.data.map((l) => l.slug)).toEqual(['llm-stream']);
    const q = await t.json<Page<Listing>>('/v1/apis?q=WEATHER');
    expect(q.body.data.map((l) => l.slug).sort()).toEqual(['weather-alerts', 'weather-current']);
    const unverified = await t.json<Page<Listing>>('/v1/apis?verified=false&limit=100');
    expect(unverified.body.data.length).toBeGreaterThan(0);
    expect(unverified.body.data.every((l) => !l.verified)).toBe(true);
    expect((await t.json('/v1/apis?verified=maybe')).status).toBe(400);
    expect((await t.json('/v1/apis?type=grpc')).status).toBe(400);
  });

  it('sorts by every documented key', async () => {
    const sorted = async (sort: string) => (await t.json<Page<Listing>>(`/v1/apis?limit=100&sort=${sort}`)).body.data;
    const prices = (await sorted('price_asc')).map((l) => l.price_micro_cents);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    const desc = (await sorted('price_desc')).map((l) => l.price_micro_cents);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const popular = (await sorted('popular')).map((l) => l.calls_30d);
    expect(popular).toEqual([...popular].sort((a, b) => b - a));
    const newest = (await sorted('newest')).map((l) => l.created_at);
    expect(newest).toEqual([...newest].sort().reverse());
    const fastest = (await sorted('fastest')).map((l) => l.avg_latency_ms);
    expect(fastest).toEqual([...fastest].sort((a, b) => a - b));
    const best = (await sorted('best_rated')).map((l) => l.rating.up / Math.max(1, l.rating.up + l.rating.down));
    for (let i = 1; i < best.length; i++) expect(best[i - 1]).toBeGreaterThanOrEqual(best[i] ?? 0);
    expect((await t.json('/v1/apis?sort=cheapest')).status).toBe(400);
  });

  it('gets a listing by id or slug, its docs, and 404s an unknown one', async () => {
    const bySlug = await t.json<Listing>('/v1/apis/weather-current');
    expect(bySlug.status).toBe(200);
    const byId = await t.json<Listing>(`/v1/apis/${bySlug.body.id}`);
    expect(byId.body).toEqual(bySlug.body);
    const docs = await t.json<{ listing_id: string; markdown: string; endpoints: unknown[] }>(`/v1/apis/${bySlug.body.id}/docs`);
    expect(docs.body.listing_id).toBe(bySlug.body.id);
    expect(docs.body.markdown).toContain('/proxy/weather/current');
    expect(docs.body.endpoints).toEqual(bySlug.body.endpoints);
    const missing = await t.json('/v1/apis/lst_nope');
    expect(missing.status).toBe(404);
    expect(missing.body['error']).toBe('listing_not_found');
  });

  it('serves pricing, services and categories consistent with the listings', async () => {
    const listings = (await t.json<Page<Listing>>('/v1/apis?limit=100')).body.data;
    const pricing = await t.json<{ data: { listing_id: string; price_micro_cents: number; shield_fee_micro_cents: number; currency: string }[] }>('/v1/pricing');
    expect(pricing.body.data).toHaveLength(listings.length);
    for (const row of pricing.body.data) {
      const listing = listings.find((l) => l.id === row.listing_id);
      expect(row.price_micro_cents).toBe(listing?.price_micro_cents);
      expect(row.shield_fee_micro_cents).toBe(listing?.shield_fee_micro_cents);
      expect(row.currency).toBe('USD');
    }
    const services = await t.json<{ data: { name: string; listing_count: number; categories: string[] }[] }>('/v1/services');
    expect(services.body.data.reduce((sum, s) => sum + s.listing_count, 0)).toBe(listings.length);
    expect(services.body.data.find((s) => s.name === 'weather')?.listing_count).toBe(2);
    const categories = await t.json<{ data: { name: string; listing_count: number }[] }>('/v1/categories');
    expect(categories.body.data.reduce((sum, c) => sum + c.listing_count, 0)).toBe(listings.length);
  });

  it('serves health and the protected-resource metadata without a token', async () => {
    const health = await t.json('/health');
    expect(health.status).toBe(200);
    expect(health.body['platform_pubkey']).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    expect(health.body['receipt_ca_pubkey']).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    const metadata = await t.json('/.well-known/oauth-protected-resource');
    expect(metadata.status).toBe(200);
    expect(metadata.body['resource']).toBe('https://mock.proxygate.test');
  });
});
