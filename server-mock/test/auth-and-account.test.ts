import { describe, expect, it } from 'vitest';
import { DEMO_BALANCE_MICRO_USD, PROFILES, type UsageResponse, type VaultBalanceResponse } from '../src/index.js';
import { base58Decode } from '../src/crypto/base58.js';
import { decodeReceiptHeader, id, proxyPath, useMock, UUID } from './helpers.js';

const CHALLENGE = 'Bearer realm="proxygate", error="invalid_token", resource_metadata="https://mock.proxygate.test/.well-known/oauth-protected-resource"';
// RFC 6750 §3.1: no error code when the request carried no credentials at all.
const CHALLENGE_NO_TOKEN = 'Bearer realm="proxygate", resource_metadata="https://mock.proxygate.test/.well-known/oauth-protected-resource"';

describe.each(PROFILES)('authentication and scopes (%s profile)', (profile) => {
  const t = useMock({ profile, seed: 'account-tests' });
  const detailed = profile === 'extended';

  it('answers 401 with the challenge for a missing, malformed or unknown token, without echoing it', async () => {
    const missing = await t.json('/v1/balance');
    expect([missing.status, missing.body['error']]).toEqual([401, 'unauthorized']);
    expect(missing.headers.get('www-authenticate')).toBe(CHALLENGE_NO_TOKEN);
    const fake = `pg_live_${'A'.repeat(32)}`;
    const unknown = await t.fetch('/v1/balance', { token: fake });
    const text = await unknown.text();
    expect(unknown.status).toBe(401);
    expect(JSON.parse(text).error).toBe(detailed ? 'invalid_token' : 'unauthorized');
    expect(text).not.toContain(fake);
    expect(unknown.headers.get('www-authenticate')).toBe(CHALLENGE);
    const malformed = await t.json('/v1/balance', { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    // A delegation token with a forged signature is invalid even if its shape is right.
    const capped = t.mock.demoTokens.capped;
    const forged = `${capped.slice(0, -4)}${capped.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect((await t.json('/v1/balance', { token: forged })).status).toBe(401);
  });

  it('points the challenge at the origin the request was sent to', async () => {
    const answer = await fetch('https://gateway.elsewhere.test/v1/balance');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('resource_metadata="https://gateway.elsewhere.test/.well-known/oauth-protected-resource"');
  });

  it(`answers a missing scope with 403 ${detailed ? 'insufficient_scope naming it' : 'forbidden naming none'}`, async () => {
    const readOnly = t.mock.demoTokens.readOnly;
    const cases: [string, string, unknown, string][] = [
      [proxyPath('echo', 'echo', '/echo'), 'GET', undefined, detailed ? 'trade' : 'proxy'],
      ['/v1/rate', 'POST', { request_id: '00000000-0000-4000-8000-000000000000', is_positive: true }, detailed ? 'trade' : 'rate:write'],
    ];
    for (const [path, method, body, scope] of cases) {
      const answer = await t.json(path, { token: readOnly, method, body });
      expect(answer.status, `${method} ${path}`).toBe(403);
      if (detailed) {
        expect(answer.body).toMatchObject({ error: 'insufficient_scope', required_scope: scope });
        expect(answer.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="${scope}"`);
      } else {
        expect(answer.body['error']).toBe('forbidden');
        expect(JSON.stringify(answer.body)).not.toContain(scope);
        expect(answer.headers.get('www-authenticate')).toBeNull();
      }
    }
    // The capped token cannot read wallet limits (public: no wallet:limits; extended: it has account:read).
    const limits = await t.json('/v1/wallet/limits', { token: t.mock.demoTokens.capped });
    expect(limits.status).toBe(detailed ? 200 : 403);
  });
});

