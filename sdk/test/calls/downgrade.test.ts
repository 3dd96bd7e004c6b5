// Receipt downgrade and the buyer of v1/v2 receipts. A v1/v2 receipt binds neither the request
// nor the response, so a hostile intermediary (a proxy, an MCP server) can pair a genuine one with
// a body of its choosing. Once the gateway signed a v3 receipt for a token (or advertises
// `receipt_v3`), a weaker receipt for that token is refused as a `downgrade`; and a v1/v2
// receipt must name the wallet the client knows (`GET /v1/me`, or the `buyerWallet` option).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startMock } from './mock.js';

/** The receipt header of a response swapped for `raw` (and, optionally, the body for `body`). */
function swapReceipt(raw: string, body?: string) {
  return async (response: Response, request: { url: URL }): Promise<Response> => {
    if (!request.url.pathname.startsWith('/proxy/')) return response;
    const headers = new Headers(response.headers);
    headers.set('x-proxygate-receipt', raw);
    return new Response(body ?? (await response.arrayBuffer()), { status: response.status, headers });
  };
}

/** The final `proxygate.receipt` event of an SSE answer carrying `raw` instead. */
function swapEventReceipt(raw: string) {
  return async (response: Response, request: { url: URL }): Promise<Response> => {
    if (!request.url.pathname.startsWith('/proxy/')) return response;
    const text = await response.text();
    const swapped = text.replace(/("receipt":")[^"]+(")/, `$1${raw}$2`);
    expect(swapped).not.toBe(text);
    return new Response(swapped, { status: response.status, headers: response.headers });
  };
}

describe('downgrade (extended profile: the gateway advertises receipt_v3)', () => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('downgrade-extended', { profile: 'extended' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  /** A genuine v1 receipt of the same wallet (the traderV1 key is on the demo account too). */
  async function genuineV1(): Promise<string> {
    const legacy = await harness.client({ apiKey: harness.mock.demoTokens.traderV1, allowLegacyReceipts: true }).call('echo', '/echo');
    expect(legacy.receipt?.receipt_version ?? 1).toBe(1);
    expect(legacy.receiptVerdict).toMatchObject({ valid: true });
    return legacy.rawReceipt!;
  }

  test('a v1/v2 receipt from a gateway advertising receipt_v3 is a downgrade (call and stream)', async () => {
    for (const token of ['traderV1', 'traderV2'] as const) {
      const client = harness.client({ apiKey: harness.mock.demoTokens[token] });
      const result = await client.call('echo', '/echo');
      expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'downgrade', field: 'receipt_version' });
      expect(result.body).toMatchObject({ method: 'GET' }); // the answer is still returned
      const stream = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'x' } });
      expect((await stream.finished()).receiptVerdict).toMatchObject({ valid: false, reason: 'downgrade' });
    }
  });

  test('once a token got a v3 receipt, a genuine v1 receipt with a replaced body is a downgrade even where receipt_v3 is not advertised', async () => {
    const v1 = await genuineV1();
    // The intermediary also hides the advertisement: only what the client saw itself protects it.
    const client = harness.client({ extensions: ['idempotency'] });
    const first = await client.call('echo', '/echo');
    expect(first.receipt?.receipt_version).toBe(3);
    expect(first.receiptVerdict).toMatchObject({ valid: true });

    harness.tamper = swapReceipt(v1, JSON.stringify({ method: 'GET', path: '/echo', query: {}, body: 'forged' }));
    const forged = await client.call('echo', '/echo');
    expect(forged.receiptVerdict).toMatchObject({ valid: false, reason: 'downgrade' });

    // The same forgery against a client that never saw a v3 receipt for its token verifies: v1 binds nothing.
    const fresh = await harness.client({ extensions: ['idempotency'] }).call('echo', '/echo');
    expect(fresh.receiptVerdict).toMatchObject({ valid: true });
  });

  test('streams: a final receipt event carrying a genuine v1 receipt is a downgrade after a v3 receipt', async () => {
    const v1 = await genuineV1();
    const client = harness.client({ extensions: ['idempotency'] });
    await client.call('echo', '/echo');
    harness.tamper = swapEventReceipt(v1);
    const stream = await client.calls.stream('llm-stream', '/chat', { body: { prompt: 'x' } });
    expect((await stream.finished()).receiptVerdict).toMatchObject({ valid: false, reason: 'downgrade' });
  });

  test('the memory is per token: another key of the same client (rotating apiKey) is judged on its own', async () => {
    const tokens = [harness.mock.demoTokens.trader, harness.mock.demoTokens.traderV1];
    let next = 0;
    const client = harness.client({ extensions: ['idempotency'], apiKey: () => tokens[next]! });
    expect((await client.call('echo', '/echo')).receiptVerdict).toMatchObject({ valid: true });
    next = 1;
    const legacy = await client.call('echo', '/echo');
    expect(legacy.receipt?.receipt_version ?? 1).toBe(1);
    expect(legacy.receiptVerdict).toMatchObject({ valid: true });
  });

  test('allowLegacyReceipts accepts a token kept on v1, but still checks its buyer wallet', async () => {
    const client = harness.client({ apiKey: harness.mock.demoTokens.traderV1, allowLegacyReceipts: true, buyerWallet: '11111111111111111111111111111111' });
    const result = await client.call('echo', '/echo');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'buyer' });
  });

  test('a refused downgrade on a strict block: the error carries the verdict and the refund stays unverified', async () => {
    const client = harness.client({ apiKey: harness.mock.demoTokens.traderV1 });
    const error = (await client.call('product-reviews', '/reviews', { shield: 'strict' }).catch((e: unknown) => e)) as {
      refundReceiptVerdict: { reason: string } | null;
      refunded: { value: boolean; verified: boolean };
    };
    expect(error.refundReceiptVerdict).toMatchObject({ valid: false, reason: 'downgrade' });
    expect(error.refunded).toEqual({ value: true, verified: false });
  });
});

