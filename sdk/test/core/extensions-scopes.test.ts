// Extension discovery (`GET /health`, read once) and scopes without introspection, with a fetch double.
import { describe, expect, test } from 'vitest';
import {
  ConnectionError,
  ExtensionNotSupportedError,
  InsufficientScopeError,
  PermissionDeniedError,
} from '@proxygate-kit/sdk';
import { client, connectionError, fakeFetch, json, mintToken } from './helpers.js';

const KEY = '11111111111111111111111111111111';
const CA = '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi';
const extendedHealth = {
  status: 'healthy',
  platform_pubkey: KEY,
  receipt_ca_pubkey: CA,
  extensions: { version: 1, features: ['token_scopes', 'tokens', 'idempotency', 'receipt_keys', 'future_thing'], receipt_keys_url: '/keys.json' },
};
const publicHealth = { status: 'healthy', platform_pubkey: KEY };

function base64Url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
/** An unsigned-looking `pg_del_` JWT with these claims, minted at run time (never a real credential). */
function delegationToken(claims: Record<string, unknown>): string {
  const random = mintToken('').slice(0, 43);
  return `pg_del_${base64Url('{"alg":"EdDSA","typ":"JWT"}')}.${base64Url(JSON.stringify(claims))}.${random}`;
}

describe('extension discovery', () => {
  test('read once per client and shared; unknown features kept, the key-set URL taken from the gateway', async () => {
    const { fetch, seen } = fakeFetch(json(200, extendedHealth));
    const pg = client(fetch);
    const [a, b] = await Promise.all([pg.meta.extensions(), pg.extensions()]);
    expect(a).toBe(b);
    expect(a.advertised).toBe(true);
    expect(a.version).toBe(1);
    expect(a.has('tokens')).toBe(true);
    expect(a.has('receipt_log')).toBe(false);
    expect(a.features).toContain('future_thing');
    expect(a.receiptKeysUrl).toBe('/keys.json');
    await pg.extensions();
    expect(seen.map((r) => r.url.pathname)).toEqual(['/health']);
  });

  test('a /health without extensions is the public gateway: nothing assumed', async () => {
    const { fetch } = fakeFetch(json(200, publicHealth));
    const ext = await client(fetch).meta.extensions();
    expect(ext.advertised).toBe(false);
    expect(ext.features).toEqual([]);
    expect(ext.receiptKeysUrl).toBeNull();
  });

  test('a failed read is not kept: the next caller asks again', async () => {
    const { fetch, seen } = fakeFetch(connectionError(), json(200, extendedHealth));
    const pg = client(fetch, { maxRetries: 0 });
    await expect(pg.extensions()).rejects.toBeInstanceOf(ConnectionError);
    expect((await pg.extensions()).has('tokens')).toBe(true);
    expect(seen).toHaveLength(2);
  });

  test('a degraded gateway (503 with the health shape) still answers health and its extensions', async () => {
    const { fetch, seen } = fakeFetch(json(503, { ...extendedHealth, status: 'degraded' }));
    const pg = client(fetch);
    expect(await pg.meta.health()).toMatchObject({ status: 'degraded', platform_pubkey: KEY });
    expect((await pg.extensions()).has('idempotency')).toBe(true);
    expect(seen).toHaveLength(2); // no retries of an answer
  });

  test('extension-only resources refuse before sending on the public gateway', async () => {
    const { fetch, seen } = fakeFetch(json(200, publicHealth));
    const pg = client(fetch);
    const attempts: (() => PromiseLike<unknown>)[] = [
      () => pg.tokens.self(),
      () => pg.tokens.create({ scopes: ['catalog:read'] }),
      () => pg.tokens.list(),
      () => pg.tokens.revoke('tok_1'),
      () => pg.receiptsLog.list(),
    ];
    for (const attempt of attempts) {
      const err = await Promise.resolve().then(attempt).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExtensionNotSupportedError);
      expect((err as ExtensionNotSupportedError).message).toMatch(/nothing was sent/);
    }
    expect(seen.map((r) => r.url.pathname)).toEqual(['/health']);
  });

  test('receipt keys: the advertised document, else key material built from /health', async () => {
    const doc = { issuer: 'x', keys: [], platform_pubkey: KEY, receipt_ca_pubkey: CA };
    const extended = fakeFetch(json(200, extendedHealth), json(200, doc));
    expect(await client(extended.fetch).meta.receiptKeys()).toEqual(doc);
    expect(extended.seen.map((r) => r.url.pathname)).toEqual(['/health', '/keys.json']);

    const withCa = fakeFetch(json(200, { ...publicHealth, receipt_ca_pubkey: CA }));
    expect(await client(withCa.fetch).meta.receiptKeys()).toEqual({ keys: [], platform_pubkey: KEY, receipt_ca_pubkey: CA });
    const withoutCa = fakeFetch(json(200, publicHealth));
    expect(await client(withoutCa.fetch).meta.receiptKeys()).toEqual({ keys: [], platform_pubkey: KEY });
  });

  test('receipt keys are never read from another origin', async () => {
    const { fetch, seen } = fakeFetch(json(200, { ...extendedHealth, extensions: { ...extendedHealth.extensions, receipt_keys_url: 'https://evil.example/keys' } }));
    await expect(client(fetch).meta.receiptKeys()).rejects.toMatchObject({ code: 'invalid_extensions' });
    expect(seen).toHaveLength(1);
  });

  test('declared extensions skip discovery', async () => {
    const { fetch, seen } = fakeFetch(json(200, {}));
    expect((await client(fetch, { extensions: ['tokens'] }).extensions()).has('tokens')).toBe(true);
    expect(seen).toHaveLength(0);
  });
});

