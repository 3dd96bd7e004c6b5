import { afterEach, describe, expect, test, vi } from 'vitest';
import { DEFAULT_GATEWAY_URL, InvalidRequestError, Proxygate } from '@proxygate-kit/sdk';
import { client, fakeFetch, json, mintToken } from './helpers.js';

const ok = () => json(200, { balance_micro_cents: 1, currency: 'USD' });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('options and environment', () => {
  test('env supplies key and gateway (trimmed); explicit options win', async () => {
    const envKey = mintToken();
    vi.stubEnv('PROXYGATE_API_KEY', `  ${envKey}\n`);
    vi.stubEnv('PROXYGATE_GATEWAY_URL', ' http://127.0.0.1:7/ ');
    const { fetch, seen } = fakeFetch(ok());
    const fromEnv = new Proxygate({ fetch, logLevel: 'off' });
    expect(fromEnv.gatewayUrl).toBe('http://127.0.0.1:7');
    await fromEnv.get('/v1/balance');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${envKey}`);
    expect(seen[0]!.url.href).toBe('http://127.0.0.1:7/v1/balance');

    const explicitKey = mintToken();
    const explicit = new Proxygate({ fetch, apiKey: explicitKey, gatewayUrl: 'http://127.0.0.1:8', logLevel: 'off' });
    await explicit.get('/v1/balance');
    expect(seen[1]!.headers.get('authorization')).toBe(`Bearer ${explicitKey}`);
    expect(seen[1]!.url.origin).toBe('http://127.0.0.1:8');
  });

  test('defaults: public gateway, 60 s, 2 retries, lenient; apiKey null sends no auth even with env set', async () => {
    vi.stubEnv('PROXYGATE_API_KEY', mintToken());
    vi.stubEnv('PROXYGATE_GATEWAY_URL', '');
    const { fetch, seen } = fakeFetch(ok());
    const pg = new Proxygate({ fetch, apiKey: null, logLevel: 'off' });
    expect(pg.gatewayUrl).toBe(DEFAULT_GATEWAY_URL);
    expect(pg.timeout).toBe(60_000);
    expect(pg.maxRetries).toBe(2);
    expect(pg.validation).toBe('lenient');
    await pg.get('/v1/apis');
    expect(seen[0]!.headers.has('authorization')).toBe(false);
  });

  test('PROXYGATE_LOG sets the level unless logLevel is given', () => {
    vi.stubEnv('PROXYGATE_LOG', 'debug');
    const { fetch } = fakeFetch(ok());
    expect(new Proxygate({ fetch }).logLevel).toBe('debug');
    expect(new Proxygate({ fetch, logLevel: 'error' }).logLevel).toBe('error');
  });

  test('apiKey may be an async function, called once per logical request', async () => {
    let calls = 0;
    const keys = [mintToken(), mintToken()];
    const { fetch, seen } = fakeFetch(json(500, { error: 'internal_error', message: 'x' }), ok(), ok());
    const pg = client(fetch, { apiKey: async () => keys[calls++]! });
    await pg.get('/v1/balance');
    await pg.get('/v1/balance');
    expect(calls).toBe(2);
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual([`Bearer ${keys[0]}`, `Bearer ${keys[0]}`, `Bearer ${keys[1]}`]);
  });

  test('defaultHeaders are sent, per-request headers override them, null removes one', async () => {
    const { fetch, seen } = fakeFetch(ok());
    const pg = client(fetch, { defaultHeaders: { 'x-team': 'a', 'x-env': 'ci' } });
    await pg.get('/v1/balance', { headers: { 'x-team': 'b', 'x-env': null, accept: null } });
    expect(seen[0]!.headers.get('x-team')).toBe('b');
    expect(seen[0]!.headers.has('x-env')).toBe(false);
    expect(seen[0]!.headers.has('accept')).toBe(false);
  });

  test('withOptions inherits everything it does not override', async () => {
    const { fetch, seen } = fakeFetch(ok());
    const key = mintToken();
    const base = client(fetch, { apiKey: key, timeout: 1234, maxRetries: 4, defaultHeaders: { 'x-team': 'a' }, scopes: ['catalog:read'] });
    const child = base.withOptions({ maxRetries: 0 });
    expect(child).not.toBe(base);
    expect(child).toBeInstanceOf(base.constructor);
    expect(child.timeout).toBe(1234);
    expect(child.maxRetries).toBe(0);
    expect(base.maxRetries).toBe(4);
    expect(child.knownScopes).toEqual(['catalog:read']);
    await child.get('/v1/apis');
    expect(seen[0]!.headers.get('x-team')).toBe('a');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${key}`);
    expect(base.withOptions({ apiKey: mintToken() }).knownScopes).toBeUndefined();
  });

  test('query values are encoded, null/undefined dropped, arrays repeated', async () => {
    const { fetch, seen } = fakeFetch(ok());
    await client(fetch).get('/v1/apis', { query: { q: 'a b&c', limit: 5, verified: true, cursor: undefined, service: null, tag: ['x', 'y'] } });
    const params = seen[0]!.url.searchParams;
    expect(params.get('q')).toBe('a b&c');
    expect(params.get('limit')).toBe('5');
    expect(params.get('verified')).toBe('true');
    expect(params.has('cursor')).toBe(false);
    expect(params.has('service')).toBe(false);
    expect(params.getAll('tag')).toEqual(['x', 'y']);
  });

  test('escape hatch methods use the given verb and return the parsed body', async () => {
    const { fetch, seen } = fakeFetch(ok());
    const pg = client(fetch);
    expect(await pg.put('/a', { body: { x: 1 } })).toEqual({ balance_micro_cents: 1, currency: 'USD' });
    await pg.patch('/a', { body: { x: 1 } });
    await pg.delete('/a');
    await pg.post('/a', { rawBody: 'raw text' });
    expect(seen.map((r) => r.method)).toEqual(['PUT', 'PATCH', 'DELETE', 'POST']);
    expect(seen[3]!.body).toBe('raw text');
  });

  test('rejects nonsense options', () => {
    const { fetch } = fakeFetch(ok());
    expect(() => new Proxygate({ fetch, maxRetries: -1 })).toThrow(InvalidRequestError);
    expect(() => new Proxygate({ fetch, timeout: 0 })).toThrow(InvalidRequestError);
    expect(() => new Proxygate({ fetch, timeout: Number.NaN })).toThrow(InvalidRequestError);
  });
});

