import { describe, expect, it } from 'vitest';
import { Gateway, GatewayError } from '../src/state/index.js';

function bearer(secret: string): string {
  return `Bearer ${secret}`;
}

describe('Gateway domain layer', () => {
  it('is deterministic from the seed', () => {
    const a = new Gateway({ seed: 'alpha' });
    const b = new Gateway({ seed: 'alpha' });
    const c = new Gateway({ seed: 'beta' });
    expect(a.demoTokens).toEqual(b.demoTokens);
    expect(a.demoTokens.trader).not.toEqual(c.demoTokens.trader);
    expect(a.keySet().keys[0]?.x).toEqual(b.keySet().keys[0]?.x);
    expect(a.demoTokens.trader).toMatch(/^pg_live_[0-9A-Za-z]{32}$/);
    expect(a.demoTokens.capped).toMatch(/^pg_del_[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('charges a paid call and signs a chained v3 receipt', () => {
    const gateway = new Gateway({ seed: 's' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const before = gateway.balance(auth).balance_micro_cents;
    const first = gateway.callListing(auth, { listing: 'weather-current', service: 'weather', method: 'GET', path: '/current', query: 'city=Oslo' });
    const second = gateway.callListing(auth, { listing: 'weather-current', service: 'weather', method: 'GET', path: '/current', query: 'city=Rome' });
    expect(first.status).toBe(200);
    expect(first.amount).toBe(220_000);
    expect(gateway.balance(auth).balance_micro_cents).toBe(before - 440_000);
    if (first.receipt && 'seq' in first.receipt && second.receipt && 'seq' in second.receipt) {
      expect(first.receipt.seq).toBe(1);
      expect(second.receipt.seq).toBe(2);
      expect(second.receipt.prev).toMatch(/^[0-9a-f]{64}$/);
    } else {
      throw new Error('expected v3 receipts');
    }
  });

  it('rejects a missing scope with 403 insufficient_scope', () => {
    const gateway = new Gateway();
    const auth = gateway.authenticate(bearer(gateway.demoTokens.readOnly));
    try {
      gateway.callListing(auth, { listing: 'echo', service: 'echo', method: 'GET', path: '/echo' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      const failure = error as GatewayError;
      expect(failure.status).toBe(403);
      expect(failure.body.error).toBe('insufficient_scope');
      expect(failure.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="trade"');
    }
  });
});

describe('callListingStream', () => {
  it('yields the SSE events then the receipt event, and the plain body for REST listings', async () => {
    const gateway = new Gateway({ seed: 'stream' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const { result, chunks } = gateway.callListingStream(auth, { listing: 'llm-stream', service: 'llm', method: 'POST', path: '/chat', body: '{"prompt":"yo"}' });
    const seen: string[] = [];
    for await (const chunk of chunks) seen.push(chunk);
    expect(seen.length).toBe((result.events?.length ?? 0) + 1);
    expect(seen.at(-1)).toMatch(/^event: proxygate\.receipt\ndata: /);
    expect(seen.slice(0, -1).join('')).toBe(result.body);
    const rest = gateway.callListingStream(auth, { listing: 'echo', service: 'echo', method: 'GET', path: '/echo' });
    const restChunks: string[] = [];
    for await (const chunk of rest.chunks) restChunks.push(chunk);
    expect(restChunks).toEqual([rest.result.body]);
  });
});

describe('time-bound behaviour on the controllable clock', () => {
  it('keeps idempotency keys 24 h, then treats the key as new', () => {
    let now = new Date('2026-11-25T12:00:00.000Z');
    const gateway = new Gateway({ seed: 'ttl', now: () => now });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const call = (body: string) => gateway.callListing(auth, { listing: 'echo', service: 'echo', method: 'POST', path: '/echo', body, idempotencyKey: 'day' });
    call('first');
    now = new Date('2026-11-26T11:59:59.999Z');
    expect(() => call('second')).toThrowError(expect.objectContaining({ status: 409 }) as Error);
    expect(call('first').replayed).toBe(true);
    now = new Date('2026-11-26T12:00:00.000Z');
    const fresh = call('second');
    expect(fresh.replayed).toBe(false);
    expect(gateway.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(2);
  });

  it('resets the free daily cap at UTC midnight', () => {
    let now = new Date('2026-11-25T23:59:59.000Z');
    const gateway = new Gateway({ seed: 'free-cap', freeDailyCap: 1, now: () => now });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const call = () => gateway.callListing(auth, { listing: 'weather-alerts', service: 'weather', method: 'GET', path: '/alerts' });
    call();
    expect(call).toThrowError(expect.objectContaining({ status: 429, headers: { 'Retry-After': '1' } }) as Error);
    now = new Date('2026-11-26T00:00:00.000Z');
    expect(call().status).toBe(200);
  });
});

describe('scope aliases of the public gateway', () => {
  it('accepts proxy / balance:read / usage:read when minting and stores our scope names', () => {
    const gateway = new Gateway({ seed: 'alias' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const minted = gateway.createToken(auth, { scopes: ['proxy', 'balance:read', 'usage:read'] });
    expect(minted.info.scopes).toEqual(['account:read', 'trade']);
  });
});

describe('idempotency edge cases', () => {
  it('replays even after the listing went offline, and 409s the same key on another listing', () => {
    const gateway = new Gateway({ seed: 'edge' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const first = gateway.callListing(auth, { listing: 'weather-current', service: 'weather', method: 'GET', path: '/current', idempotencyKey: 'k' });
    gateway.setListingAvailable('weather-current', false);
    const replay = gateway.callListing(auth, { listing: 'weather-current', service: 'weather', method: 'GET', path: '/current', idempotencyKey: 'k' });
    expect(replay.replayed).toBe(true);
    expect(replay.receiptHeader).toBe(first.receiptHeader);
    expect(() => gateway.callListing(auth, { listing: 'weather-alerts', service: 'weather', method: 'GET', path: '/current', idempotencyKey: 'k' })).toThrowError(
      expect.objectContaining({ status: 409 }) as Error,
    );
  });
});
