import { describe, expect, it } from 'vitest';
import type { Page, UsageEntry } from '../src/index.js';
import { useMock } from './helpers.js';

let clock = new Date('2026-11-25T12:00:00.000Z');
const t = useMock(() => {
  clock = new Date('2026-11-25T12:00:00.000Z');
  return { seed: 'account-tests', now: () => clock };
});

const CHALLENGE = 'Bearer realm="proxygate", error="invalid_token", resource_metadata="https://mock.proxygate.test/.well-known/oauth-protected-resource"';

describe('authentication and scopes', () => {
  it('answers 401 with the exact challenge for a missing, malformed or unknown token, without echoing it', async () => {
    const missing = await t.json('/v1/balance');
    expect(missing.status).toBe(401);
    expect(missing.body['error']).toBe('unauthorized');
    expect(missing.headers.get('www-authenticate')).toBe(CHALLENGE);
    const fake = `pg_live_${'A'.repeat(32)}`;
    const unknown = await t.fetch('/v1/balance', { token: fake });
    const text = await unknown.text();
    expect(unknown.status).toBe(401);
    expect(JSON.parse(text).error).toBe('invalid_token');
    expect(text).not.toContain(fake);
    expect(unknown.headers.get('www-authenticate')).toBe(CHALLENGE);
    const malformed = await t.json('/v1/balance', { headers: { authorization: 'Basic abc' } });
    expect(malformed.body['error']).toBe('invalid_token');
    // A delegation token with a forged signature is invalid even if its shape is right.
    const capped = t.mock.demoTokens.capped;
    const forged = `${capped.slice(0, -4)}${capped.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect((await t.json('/v1/balance', { token: forged })).body['error']).toBe('invalid_token');
  });

  it('points the challenge at the origin the request was sent to', async () => {
    const answer = await fetch('https://gateway.elsewhere.test/v1/balance');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(
      'Bearer realm="proxygate", error="invalid_token", resource_metadata="https://gateway.elsewhere.test/.well-known/oauth-protected-resource"',
    );
  });

  it('answers 403 insufficient_scope with the scope challenge for each protected operation', async () => {
    const readOnly = t.mock.demoTokens.readOnly;
    const cases: [string, string, unknown, string][] = [
      ['/v1/rate', 'POST', { request_id: 'req_x', is_positive: true }, 'trade'],
      ['/proxy/echo/echo?listing=echo', 'GET', undefined, 'trade'],
      ['/v1/tokens', 'GET', undefined, 'tokens:write'],
      ['/v1/tokens', 'POST', { scopes: ['catalog:read'] }, 'tokens:write'],
      ['/v1/tokens/tok_x', 'DELETE', undefined, 'tokens:write'],
    ];
    for (const [path, method, body, scope] of cases) {
      const answer = await t.json(path, { token: readOnly, method, body });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body['error']).toBe('insufficient_scope');
      expect(answer.body['required_scope']).toBe(scope);
      expect(answer.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="${scope}"`);
    }
    // A child token without account:read cannot read the balance.
    const child = await t.json<{ token: string }>('/v1/tokens', { token: t.mock.demoTokens.trader, body: { scopes: ['trade'] } });
    const balance = await t.json('/v1/balance', { token: child.body.token });
    expect(balance.status).toBe(403);
    expect(balance.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="account:read"');
  });
});

