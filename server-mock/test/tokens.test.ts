import { describe, expect, it } from 'vitest';
import type { Page, TokenInfo } from '../src/index.js';
import { id as listingId, proxyPath, useMock } from './helpers.js';

let clock = new Date('2026-11-25T12:00:00.000Z');
const t = useMock(() => {
  clock = new Date('2026-11-25T12:00:00.000Z');
  return { profile: 'extended', seed: 'token-tests', now: () => clock };
});

async function mint(parent: string, body: Record<string, unknown>) {
  return t.json<{ token: string; info: TokenInfo } & Record<string, unknown>>('/v1/tokens', { token: parent, body });
}

function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.slice('pg_del_'.length).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('tokens', () => {
  it('introspects the presented token', async () => {
    const self = await t.json<TokenInfo>('/v1/tokens/self', { token: t.mock.demoTokens.readOnly });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ type: 'api_key', scopes: ['catalog:read', 'account:read'], parent_id: null, revoked_at: null, spent_micro_usd: 0, listings: null });
    expect(self.body.id).toMatch(/^tok_/);
    const capped = await t.json<TokenInfo>('/v1/tokens/self', { token: t.mock.demoTokens.capped });
    expect(capped.body).toMatchObject({ type: 'delegation', spend_cap_micro_usd: 10_000 });
  });

  it('mints a pg_del_ JWT with sub, scopes, jti, exp, iat and shows the secret once', async () => {
    const minted = await mint(t.mock.demoTokens.trader, { name: 'agent', scopes: ['catalog:read', 'trade'], spend_cap_micro_usd: 5_000_000, listings: ['echo'] });
    expect(minted.status).toBe(201);
    expect(minted.headers.get('cache-control')).toBe('no-store');
    expect(minted.body.token).toMatch(/^pg_del_[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = jwtClaims(minted.body.token);
    const wallet = (await t.json('/v1/me', { token: t.mock.demoTokens.trader })).body['wallet'];
    expect(claims).toMatchObject({ sub: wallet, scopes: ['catalog:read', 'trade'], jti: minted.body.info.id });
    expect(claims['iat']).toBe(Math.floor(clock.getTime() / 1000));
    expect(claims['exp']).toBe(Math.floor(new Date(minted.body.info.expires_at ?? '').getTime() / 1000));
    const echo = listingId('echo');
    expect(minted.body.info).toMatchObject({ name: 'agent', type: 'delegation', spend_cap_micro_usd: 5_000_000, spent_micro_usd: 0, listings: [echo] });
    const self = await t.json<TokenInfo>('/v1/tokens/self', { token: minted.body.token });
    expect(self.body).toEqual(minted.body.info);
    // The secret never appears in a listing.
    const list = await t.fetch('/v1/tokens?limit=100', { token: t.mock.demoTokens.trader });
    expect(await list.text()).not.toContain(minted.body.token.slice(7));
  });

  it('only narrows its parent: scopes, cap, expiry and listings', async () => {
    const parent = await mint(t.mock.demoTokens.trader, {
      scopes: ['catalog:read', 'trade', 'tokens:write'],
      spend_cap_micro_usd: 1_000_000,
      expires_at: '2026-11-26T12:00:00.000Z',
      listings: ['echo', 'fx-rates'],
    });
    const p = parent.body.token;
    const escalation = await mint(p, { scopes: ['account:read'] });
    expect(escalation.status).toBe(400);
    expect(escalation.body['error']).toBe('scope_escalation');
    const cap = await mint(p, { scopes: ['trade'], spend_cap_micro_usd: 1_000_001 });
    expect(cap.status).toBe(400);
    expect(cap.body['error']).toBe('validation_error');
    const late = await mint(p, { scopes: ['trade'], expires_at: '2026-11-27T00:00:00.000Z' });
    expect(late.status).toBe(400);
    const past = await mint(p, { scopes: ['trade'], expires_at: '2026-11-25T11:00:00.000Z' });
    expect(past.status).toBe(400);
    const otherListing = await mint(p, { scopes: ['trade'], listings: ['weather-current'] });
    expect(otherListing.status).toBe(400);
    const unknownScope = await mint(p, { scopes: ['admin'] });
    expect(unknownScope.body['error']).toBe('validation_error');
    expect((await mint(p, { scopes: [] })).status).toBe(400);
    expect((await mint(p, { scopes: ['trade'], spend_cap_micro_usd: 1.5 })).status).toBe(400);

    const child = await mint(p, { scopes: ['trade'] });
    expect(child.status).toBe(201);
    // Omitted fields inherit the parent's limits.
    expect(child.body.info).toMatchObject({ spend_cap_micro_usd: 1_000_000, expires_at: '2026-11-26T12:00:00.000Z', listings: parent.body.info.listings, parent_id: parent.body.info.id });

    // The parent's spending lowers what a new child may be capped at.
    const call = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: p });
    expect(call.status).toBe(200);
    expect(call.headers.get('x-spendlimit-remaining')).toBe(String(1_000_000 - 5_105));
    expect(call.headers.get('x-spendlimit-limit')).toBe('1000000');
    expect((await mint(p, { scopes: ['trade'], spend_cap_micro_usd: 994_896 })).status).toBe(400);
    expect((await mint(p, { scopes: ['trade'], spend_cap_micro_usd: 994_895 })).status).toBe(201);
    // The child may not call a listing outside its list.
    const forbidden = await t.json(proxyPath('weather-current', 'weather', '/current'), { token: child.body.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body['error']).toBe('listing_not_allowed');
  });

  it("counts a child's spending against its ancestors' caps", async () => {
    const parent = await mint(t.mock.demoTokens.trader, { scopes: ['trade', 'tokens:write'], spend_cap_micro_usd: 10_000 });
    const child = await mint(parent.body.token, { scopes: ['trade'], spend_cap_micro_usd: 10_000 });
    expect((await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: child.body.token })).status).toBe(200);
    const second = await t.json(proxyPath('echo', 'echo', '/echo'), { token: parent.body.token });
    expect([second.status, second.body['error']]).toEqual([429, 'spend_limit_exceeded']);
    const parentInfo = await t.json<TokenInfo>('/v1/tokens/self', { token: parent.body.token });
    expect(parentInfo.body.spent_micro_usd).toBe(5_105);
  });

  it('lists visible tokens with pagination and revokes in cascade', async () => {
    const trader = t.mock.demoTokens.trader;
    const a = await mint(trader, { scopes: ['trade', 'tokens:write'] });
    const b = await mint(a.body.token, { scopes: ['trade', 'tokens:write'] });
    const c = await mint(b.body.token, { scopes: ['trade'] });
    const all = await t.json<Page<TokenInfo>>('/v1/tokens?limit=100', { token: trader });
    expect(all.body.data.map((info) => info.id)).toEqual(expect.arrayContaining([a.body.info.id, b.body.info.id, c.body.info.id]));
    const page = await t.json<Page<TokenInfo>>('/v1/tokens?limit=2', { token: trader });
    expect(page.body.data).toHaveLength(2);
    expect(page.body.has_more).toBe(true);
    // A delegation token sees only itself and its subtree.
    const subtree = await t.json<Page<TokenInfo>>('/v1/tokens', { token: b.body.token });
    expect(subtree.body.data.map((info) => info.id).sort()).toEqual([b.body.info.id, c.body.info.id].sort());
    // ... and cannot revoke its parent.
    expect((await t.json(`/v1/tokens/${a.body.info.id}`, { token: b.body.token, method: 'DELETE' })).status).toBe(404);

    clock = new Date(clock.getTime() + 1000);
    const revoked = await t.json<TokenInfo>(`/v1/tokens/${a.body.info.id}`, { token: trader, method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toBe('2026-11-25T12:00:01.000Z');
    for (const token of [a.body.token, b.body.token, c.body.token]) {
      const answer = await t.json('/v1/tokens/self', { token });
      expect(answer.status).toBe(401);
      expect(answer.body['error']).toBe('token_revoked');
    }
    const infos = await t.json<Page<TokenInfo>>('/v1/tokens?limit=100', { token: trader });
    for (const id of [b.body.info.id, c.body.info.id]) expect(infos.body.data.find((info) => info.id === id)?.revoked_at).not.toBeNull();
    expect((await t.json('/v1/tokens/tok_missing', { token: trader, method: 'DELETE' })).status).toBe(404);
  });

  it('expires tokens on the controllable clock', async () => {
    const minted = await mint(t.mock.demoTokens.trader, { scopes: ['catalog:read'], expires_at: '2026-11-25T12:05:00.000Z' });
    expect((await t.json('/v1/tokens/self', { token: minted.body.token })).status).toBe(200);
    clock = new Date('2026-11-25T12:05:00.000Z');
    const expired = await t.json('/v1/tokens/self', { token: minted.body.token });
    expect(expired.status).toBe(401);
    expect(expired.body['error']).toBe('token_expired');
  });
});