describe('PROXYGATE_LOG validation', () => {
  test('an unknown level falls back to warn and says so once, redacted', () => {
    const canary = mintToken();
    vi.stubEnv('PROXYGATE_LOG', `verbose ${canary}`);
    const warnings: string[] = [];
    const logger = { error: () => {}, warn: (m: string) => warnings.push(m), info: () => {}, debug: () => {} };
    const { fetch } = fakeFetch(ok());
    expect(new Proxygate({ fetch, logger }).logLevel).toBe('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('PROXYGATE_LOG');
    expect(warnings[0]).not.toContain(canary);
  });
});

describe('gateway URL checks', () => {
  test('refuses URLs that are not plain http(s) origins', () => {
    const { fetch } = fakeFetch(ok());
    for (const bad of ['not a url', 'ftp://x.test', 'https://user:pw@x.test', 'https://x.test/?a=1']) {
      expect(() => new Proxygate({ fetch, gatewayUrl: bad, logLevel: 'off' }), bad).toThrow(InvalidRequestError);
    }
    expect(new Proxygate({ fetch, gatewayUrl: 'https://x.test/base/', logLevel: 'off' }).gatewayUrl).toBe('https://x.test/base');
  });

  test('warns when a token would travel over plain http to a non-loopback host', () => {
    const warnings: string[] = [];
    const logger = { error: () => {}, warn: (m: string) => warnings.push(m), info: () => {}, debug: () => {} };
    const { fetch } = fakeFetch(ok());
    new Proxygate({ fetch, logger, apiKey: mintToken(), gatewayUrl: 'http://127.0.0.1:4010' });
    new Proxygate({ fetch, logger, apiKey: null, gatewayUrl: 'http://gateway.example' });
    expect(warnings).toHaveLength(0);
    new Proxygate({ fetch, logger, apiKey: mintToken(), gatewayUrl: 'http://gateway.example' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('plain http');
  });
});
