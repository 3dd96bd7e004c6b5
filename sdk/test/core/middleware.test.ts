import { describe, expect, test } from 'vitest';
import type { Middleware, MiddlewareContext } from '@proxygate-kit/sdk';
import { client, connectionError, fakeFetch, json } from './helpers.js';

describe('middleware', () => {
  test('runs around every attempt, outermost first, with the attempt context', async () => {
    const order: string[] = [];
    const contexts: MiddlewareContext[] = [];
    const outer: Middleware = async (url, init, next, ctx) => {
      order.push(`outer>${ctx.attempt}`);
      contexts.push(ctx);
      const res = await next(url, init);
      order.push(`outer<${res.status}`);
      return res;
    };
    const inner: Middleware = (url, init, next, ctx) => {
      order.push(`inner>${ctx.attempt}`);
      const headers = new Headers(init.headers);
      headers.set('x-trace', `t-${ctx.attempt}`);
      return next(url, { ...init, headers });
    };
    const { fetch, seen } = fakeFetch(json(503, { error: 'service_unavailable', message: 'x' }), json(200, { ok: true }));
    const pg = client(fetch, { middleware: [outer], extensions: ['idempotency'] });
    const res = await pg.request({ method: 'POST', path: '/proxy/a/b', idempotencyKey: 'k-1', middleware: [inner] });
    expect(res.data).toEqual({ ok: true });
    expect(order).toEqual(['outer>0', 'inner>0', 'outer<503', 'outer>1', 'inner>1', 'outer<200']);
    expect(seen.map((r) => r.headers.get('x-trace'))).toEqual(['t-0', 't-1']);
    expect(contexts[0]).toMatchObject({ method: 'POST', attempt: 0, retryOf: undefined, idempotencyKey: 'k-1' });
    expect(contexts[1]!.retryOf).toBe(contexts[0]!.localId);
  });

  test('may answer without calling fetch', async () => {
    const { fetch, seen } = fakeFetch(json(500, {}));
    const balance = { balance: 9, pending_settlement: 0, available: 9, in_cooldown: false, currency: 'lamports' };
    const cached: Middleware = async () => json(200, balance);
    expect(await client(fetch, { middleware: [cached] }).account.balance()).toEqual(balance);
    expect(seen).toHaveLength(0);
  });

  test("a middleware's own error reaches the caller unchanged and is not retried", async () => {
    let calls = 0;
    class PolicyError extends Error {}
    const policy: Middleware = async () => {
      calls++;
      throw new PolicyError('blocked by policy');
    };
    const { fetch } = fakeFetch(json(200, {}));
    const err = await client(fetch, { middleware: [policy] }).get('/v1/apis').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect(calls).toBe(1);
  });

  test('network errors under middleware are still retried as connection errors', async () => {
    let calls = 0;
    const count: Middleware = (url, init, next) => {
      calls++;
      return next(url, init);
    };
    const { fetch } = fakeFetch(connectionError(), json(200, { ok: 1 }));
    expect(await client(fetch, { middleware: [count] }).get('/v1/apis')).toEqual({ ok: 1 });
    expect(calls).toBe(2);
  });
});