describe.each(PROFILES)('account routes (%s profile)', (profile) => {
  let clock = new Date('2026-11-25T12:00:00.000Z');
  const t = useMock(() => {
    clock = new Date('2026-11-25T12:00:00.000Z');
    return { profile, seed: 'account-tests', now: () => clock };
  });

  it('says who the caller is (GET /v1/me) for any valid token', async () => {
    const me = await t.json('/v1/me', { token: t.mock.demoTokens.readOnly });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ wallet: expect.any(String), display_name: 'Demo buyer', created_at: '2026-11-25T12:00:00.000Z', auth_method: 'bearer', seller_status: 'none' });
    expect(base58Decode(String(me.body['wallet']))).toHaveLength(32);
    // Every demo token of the demo account is the same wallet; the broke one is another.
    expect((await t.json('/v1/me', { token: t.mock.demoTokens.capped })).body['wallet']).toBe(me.body['wallet']);
    expect((await t.json('/v1/me', { token: t.mock.demoTokens.broke })).body['wallet']).not.toBe(me.body['wallet']);
    expect((await t.json('/v1/me')).status).toBe(401);
  });

  it('shows and enforces the wallet limits', async () => {
    const limits = await t.json('/v1/wallet/limits', { token: t.mock.demoTokens.readOnly });
    expect(limits.body).toEqual({ daily_limit_micro_usdc: null, per_tx_limit_micro_usdc: 1_000_000 });
    await t.json('/__mock/wallet-limits', { body: { daily_limit_micro_usdc: 12_000, per_tx_limit_micro_usdc: 6_000 } });
    expect((await t.json('/v1/wallet/limits', { token: t.mock.demoTokens.readOnly })).body).toEqual({ daily_limit_micro_usdc: 12_000, per_tx_limit_micro_usdc: 6_000 });
    const trader = t.mock.demoTokens.trader;
    const perTx = await t.json(proxyPath('llm-stream', 'llm', '/chat'), { token: trader, body: { prompt: 'x' } });
    expect([perTx.status, perTx.body['error'], perTx.headers.get('retry-after')]).toEqual([429, 'spend_limit_exceeded', null]);
    expect((await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: trader })).status).toBe(200);
    expect((await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: trader })).status).toBe(200);
    const daily = await t.json(proxyPath('echo', 'echo', '/echo'), { token: trader });
    expect([daily.status, daily.body['error']]).toEqual([429, 'spend_limit_exceeded']);
    expect(t.mock.ledger().map((entry) => entry.amount_micro_usd)).toEqual([5_105, 5_105]);
    // The daily window opens again at UTC midnight.
    clock = new Date('2026-11-26T00:00:00.000Z');
    expect((await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: trader })).status).toBe(200);
  });

  it('reports the balance in micro-USD: a charge is pending until settled, available drops at once', async () => {
    const trader = t.mock.demoTokens.trader;
    const balance = async () => (await t.json<VaultBalanceResponse>('/v1/balance', { token: t.mock.demoTokens.readOnly })).body;
    expect(await balance()).toEqual({ balance: DEMO_BALANCE_MICRO_USD, pending_settlement: 0, available: 10_000_000, in_cooldown: false, currency: 'lamports' });
    await t.fetch(proxyPath('fx-rates', 'finance', '/rates', 'base=EUR'), { token: trader });
    expect(await balance()).toMatchObject({ balance: 10_000_000, pending_settlement: 5_525, available: 9_994_475 });
    expect((await t.json('/__mock/settle', { method: 'POST' })).status).toBe(200);
    expect(await balance()).toMatchObject({ balance: 9_994_475, pending_settlement: 0, available: 9_994_475 });
    expect((await t.json<VaultBalanceResponse>('/v1/balance', { token: t.mock.demoTokens.broke })).body.available).toBe(0);
  });

  it('lists usage newest first with a summary over the filtered range, filters, and paginates by row id', async () => {
    const trader = t.mock.demoTokens.trader;
    const calls: [string, string, string, unknown][] = [
      ['fx-rates', 'finance', '/rates', undefined],
      ['weather-current', 'weather', '/current', undefined],
      ['stock-quote', 'finance', '/quote', undefined],
      ['chat-completions', 'llm', '/chat/completions', { model: 'mock-mini', messages: [{ role: 'user', content: 'hello there' }] }],
    ];
    const requestIds: string[] = [];
    for (const [ref, service, path, body] of calls) {
      const answer = await t.fetch(proxyPath(ref, service, path), { token: trader, ...(body === undefined ? {} : { body }) });
      requestIds.push(String(decodeReceiptHeader(answer.headers.get('x-proxygate-receipt'))['request_id']));
      clock = new Date(clock.getTime() + 60_000);
    }
    const all = await t.json<UsageResponse>('/v1/usage', { token: t.mock.demoTokens.readOnly });
    expect(all.body.usage.map((u) => u.path)).toEqual(['/chat/completions', '/quote', '/current', '/rates']);
    const row = all.body.usage[1];
    expect(row).toMatchObject({ service: 'finance', model: null, status_code: 200, cost_micro_cents: 7_625, listing_id: id('stock-quote'), created_at: '2026-11-25T12:02:00.000Z' });
    expect(row?.id).toMatch(UUID);
    expect(row?.seller_id).toMatch(UUID);
    if (profile === 'extended') expect(all.body.usage.map((u) => u.request_id)).toEqual([...requestIds].reverse());
    else expect(all.body.usage.every((u) => !('request_id' in u))).toBe(true);
    expect(all.body.summary).toEqual([
      { service: 'llm', model: 'mock-mini', request_count: 1, total_cost_micro_cents: all.body.usage[0]?.cost_micro_cents },
      { service: 'finance', model: null, request_count: 2, total_cost_micro_cents: 7_625 + 5_525 },
      { service: 'weather', model: null, request_count: 1, total_cost_micro_cents: 6_050 },
    ]);
    const finance = await t.json<UsageResponse>('/v1/usage?service=finance', { token: trader });
    expect([finance.body.usage.map((u) => u.path), finance.body.summary.length]).toEqual([['/quote', '/rates'], 1]);
    expect((await t.json<UsageResponse>('/v1/usage?model=mock-mini', { token: trader })).body.usage.map((u) => u.path)).toEqual(['/chat/completions']);
    const window = await t.json<UsageResponse>('/v1/usage?from=2026-11-25T12:00:30.000Z&to=2026-11-25T12:01:30.000Z', { token: trader });
    expect(window.body.usage.map((u) => u.path)).toEqual(['/current']);
    expect(window.body.summary).toEqual([{ service: 'weather', model: null, request_count: 1, total_cost_micro_cents: 6_050 }]);
    const first = await t.json<UsageResponse>('/v1/usage?limit=3', { token: trader });
    expect([first.body.has_more, first.body.cursor]).toEqual([true, first.body.usage[2]?.id]);
    expect(first.body.summary).toEqual(all.body.summary);
    const second = await t.json<UsageResponse>(`/v1/usage?limit=3&cursor=${first.body.cursor}`, { token: trader });
    expect([...first.body.usage, ...second.body.usage].map((u) => u.id)).toEqual(all.body.usage.map((u) => u.id));
    expect([second.body.has_more, second.body.cursor]).toEqual([false, null]);
    // A date that does not parse is not applied; the broke account sees none of this.
    expect((await t.json<UsageResponse>('/v1/usage?from=yesterday', { token: trader })).body.usage).toHaveLength(4);
    expect((await t.json<UsageResponse>('/v1/usage', { token: t.mock.demoTokens.broke })).body).toEqual({ usage: [], summary: [], has_more: false, cursor: null });
  });

  it('defaults the usage page to 50 rows', async () => {
    const auth = t.mock.gateway.authenticate(`Bearer ${t.mock.demoTokens.trader}`);
    for (let i = 0; i < 55; i++) t.mock.gateway.callListing(auth, { listing: id('echo'), service: 'echo', method: 'GET', path: '/echo', shield: 'off' });
    const page = await t.json<UsageResponse>('/v1/usage', { token: t.mock.demoTokens.trader });
    expect([page.body.usage.length, page.body.has_more, page.body.summary[0]?.request_count]).toEqual([50, true, 55]);
  });

  it('rates a successful call once per request id, answering is_update on a second vote', async () => {
    const trader = t.mock.demoTokens.trader;
    const call = await t.fetch(proxyPath('fx-rates', 'finance', '/rates'), { token: trader });
    const requestId = String(decodeReceiptHeader(call.headers.get('x-proxygate-receipt'))['request_id']);
    const rating = async () => (await t.json<{ data: { avg_rating_percent: number }[] }>(`/v1/apis?listing_id=${id('fx-rates')}`)).body.data[0]?.avg_rating_percent;
    const up = await t.json('/v1/rate', { token: trader, body: { request_id: requestId, is_positive: true } });
    expect([up.status, up.body]).toEqual([200, { success: true, is_update: false }]);
    const before = await rating();
    const down = await t.json('/v1/rate', { token: trader, body: { request_id: requestId, is_positive: false } });
    expect(down.body).toEqual({ success: true, is_update: true });
    expect(await rating()).toBeLessThan(before ?? 0);

    const refusals: [unknown, string, number][] = [
      [{ request_id: '00000000-0000-4000-8000-000000000000', is_positive: true }, trader, 404],
      [{ request_id: requestId, is_positive: 'yes' }, trader, 400],
      [{ request_id: 'req_1', is_positive: true }, trader, 400],
      [{ request_id: requestId, is_positive: true }, t.mock.demoTokens.broke, 403],
    ];
    for (const [body, token, status] of refusals) {
      const answer = await t.json('/v1/rate', { token, body });
      expect([answer.status, answer.body['error']]).toEqual([status, 'validation_error']);
    }
    // A call that failed upstream (and was refunded) cannot be rated.
    const failed = await t.fetch(proxyPath('translate-text', 'translate', '/translate'), { token: trader, body: { to: 'fr' } });
    expect(failed.status).toBe(400);
    const failedId = String(decodeReceiptHeader(failed.headers.get('x-proxygate-receipt'))['request_id']);
    expect((await t.json('/v1/rate', { token: trader, body: { request_id: failedId, is_positive: true } })).status).toBe(400);
    // The rating window is 24 hours.
    clock = new Date(clock.getTime() + 24 * 3600 * 1000 + 1);
    expect((await t.json('/v1/rate', { token: trader, body: { request_id: requestId, is_positive: true } })).status).toBe(400);
  });
});

describe.each(PROFILES)('secrets canary (%s profile)', (profile) => {
  const t = useMock({ profile, seed: 'canary' });
  it('never sends a presented or misplaced token back, in any body or header', async () => {
    const { trader, capped } = t.mock.demoTokens;
    const answers = [
      await t.fetch('/v1/balance', { token: trader }),
      await t.fetch('/v1/me', { token: capped }),
      await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: trader }),
      await t.fetch(`/proxy/echo/echo?listing=${encodeURIComponent(trader)}`, { token: trader }),
      await t.fetch(`/v1/apis/${encodeURIComponent(capped)}/docs`),
      await t.fetch(`/v1/apis?slug=${encodeURIComponent(capped)}`),
      await t.fetch(`/proxy/echo/${encodeURIComponent(trader)}?listing=${id('echo')}`, { token: trader }),
      await t.fetch(`/v1/${encodeURIComponent(trader)}`),
      await t.fetch('/v1/usage', { token: trader }),
      await t.fetch('/v1/rate', { token: trader, body: { request_id: capped, is_positive: true } }),
    ];
    for (const answer of answers) {
      const text = `${[...answer.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await answer.text()}`;
      for (const secret of [trader, capped]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(8, 40));
      }
    }
  });
});
