// Every error that ends a paid call after something was sent carries the idempotency key it was
// sent with and the recovery step (`recovery`, and `action` in words). Before, an error after the
// retries (5xx, reset, timeout, 429, a stream failing before its headers) did not carry the key the
// SDK had generated, so a charged call left the caller with neither a receipt nor a safe retry.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { FaultKind } from '@proxygate-kit/server-mock';
import {
  ConnectionError,
  InsufficientCreditsError,
  InternalServerError,
  PaidCallOutcomeUnknownError,
  RateLimitError,
  SpendLimitError,
  TimeoutError,
  type ProxygateError,
} from '../../src/core/error.js';
import { fireWhenLate, HeldTimeouts, skipRetryWaits } from '../held-timeouts.js';
import { netCharged, startMock } from './mock.js';

/** Retries without waiting (no real waits in tests). */
const fast = skipRetryWaits;

describe('extended profile: the key the SDK generated, and "replay"', () => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('paid-errors-extended', { profile: 'extended' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  const sentKeys = () => new Set(harness.proxyCalls().map((call) => call.headers.get('idempotency-key')));

  test.each<[FaultKind, new (...args: never[]) => ProxygateError]>([
    ['server_error', InternalServerError],
    ['reset', ConnectionError],
  ])('%s after the charge, retries spent: the error names the generated key; replaying it returns the receipt, charged once', async (kind, type) => {
    harness.mock.faults.inject({ kind, phase: 'after', path: '/proxy/', times: 3 });
    const client = fast(harness.client({ maxRetries: 2 }));
    const error = (await client.call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(error).toBeInstanceOf(type);
    expect(harness.proxyCalls()).toHaveLength(3);
    expect(error.idempotencyKey).toBeTruthy();
    expect(sentKeys()).toEqual(new Set([error.idempotencyKey]));
    expect(error.recovery).toBe('replay');
    expect(error.action).toContain(error.idempotencyKey!);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ idempotencyKey: error.idempotencyKey, recovery: 'replay' });

    const recovered = await client.call('echo', '/echo', { idempotencyKey: error.idempotencyKey! });
    expect(recovered.replayed).toBe(true);
    expect(recovered.receiptVerdict).toMatchObject({ valid: true });
    expect(harness.mock.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(1);
    expect(netCharged(harness.mock, { idempotencyKey: error.idempotencyKey! })).toBe(Number(recovered.cost));
  });

  test('a timeout after the charge: TimeoutError with the key and "replay"', async () => {
    harness.mock.faults.inject({ kind: 'latency', phase: 'after', path: '/proxy/', latencyMs: 500 });
    // The call's time runs out while the mock holds back the answer of a call it has charged.
    const timeouts = new HeldTimeouts();
    fireWhenLate(harness.mock.faults, timeouts);
    const client = timeouts.install(fast(harness.client({ maxRetries: 0 })));
    const error = (await client.call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(timeouts.fired).toHaveLength(1);
    expect(harness.mock.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(1);
    expect([error.recovery, error.idempotencyKey]).toEqual(['replay', [...sentKeys()][0]]);
    harness.mock.faults.clear();
  });

  test('429 rate limits until the retries are spent: "retry" (nothing was processed), with the key', async () => {
    harness.mock.faults.inject({ kind: 'rate_limit', phase: 'before', path: '/proxy/', times: 3, retryAfter: 0 });
    const error = (await fast(harness.client({ maxRetries: 2 })).call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.recovery).toBe('retry');
    expect(error.idempotencyKey).toBe([...sentKeys()][0]);
    expect(harness.mock.ledger()).toHaveLength(0);
  });

  test('a 5xx then 429s: an earlier attempt may have been charged, so "replay", not "retry"', async () => {
    let proxyAnswers = 0;
    harness.tamper = async (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/')) return response;
      await response.arrayBuffer();
      // The first answer (charged) is lost to a 502; the gateway then rate-limits the retries.
      if (proxyAnswers++ === 0) return new Response('{"error":"upstream_error","message":"bad gateway"}', { status: 502, headers: { 'content-type': 'application/json' } });
      return new Response('{"error":"rate_limit_exceeded","message":"slow down"}', { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '0' } });
    };
    const error = (await fast(harness.client({ maxRetries: 2 })).call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.recovery).toBe('replay');
    expect(harness.mock.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(1);
  });

  test('a stream failing before its headers, and one cut mid-way, both name the key and "replay"', async () => {
    harness.mock.faults.inject({ kind: 'server_error', phase: 'after', path: '/proxy/', times: 3 });
    const client = fast(harness.client({ maxRetries: 2 }));
    const before = (await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'a' } }).catch((e: unknown) => e)) as ProxygateError;
    expect(before).toBeInstanceOf(InternalServerError);
    expect([before.recovery, before.idempotencyKey]).toEqual(['replay', [...sentKeys()][0]]);

    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/' });
    const stream = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'b' } });
    const cut = (await stream.finished().catch((e: unknown) => e)) as ProxygateError;
    expect(cut).toBeInstanceOf(ConnectionError);
    expect([cut.recovery, cut.idempotencyKey]).toEqual(['replay', stream.idempotencyKey]);
  });

  test('a stream that ends without its receipt event (damaged on the way): ConnectionError "replay"; the replay brings the receipt', async () => {
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/' });
    const client = fast(harness.client());
    const stream = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'c' } });
    const error = (await stream.finished().catch((e: unknown) => e)) as ProxygateError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/without its receipt/);
    expect([error.recovery, error.idempotencyKey]).toEqual(['replay', stream.idempotencyKey]);
    const again = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'c' }, idempotencyKey: error.idempotencyKey! });
    const outcome = await again.finished();
    expect(again.replayed).toBe(true);
    expect(outcome.receiptVerdict).toMatchObject({ valid: true });
    expect(harness.mock.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(1);
  });

  test('a charged answer whose receipt was stripped on the way is fetched again with the same key', async () => {
    let first = true;
    harness.tamper = (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/') || !first) return response;
      first = false;
      const headers = new Headers(response.headers);
      headers.delete('x-proxygate-receipt');
      return new Response(response.body, { status: response.status, headers });
    };
    const result = await fast(harness.client()).call('echo', '/echo');
    expect(result.replayed).toBe(true);
    expect(result.receiptVerdict).toMatchObject({ valid: true });
    expect(harness.proxyCalls()).toHaveLength(2);
  });

  test('fetching a damaged answer again fails: the first send was charged, so "replay" whatever the re-send says', async () => {
    let proxyAnswers = 0;
    harness.tamper = async (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/')) return response;
      const text = await response.text();
      if (proxyAnswers++ === 0) return new Response(`${text.slice(0, 10)}{,`, { status: 200, headers: response.headers });
      return new Response('{"error":"rate_limit_exceeded","message":"slow down"}', { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '0' } });
    };
    const error = (await fast(harness.client({ maxRetries: 2 })).call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect([error.recovery, error.idempotencyKey]).toEqual(['replay', [...sentKeys()][0]]);
    expect(harness.mock.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(1);
  });

  test('an upstream error passed through with its receipt: the call completed, "none"', async () => {
    const error = (await harness.client().call('translate-text', '/translate', { body: { text: '' } }).catch((e: unknown) => e)) as ProxygateError & { rawReceipt: string };
    expect(error.rawReceipt).toBeTruthy();
    expect(error.recovery).toBe('none');
    expect(error.idempotencyKey).toBe([...sentKeys()][0]);
  });
});

