import { describe, expect, it, vi } from 'vitest';
import { FaultInjector } from '../src/faults.js';
import { PROFILES } from '../src/index.js';
import { decodeReceiptHeader, proxyPath, useMock } from './helpers.js';

describe.each(PROFILES)('fault injection (in-process, %s profile)', (profile) => {
  const t = useMock({ profile, seed: 'fault-tests' });

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

  it('shapes an injected 500 like the published failure of routes that keep their page shape', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['/v1/apis', { data: [], cursor: null, has_more: false, error: 'internal_error' }],
      ['/v1/services', { services: [], has_more: false, cursor: null, count: 0, error: 'internal_error' }],
      ['/v1/categories', { categories: [], has_more: false, cursor: null }],
      ['/v1/usage', { usage: [], summary: [], has_more: false, cursor: null, error: 'internal_error' }],
    ];
    for (const [path, body] of cases) {
      t.mock.faults.inject({ kind: 'server_error', status: 500, path });
      const answer = await t.json(path, { token: t.mock.demoTokens.trader });
      expect([answer.status, answer.body], path).toEqual([500, body]);
    }
    t.mock.faults.inject({ kind: 'server_error', status: 500, path: '/v1/balance' });
    expect((await t.json('/v1/balance', { token: t.mock.demoTokens.trader })).body).toMatchObject({ error: 'internal_error', message: expect.any(String) });
  });

  it('answers 429 rate_limit_exceeded with Retry-After', async () => {
    t.mock.faults.inject({ kind: 'rate_limit', retryAfter: 7 });
    const answer = await t.json('/v1/apis');
    expect([answer.status, answer.headers.get('retry-after'), answer.body['error']]).toEqual([429, '7', 'rate_limit_exceeded']);
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
    await t.fetch('/v1/categories');
    expect(t.mock.faults.list()).toHaveLength(1);
    // The mock's delay runs on a fake clock, moved once the mock holds the answer back: nothing
    // before 150 ms, the answer at 150 ms.
    const faults = t.mock.faults;
    const take = faults.take.bind(faults);
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    vi.spyOn(faults, 'take').mockImplementation((method, pathname, phase) => {
      const due = take(method, pathname, phase);
      if (due.latencyMs > 0) holding();
      return due;
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let answered = false;
      const answer = t.fetch('/v1/services').finally(() => (answered = true));
      await held;
      await vi.advanceTimersByTimeAsync(149);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await answer).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    expect(t.mock.faults.list()).toHaveLength(0);
  });

  it('a BEFORE fault charges nothing; an AFTER fault charges, then loses the answer', async () => {
    const trader = t.mock.demoTokens.trader;
    t.mock.faults.inject({ kind: 'reset', phase: 'before', path: '/proxy/' });
    await expect(t.fetch(proxyPath('echo', 'echo', '/echo'), { token: trader })).rejects.toThrow();
    expect(t.mock.ledger()).toEqual([]);
    t.mock.faults.inject({ kind: 'server_error', status: 503, phase: 'after', path: '/proxy/' });
    const lost = await t.json(proxyPath('weather-current', 'weather', '/current', 'city=Oslo'), { token: trader });
    expect(lost.status).toBe(503);
    expect(t.mock.ledger().map((entry) => [entry.kind, entry.amount_micro_usd])).toEqual([['charge', 6_050]]);
  });

  it(
    profile === 'public'
      ? 'a re-send of a paid call whose answer was lost after the charge is a second charge (no idempotency on the public wire)'
      : 'a retry with the same Idempotency-Key after an answer lost after the charge replays it: one charge',
    async () => {
      const trader = t.mock.demoTokens.trader;
      const headers = { 'idempotency-key': 'retry-me' };
      const path = proxyPath('weather-current', 'weather', '/current', 'city=Oslo');
      t.mock.faults.inject({ kind: 'reset', phase: 'after', path: '/proxy/' });
      await expect(t.fetch(path, { token: trader, headers })).rejects.toThrow();
      const retry = await t.fetch(path, { token: trader, headers });
      expect(retry.status).toBe(200);
      const receipt = decodeReceiptHeader(retry.headers.get('x-proxygate-receipt'));
      const chargesOf = t.mock.ledger().filter((entry) => entry.kind === 'charge');
      if (profile === 'public') {
        expect(retry.headers.get('idempotent-replayed')).toBeNull();
        expect(chargesOf).toHaveLength(2);
        expect(new Set(chargesOf.map((entry) => entry.request_id)).size).toBe(2);
        expect(chargesOf[1]?.request_id).toBe(receipt['request_id']);
      } else {
        expect(retry.headers.get('idempotent-replayed')).toBe('true');
        expect(chargesOf).toHaveLength(1);
        expect(chargesOf[0]?.request_id).toBe(receipt['request_id']);
      }
      const balance = await t.json('/v1/balance', { token: trader });
      expect(balance.body['available']).toBe(10_000_000 - chargesOf.length * 6_050);
    },
  );

  it('validates specs', () => {
    const faults = new FaultInjector();
    expect(() => faults.inject({ kind: 'explode' as never })).toThrow();
    expect(() => faults.inject({ kind: 'server_error', status: 404 })).toThrow();
    expect(() => faults.inject({ kind: 'reset', times: 0 })).toThrow();
  });
});