describe('the buyer of v1 receipts (public profile)', () => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('downgrade-public', { profile: 'public' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  const meReads = () => harness.seen.filter((call) => call.url.pathname === '/v1/me').length;

  /** A genuine v1 receipt of another wallet: the broke account's free call (shield off costs nothing). */
  async function otherWalletsReceipt(): Promise<string> {
    const other = await harness.client({ apiKey: harness.mock.demoTokens.broke }).call('weather-alerts', '/alerts', { shield: 'off' });
    expect(other.receiptVerdict).toMatchObject({ valid: true });
    return other.rawReceipt!;
  }

  test("another wallet's genuine receipt is a buyer mismatch; the wallet is read from /v1/me once per client", async () => {
    const stolen = await otherWalletsReceipt();
    harness.seen.length = 0;
    const client = harness.client();
    const own = await client.call('weather-alerts', '/alerts', { shield: 'off' });
    expect(own.receiptVerdict).toMatchObject({ valid: true });
    harness.tamper = swapReceipt(stolen);
    const forged = await client.call('weather-alerts', '/alerts', { shield: 'off' });
    expect(forged.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'buyer' });
    harness.tamper = undefined;
    await client.call('echo', '/echo');
    const me = (await client.account.me()).wallet;
    expect(own.receipt?.buyer).toBe(me);
    // Three paid calls, one lookup (the account.me() above is the test's own).
    expect(meReads()).toBe(2);
  });

  test('the buyerWallet option replaces the lookup', async () => {
    const stolen = await otherWalletsReceipt();
    harness.seen.length = 0;
    const wallet = (await harness.client().account.me()).wallet;
    const client = harness.client({ buyerWallet: wallet });
    expect((await client.call('echo', '/echo')).receiptVerdict).toMatchObject({ valid: true });
    harness.tamper = swapReceipt(stolen);
    expect((await client.call('weather-alerts', '/alerts', { shield: 'off' })).receiptVerdict).toMatchObject({ reason: 'content_mismatch', field: 'buyer' });
    expect(meReads()).toBe(1);
  });

  test('a public gateway (no receipt_v3 advertised) is no downgrade for v1 receipts', async () => {
    const result = await harness.client().call('echo', '/echo');
    expect(result.receipt?.receipt_version ?? 1).toBe(1);
    expect(result.receiptVerdict).toMatchObject({ valid: true });
  });
});
