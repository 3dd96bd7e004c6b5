import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ConnectionError, PaidCallOutcomeUnknownError, UserAbortError } from '../../src/core/error.js';
import { MaxCostExceededError } from '../../src/resources/calls/index.js';
import { responseSha256 } from '../../src/receipts/hashes.js';
import type { ReceiptV3 } from '../../src/receipts/types.js';
import { netCharged, startMock } from './mock.js';

let harness: ReturnType<typeof startMock>;
const SURCHARGE = 5_000;
/** What one call of `ref` costs, from the catalog (buyer price, plus the surcharge unless the shield is off). */
const price = async (ref: string, shieldOff = false) => (await harness.client().catalog.get(ref)).prices.perRequest! + (shieldOff ? 0 : SURCHARGE);
const proxyPulls = () => harness.pulls.filter((path) => path.startsWith('/proxy/')).length;

function delta(data: string): string {
  if (data === '[DONE]') return '';
  return (JSON.parse(data) as { delta: string }).delta;
}

describe('client.calls.stream (extended profile: v3 receipts in a final event, replay by key)', () => {
  beforeAll(() => {
    harness = startMock('stream-tests', { profile: 'extended' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  test('yields the upstream events; the verified receipt and verdict come when the stream ends', async () => {
    const client = harness.client();
    const stream = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'ping' } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);

    const events: string[] = [];
    for await (const event of stream) {
      expect(event.event).toBe('message'); // the proxygate.receipt event is consumed by the SDK
      events.push(event.data);
    }
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.map(delta).join('')).toBe('Hello, I am a mock model. You said: ping');

    const outcome = await stream.finished();
    expect(outcome.events).toBe(events.length);
    expect(outcome.receiptVerdict).toMatchObject({ valid: true, reason: 'valid' });
    const receipt = outcome.receipt as ReceiptV3;
    expect(receipt.response_sha256).toBe(await responseSha256(outcome.rawBody));
    expect(new TextDecoder().decode(outcome.rawBody)).not.toContain('proxygate.receipt');
    expect(outcome.cost).toBe(BigInt(await price('llm-stream')));
    expect(outcome.rawReceipt).toBeTruthy();
    expect(outcome.requestId).toBe(receipt.request_id);
    expect(outcome.shield).toMatchObject({ mode: 'monitor', action: 'allowed', source: 'receipt' });
    expect(netCharged(harness.mock, { idempotencyKey: stream.idempotencyKey! })).toBe(await price('llm-stream'));
  });

  test('events are pulled from the network only as the consumer asks (backpressure)', async () => {
    // The whole answer is at hand before the SDK reads (the mock's chunks, served again from
    // memory): a read-ahead would then take everything within promise jobs, which one turn of
    // the event loop runs. No clock decides what "by now" means.
    harness.tamper = async (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/') || !response.body) return response;
      const chunks: Uint8Array[] = [];
      const reader = response.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'slow reader' } });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const pullsAfterOne = proxyPulls();
    await new Promise((resolve) => setImmediate(resolve)); // every promise job queued so far has run
    expect(proxyPulls()).toBe(pullsAfterOne);
    expect(pullsAfterOne).toBeLessThanOrEqual(4); // of ~14 chunks: a read-ahead of one or two at most
    let rest = 0;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest++;
    expect(rest).toBeGreaterThan(5);
    expect(proxyPulls()).toBeGreaterThan(pullsAfterOne + 5);
  });

  test('finished() drains a stream nobody iterates', async () => {
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'x' }, shield: 'off' });
    const outcome = await stream.finished();
    expect(outcome.events).toBeGreaterThan(5);
    expect(outcome.cost).toBe(BigInt(await price('llm-stream', true)));
    expect(outcome.receiptVerdict?.valid).toBe(true);
  });

  test('aborting mid-stream cancels the upstream read and ends iteration with UserAbortError', async () => {
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'stop me' } });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of stream) {
        seen.push(event.data);
        if (seen.length === 2) stream.abort();
      }
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UserAbortError);
    expect(seen).toHaveLength(2);
    expect(harness.cancelled).toContain('/proxy/llm/chat');
    await expect(stream.finished()).rejects.toBeInstanceOf(UserAbortError);
  });

  test("the caller's signal aborts the stream too, and breaking out of the loop cancels the read", async () => {
    const controller = new AbortController();
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'a' }, signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await expect(iterator.next()).rejects.toBeInstanceOf(UserAbortError);
    expect(harness.cancelled).toContain('/proxy/llm/chat');

    harness.cancelled.length = 0;
    const second = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'b' } });
    for await (const _event of second) break;
    expect(harness.cancelled).toContain('/proxy/llm/chat');
  });

  test('maxCost refuses a stream before sending', async () => {
    const maxCost = (await price('llm-stream')) - 1;
    const error = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'x' }, maxCost }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxCostExceededError);
    expect(harness.proxyCalls()).toHaveLength(0);
  });

  test('the same key replays the stored stream with the same receipt and no new charge', async () => {
    const client = harness.client();
    const first = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'r' }, idempotencyKey: 'stream-1' });
    const firstOutcome = await first.finished();
    const second = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'r' }, idempotencyKey: 'stream-1' });
    const secondOutcome = await second.finished();
    expect(first.replayed).toBe(false);
    expect(second.replayed).toBe(true);
    expect(secondOutcome.requestId).toBe(firstOutcome.requestId);
    expect(secondOutcome.receiptVerdict?.valid).toBe(true);
    expect(netCharged(harness.mock, { idempotencyKey: 'stream-1' })).toBe(await price('llm-stream'));
  });

  test('finished() after breaking out of the loop rejects instead of hanging', async () => {
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'x' } });
    for await (const _event of stream) break;
    await expect(stream.finished()).rejects.toBeInstanceOf(UserAbortError);
  });

  test('a connection cut mid-stream is a ConnectionError naming the key; calling again replays it free', async () => {
    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/' });
    const client = harness.client();
    const stream = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'cut' } });
    const failure = await stream.finished().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).action).toContain(stream.idempotencyKey!);
    const again = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'cut' }, idempotencyKey: stream.idempotencyKey! });
    const outcome = await again.finished();
    expect(again.replayed).toBe(true);
    expect(outcome.receiptVerdict?.valid).toBe(true);
    expect(netCharged(harness.mock, { idempotencyKey: stream.idempotencyKey! })).toBe(await price('llm-stream'));
  });

  test('a listing that answers JSON to a stream call yields no events and settles the header receipt over the whole body', async () => {
    const client = harness.client();
    const stream = await client.calls.stream('echo', '/echo', { query: { s: '1' } });
    const outcome = await stream.finished();
    expect(outcome.events).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(outcome.rawBody))).toMatchObject({ method: 'GET', query: { s: '1' } });
    expect(outcome.receiptVerdict).toMatchObject({ valid: true });
    expect(outcome.cost).toBe(BigInt(await price('echo')));
  });

  test('a stream can be iterated once', async () => {
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'x' } });
    await stream.finished();
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/once/);
  });

  test('a receipt event whose shield disagrees with the signed receipt is content_mismatch', async () => {
    harness.tamper = (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/') || !response.body) return response;
      // Rewrite the claimed verdict inside the final event, as a hostile proxy could.
      const rewrite = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const text = new TextDecoder().decode(chunk);
          const spoofed = text.includes('proxygate.receipt') ? text.replace('"mode":"monitor"', '"mode":"off"') : text;
          controller.enqueue(new TextEncoder().encode(spoofed));
        },
      });
      return new Response(response.body.pipeThrough(rewrite), { status: response.status, headers: response.headers });
    };
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'x' } });
    const outcome = await stream.finished();
    expect(outcome.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'shield' });
    expect(outcome.shield).toMatchObject({ mode: 'monitor', source: 'receipt' });
  });
});