describe.each(PROFILES)('/__mock control API (%s profile)', (profile) => {
  let clock = Date.parse('2026-11-25T10:00:00Z');
  const t = useMock({ profile, seed: 'control-tests', now: () => new Date(clock) });

  it('injects faults, shows the ledger, rotates keys and resets', async () => {
    const injected = await t.json<{ data: { id: string; kind: string; remaining: number }[] }>('/__mock/faults', {
      body: { kind: 'server_error', status: 502, path: '/proxy/', phase: 'after' },
    });
    expect(injected.status).toBe(201);
    expect(injected.body.data[0]).toMatchObject({ kind: 'server_error', remaining: 1 });
    // The control API itself is never faulted.
    expect((await t.fetch('/__mock/ledger')).status).toBe(200);
    const lost = await t.json(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.trader });
    expect([lost.status, lost.body['error']]).toEqual([502, 'upstream_error']);
    const ledger = await t.json<{ data: { kind: string; amount_micro_usd: number }[] }>('/__mock/ledger');
    expect(ledger.body.data).toEqual([expect.objectContaining({ kind: 'charge', amount_micro_usd: 5_105 })]);
    expect((await t.json('/__mock/faults', { body: { kind: 'nope' } })).status).toBe(400);

    const rotated = await t.json<{ retired: string; active: string }>('/__mock/rotate-keys', { method: 'POST' });
    expect(rotated.body.retired).not.toBe(rotated.body.active);

    t.mock.faults.inject({ kind: 'reset', times: 5 });
    await t.json('/__mock/wallet-limits', { body: { daily_limit_micro_usdc: 1, per_tx_limit_micro_usdc: null } });
    await t.json('/__mock/health', { body: { status: 'degraded' } });
    expect((await t.json('/__mock/reset', { method: 'POST' })).status).toBe(200);
    expect((await t.json<{ data: unknown[] }>('/__mock/ledger')).body.data).toEqual([]);
    expect(t.mock.faults.list()).toEqual([]);
    expect((await t.fetch('/health')).status).toBe(200);
    expect((await t.json('/v1/wallet/limits', { token: t.mock.demoTokens.trader })).body['daily_limit_micro_usdc']).toBeNull();
    // Same seed, same demo tokens after a reset.
    expect((await t.fetch('/v1/balance', { token: t.mock.demoTokens.trader })).status).toBe(200);
    expect((await t.json('/__mock/wallet-limits', { body: { daily_limit_micro_usdc: 'lots' } })).status).toBe(400);
    expect((await t.json('/__mock/health', { body: { status: 'fine' } })).status).toBe(400);
  });

  it('keeps every demo token printed at start-up working after a reset, however late', async () => {
    const printed = { ...t.mock.demoTokens };
    clock += 3_600_500; // the capped JWT's iat/exp come from the seeding time: later would be another token
    expect((await t.json('/__mock/reset', { method: 'POST' })).status).toBe(200);
    expect(t.mock.demoTokens).toEqual(printed);
    for (const [name, token] of Object.entries(printed)) expect((await t.fetch('/v1/balance', { token })).status, name).toBe(200);
    const paid = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: printed.capped });
    expect([paid.status, paid.headers.get('x-spendlimit-remaining')]).toEqual([200, '4895']);
  });

  it('takes a listing offline with 503 listing_unavailable and Retry-After, charging nothing', async () => {
    const switched = await t.json('/__mock/listing-availability', { body: { listing: 'echo', available: false } });
    expect(switched.status).toBe(200);
    const down = await t.json(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.trader });
    expect([down.status, down.body['error'], down.headers.get('retry-after')]).toEqual([503, 'listing_unavailable', '30']);
    expect(t.mock.ledger()).toEqual([]);
    // The catalog says so too, and aggregates leave it out.
    const row = (await t.json<{ data: { is_available: boolean; available_rpm: number }[] }>('/v1/apis?slug=echo')).body.data[0];
    expect(row).toMatchObject({ is_available: false, available_rpm: 0 });
    expect((await t.json<{ services: { service: string }[] }>('/v1/pricing?service=echo')).body.services).toEqual([]);
    t.mock.gateway.setListingAvailable('echo', true);
    expect((await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.trader })).status).toBe(200);
    expect((await t.json('/__mock/listing-availability', { body: { listing: 'echo' } })).status).toBe(400);
    expect((await t.json('/__mock/listing-availability', { body: { listing: 'web-search', available: false } })).status).toBe(404);
  });

  it('can send the receipt as plain-JSON x-receipt instead of x-proxygate-receipt, until reset', async () => {
    expect((await t.json('/__mock/receipt-header', { body: { name: 'x-receipt' } })).status).toBe(200);
    const call = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.trader });
    expect(call.headers.get('x-proxygate-receipt')).toBeNull();
    const receipt = JSON.parse(call.headers.get('x-receipt') ?? '') as { amount: number | string };
    expect(Number(receipt.amount)).toBe(5_105);
    await t.fetch('/__mock/reset', { method: 'POST' });
    const after = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.trader });
    expect(after.headers.get('x-receipt')).toBeNull();
    expect(after.headers.get('x-proxygate-receipt')).not.toBeNull();
    expect((await t.json('/__mock/receipt-header', { body: { name: 'x-other' } })).status).toBe(400);
  });
});
