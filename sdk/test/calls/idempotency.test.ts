import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import type { FaultKind } from '@proxygate-kit/server-mock';
import { ConnectionError, InternalServerError } from '../../src/core/error.js';
import { netCharged, startMock } from './mock.js';

const harness = startMock('idempotency-tests');
afterAll(() => harness.close());
beforeEach(() => harness.reset());

/** A client whose retries do not wait (the pipeline's sleep is its own test concern). */
function fastClient(maxRetries = 2) {
  const client = harness.client({ maxRetries });
  Object.defineProperty(client, 'sleep', { value: () => Promise.resolve() });
  return client;
}

describe('paid calls under faults after the charge', () => {
  test.each<FaultKind>(['server_error', 'reset', 'rate_limit'])(
    'a %s after the charge is retried with the same key and charged exactly once',
    async (kind) => {
      harness.mock.faults.inject({ kind, phase: 'after', path: '/proxy/' });
      const balanceBefore = (await harness.client().account.balance()).balance_micro_cents;
      const result = await fastClient().call('echo', '/echo', { query: { q: kind } });

      const attempts = harness.proxyCalls();
      expect(attempts).toHaveLength(2);
      const keys = new Set(attempts.map((call) => call.headers.get('idempotency-key')));
      expect(keys).toEqual(new Set([result.idempotencyKey]));
      expect(result.replayed).toBe(true);
      expect(result.receiptVerdict?.valid).toBe(true);
      expect(result.cost).toBe(60_000);
      const charges = harness.mock.ledger().filter((entry) => entry.idempotency_key === result.idempotencyKey);
      expect(charges).toHaveLength(1);
      expect(netCharged(harness.mock, { idempotencyKey: result.idempotencyKey })).toBe(60_000);
      expect((await harness.client().account.balance()).balance_micro_cents).toBe(balanceBefore - 60_000);
    },
  );

  test('a body cut off after the charge is fetched again with the same key: one charge, verified bytes', async () => {
    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/' });
    const result = await fastClient().call('echo', '/echo', { query: { cut: 'yes' } });
    expect(harness.proxyCalls()).toHaveLength(2);
    expect(result.replayed).toBe(true);
    expect(result.receiptVerdict).toMatchObject({ valid: true });
    expect(netCharged(harness.mock, { idempotencyKey: result.idempotencyKey })).toBe(60_000);
  });

  test('a cut body with no retry left names the key to retry with', async () => {
    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/' });
    const error = await fastClient(0).call('echo', '/echo', { idempotencyKey: 'cut-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).action).toContain('cut-1');
    expect(netCharged(harness.mock, { idempotencyKey: 'cut-1' })).toBe(60_000);
  });

  test('a damaged body after the charge is reported by the receipt (response_sha256), not hidden', async () => {
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/' });
    const result = await fastClient().call('echo', '/echo');
    expect(typeof result.body).toBe('string');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'response_sha256' });
  });

  test('with retries off the failure surfaces, and a manual retry with the returned key charges nothing more', async () => {
    harness.mock.faults.inject({ kind: 'server_error', phase: 'after', path: '/proxy/' });
    const client = fastClient(0);
    const error = await client.call('echo', '/echo', { idempotencyKey: 'manual-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(netCharged(harness.mock, { idempotencyKey: 'manual-1' })).toBe(60_000);
    const retry = await client.call('echo', '/echo', { idempotencyKey: 'manual-1' });
    expect(retry.replayed).toBe(true);
    expect(netCharged(harness.mock, { idempotencyKey: 'manual-1' })).toBe(60_000);
  });

  test('two logical calls get two keys and two charges', async () => {
    const client = fastClient();
    const a = await client.call('echo', '/echo');
    const b = await client.call('echo', '/echo');
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
    expect(b.replayed).toBe(false);
    expect(netCharged(harness.mock, { idempotencyKey: a.idempotencyKey }) + netCharged(harness.mock, { idempotencyKey: b.idempotencyKey })).toBe(120_000);
  });
});
