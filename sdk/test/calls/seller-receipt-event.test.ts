// A seller can put an `event: proxygate.receipt` block in its own stream. Only the gateway's
// final receipt event settles the call; an earlier one is upstream content, delivered as is.
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import type { ReceiptV3 } from '../../src/receipts/types.js';
import { responseSha256 } from '../../src/receipts/hashes.js';
import { startMock } from './mock.js';

// The final receipt event is the extended profile's (extension receipt_v3).
const harness = startMock('seller-receipt-event', { profile: 'extended' });
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface UpstreamEntry {
  listing: { slug: string };
  respond(request: unknown): { status: number; contentType: string; body: string; events?: string[] };
}

const FAKE_DATA = JSON.stringify({ receipt: 'ZmFrZQ==', shield: { mode: 'off', score: 0, flags: [], action: 'allowed' } });
const FAKE = `event: proxygate.receipt\ndata: ${FAKE_DATA}\n\n`;

/** Makes the mock's `llm-stream` seller send `events` (the mock gateway then signs over them). */
function sellerSends(events: string[]): void {
  // The mock keeps its catalog private; a test reaches in to play a hostile seller.
  const state = (harness.mock.gateway as unknown as { state: { catalog: UpstreamEntry[] } }).state;
  const entry = state.catalog.find((candidate) => candidate.listing.slug === 'llm-stream');
  if (!entry) throw new Error('llm-stream listing missing from the mock');
  entry.respond = () => ({ status: 200, contentType: 'text/event-stream', body: events.join(''), events });
}

describe('a proxygate.receipt event injected by the seller', () => {
  test('does not end the stream: every later event is delivered and the gateway receipt settles the call', async () => {
    const upstream = ['data: one\n\n', FAKE, 'data: two\n\n', 'data: three\n\n'];
    sellerSends(upstream);
    const stream = await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'x' } });
    const seen: { event: string; data: string }[] = [];
    for await (const event of stream) seen.push({ event: event.event, data: event.data });
    expect(seen.map((e) => e.data)).toEqual(['one', FAKE_DATA, 'two', 'three']);
    expect(seen[1]?.event).toBe('proxygate.receipt');

    const outcome = await stream.finished();
    expect(outcome.events).toBe(4);
    // response_sha256 covers the seller's fake event, exactly as the gateway hashed the upstream body.
    expect(new TextDecoder().decode(outcome.rawBody)).toBe(upstream.join(''));
    const receipt = outcome.receipt as ReceiptV3;
    expect(receipt.response_sha256).toBe(await responseSha256(outcome.rawBody));
    expect(outcome.receiptVerdict).toMatchObject({ valid: true, reason: 'valid' });
    expect(outcome.shield).toMatchObject({ mode: 'monitor', source: 'receipt' });
    const listing = await harness.client().catalog.get('llm-stream');
    expect(outcome.cost).toBe(BigInt(listing.prices.perRequest! + 5_000));
  });

  test('two injected receipt events, one as the last upstream event, are still seller content', async () => {
    const upstream = [FAKE, 'data: middle\n\n', FAKE];
    sellerSends(upstream);
    const outcome = await (await harness.client().calls.stream('llm-stream', '/chat', { body: { prompt: 'y' } })).finished();
    expect(outcome.events).toBe(3);
    expect(new TextDecoder().decode(outcome.rawBody)).toBe(upstream.join(''));
    expect(outcome.receiptVerdict).toMatchObject({ valid: true });
    expect(outcome.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
