import { describe, expect, test } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InsufficientCreditsError,
  InsufficientScopeError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  Proxygate,
  ProxygateError,
  RateLimitError,
  ShieldBlockedError,
  UnprocessableEntityError,
} from '@proxygate-kit/sdk';
import { client, fakeFetch, json } from './helpers.js';

async function errorFor(status: number, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const { fetch } = fakeFetch(json(status, body, headers));
  return client(fetch, { maxRetries: 0 }).request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
}

describe('error classes from gateway answers', () => {
  const cases: [number, string, new (...args: never[]) => APIError][] = [
    [400, 'validation_error', BadRequestError],
    [401, 'invalid_token', AuthenticationError],
    [402, 'insufficient_credits', InsufficientCreditsError],
    [403, 'listing_not_allowed', PermissionDeniedError],
    [404, 'listing_not_found', NotFoundError],
    [409, 'idempotency_conflict', ConflictError],
    [422, 'unprocessable', UnprocessableEntityError],
    [429, 'rate_limit_exceeded', RateLimitError],
    [500, 'internal_error', InternalServerError],
    [503, 'service_unavailable', InternalServerError],
  ];
  test.each(cases)('%i %s', async (status, code, Class) => {
    const err = await errorFor(status, { error: code, message: `msg ${code}`, action: 'do this', docs: 'https://docs.example/x', trace_id: 'tr_9' });
    expect(err).toBeInstanceOf(Class);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toBeInstanceOf(ProxygateError);
    const e = err as APIError;
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.action).toBe('do this');
    expect(e.docs).toBe('https://docs.example/x');
    expect(e.traceId).toBe('tr_9');
    expect(e.message).toContain(`msg ${code}`);
    expect(e.name).toBe(Class.name);
  });

  test('an unknown 4xx code still becomes an APIError with its code', async () => {
    const err = await errorFor(418, { error: 'teapot', message: 'short and stout' });
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).code).toBe('teapot');
  });

  test('a non-JSON error body is kept as text', async () => {
    const { fetch } = fakeFetch(new Response('upstream exploded', { status: 502 }));
    const err = (await client(fetch, { maxRetries: 0 }).request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as APIError;
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err.body).toBe('upstream exploded');
    expect(err.message).toContain('upstream exploded');
  });

  test('403 insufficient_scope carries requiredScope from the body', async () => {
    const err = await errorFor(403, { error: 'insufficient_scope', required_scope: 'trade', message: 'needs trade' });
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect((err as InsufficientScopeError).requiredScope).toBe('trade');
    expect((err as InsufficientScopeError).local).toBe(false);
  });

  test('403 insufficient_scope is recognised from WWW-Authenticate alone', async () => {
    const err = await errorFor(403, { error: 'forbidden', message: 'no' }, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="tokens:write"' });
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect((err as InsufficientScopeError).requiredScope).toBe('tokens:write');
  });

  test('422 shield block carries score, flags, refunded and the receipt header', async () => {
    const err = await errorFor(
      422,
      { error: 'response_blocked', code: 'shield_blocked', shield_score: 0.91, shield_flags: ['prompt_injection'], refunded: true, message: 'blocked', request_id: 'req_1' },
      { 'x-proxygate-receipt': 'eyJhIjoxfQ==' },
    );
    expect(err).toBeInstanceOf(ShieldBlockedError);
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    const e = err as ShieldBlockedError;
    expect(e.score).toBe(0.91);
    expect(e.flags).toEqual(['prompt_injection']);
    // The body is unsigned: its refund is a claim until a verified receipt says the same.
    expect(e.refunded).toEqual({ value: true, verified: false });
    expect(e.blockVerified).toBe(false);
    expect(e.rawReceipt).toBe('eyJhIjoxfQ==');
    expect(e.receipt).toBeNull(); // parsed only when a paid call settles it
    expect(e.requestId).toBe('req_1');
  });

  test('error classes are statics on the client', () => {
    expect(Proxygate.RateLimitError).toBe(RateLimitError);
    expect(Proxygate.InsufficientScopeError).toBe(InsufficientScopeError);
    expect(Proxygate.ShieldBlockedError).toBe(ShieldBlockedError);
  });
});

describe('error messages', () => {
  test('read "<status> <code>: <message>"; a local refusal has no status', async () => {
    const err = (await errorFor(404, { error: 'listing_not_found', message: 'No listing "x"' })) as APIError;
    expect(err.message).toBe('404 listing_not_found: No listing "x"');
    const local = InsufficientScopeError.missing('trade', ['catalog:read']);
    expect(local.message).toMatch(/^insufficient_scope: This token lacks the "trade" scope/);
    const bare = (await errorFor(500, '')) as APIError;
    expect(bare.message).toBe('500');
  });
});
