import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../src/faults.js';
import { useMock } from './helpers.js';

const t = useMock({ seed: 'fault-tests' });

describe('fault injection (in-process)', () => {
  it('answers 5xx for `times` requests, then recovers', async () => {
    t.mock.faults.inject({ kind: 'server_error', status: 500, times: 2, path: '/v1/pricing' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.fetch('/v1/pricing')).status);
    expect(statuses).toEqual([500, 500, 200]);
    const unavailable = t.mock.faults.inject({ kind: 'server_error' });
    expect(unavailable.status).toBe(503);
    const body = await t.json('/v1/services');
    expect([body.status, body.body['error']]).toEqual([503, 'service_unavailable']);
  });

  it('answers 429 with Retry-After', async () => {
    t.mock.faults.inject({ kind: 'rate_limit', retryAfter: 7 });
    const answer = await t.json('/v1/apis');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(answer.body['error']).toBe('rate_limit_exceeded');
  });

  it('resets the connection (fetch rejects)', async () => {
    t.mock.faults.inject({ kind: 'reset' });
    await expect(t.fetch('/health')).rejects.toThrow(TypeError);
    expect((await t.fetch('/health')).status).toBe(200);
  });

  it('truncates the body midway', async () => {
    t.mock.faults.inject({ kind: 'truncate', phase: 'after' });
    const response = await t.fetch('/v1/apis');
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('sends malformed JSON', async () => {
    t.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/v1/categories' });
    const response = await t.fetch('/v1/categories');
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('adds latency and matches only the given path and method', async () => {
    t.mock.faults.inject({ kind: 'latency', latencyMs: 150, path: '/v1/services', method: 'GET' });
    let started = performance.now();
    await t.fetch('/v1/categories');
    expect(t.mock.faults.list()).toHaveLength(1);
    started = performance.now();
    expect((await t.fetch('/v1/services')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(t.mock.faults.list()).toHaveLength(0);
  });

  it('validates specs', () => {
    const faults = new FaultInjector();
    expect(() => faults.inject({ kind: 'explode' as never })).toThrow();
    expect(() => faults.inject({ kind: 'server_error', status: 404 })).toThrow();
    expect(() => faults.inject({ kind: 'reset', times: 0 })).toThrow();
  });
});

describe('/__mock control API', () => {
  it('injects faults, shows the ledger, rotates keys and resets', async () => {
    const injected = await t.json<{ data: { id: string; kind: string; remaining: number }[] }>('/__mock/faults', {
      body: { kind: 'server_error', status: 502, path: '/proxy/', phase: 'after' },
    });
    expect(injected.status).toBe(201);
    expect(injected.body.data[0]).toMatchObject({ kind: 'server_error', remaining: 1 });
    // The control API itself is never faulted.
    expect((await t.fetch('/__mock/ledger')).status).toBe(200);
    const lost = await t.json('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader });
    expect([lost.status, lost.body['error']]).toEqual([502, 'upstream_error']);
    const ledger = await t.json<{ data: { kind: string; amount_micro_cents: number }[] }>('/__mock/ledger');
    expect(ledger.body.data).toEqual([expect.objectContaining({ kind: 'charge', amount_micro_cents: 60_000 })]);

    expect((await t.json('/__mock/faults', { body: { kind: 'nope' } })).status).toBe(400);

    const kidBefore = t.mock.gateway.keySet().keys[0]?.kid;
    const rotated = await t.json<{ retired: string }>('/__mock/rotate-keys', { method: 'POST' });
    expect(rotated.body.retired).toBe(kidBefore);

    t.mock.faults.inject({ kind: 'reset', times: 5 });
    expect((await t.json('/__mock/reset', { method: 'POST' })).status).toBe(200);
    expect((await t.json<{ data: unknown[] }>('/__mock/ledger')).body.data).toEqual([]);
    expect(t.mock.faults.list()).toEqual([]);
    expect(t.mock.gateway.keySet().keys).toHaveLength(1);
    // Same seed, same demo tokens after a reset.
    expect((await t.fetch('/v1/balance', { token: t.mock.demoTokens.trader })).status).toBe(200);
  });
});

describe('runtime switches for client fallbacks', () => {
  it('takes a listing offline with 503 listing_unavailable and Retry-After, charging nothing', async () => {
    const switched = await t.json('/__mock/listing-availability', { body: { listing: 'echo', available: false } });
    expect(switched.status).toBe(200);
    const down = await t.json('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader });
    expect([down.status, down.body['error'], down.headers.get('retry-after')]).toEqual([503, 'listing_unavailable', '30']);
    expect(t.mock.ledger()).toEqual([]);
    t.mock.gateway.setListingAvailable('echo', true);
    expect((await t.fetch('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader })).status).toBe(200);
    expect((await t.json('/__mock/listing-availability', { body: { listing: 'echo' } })).status).toBe(400);
  });

  it('can send the receipt as plain-JSON x-receipt instead of x-proxygate-receipt, until reset', async () => {
    expect((await t.json('/__mock/receipt-header', { body: { name: 'x-receipt' } })).status).toBe(200);
    const call = await t.fetch('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader });
    expect(call.headers.get('x-proxygate-receipt')).toBeNull();
    const receipt = JSON.parse(call.headers.get('x-receipt') ?? '') as { receipt_version: number; seq: number };
    expect([receipt.receipt_version, receipt.seq]).toEqual([3, 1]);
    await t.json('/__mock/receipt-version', { body: { version: 1 } });
    await t.fetch('/__mock/reset', { method: 'POST' });
    const after = await t.fetch('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.trader });
    expect(after.headers.get('x-receipt')).toBeNull();
    expect(JSON.parse(Buffer.from(after.headers.get('x-proxygate-receipt') ?? '', 'base64').toString()).receipt_version).toBe(3);
    expect((await t.json('/__mock/receipt-header', { body: { name: 'x-other' } })).status).toBe(400);
  });
});