describe('account endpoints', () => {
  it('reports the balance as an integer and lowers it by each paid call', async () => {
    const trader = t.mock.demoTokens.trader;
    const before = await t.json<{ balance_micro_cents: number; currency: string }>('/v1/balance', { token: trader });
    expect(before.body).toEqual({ balance_micro_cents: 1_000_000_000, currency: 'USD' });
    await t.fetch('/proxy/finance/rates?listing=fx-rates&base=EUR', { token: trader });
    const after = await t.json<{ balance_micro_cents: number }>('/v1/balance', { token: t.mock.demoTokens.readOnly });
    expect(after.body.balance_micro_cents).toBe(1_000_000_000 - 110_000);
  });

  it('lists usage newest first, filtered by service and time, paginated', async () => {
    const trader = t.mock.demoTokens.trader;
    const calls = ['/proxy/finance/rates?listing=fx-rates', '/proxy/weather/current?listing=weather-current&city=Oslo', '/proxy/finance/quote?listing=stock-quote&symbol=X'];
    for (const path of calls) {
      await t.fetch(path, { token: trader });
      clock = new Date(clock.getTime() + 60_000);
    }
    const all = await t.json<Page<UsageEntry>>('/v1/usage', { token: trader });
    expect(all.body.data.map((u) => u.path)).toEqual(['/quote', '/current', '/rates']);
    const entry = all.body.data[0];
    expect(entry?.id).toMatch(/^use_/);
    expect(entry?.request_id).toMatch(/^req_/);
    expect(entry?.cost_micro_cents).toBe(260_000);
    expect(entry?.refunded).toBe(false);
    const finance = await t.json<Page<UsageEntry>>('/v1/usage?service=finance', { token: trader });
    expect(finance.body.data.map((u) => u.path)).toEqual(['/quote', '/rates']);
    const window = await t.json<Page<UsageEntry>>('/v1/usage?from=2026-11-25T12:00:30.000Z&to=2026-11-25T12:01:30.000Z', { token: trader });
    expect(window.body.data.map((u) => u.path)).toEqual(['/current']);
    const first = await t.json<Page<UsageEntry>>('/v1/usage?limit=2', { token: trader });
    expect(first.body.has_more).toBe(true);
    const second = await t.json<Page<UsageEntry>>(`/v1/usage?limit=2&cursor=${first.body.cursor}`, { token: trader });
    expect([...first.body.data, ...second.body.data].map((u) => u.id)).toEqual(all.body.data.map((u) => u.id));
    expect((await t.json('/v1/usage?from=yesterday', { token: trader })).status).toBe(400);
  });

  it('rates a call once per request id, replacing an earlier vote', async () => {
    const trader = t.mock.demoTokens.trader;
    const call = await t.fetch('/proxy/finance/rates?listing=fx-rates', { token: trader });
    const requestId = JSON.parse(Buffer.from(call.headers.get('x-proxygate-receipt') ?? '', 'base64').toString()).request_id as string;
    const before = (await t.json<{ rating: { up: number; down: number } }>('/v1/apis/fx-rates')).body.rating;
    const up = await t.json('/v1/rate', { token: trader, body: { request_id: requestId, is_positive: true } });
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ request_id: requestId, listing_id: (await t.json('/v1/apis/fx-rates')).body['id'], is_positive: true });
    await t.json('/v1/rate', { token: trader, body: { request_id: requestId, is_positive: false } });
    const after = (await t.json<{ rating: { up: number; down: number } }>('/v1/apis/fx-rates')).body.rating;
    expect(after).toEqual({ up: before.up, down: before.down + 1 });
    expect((await t.json('/v1/rate', { token: trader, body: { request_id: 'req_unknown', is_positive: true } })).status).toBe(404);
    expect((await t.json('/v1/rate', { token: trader, body: { request_id: requestId, is_positive: 'yes' } })).status).toBe(400);
    // Another account cannot rate this account's call.
    expect((await t.json('/v1/rate', { token: t.mock.demoTokens.broke, body: { request_id: requestId, is_positive: true } })).status).toBe(404);
  });
});

describe('secrets canary', () => {
  it('never sends a presented or misplaced token back, in any body or header', async () => {
    const { trader, capped } = t.mock.demoTokens;
    const answers = [
      await t.fetch('/v1/balance', { token: trader }),
      await t.fetch('/v1/tokens/self', { token: capped }),
      await t.fetch('/proxy/echo/echo?listing=echo', { token: trader }),
      await t.fetch(`/proxy/echo/echo?listing=${encodeURIComponent(trader)}`, { token: trader }),
      await t.fetch(`/v1/apis/${encodeURIComponent(capped)}`),
      await t.fetch(`/proxy/echo/${encodeURIComponent(trader)}?listing=echo`, { token: trader }),
      await t.fetch('/v1/tokens', { token: trader, body: { scopes: [trader], listings: [capped] } }),
      await t.fetch('/v1/tokens', { token: trader, body: { scopes: ['trade'], listings: [capped] } }),
      await t.fetch(`/v1/${encodeURIComponent(trader)}`),
      await t.fetch('/v1/tokens?limit=100', { token: trader }),
      await t.fetch('/v1/usage', { token: trader }),
      await t.fetch('/v1/receipts', { token: trader }),
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
