// The public profile serves only what the public gateway publishes: every extension route is a
// 404 in the error envelope, and no answer carries an extension field or header.
import { describe, expect, it } from 'vitest';
import { decodeReceiptHeader, proxyPath, useMock } from './helpers.js';

const t = useMock({ profile: 'public', seed: 'public-profile' });

describe('public profile', () => {
  it('answers every extension route with 404 not_found', async () => {
    const token = t.mock.demoTokens.trader;
    const routes: [string, string][] = [
      ['GET', '/v1/tokens/self'],
      ['GET', '/v1/tokens'],
      ['POST', '/v1/tokens'],
      ['DELETE', '/v1/tokens/tok_x'],
      ['GET', '/v1/receipts'],
      ['GET', '/.well-known/proxygate-receipt-keys'],
    ];
    for (const [method, path] of routes) {
      const answer = await t.json(path, { token, method, ...(method === 'POST' ? { body: { scopes: ['trade'] } } : {}) });
      expect([answer.status, answer.body['error']], `${method} ${path}`).toEqual([404, 'not_found']);
    }
    expect(() => t.mock.gateway.keySet()).toThrowError(expect.objectContaining({ status: 404 }) as Error);
  });

  it('uses the public scope names and demo tokens: read-only cannot spend, capped is a pg_del_ JWT with proxy', () => {
    const scopesOf = (secret: string) => t.mock.gateway.authenticate(`Bearer ${secret}`).token.scopes;
    const { readOnly, trader, capped, broke } = t.mock.demoTokens;
    expect(scopesOf(trader)).toEqual(['proxy', 'balance:read', 'usage:read', 'rate:write', 'wallet:limits']);
    expect(scopesOf(broke)).toEqual(scopesOf(trader));
    expect(scopesOf(readOnly)).toEqual(['balance:read', 'usage:read', 'wallet:limits']);
    expect(readOnly).toMatch(/^pg_live_/);
    const claims = JSON.parse(Buffer.from(capped.slice('pg_del_'.length).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ scopes: ['proxy', 'balance:read', 'usage:read'], jti: expect.stringMatching(/^tok_/) });
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'jti', 'scopes', 'sub']);
  });

  it('sends no extension header on a paid call, and a v1 receipt', async () => {
    const answer = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.capped, headers: { 'idempotency-key': 'k' } });
    expect(answer.status).toBe(200);
    const names = [...answer.headers.keys()];
    expect(names.filter((name) => name === 'x-proxygate-shield-action' || name === 'idempotent-replayed')).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['x-proxygate-receipt', 'x-proxygate-shield', 'x-spendlimit-remaining', 'x-spendlimit-limit']));
    expect(decodeReceiptHeader(answer.headers.get('x-proxygate-receipt'))).not.toHaveProperty('receipt_version');
  });
});