describe('public profile: no key is generated; what to do instead', () => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('paid-errors-public', { profile: 'public' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  test('a 5xx after the charge: PaidCallOutcomeUnknownError, "check_usage", no key', async () => {
    harness.mock.faults.inject({ kind: 'server_error', phase: 'after', path: '/proxy/' });
    const error = (await fast(harness.client()).call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(error).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect([error.recovery, error.idempotencyKey]).toEqual(['check_usage', undefined]);
    expect(error.action).toContain('account.usage(');
  });

  test('a caller key is carried, but never offered for a replay this gateway does not do', async () => {
    harness.mock.faults.inject({ kind: 'reset', phase: 'after', path: '/proxy/' });
    const error = (await fast(harness.client()).call('echo', '/echo', { idempotencyKey: 'mine-1' }).catch((e: unknown) => e)) as ProxygateError;
    expect([error.recovery, error.idempotencyKey]).toEqual(['check_usage', 'mine-1']);
    expect(error.action).not.toMatch(/replays/);
  });

  test('refusals before any charge: a spend limit and missing credits are "none", a rate limit "retry"', async () => {
    const capped = (await harness.client({ apiKey: harness.mock.demoTokens.capped }).call('weather-current', '/current', { query: { city: 'Oslo' } }).then(
      () => harness.client({ apiKey: harness.mock.demoTokens.capped }).call('weather-current', '/current', { query: { city: 'Rome' } }),
    ).catch((e: unknown) => e)) as ProxygateError;
    expect(capped).toBeInstanceOf(SpendLimitError);
    expect(capped.recovery).toBe('none');

    const broke = (await harness.client({ apiKey: harness.mock.demoTokens.broke }).call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(broke).toBeInstanceOf(InsufficientCreditsError);
    expect(broke.recovery).toBe('none');

    harness.mock.faults.inject({ kind: 'rate_limit', phase: 'before', path: '/proxy/', times: 3, retryAfter: 0 });
    const limited = (await fast(harness.client({ maxRetries: 2 })).call('echo', '/echo').catch((e: unknown) => e)) as ProxygateError;
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.recovery).toBe('retry');
  });
});
