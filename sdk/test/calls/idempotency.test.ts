// Paid calls whose answer is lost or damaged after the gateway charged them. On the public
// profile (no Idempotency-Key handling: a re-send is a new charge) the SDK sends such a call at
// most once and says it may have been charged; on the extended profile it re-sends with the same
// key and the gateway replays the stored answer without charging again.
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, test } from 'vitest';
import type { FaultKind } from '@proxygate-kit/server-mock';
import { ConnectionError, InternalServerError, InvalidJsonError, PaidCallOutcomeUnknownError, TimeoutError } from '../../src/core/error.js';
import type { CallResult } from '../../src/resources/calls/index.js';
import { HeldTimeouts } from '../held-timeouts.js';
import { netCharged, startMock } from './mock.js';

const SURCHARGE = 5_000;

/** Retry waits are the pipeline's own test concern: here they are skipped. */
function noWait<C extends object>(client: C): C {
  Object.defineProperty(client, 'sleep', { value: () => Promise.resolve() });
  return client;
}

describe('the public profile: a paid call is sent at most once when its answer is lost after the charge', () => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('lost-answers-public', { profile: 'public' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  const fastClient = (maxRetries = 2) => noWait(harness.client({ maxRetries }));

  test.each<FaultKind>(['server_error', 'reset', 'truncate'])('%s after the charge: one send, one charge, PaidCallOutcomeUnknownError naming how to find it', async (kind) => {
    const client = fastClient();
    const echo = await client.catalog.get('echo');
    const price = echo.prices.perRequest! + SURCHARGE;
    const before = (await client.account.balance()).available;
    harness.mock.faults.inject({ kind, phase: 'after', path: '/proxy/' });
    harness.seen.length = 0;

    const error = await client.call(echo, '/echo', { body: { kind } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(harness.proxyCalls()).toHaveLength(1);
    expect(netCharged(harness.mock, { listingId: echo.listing_id })).toBe(price);
    expect((await client.account.balance()).available).toBe(before - price);

    const e = error as PaidCallOutcomeUnknownError;
    expect(e.message).toMatch(/not sent again/);
    expect(e.request).toMatchObject({ method: 'POST', service: 'echo', listingId: echo.listing_id, idempotencyKey: null });
    // What the error says to look for does find the charge.
    const rows = await client.account.usage(e.request.usageQuery).toArray({ limit: 100 });
    expect(rows.filter((row) => row.listing_id === echo.listing_id).map((row) => row.cost_micro_cents)).toEqual([price]);
  });

  test('a body cut off after the charge keeps its receipt: raw, parsed and verified, with the cost', async () => {
    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/' });
    const error = await fastClient().call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaidCallOutcomeUnknownError);
    const e = error as PaidCallOutcomeUnknownError & { rawReceipt: string | null; receiptVerdict: { valid: boolean } | null; cost: bigint | null; requestId: string | null };
    expect(e.message).toMatch(/was charged \(a receipt arrived\)/);
    expect(e.rawReceipt).toBeTruthy();
    expect(e.receiptVerdict).toMatchObject({ valid: true });
    expect(e.cost).toBeGreaterThan(0);
    expect(netCharged(harness.mock, { requestId: e.requestId! })).toBe(Number(e.cost));
    expect(harness.proxyCalls()).toHaveLength(1);
  });

  test('a stalled body times out and is not re-sent either', async () => {
    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/' });
    const timeouts = new HeldTimeouts();
    harness.tamper = async (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/')) return response;
      // Nothing ever comes: the time runs out once the client is reading.
      const body = new ReadableStream<Uint8Array>(
        {
          pull: () => {
            queueMicrotask(() => timeouts.fire());
            return new Promise<void>(() => undefined);
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const error = await timeouts.install(fastClient()).call('echo', '/echo', { timeout: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect((error as Error).cause).toBeInstanceOf(TimeoutError);
    expect(harness.proxyCalls()).toHaveLength(1);
    expect(timeouts.fired).toEqual([100]);
  });

  test('a refusal before the charge (a 5xx before processing) is not re-sent: the SDK cannot tell it apart', async () => {
    harness.mock.faults.inject({ kind: 'server_error', phase: 'before', path: '/proxy/' });
    await expect(fastClient().call('echo', '/echo')).rejects.toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(harness.proxyCalls()).toHaveLength(1);
    expect(harness.mock.ledger()).toHaveLength(0);
  });

  test('a rate limit before processing is retried (429 rate_limit_exceeded proves nothing was charged)', async () => {
    harness.mock.faults.inject({ kind: 'rate_limit', phase: 'before', path: '/proxy/', retryAfter: 1 });
    const result = await fastClient().call('echo', '/echo');
    expect(result.status).toBe(200);
    expect(harness.proxyCalls()).toHaveLength(2);
    expect(netCharged(harness.mock, { requestId: result.requestId! })).toBe(Number(result.cost));
    expect(harness.mock.ledger().filter((entry) => entry.kind === 'charge')).toHaveLength(1);
  });

  test('a damaged body after the charge is returned as text with its receipt (v1 binds no content)', async () => {
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/' });
    const result = await fastClient().call('echo', '/echo');
    expect(typeof result.body).toBe('string');
    expect(result.rawReceipt).toBeTruthy();
    expect(harness.proxyCalls()).toHaveLength(1);
  });

  test('the damaged body is said in the result (bodyParseError, body typed as text), its receipt kept, charged once', async () => {
    interface Weather {
      city: string;
    }
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/' });
    const result = await fastClient().call<Weather>('weather-current', '/current', { query: { city: 'Oslo' } });
    expect(result.status).toBe(200);
    expect(result.receiptVerdict).toMatchObject({ valid: true });
    expect(result.bodyParseError).toEqual(expect.stringMatching(/JSON/));
    // Until bodyParseError is checked the body is no Weather to the compiler either.
    expectTypeOf(result.body).toEqualTypeOf<Weather | string>();
    if (result.bodyParseError === null) throw new Error('the damage was not reported');
    expectTypeOf(result.body).toEqualTypeOf<string>();
    expect(result.body).toBe(new TextDecoder().decode(result.rawBody));
    expect(harness.proxyCalls()).toHaveLength(1);
    expect(netCharged(harness.mock, { requestId: result.requestId! })).toBe(Number(result.cost));
  });

  test('with a schema the damaged body rejects with InvalidJsonError (not a schema complaint), the charged result attached', async () => {
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/' });
    const schema = { parse: (value: unknown) => value as { city: string } };
    const error = (await fastClient().call('weather-current', '/current', { query: { city: 'Oslo' }, schema }).catch((e: unknown) => e)) as InvalidJsonError & { result?: CallResult };
    expect(error).toBeInstanceOf(InvalidJsonError);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(/^The 200 answer to the paid call to [\w-]+\/weather-current is not valid JSON: /);
    expect(error.result?.rawReceipt).toBeTruthy();
    expect(error.result?.receiptVerdict).toMatchObject({ valid: true });
    expect(error.result?.bodyParseError).toEqual(error.issues[0]?.message);
    expect(harness.proxyCalls()).toHaveLength(1);
  });

  test('an intact JSON body says bodyParseError: null', async () => {
    const result = await fastClient().call('echo', '/echo');
    expect(result.bodyParseError).toBeNull();
  });
});

describe('the extended profile: lost answers are fetched again with the same key, charged once', () => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('lost-answers-extended', { profile: 'extended' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  const fastClient = (maxRetries = 2) => noWait(harness.client({ maxRetries }));
  const price = async () => (await harness.client().catalog.get('echo')).prices.perRequest! + SURCHARGE;

  test.each<FaultKind>(['server_error', 'reset', 'rate_limit', 'truncate'])('a %s after the charge is retried with the same key and charged exactly once', async (kind) => {
    const expected = await price();
    harness.mock.faults.inject({ kind, phase: 'after', path: '/proxy/' });
    const balanceBefore = (await harness.client().account.balance()).available;
    harness.seen.length = 0;
    const result = await fastClient().call('echo', '/echo', { query: { q: kind } });

    const attempts = harness.proxyCalls();
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((call) => call.headers.get('idempotency-key')))).toEqual(new Set([result.idempotencyKey]));
    expect(result.replayed).toBe(true);
    expect(result.receiptVerdict?.valid).toBe(true);
    expect(result.cost).toBe(BigInt(expected));
    expect(harness.mock.ledger().filter((entry) => entry.idempotency_key === result.idempotencyKey)).toHaveLength(1);
    expect(netCharged(harness.mock, { idempotencyKey: result.idempotencyKey! })).toBe(expected);
    expect((await harness.client().account.balance()).available).toBe(balanceBefore - expected);
  });

  test('one budget for sends and body reads: persistent cuts stop after maxRetries + 1 sends, naming the key', async () => {
    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/', times: 5 });
    const error = await fastClient(2).call('echo', '/echo', { idempotencyKey: 'cut-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).action).toContain('cut-1');
    expect((error as { rawReceipt?: string }).rawReceipt).toBeTruthy();
    expect(harness.proxyCalls()).toHaveLength(3);
    expect(netCharged(harness.mock, { idempotencyKey: 'cut-1' })).toBe(await price());
  });

  test('a body damaged after the charge is fetched again with the same key: the replay parses and verifies, charged once', async () => {
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/' });
    const result = await fastClient().call<{ method: string }>('echo', '/echo');
    if (result.bodyParseError !== null) throw new Error(`the replay did not parse: ${result.bodyParseError}`);
    expect(result.body.method).toBe('GET');
    expect(result.replayed).toBe(true);
    expect(result.receiptVerdict).toMatchObject({ valid: true });
    const sends = harness.proxyCalls();
    expect(sends).toHaveLength(2);
    expect(new Set(sends.map((call) => call.headers.get('idempotency-key')))).toEqual(new Set([result.idempotencyKey]));
    expect(netCharged(harness.mock, { idempotencyKey: result.idempotencyKey! })).toBe(await price());
  });

  test('damage that persists past the budget is reported by the receipt (response_sha256), the body kept', async () => {
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/', times: 5 });
    const result = await fastClient(1).call('echo', '/echo');
    expect(typeof result.body).toBe('string');
    expect(result.bodyParseError).not.toBeNull();
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'response_sha256' });
    expect(harness.proxyCalls()).toHaveLength(2);
  });

  test('with retries off the failure surfaces, and a manual retry with the returned key charges nothing more', async () => {
    harness.mock.faults.inject({ kind: 'server_error', phase: 'after', path: '/proxy/' });
    const client = fastClient(0);
    const error = await client.call('echo', '/echo', { idempotencyKey: 'manual-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).action).toContain('manual-1');
    expect(netCharged(harness.mock, { idempotencyKey: 'manual-1' })).toBe(await price());
    const retry = await client.call('echo', '/echo', { idempotencyKey: 'manual-1' });
    expect(retry.replayed).toBe(true);
    expect(netCharged(harness.mock, { idempotencyKey: 'manual-1' })).toBe(await price());
  });

  test('two logical calls get two keys and two charges', async () => {
    const client = fastClient();
    const a = await client.call('echo', '/echo');
    const b = await client.call('echo', '/echo');
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
    expect(b.replayed).toBe(false);
    expect(netCharged(harness.mock, { idempotencyKey: a.idempotencyKey! }) + netCharged(harness.mock, { idempotencyKey: b.idempotencyKey! })).toBe(2 * (await price()));
  });
});
