import { describe, expect, test } from 'vitest';
import { ConnectionError, InternalServerError, Proxygate, RateLimitError, TimeoutError, UserAbortError } from '@proxygate-kit/sdk';
import { client, connectionError, fakeFetch, hang, json } from './helpers.js';

const ok = () => json(200, { balance_micro_cents: 5, currency: 'USD' });

describe('retries', () => {
  test('retries a connection error on GET, then succeeds, sending X-Retry-Count per attempt', async () => {
    const { fetch, seen } = fakeFetch(connectionError(), connectionError(), ok());
    const pg = client(fetch);
    const res = await pg.request({ method: 'GET', path: '/v1/balance' });
    expect(res.data).toEqual({ balance_micro_cents: 5, currency: 'USD' });
    expect(seen.map((r) => r.headers.get('x-retry-count'))).toEqual(['0', '1', '2']);
    expect(pg.delays).toHaveLength(2);
  });

  test('backoff grows 0.5 s * 2^n with at most 25% jitter', async () => {
    const { fetch } = fakeFetch(json(500, { error: 'internal_error', message: 'x' }));
    const pg = client(fetch, { maxRetries: 5 });
    await expect(pg.request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(InternalServerError);
    const bases = [500, 1000, 2000, 4000, 8000];
    expect(pg.delays).toHaveLength(5);
    pg.delays.forEach((d, i) => {
      expect(d).toBeLessThanOrEqual(bases[i]!);
      expect(d).toBeGreaterThanOrEqual(bases[i]! * 0.75);
    });
  });

  test('backoff is capped at 8 s', async () => {
    const { fetch } = fakeFetch(json(503, { error: 'service_unavailable', message: 'x' }));
    const pg = client(fetch, { maxRetries: 8 });
    await expect(pg.request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(InternalServerError);
    expect(Math.max(...pg.delays)).toBeLessThanOrEqual(8000);
    expect(pg.delays.at(-1)!).toBeGreaterThanOrEqual(6000);
  });

  test('gives up after maxRetries and surfaces the last 5xx', async () => {
    const { fetch, seen } = fakeFetch(json(502, { error: 'upstream_error', message: 'bad gateway', trace_id: 'tr_1' }));
    const pg = client(fetch, { maxRetries: 2 });
    const err = await pg.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as InternalServerError).status).toBe(502);
    expect((err as InternalServerError).traceId).toBe('tr_1');
    expect(seen).toHaveLength(3);
  });

  test('maxRetries 0 sends exactly once', async () => {
    const { fetch, seen } = fakeFetch(json(500, { error: 'internal_error', message: 'x' }));
    await expect(client(fetch, { maxRetries: 0 }).request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(InternalServerError);
    expect(seen).toHaveLength(1);
  });

  test('per-request maxRetries overrides the client', async () => {
    const { fetch, seen } = fakeFetch(json(500, { error: 'internal_error', message: 'x' }));
    await expect(client(fetch, { maxRetries: 0 }).request({ method: 'GET', path: '/x', maxRetries: 3 })).rejects.toThrow();
    expect(seen).toHaveLength(4);
  });

  test('429 Retry-After in seconds is honoured', async () => {
    const { fetch } = fakeFetch(json(429, { error: 'rate_limit_exceeded', message: 'slow down' }, { 'retry-after': '7' }), ok());
    const pg = client(fetch);
    await pg.request({ method: 'GET', path: '/v1/balance' });
    expect(pg.delays).toEqual([7000]);
  });

  test('429 Retry-After as an HTTP date is honoured', async () => {
    const when = new Date(Date.now() + 30_000).toUTCString();
    const { fetch } = fakeFetch(json(429, { error: 'rate_limit_exceeded', message: 'x' }, { 'retry-after': when }), ok());
    const pg = client(fetch);
    await pg.request({ method: 'GET', path: '/v1/balance' });
    expect(pg.delays[0]!).toBeGreaterThan(27_000);
    expect(pg.delays[0]!).toBeLessThanOrEqual(30_000);
  });

  test('retry-after-ms wins over Retry-After; a wait of exactly 60 s is still honoured', async () => {
    const { fetch } = fakeFetch(
      json(429, { error: 'rate_limit_exceeded', message: 'x' }, { 'retry-after-ms': '1234', 'retry-after': '9' }),
      json(503, { error: 'service_unavailable', message: 'x' }, { 'retry-after': '60' }),
      ok(),
    );
    const pg = client(fetch);
    await pg.request({ method: 'GET', path: '/v1/balance' });
    expect(pg.delays).toEqual([1234, 60_000]);
  });

  test('a server asking for more than 60 s fails fast with the full wait in retryAfterMs', async () => {
    const { fetch, seen } = fakeFetch(json(429, { error: 'daily_free_cap', message: 'x' }, { 'retry-after': '3600' }), ok());
    const pg = client(fetch);
    const err = await pg.request({ method: 'GET', path: '/v1/balance' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect(seen).toHaveLength(1);
    expect(pg.delays).toEqual([]);
  });

  test('a final 429 becomes RateLimitError carrying retryAfterMs', async () => {
    const { fetch } = fakeFetch(json(429, { error: 'daily_free_cap', message: 'cap' }, { 'retry-after': '12' }));
    const err = await client(fetch, { maxRetries: 0 }).request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(12_000);
    expect((err as RateLimitError).code).toBe('daily_free_cap');
  });

  test('x-should-retry: false stops a retryable status; true forces a non-retryable one', async () => {
    const a = fakeFetch(json(503, { error: 'service_unavailable', message: 'x' }, { 'x-should-retry': 'false' }));
    await expect(client(a.fetch).request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(InternalServerError);
    expect(a.seen).toHaveLength(1);

    const b = fakeFetch(json(400, { error: 'validation_error', message: 'x' }, { 'x-should-retry': 'true' }), ok());
    await client(b.fetch).request({ method: 'GET', path: '/x' });
    expect(b.seen).toHaveLength(2);
  });

  test('4xx other than 408/409/429 is not retried', async () => {
    const { fetch, seen } = fakeFetch(json(404, { error: 'not_found', message: 'x' }));
    await expect(client(fetch).request({ method: 'GET', path: '/x' })).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });

  test('408 and 409 are retried', async () => {
    const { fetch, seen } = fakeFetch(json(408, { error: 'timeout', message: 'x' }), json(409, { error: 'conflict', message: 'x' }), ok());
    await client(fetch).request({ method: 'GET', path: '/x' });
    expect(seen).toHaveLength(3);
  });

  test('final connection error becomes ConnectionError', async () => {
    const { fetch, seen } = fakeFetch(connectionError());
    const err = await client(fetch, { maxRetries: 1 }).request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect(seen).toHaveLength(2);
  });
});

describe('non-idempotent POST without a key', () => {
  test('is not retried after a 5xx or a mid-flight connection error', async () => {
    const a = fakeFetch(json(500, { error: 'internal_error', message: 'x' }), ok());
    await expect(client(a.fetch).request({ method: 'POST', path: '/v1/tokens', body: { scopes: [] } })).rejects.toBeInstanceOf(InternalServerError);
    expect(a.seen).toHaveLength(1);

    const b = fakeFetch(connectionError('ECONNRESET'), ok());
    await expect(client(b.fetch).request({ method: 'POST', path: '/v1/tokens', body: {} })).rejects.toBeInstanceOf(ConnectionError);
    expect(b.seen).toHaveLength(1);
  });

  test('is retried when the server provably did not process it (429, refused connection)', async () => {
    const { fetch, seen } = fakeFetch(json(429, { error: 'rate_limit_exceeded', message: 'x' }), connectionError('ECONNREFUSED'), ok());
    await client(fetch).request({ method: 'POST', path: '/v1/tokens', body: {} });
    expect(seen).toHaveLength(3);
  });

  test('sends no Idempotency-Key', async () => {
    const { fetch, seen } = fakeFetch(ok());
    await client(fetch).request({ method: 'POST', path: '/v1/rate', body: { a: 1 } });
    expect(seen[0]!.headers.has('idempotency-key')).toBe(false);
    expect(seen[0]!.body).toBe('{"a":1}');
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
  });
});

describe('idempotency keys', () => {
  test('one key per logical call, stable across attempts, new for the next call', async () => {
    const { fetch, seen } = fakeFetch(json(500, { error: 'internal_error', message: 'x' }), connectionError(), ok(), ok());
    // A gateway that replays paid calls by key (extension `idempotency`), declared up front.
    const pg = client(fetch, { extensions: ['idempotency'] });
    const res = await pg.request({ method: 'POST', path: '/proxy/svc/x', body: { q: 1 }, idempotent: true });
    const keys = seen.map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.idempotencyKey).toBe(keys[0]);
    await pg.request({ method: 'POST', path: '/proxy/svc/x', body: { q: 1 }, idempotent: true });
    expect(seen[3]!.headers.get('idempotency-key')).not.toBe(keys[0]);
  });

  test('is sent even with maxRetries 0, and a caller key is used verbatim', async () => {
    const { fetch, seen } = fakeFetch(ok());
    await client(fetch, { maxRetries: 0 }).request({ method: 'POST', path: '/p', idempotent: true });
    expect(seen[0]!.headers.get('idempotency-key')).toBeTruthy();
    await client(fetch, { maxRetries: 0 }).request({ method: 'POST', path: '/p', idempotencyKey: 'order-42' });
    expect(seen[1]!.headers.get('idempotency-key')).toBe('order-42');
  });

  test('an invalid caller key is refused before sending', async () => {
    const { fetch, seen } = fakeFetch(ok());
    await expect(client(fetch).request({ method: 'POST', path: '/p', idempotencyKey: 'a\nb' })).rejects.toThrow(/printable ASCII/);
    expect(seen).toHaveLength(0);
  });
});

// Timeouts are held by the test client and fired once the fetch double is stuck; aborts likewise
// happen once the request is in flight. No test here waits for a clock.
describe('aborts and timeouts', () => {
  test('a user abort is not retried and becomes UserAbortError', async () => {
    const controller = new AbortController();
    const { fetch, seen } = fakeFetch((req) => hang(req, () => controller.abort()));
    const err = await client(fetch).request({ method: 'GET', path: '/x', signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserAbortError);
    expect(seen).toHaveLength(1);
  });

  test('an already-aborted signal sends nothing', async () => {
    const { fetch, seen } = fakeFetch(ok());
    await expect(client(fetch).request({ method: 'GET', path: '/x', signal: AbortSignal.abort() })).rejects.toBeInstanceOf(UserAbortError);
    expect(seen).toHaveLength(0);
  });

  test('each attempt gets its own timeout; the last one becomes TimeoutError', async () => {
    const { fetch, seen } = fakeFetch((req) => hang(req, () => pg.timeouts.fire()));
    const pg = client(fetch, { timeout: 5, maxRetries: 1 });
    const err = await pg.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).code).toBe('timeout');
    expect(seen).toHaveLength(2);
    expect(pg.timeouts.fired).toEqual([5, 5]);
    expect(pg.timeouts.pending()).toEqual([]);
  });

  test('the per-attempt timeout also works alongside a caller signal', async () => {
    const controller = new AbortController();
    const { fetch } = fakeFetch((req) => hang(req, () => pg.timeouts.fire()));
    const pg = client(fetch, { maxRetries: 0 });
    const err = await pg.request({ method: 'GET', path: '/x', signal: controller.signal, timeout: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(pg.timeouts.fired).toEqual([5]);
    expect(controller.signal.aborted).toBe(false);
  });

  test('a timed-out non-idempotent POST is not retried', async () => {
    const { fetch, seen } = fakeFetch((req) => hang(req, () => pg.timeouts.fire()));
    const pg = client(fetch, { timeout: 5 });
    await expect(pg.request({ method: 'POST', path: '/v1/tokens', body: {} })).rejects.toBeInstanceOf(TimeoutError);
    expect(seen).toHaveLength(1);
    expect(pg.timeouts.fired).toEqual([5]);
  });

  test('an abort during the backoff wait stops the retries', async () => {
    const controller = new AbortController();
    const { fetch, seen } = fakeFetch(json(503, { error: 'service_unavailable', message: 'x' }, { 'retry-after': '30' }));
    let backoffStarted!: (ms: number) => void;
    const backoff = new Promise<number>((resolve) => (backoffStarted = resolve));
    // The real wait (30 s, from Retry-After): only the abort can end it in time.
    class WatchedClient extends Proxygate {
      protected override sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
        backoffStarted(ms);
        return super.sleep(ms, signal);
      }
    }
    const pg = new WatchedClient({ fetch, gatewayUrl: 'http://127.0.0.1:9', logLevel: 'off' });
    const pending = pg.request({ method: 'GET', path: '/x', signal: controller.signal });
    expect(await backoff).toBe(30_000);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(UserAbortError);
    expect(seen).toHaveLength(1);
  });
});

describe('streaming', () => {
  test('stream: true returns after headers with the body unread', async () => {
    const { fetch } = fakeFetch(() => new Response('event: a\ndata: 1\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } }));
    const res = await client(fetch).request({ method: 'GET', path: '/proxy/s/x', stream: true });
    expect(res.data).toBeUndefined();
    expect(res.response.bodyUsed).toBe(false);
    expect(await res.response.text()).toBe('event: a\ndata: 1\n\n');
  });

  test('stream: true still maps an error status to a typed error', async () => {
    const { fetch } = fakeFetch(json(402, { error: 'insufficient_credits', message: 'top up' }));
    await expect(client(fetch).request({ method: 'GET', path: '/proxy/s/x', stream: true })).rejects.toMatchObject({ status: 402, code: 'insufficient_credits' });
  });
});

describe('deterministic conflicts', () => {
  test('409 idempotency_conflict is not retried (same key, other request answers the same every time)', async () => {
    const { fetch, seen } = fakeFetch(json(409, { error: 'idempotency_conflict', message: 'key reused' }), json(200, {}));
    await expect(client(fetch, { extensions: ['idempotency'] }).request({ method: 'POST', path: '/proxy/a/b', idempotent: true })).rejects.toMatchObject({ status: 409, code: 'idempotency_conflict' });
    expect(seen).toHaveLength(1);
  });
});

describe('runtimes without AbortSignal.any', () => {
  test('the caller signal and the attempt timeout are linked by hand', async () => {
    const any = (AbortSignal as { any?: unknown }).any;
    Object.defineProperty(AbortSignal, 'any', { value: undefined, configurable: true, writable: true });
    try {
      const a = fakeFetch((req) => hang(req, () => timedOut.timeouts.fire()));
      const timedOut = client(a.fetch, { maxRetries: 0 });
      await expect(timedOut.request({ method: 'GET', path: '/x', timeout: 5, signal: new AbortController().signal })).rejects.toBeInstanceOf(TimeoutError);
      expect(timedOut.timeouts.fired).toEqual([5]);

      const controller = new AbortController();
      const b = fakeFetch((req) => hang(req, () => controller.abort()));
      await expect(client(b.fetch).request({ method: 'GET', path: '/x', signal: controller.signal })).rejects.toBeInstanceOf(UserAbortError);
      expect(b.seen).toHaveLength(1);
    } finally {
      Object.defineProperty(AbortSignal, 'any', { value: any, configurable: true, writable: true });
    }
  });
});

describe('idempotency key given as a header', () => {
  test('counts as the key: kept across retries of a POST', async () => {
    const { fetch, seen } = fakeFetch(json(503, { error: 'service_unavailable', message: 'x' }), json(200, {}));
    await client(fetch, { extensions: ['idempotency'] }).request({ method: 'POST', path: '/proxy/a/b', headers: { 'Idempotency-Key': 'hdr-1' } });
    expect(seen.map((r) => r.headers.get('idempotency-key'))).toEqual(['hdr-1', 'hdr-1']);
  });
});

describe('stream bodies outlive the attempt timeout', () => {
  test('after headers, the per-attempt timer no longer aborts the body', async () => {
    let deliver!: () => void;
    // A /proxy/ path: the client first reads the gateway's extensions from /health.
    const health = json(200, { status: 'healthy', platform_pubkey: '11111111111111111111111111111111' });
    const { fetch, seen } = fakeFetch(health, (req) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          let aborted = false;
          // The body comes when the test says, after any timeout had its chance to fire.
          deliver = () => {
            if (aborted) return;
            controller.enqueue(new TextEncoder().encode('data: late\n\n'));
            controller.close();
          };
          req.signal?.addEventListener('abort', () => {
            aborted = true;
            controller.error(req.signal?.reason);
          }, { once: true });
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    });
    const pg = client(fetch);
    const res = await pg.request({ method: 'GET', path: '/proxy/s/x', stream: true, timeout: 5 });
    // Headers are in: the attempt's timer was cancelled, none is left to abort the body.
    expect(pg.timeouts.pending()).toEqual([]);
    expect(pg.timeouts.fire()).toBe(0);
    deliver();
    expect(await res.response.text()).toBe('data: late\n\n');
    expect(seen.map((r) => r.url.pathname)).toEqual(['/health', '/proxy/s/x']);
  });

  test('without stream, the same slow body times out', async () => {
    const { fetch } = fakeFetch((req) => {
      const body = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            req.signal?.addEventListener('abort', () => controller.error(req.signal?.reason), { once: true });
          },
          // The client reads the body and nothing comes: its time runs out now.
          pull() {
            queueMicrotask(() => pg.timeouts.fire());
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: 200 });
    });
    const pg = client(fetch, { maxRetries: 0 });
    await expect(pg.request({ method: 'GET', path: '/x', timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
    expect(pg.timeouts.fired).toEqual([5]);
  });
});
