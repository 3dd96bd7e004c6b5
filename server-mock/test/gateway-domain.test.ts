import { describe, expect, it } from 'vitest';
import { Gateway, GatewayError, mockListingId as id, PROFILES } from '../src/index.js';

function bearer(secret: string): string {
  return `Bearer ${secret}`;
}

const echo = { listing: id('echo'), service: 'echo', method: 'GET', path: '/echo' };

describe.each(PROFILES)('Gateway domain layer (%s profile)', (profile) => {
  it('is deterministic from the seed (and the clock: the capped token carries iat/exp)', () => {
    // One clock for all three: two gateways seeded either side of a second boundary differ in
    // the capped token's iat, which made this test fail now and then.
    const at = new Date();
    const now = () => at;
    const a = new Gateway({ profile, seed: 'alpha', now });
    const b = new Gateway({ profile, seed: 'alpha', now });
    const c = new Gateway({ profile, seed: 'beta', now });
    expect(a.demoTokens).toEqual(b.demoTokens);
    expect(a.demoTokens.trader).not.toEqual(c.demoTokens.trader);
    expect(a.health().body.platform_pubkey).toEqual(b.health().body.platform_pubkey);
    expect(a.health().body.platform_pubkey).not.toEqual(c.health().body.platform_pubkey);
    expect(a.demoTokens.trader).toMatch(/^pg_live_[0-9A-Za-z]{32}$/);
    expect(a.demoTokens.capped).toMatch(/^pg_del_[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(Object.keys(a.demoTokens).sort()).toEqual(['broke', 'capped', 'readOnly', 'trader', 'traderV1', 'traderV2']);
  });

  it('charges a paid call in micro-USD (buyer price + shield surcharge) and lowers what is available', () => {
    const gateway = new Gateway({ profile, seed: 's' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const before = gateway.balance(auth).available;
    const first = gateway.callListing(auth, { listing: id('weather-current'), service: 'weather', method: 'GET', path: '/current', query: 'city=Oslo' });
    const second = gateway.callListing(auth, { listing: id('weather-current'), service: 'weather', method: 'GET', path: '/current', query: 'city=Rome' });
    expect([first.status, first.amount, second.amount]).toEqual([200, 6_050, 6_050]);
    expect(gateway.balance(auth)).toMatchObject({ balance: before, pending_settlement: 12_100, available: before - 12_100 });
    if (profile === 'extended') {
      expect([first.receipt, second.receipt].map((r) => ('seq' in r ? r.seq : null))).toEqual([1, 2]);
    } else {
      expect(first.receipt).toMatchObject({ amount: 6_050 });
    }
  });

  it('refuses a token without the spending scope with 403, in the profile style', () => {
    const gateway = new Gateway({ profile });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.readOnly));
    try {
      gateway.callListing(auth, echo);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      const failure = error as GatewayError;
      expect(failure.status).toBe(403);
      if (profile === 'extended') {
        expect(failure.body.error).toBe('insufficient_scope');
        expect(failure.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="trade"');
      } else {
        expect(failure.body.error).toBe('forbidden');
        expect(failure.headers).toEqual({});
      }
    }
  });

  it('yields a stream as its chunks: the events (then, extended, the receipt event); a REST body once', async () => {
    const gateway = new Gateway({ profile, seed: 'stream' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const { result, chunks } = gateway.callListingStream(auth, { listing: id('llm-stream'), service: 'llm', method: 'POST', path: '/chat', body: '{"prompt":"yo"}' });
    const seen: string[] = [];
    for await (const chunk of chunks) seen.push(chunk);
    const events = result.events ?? [];
    if (profile === 'extended') {
      expect(seen.length).toBe(events.length + 1);
      expect(seen.at(-1)).toMatch(/^event: proxygate\.receipt\ndata: /);
      expect(result.headers['x-proxygate-receipt']).toBeUndefined();
    } else {
      expect(seen).toEqual(events);
      expect(result.headers['x-proxygate-receipt']).toBe(result.receiptHeader);
    }
    expect(events.join('')).toBe(result.body);
    const rest = gateway.callListingStream(auth, echo);
    const restChunks: string[] = [];
    for await (const chunk of rest.chunks) restChunks.push(chunk);
    expect(restChunks).toEqual([rest.result.body]);
  });

  it('resets the free daily cap at UTC midnight', () => {
    let now = new Date('2026-11-25T23:59:59.000Z');
    const gateway = new Gateway({ profile, seed: 'free-cap', freeDailyCap: 1, now: () => now });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const call = () => gateway.callListing(auth, { listing: id('weather-alerts'), service: 'weather', method: 'GET', path: '/alerts', shield: 'off' });
    call();
    expect(call).toThrowError(expect.objectContaining({ status: 429, headers: { 'Retry-After': '1' } }) as Error);
    now = new Date('2026-11-26T00:00:00.000Z');
    expect(call().status).toBe(200);
  });
});

describe('extended profile only', () => {
  it('keeps idempotency keys 24 h, then treats the key as new', () => {
    let now = new Date('2026-11-25T12:00:00.000Z');
    const gateway = new Gateway({ seed: 'ttl', now: () => now });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const call = (body: string) => gateway.callListing(auth, { ...echo, method: 'POST', body, idempotencyKey: 'day' });
    call('first');
    now = new Date('2026-11-26T11:59:59.999Z');
    expect(() => call('second')).toThrowError(expect.objectContaining({ status: 409 }) as Error);
    expect(call('first').replayed).toBe(true);
    now = new Date('2026-11-26T12:00:00.000Z');
    const fresh = call('second');
    expect(fresh.replayed).toBe(false);
    expect(gateway.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(2);
  });

  it('accepts the public scope names when minting and stores ours', () => {
    const gateway = new Gateway({ seed: 'alias' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const minted = gateway.createToken(auth, { scopes: ['proxy', 'balance:read', 'usage:read'] });
    expect(minted.info.scopes).toEqual(['account:read', 'trade']);
  });

  it('replays even after the listing went offline, and 409s the same key on another listing', () => {
    const gateway = new Gateway({ seed: 'edge' });
    const auth = gateway.authenticate(bearer(gateway.demoTokens.trader));
    const current = { listing: id('weather-current'), service: 'weather', method: 'GET', path: '/current', idempotencyKey: 'k' };
    const first = gateway.callListing(auth, current);
    gateway.setListingAvailable('weather-current', false);
    const replay = gateway.callListing(auth, current);
    expect(replay.replayed).toBe(true);
    expect(replay.receiptHeader).toBe(first.receiptHeader);
    gateway.setListingAvailable('weather-current', true);
    expect(() => gateway.callListing(auth, { ...current, path: '/forecast' })).toThrowError(expect.objectContaining({ status: 409 }) as Error);
  });

  it('mints OAuth access tokens narrowed to the scopes the demo trader holds', () => {
    for (const profile of ['extended', 'public'] as const) {
      const gateway = new Gateway({ profile, seed: 'oauth' });
      const issued = gateway.issueOAuthToken(profile === 'public' ? ['proxy', 'admin'] : ['trade', 'admin'], 60);
      expect(issued.scopes).toEqual([profile === 'public' ? 'proxy' : 'trade']);
      expect(gateway.authenticate(bearer(issued.token)).token.type).toBe('delegation');
      expect(gateway.issueOAuthToken([], 60).scopes).toEqual([profile === 'public' ? 'balance:read' : 'catalog:read']);
    }
  });
});
