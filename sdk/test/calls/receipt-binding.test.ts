// client.call binds the signed receipt to the call it made: buyer (when the token id is known)
// and the caller's maxCost. A mismatch is reported on the result; the charged answer is kept.
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import type { ReceiptV3 } from '../../src/receipts/types.js';
import { startMock } from './mock.js';

// v3 receipts (the extended profile) are the ones that name the call.
const harness = startMock('receipt-binding', { profile: 'extended' });
afterAll(() => harness.close());
beforeEach(() => harness.reset());

describe('receipt binding in client.call', () => {
  test('a gateway charging more than maxCost (stale price) is reported as an overcharge; the response is returned', async () => {
    const client = harness.client();
    const listing = await client.calls.resolveListing('echo');
    // A listing fetched before a price rise: the local maxCost check passes, the gateway charges more.
    const stale = { ...listing, prices: { ...listing.prices, perRequest: 1 } };
    const result = await client.calls.call(stale, '/echo', { query: { q: 'hi' }, maxCost: 10, shield: 'off' });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ method: 'GET', query: { q: 'hi' } });
    expect(result.cost).toBe(BigInt(listing.prices.perRequest!));
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'amount' });
    expect(result.receiptVerdict?.message).toMatch(/overcharge/i);
  });

  test('the receipt buyer is checked against the token id the client knows', async () => {
    const client = harness.client();
    expect(client.knownTokenId).toBeUndefined();
    const self = await client.tokens.self();
    expect(client.knownTokenId).toBe(self.id);
    expect(client.withOptions({ maxRetries: 0 }).knownTokenId).toBe(self.id);
    expect(client.withOptions({ apiKey: 'pg_live_another' }).knownTokenId).toBeUndefined();
    const ok = await client.calls.call('echo', '/echo');
    expect((ok.receipt as ReceiptV3).buyer).toBe(self.id);
    expect(ok.receiptVerdict).toMatchObject({ valid: true });

    // The client believes it holds another token: a receipt charged to a different buyer is flagged.
    Object.defineProperty(client, 'knownTokenId', { value: 'tok_not_this_one', configurable: true });
    const flagged = await client.calls.call('echo', '/echo');
    expect(flagged.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'buyer' });
    expect(flagged.status).toBe(200);
  });

  test('a scan downgraded on the way (strict asked, off applied) is a shield.mode mismatch', async () => {
    // A proxy between client and gateway rewrites the shield header: the gateway signs what it applied.
    const downgrading: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (headers.get('x-proxygate-shield') === 'strict') headers.set('x-proxygate-shield', 'off');
      return globalThis.fetch(input, { ...init, headers });
    };
    const result = await harness.client({ fetch: downgrading }).calls.call('echo', '/echo', { shield: 'strict' });
    expect(result.status).toBe(200);
    expect((result.receipt as ReceiptV3).shield.mode).toBe('off');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'shield.mode' });
    const honest = await harness.client().calls.call('echo', '/echo', { shield: 'strict' });
    expect(honest.receiptVerdict).toMatchObject({ valid: true });
  });

  test('streams check the receipt listing, service and buyer too', async () => {
    const client = harness.client();
    Object.defineProperty(client, 'knownTokenId', { value: 'tok_not_this_one', configurable: true });
    const outcome = await (await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'x' } })).finished();
    expect(outcome.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'buyer' });
  });
});
