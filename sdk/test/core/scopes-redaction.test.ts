import { describe, expect, test } from 'vitest';
import { APIError, ConnectionError, InsufficientScopeError, type Logger } from '@proxygate-kit/sdk';
import { client, fakeFetch, json, mintToken } from './helpers.js';

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (message: string, ...rest: unknown[]): void => {
    lines.push([message, ...rest.map((r) => JSON.stringify(r))].join(' '));
  };
  return { logger: { error: push, warn: push, info: push, debug: push }, lines };
}

describe('scopes known before the network', () => {
  test('a missing scope is refused locally and nothing is sent', async () => {
    const { fetch, seen } = fakeFetch(json(200, {}));
    const pg = client(fetch, { scopes: ['catalog:read', 'account:read'] });
    const err = await pg.request({ method: 'POST', path: '/v1/tokens', requiredScope: 'tokens:write' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect((err as InsufficientScopeError).requiredScope).toBe('tokens:write');
    expect((err as InsufficientScopeError).local).toBe(true);
    expect((err as InsufficientScopeError).status).toBeUndefined();
    await expect(pg.account.rate({ request_id: 'req_1', is_positive: true })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(seen).toHaveLength(0);
  });

  test('the refusal is thrown, not also logged at the default level (debug only)', async () => {
    const { fetch } = fakeFetch(json(200, {}));
    const quiet = recordingLogger();
    const byDefault = client(fetch, { scopes: ['catalog:read'], logger: quiet.logger, logLevel: 'warn' });
    await expect(byDefault.account.limits()).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(quiet.lines).toEqual([]);
    const verbose = recordingLogger();
    const debugging = client(fetch, { scopes: ['catalog:read'], logger: verbose.logger, logLevel: 'debug' });
    await expect(debugging.account.limits()).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(verbose.lines.filter((line) => line.includes('refused locally'))).toHaveLength(1);
  });

  test('a held scope passes; `proxy` satisfies `trade`; balance:read satisfies account:read', async () => {
    const { fetch, seen } = fakeFetch(json(200, { balance: 3, pending_settlement: 0, available: 3, in_cooldown: false, currency: 'lamports' }));
    await client(fetch, { scopes: ['proxy'], extensions: [] }).request({ method: 'POST', path: '/proxy/x/y', requiredScope: 'trade', idempotent: true });
    await client(fetch, { scopes: ['balance:read'] }).account.balance();
    expect(seen).toHaveLength(2);
  });

  test('without known scopes the gateway decides', async () => {
    const { fetch, seen } = fakeFetch(json(403, { error: 'insufficient_scope', required_scope: 'trade', message: 'no' }));
    await expect(client(fetch).request({ method: 'GET', path: '/x', requiredScope: 'trade' })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(seen).toHaveLength(1);
  });

  test('tokens.self() teaches the client its scopes', async () => {
    const info = {
      id: 'tok_1', name: null, type: 'api_key', scopes: ['catalog:read'], parent_id: null, created_at: '2026-11-25T12:00:00.000Z',
      expires_at: null, revoked_at: null, spend_cap_micro_usd: null, spent_micro_usd: 0, listings: null,
    };
    const { fetch, seen } = fakeFetch(json(200, info));
    const pg = client(fetch, { extensions: ['token_scopes'] });
    expect(pg.knownScopes).toBeUndefined();
    await pg.tokens.self();
    expect(pg.knownScopes).toEqual(['catalog:read']);
    await expect(pg.account.balance()).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(seen).toHaveLength(1);
  });
});

describe('secrets never leak', () => {
  test('inspecting or logging the client shows no token', async () => {
    const canary = mintToken();
    const { inspect } = await import('node:util');
    const pg = client(fakeFetch(json(200, {})).fetch, { apiKey: canary });
    expect(inspect(pg, { depth: 6, showHidden: true })).not.toContain(canary);
    expect(inspect(pg.withOptions({ timeout: 5 }), { depth: 6 })).not.toContain(canary);
  });

  test('a canary token is absent from error messages, error JSON and every log line', async () => {
    const canary = mintToken();
    const child = mintToken('pg_del_');
    const { logger, lines } = recordingLogger();
    const { fetch } = fakeFetch(
      json(500, { error: 'internal_error', message: `boom for Bearer ${canary}` }),
      json(401, { error: 'invalid_token', message: `token ${canary} revoked, child ${child}`, action: `stop using ${canary}`, echo: { authorization: `Bearer ${canary}` } }, { 'set-cookie': `s=${canary}`, 'x-echo': canary }),
    );
    const pg = client(fetch, { apiKey: canary, logger, logLevel: 'debug', maxRetries: 1 });
    const err = (await pg.get('/v1/balance').catch((e: unknown) => e)) as APIError;
    expect(err).toBeInstanceOf(APIError);
    const surfaces = [err.message, String(err), err.stack ?? '', JSON.stringify(err), JSON.stringify(err.body), JSON.stringify(err.headers), err.action ?? '', ...lines];
    expect(lines.length).toBeGreaterThan(2);
    for (const text of surfaces) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(child);
    }
    expect(err.message).toContain('[REDACTED]');
  });

  test('a key of an unfamiliar shape is still redacted (known secret, not a pattern)', async () => {
    const odd = `k-${crypto.randomUUID()}`;
    const { logger, lines } = recordingLogger();
    const { fetch } = fakeFetch(json(400, { error: 'validation_error', message: `bad key ${odd}` }));
    const err = (await client(fetch, { apiKey: odd, logger, logLevel: 'debug' }).get('/x').catch((e: unknown) => e)) as APIError;
    expect(err.message).not.toContain(odd);
    expect(JSON.stringify(err)).not.toContain(odd);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(odd);
  });

  test('connection errors carry no token and serialise their cause redacted', async () => {
    const canary = mintToken();
    const { fetch } = fakeFetch(new TypeError('fetch failed', { cause: new Error(`socket closed, header Bearer ${canary}`) }));
    const err = (await client(fetch, { apiKey: canary, maxRetries: 0 }).get('/x').catch((e: unknown) => e)) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).not.toContain(canary);
    expect(JSON.stringify(err)).not.toContain(canary);
    // The cause is the network error itself, not ofetch's wrapper that holds the request headers.
    expect((err.cause as { options?: unknown }).options).toBeUndefined();
    expect((err.cause as Error).message).toBe('fetch failed');
  });

  test('debug logs show the idempotency key, a local request id and retryOf, but not authorization', async () => {
    const canary = mintToken();
    const { logger, lines } = recordingLogger();
    const { fetch } = fakeFetch(json(503, { error: 'service_unavailable', message: 'x' }), json(200, {}));
    await client(fetch, { apiKey: canary, logger, logLevel: 'debug', extensions: ['idempotency'] }).request({ method: 'POST', path: '/proxy/a/b', idempotencyKey: 'order-7' });
    const joined = lines.join('\n');
    expect(joined).toContain('order-7');
    expect(joined).toMatch(/"localId":"loc_/);
    expect(joined).toMatch(/"retryOf":"loc_/);
    expect(joined).toContain('"authorization":"[REDACTED]"');
    expect(joined).not.toContain(canary);
  });

  test('logLevel filters lines; off prints nothing', async () => {
    const { logger, lines } = recordingLogger();
    const flaky = () => fakeFetch(json(503, { error: 'service_unavailable', message: 'x' }), json(200, {})).fetch;
    await client(flaky(), { logger, logLevel: 'warn' }).get('/x');
    expect(lines).toHaveLength(0);
    await client(flaky(), { logger, logLevel: 'info' }).get('/x');
    expect(lines.some((l) => l.includes('retrying'))).toBe(true);
    const before = lines.length;
    await client(flaky(), { logger, logLevel: 'off', scopes: [] }).get('/x', { requiredScope: 'trade' }).catch(() => undefined);
    expect(lines).toHaveLength(before);
  });
});

describe('client.redact', () => {
  test('scrubs the client token even when it has no familiar shape, and exposes no secret list', () => {
    const odd = `k-${crypto.randomUUID()}`;
    const pg = client(fakeFetch(json(200, {})).fetch, { apiKey: odd });
    expect(pg.redact(`token=${odd}; other pg_live_${'A'.repeat(32)}`)).toBe('token=[REDACTED]; other [REDACTED]');
    expect(Object.keys(pg)).not.toContain('secrets');
    expect('secrets' in pg).toBe(false);
  });
});