describe('scopes without introspection', () => {
  test('a pg_del_ token: its scopes claim refuses locally what it cannot do (proxy counts as trade)', async () => {
    const { fetch, seen } = fakeFetch(json(200, publicHealth));
    const readOnly = client(fetch, { apiKey: delegationToken({ sub: 'w', scopes: ['balance:read', 'usage:read'], jti: 'j' }) });
    expect(readOnly.knownScopes).toEqual(['balance:read', 'usage:read']);
    const err = await readOnly.request({ method: 'POST', path: '/proxy/a/b', requiredScope: 'trade' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect((err as InsufficientScopeError).local).toBe(true);
    expect(seen).toHaveLength(0);

    const balance = { balance: 1, pending_settlement: 0, available: 1, in_cooldown: false, currency: 'lamports' };
    const ok = fakeFetch(json(200, balance));
    const trader = client(ok.fetch, { apiKey: delegationToken({ sub: 'w', scopes: ['proxy'] }), extensions: [] });
    await trader.request({ method: 'POST', path: '/proxy/a/b', requiredScope: 'trade' });
    await expect(trader.account.balance()).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(ok.seen).toHaveLength(1);
  });

  test('a space-separated claim reads too; an unreadable token or a pg_live_ key means unknown (nothing refused)', async () => {
    expect(client(fakeFetch(json(200, {})).fetch, { apiKey: delegationToken({ scopes: 'proxy usage:read' }) }).knownScopes).toEqual(['proxy', 'usage:read']);
    for (const apiKey of [`pg_del_${mintToken('')}`, 'pg_del_a.%%%.c', delegationToken({ scopes: 42 }), mintToken()]) {
      expect(client(fakeFetch(json(200, {})).fetch, { apiKey }).knownScopes, apiKey.slice(0, 8)).toBeUndefined();
    }
  });

  test('a rotating key function is read per request: its claim applies to that request', async () => {
    const { fetch, seen } = fakeFetch(json(200, {}));
    const token = delegationToken({ scopes: ['usage:read'] });
    const pg = client(fetch, { apiKey: () => token });
    await expect(pg.request({ method: 'GET', path: '/proxy/a/b', requiredScope: 'trade' })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(seen).toHaveLength(0);
  });

  test('explicit scopes win over the claim', () => {
    const pg = client(fakeFetch(json(200, {})).fetch, { apiKey: delegationToken({ scopes: ['proxy'] }), scopes: ['catalog:read'] });
    expect(pg.knownScopes).toEqual(['catalog:read']);
  });

  test('resolveScopes: known ones, else tokens.self() where advertised, else unknown', async () => {
    const info = {
      id: 'tok_1', name: null, type: 'api_key', scopes: ['trade'], parent_id: null, created_at: '2026-11-25T12:00:00.000Z',
      expires_at: null, revoked_at: null, spend_cap_micro_usd: null, spent_micro_usd: 0, listings: null,
    };
    const extended = fakeFetch(json(200, extendedHealth), json(200, info));
    expect(await client(extended.fetch).resolveScopes()).toEqual(['trade']);
    expect(extended.seen.map((r) => r.url.pathname)).toEqual(['/health', '/v1/tokens/self']);
    const pub = fakeFetch(json(200, publicHealth));
    expect(await client(pub.fetch).resolveScopes()).toBeUndefined();
    const jwt = fakeFetch(json(200, publicHealth));
    expect(await client(jwt.fetch, { apiKey: delegationToken({ scopes: ['proxy'] }) }).resolveScopes()).toEqual(['proxy']);
    expect(jwt.seen).toHaveLength(0);
  });

  test('403 forbidden (no scope named) is a PermissionDeniedError saying which scope the operation likely needs', async () => {
    const forbidden = () => json(403, { error: 'forbidden', message: 'Forbidden' });
    const balance = await client(fakeFetch(forbidden()).fetch).account.balance().catch((e: unknown) => e);
    expect(balance).toBeInstanceOf(PermissionDeniedError);
    expect(balance).not.toBeInstanceOf(InsufficientScopeError);
    expect((balance as PermissionDeniedError).message).toContain('likely needs the "balance:read" (public gateway scope) or "account:read" scope');
    const paid = await client(fakeFetch(forbidden()).fetch, { extensions: [] }).request({ method: 'GET', path: '/proxy/a/b', requiredScope: 'trade' }).catch((e: unknown) => e);
    expect((paid as PermissionDeniedError).likelyScope).toBe('"proxy" (public gateway scope) or "trade"');
    const rate = await client(fakeFetch(forbidden()).fetch).account.rate({ request_id: 'r', is_positive: true }).catch((e: unknown) => e);
    expect((rate as PermissionDeniedError).likelyScope).toBe('"rate:write" (public gateway scope) or "trade"');
  });
});
