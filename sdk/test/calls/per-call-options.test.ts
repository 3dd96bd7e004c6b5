// openai-node parity for paid calls against the mock gateway in both profiles: `call` returns a
// promise with `.asResponse()` (raw Response, exact upstream bytes) and `.withResponse()`, both
// resolved only after the receipt was settled and heard by `onReceipt`; per-call `headers` and
// `fetchOptions` reach fetch, and the headers and fetch fields the SDK sets itself are refused
// before anything is sent (the catalog lookup included).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { InvalidRequestError, ProxygateError, ValidationError } from '../../src/core/error.js';
import { responseSha256 } from '../../src/receipts/hashes.js';
import type { Fetch } from '../../src/index.js';
import type { ReceiptEvent } from '../../src/resources/calls/index.js';
import { netCharged, PROFILES, startMock } from './mock.js';

describe.each(PROFILES)('paid call per-call options against the %s profile', (profile) => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock(`per-call-${profile}`, { profile });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  /** A client whose fetch records each request's init, as fetch got it. */
  function recordingClient(options: Parameters<typeof harness.client>[0] = {}) {
    const sent: { url: URL; init: RequestInit | undefined }[] = [];
    const fetch: Fetch = (input, init) => {
      sent.push({ url: new URL(String(input)), init });
      return globalThis.fetch(input, init);
    };
    return { pg: harness.client({ fetch, ...options }), sent, proxied: () => sent.filter((s) => s.url.pathname.startsWith('/proxy/')) };
  }

  describe('asResponse() and withResponse()', () => {
    test('asResponse() gives the raw Response with its exact bytes, after the receipt was settled and heard', async () => {
      const events: ReceiptEvent[] = [];
      const pg = harness.client({ onReceipt: (event) => void events.push(event) });
      const response = await pg.call('echo', '/echo', { query: { n: '7' } }).asResponse();
      // The hook heard the receipt before the raw view resolved: it is never skipped.
      expect(events).toHaveLength(1);
      expect(events[0]!.verdict.valid).toBe(true);
      expect(response).toBeInstanceOf(Response);
      expect(response.status).toBe(200);
      expect(response.bodyUsed).toBe(false);
      const header = response.headers.get('x-proxygate-receipt') ?? response.headers.get('x-receipt');
      expect(header).toBe(events[0]!.rawReceipt);
      const body = (await response.json()) as { path: string; query: Record<string, string> };
      expect(body.query['n']).toBe('7');
      // One send, charged once for the receipt the hook heard.
      expect(harness.proxyCalls()).toHaveLength(1);
      expect(netCharged(harness.mock, { requestId: events[0]!.receipt!.request_id })).toBeGreaterThan(0);
    });

    test('the raw bytes are the ones the receipt was checked against', async () => {
      const events: ReceiptEvent[] = [];
      const pg = harness.client({ onReceipt: (event) => void events.push(event) });
      const result = await pg.call('echo', '/echo', { query: { same: 'bytes' } });
      const raw = new Uint8Array(await (await pg.call('echo', '/echo', { query: { same: 'bytes' } }).asResponse()).arrayBuffer());
      // The echo answer is the same for the same request: the raw view hands over what the awaited call parsed.
      expect(raw).toEqual(result.rawBody);
      const signed = events[1]!.receipt;
      if (profile === 'extended') expect(signed?.receipt_version).toBe(3);
      if (signed?.receipt_version === 3) expect(signed.response_sha256).toBe(await responseSha256(raw));
      expect(events[1]!.verdict.valid).toBe(true);
    });

    test('a charged error status rejects asResponse() with the typed error, its receipt attached and heard', async () => {
      const events: ReceiptEvent[] = [];
      const pg = harness.client({ onReceipt: (event) => void events.push(event) });
      const error = (await pg.call('translate-text', '/translate', { body: { text: '' } }).asResponse().catch((e: unknown) => e)) as ProxygateError & { rawReceipt: string };
      expect(error).toBeInstanceOf(ProxygateError);
      expect(error.rawReceipt).toBeTruthy();
      expect(events.map((event) => [event.rawReceipt, event.call.outcome])).toEqual([[error.rawReceipt, 'failed']]);
    });

    test('withResponse() gives the settled result with the Response, status, headers and request id', async () => {
      const pg = harness.client();
      const { data, response, status, headers, requestId } = await pg.call('echo', '/echo').withResponse();
      expect(harness.proxyCalls()).toHaveLength(1);
      expect(data.receiptVerdict?.valid).toBe(true);
      expect(data.cost).toBeGreaterThan(0n);
      expect(status).toBe(data.status);
      expect(response.status).toBe(200);
      expect(headers).toBe(data.headers);
      expect(requestId).toBe(data.requestId);
      expect(requestId).toBeTruthy();
    });

    test('a body that fails the schema still resolves asResponse(); awaiting rejects with ValidationError', async () => {
      const schema = z.object({ method: z.literal('POST') });
      const pg = harness.client();
      await expect(pg.call('echo', '/echo', { schema })).rejects.toBeInstanceOf(ValidationError);
      const raw = await pg.call('echo', '/echo', { schema }).asResponse();
      expect(raw.status).toBe(200);
      expect(((await raw.json()) as { method: string }).method).toBe('GET');
    });

    test('a call refused locally rejects asResponse() with the same error, nothing sent', async () => {
      const { pg, sent } = recordingClient();
      await expect(pg.call('echo', '/echo', { shield: 'loud' as 'off' }).asResponse()).rejects.toBeInstanceOf(InvalidRequestError);
      expect(sent).toHaveLength(0);
    });
  });

  describe('per-call headers and fetchOptions', () => {
    test('headers are sent with the paid call, over defaultHeaders', async () => {
      const pg = harness.client({ defaultHeaders: { 'x-app': 'default', 'x-other': 'kept' } });
      await pg.call('echo', '/echo', { headers: { 'X-App': 'per-call' } });
      const [sent] = harness.proxyCalls();
      expect(sent!.headers.get('x-app')).toBe('per-call');
      expect(sent!.headers.get('x-other')).toBe('kept');
      expect(sent!.headers.get('authorization')).toBe(`Bearer ${harness.mock.demoTokens.trader}`);
    });

    test.each(['Authorization', 'idempotency-key', 'X-Proxygate-Shield'])('headers.%s is refused before anything is sent (call and stream)', async (name) => {
      const { pg, sent } = recordingClient();
      for (const attempt of [() => pg.call('echo', '/echo', { headers: { [name]: 'x' } }), () => pg.calls.stream('llm-stream', '/chat', { body: { prompt: 'x' }, headers: { [name]: 'x' } })]) {
        const err = await Promise.resolve(attempt()).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidRequestError);
        expect((err as InvalidRequestError).argument).toBe(`headers.${name.toLowerCase()}`);
      }
      expect(sent).toHaveLength(0);
    });

    test('an undefined header value is as if not given, for the SDK\'s own headers and framing ones too', async () => {
      const pg = harness.client();
      const result = await pg.call('echo', '/echo', {
        headers: { Authorization: undefined, 'idempotency-key': undefined, 'X-Proxygate-Shield': undefined, 'content-length': undefined, 'x-app': 'kept' },
      });
      expect(result.status).toBe(200);
      const [sent] = harness.proxyCalls();
      expect(sent!.headers.get('authorization')).toBe(`Bearer ${harness.mock.demoTokens.trader}`);
      expect(sent!.headers.get('x-app')).toBe('kept');
    });

    test('a null value for a header the SDK sets is still refused (it would remove the SDK\'s own)', async () => {
      const { pg, sent } = recordingClient();
      const err = await pg.call('echo', '/echo', { headers: { Authorization: null } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as InvalidRequestError).argument).toBe('headers.authorization');
      expect(sent).toHaveLength(0);
    });

    test('fetchOptions reach fetch on the paid request, the call\'s over the client\'s; the SDK\'s own fields win', async () => {
      const { pg, proxied } = recordingClient({ fetchOptions: { cache: 'no-store', keepalive: false } });
      await pg.call('echo', '/echo', { fetchOptions: { keepalive: true, priority: 'high' } });
      const init = proxied()[0]!.init!;
      expect(init.cache).toBe('no-store');
      expect(init.keepalive).toBe(true);
      expect(init.priority).toBe('high');
      expect(init.method).toBe('GET');
      expect(init.redirect).toBe('manual');
    });

    test('fetchOptions reach fetch on a stream too', async () => {
      const { pg, proxied } = recordingClient();
      const stream = await pg.calls.stream('llm-stream', '/chat', { body: { prompt: 'x' }, fetchOptions: { priority: 'low' } });
      for await (const event of stream) void event;
      await stream.finished();
      expect(proxied()[0]!.init!.priority).toBe('low');
    });

    test.each(['method', 'body', 'headers', 'signal', 'redirect'])('fetchOptions.%s is refused before anything is sent', async (field) => {
      const { pg, sent } = recordingClient();
      const err = await pg.call('echo', '/echo', { fetchOptions: { [field]: 'x' } }).asResponse().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as InvalidRequestError).argument).toBe(`fetchOptions.${field}`);
      expect(sent).toHaveLength(0);
    });
  });
});
