// The call's timeout also bounds reading the body of a non-stream paid call: a gateway that sends
// headers and then stalls must not hang the caller, and (on a gateway that replays by key, the
// extended profile) the error says how to replay for free. The public profile: idempotency.test.ts.
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { TimeoutError, UserAbortError } from '../../src/core/error.js';
import { HeldTimeouts, skipRetryWaits } from '../held-timeouts.js';
import { netCharged, startMock, type Tamper } from './mock.js';

const harness = startMock('body-timeout', { profile: 'extended' });
const price = async () => (await harness.client().catalog.get('echo')).prices.perRequest! + 5_000;
afterAll(() => harness.close());
beforeEach(() => harness.reset());

/**
 * Lets `attempts` paid answers send the first half of their body and then go silent; `stalled`
 * runs when a read finds nothing more coming (the moment the test lets the time run out).
 */
function stallBodies(attempts: number, stalled: () => void): Tamper {
  let left = attempts;
  return async (response, request) => {
    if (!request.url.pathname.startsWith('/proxy/') || left <= 0) return response;
    left--;
    const bytes = new Uint8Array(await response.arrayBuffer());
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) {
          queueMicrotask(stalled);
          return new Promise<void>(() => undefined); // never more
        }
        sent = true;
        controller.enqueue(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
        return undefined;
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

describe('body read timeout of client.call', () => {
  test('a stalled body fails with TimeoutError naming the idempotency key, and the read is cancelled', async () => {
    const timeouts = new HeldTimeouts();
    harness.tamper = stallBodies(1, () => timeouts.fire());
    const client = timeouts.install(harness.client({ maxRetries: 0 }));
    const error = await client.calls.call('echo', '/echo', { idempotencyKey: 'stalled-1', timeout: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(timeouts.fired).toEqual([150]);
    expect((error as TimeoutError).message).toMatch(/150 ms/);
    expect((error as TimeoutError).action).toContain('stalled-1');
    expect(harness.cancelled).toContain('/proxy/echo/echo');
    // The call was charged once; replaying with the key returns it without a second charge.
    harness.tamper = undefined;
    const replay = await client.calls.call('echo', '/echo', { idempotencyKey: 'stalled-1' });
    expect(replay.replayed).toBe(true);
    expect(replay.receiptVerdict).toMatchObject({ valid: true });
    expect(netCharged(harness.mock, { idempotencyKey: 'stalled-1' })).toBe(await price());
  });

  test("the client's timeout applies when the call gives none", async () => {
    const timeouts = new HeldTimeouts();
    harness.tamper = stallBodies(1, () => timeouts.fire());
    const error = await timeouts.install(harness.client({ maxRetries: 0, timeout: 120 })).calls.call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(timeouts.fired).toEqual([120]);
  });

  test('within the retry budget a stalled body is fetched again with the same key (replayed, charged once)', async () => {
    const timeouts = new HeldTimeouts();
    harness.tamper = stallBodies(1, () => timeouts.fire());
    const client = skipRetryWaits(timeouts.install(harness.client({ maxRetries: 1 })));
    const result = await client.calls.call('echo', '/echo', { idempotencyKey: 'stalled-2', timeout: 150 });
    expect(timeouts.fired).toEqual([150]);
    expect(result.replayed).toBe(true);
    expect(result.body).toMatchObject({ method: 'GET', path: '/echo' });
    expect(harness.proxyCalls()).toHaveLength(2);
    expect(netCharged(harness.mock, { idempotencyKey: 'stalled-2' })).toBe(await price());
  });

  test("the caller's signal still aborts a stalled body read", async () => {
    const controller = new AbortController();
    harness.tamper = stallBodies(1, () => controller.abort());
    const timeouts = new HeldTimeouts();
    const pending = timeouts.install(harness.client({ maxRetries: 0 })).calls.call('echo', '/echo', { signal: controller.signal, timeout: 60_000 });
    await expect(pending).rejects.toBeInstanceOf(UserAbortError);
    expect(timeouts.fired).toEqual([]);
  });
});