describe('client.calls.stream (public profile: the receipt in the header, no replay)', () => {
  beforeAll(() => {
    harness = startMock('stream-tests-public', { profile: 'public' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  test('yields the upstream events; the header receipt verifies and gives the cost', async () => {
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'ping' } });
    expect(stream.idempotencyKey).toBeNull();
    const events: string[] = [];
    for await (const event of stream) events.push(event.data);
    expect(events.at(-1)).toBe('[DONE]');
    const outcome = await stream.finished();
    expect(outcome.rawReceipt).toBe(stream.headers.get('x-proxygate-receipt'));
    expect(outcome.receiptVerdict).toMatchObject({ valid: true });
    expect(outcome.cost).toBe(BigInt(await price('llm-stream')));
    expect(netCharged(harness.mock, { requestId: outcome.requestId! })).toBe(Number(outcome.cost));
  });

  test('a stream cut mid-way is not sent again: PaidCallOutcomeUnknownError, with the receipt that came', async () => {
    harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/' });
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'cut' } });
    const failure = await stream.finished().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect((failure as PaidCallOutcomeUnknownError).request).toMatchObject({ method: 'POST', service: 'llm', idempotencyKey: null });
    expect((failure as { rawReceipt?: string }).rawReceipt).toBe(stream.headers.get('x-proxygate-receipt'));
    expect(harness.proxyCalls()).toHaveLength(1);
    const listing = await harness.client().catalog.get('llm-stream');
    expect(netCharged(harness.mock, { listingId: listing.listing_id })).toBe(await price('llm-stream'));
  });
});
