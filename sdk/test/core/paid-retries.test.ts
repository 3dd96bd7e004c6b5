// The one retry loop of paid calls (`/proxy/...`), with a fetch double: what is re-sent, what is
// not, and what the error says, on a gateway without the `idempotency` extension (the public
// gateway) and on one that replays by key.
import { describe, expect, test } from 'vitest';
import {
  ConnectionError,
  InternalServerError,
  PaidCallOutcomeUnknownError,
  SpendLimitError,
  TimeoutError,
  type Fetch,
} from '@proxygate-kit/sdk';
import { client, connectionError, fakeFetch, hang, json, type Reply } from './helpers.js';

const LISTING = '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57';
const PATH = `/proxy/weather/now?listing=${LISTING}`;
const publicHealth = () => json(200, { status: 'healthy', platform_pubkey: '11111111111111111111111111111111' });
const receiptHeaders = { 'x-proxygate-receipt': btoa('{"request_id":"r1","amount":1050}') };

/** A client of the public gateway: its first request is the /health read. */
function publicClient(...replies: Reply[]) {
  const double = fakeFetch(publicHealth(), ...replies);
  return { ...double, pg: client(double.fetch), proxySends: () => double.seen.filter((r) => r.url.pathname.startsWith('/proxy/')) };
}

/** A body that delivers `first` bytes and then breaks. */
function cutBody(status: number, headers: Record<string, string> = {}): Response {
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"partial":'));
        return;
      }
      controller.error(Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
    },
  });
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
}

describe('paid calls on a gateway without the idempotency extension', () => {
  test('a connection refused before any byte is retried (nothing was sent), then the call succeeds', async () => {
    const { pg, proxySends } = publicClient(connectionError('ECONNREFUSED'), json(200, { ok: true }));
    const res = await pg.request({ method: 'POST', path: PATH, body: { q: 1 } });
    expect(res.status).toBe(200);
    expect(proxySends()).toHaveLength(2);
    expect(proxySends().map((r) => r.headers.get('idempotency-key'))).toEqual([null, null]);
  });

  test('a connection broken after sending is not re-sent: PaidCallOutcomeUnknownError says what to check', async () => {
    const { pg, proxySends } = publicClient(connectionError('ECONNRESET'), json(200, { ok: true }));
    const before = Date.now();
    const err = await pg.request({ method: 'POST', path: PATH, body: { q: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(proxySends()).toHaveLength(1);
    const e = err as PaidCallOutcomeUnknownError;
    expect(e.code).toBe('paid_call_outcome_unknown');
    expect(e.message).toMatch(/may have been charged/);
    expect(e.message).toContain(`POST /proxy/weather/now (listing ${LISTING})`);
    expect(e.request).toMatchObject({ method: 'POST', service: 'weather', listingId: LISTING, idempotencyKey: null });
    const sentAt = Date.parse(e.request.sentAt);
    expect(sentAt).toBeGreaterThanOrEqual(before - 1);
    expect(e.request.usageQuery).toEqual({ service: 'weather', from: new Date(sentAt - 5 * 60_000).toISOString() });
    expect(e.action).toContain('account.usage(');
    expect(e.cause).toBeInstanceOf(ConnectionError);
  });

  test('a GET is treated the same: any /proxy/ call spends', async () => {
    const { pg, proxySends } = publicClient(json(503, { error: 'service_unavailable', message: 'x' }), json(200, {}));
    await expect(pg.request({ method: 'GET', path: PATH })).rejects.toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(proxySends()).toHaveLength(1);
  });

  test('a timeout after sending is not re-sent', async () => {
    // The attempt's timeout fires once the request is stuck in flight (held, not waited for).
    const { pg, proxySends } = publicClient((req) => hang(req, () => pg.timeouts.fire()), json(200, {}));
    const err = await pg.request({ method: 'GET', path: PATH, timeout: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect((err as PaidCallOutcomeUnknownError).cause).toBeInstanceOf(TimeoutError);
    expect(proxySends()).toHaveLength(1);
    expect(pg.timeouts.fired).toEqual([5]);
  });

  test('429 rate_limit_exceeded proves nothing was processed: retried, honouring Retry-After', async () => {
    const { pg, proxySends } = publicClient(json(429, { error: 'rate_limit_exceeded', message: 'slow down' }, { 'retry-after': '2' }), json(200, { ok: 1 }));
    const res = await pg.request({ method: 'POST', path: PATH, body: {} });
    expect(res.status).toBe(200);
    expect(proxySends()).toHaveLength(2);
    expect(pg.delays).toEqual([2000]);
  });

  test('a 5xx that carries a receipt was charged: the typed error is thrown (with the answer headers), not re-sent', async () => {
    const { pg, proxySends } = publicClient(json(500, { error: 'upstream_error', message: 'x' }, receiptHeaders), json(200, {}));
    const err = await pg.request({ method: 'POST', path: PATH, body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(proxySends()).toHaveLength(1);
  });

  test('a body cut off after a receipt arrived: charged, not re-sent, the error says so', async () => {
    const { pg, proxySends } = publicClient(cutBody(200, receiptHeaders), json(200, {}));
    const err = await pg.request({ method: 'GET', path: PATH, bytes: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect((err as Error).message).toMatch(/was charged \(a receipt arrived\) but its answer was lost/);
    expect((err as PaidCallOutcomeUnknownError).status).toBe(200);
    expect(proxySends()).toHaveLength(1);
  });

  test('a caller-given key is sent but does not make a re-send safe here', async () => {
    const { pg, proxySends } = publicClient(connectionError('ECONNRESET'), json(200, {}));
    const err = await pg.request({ method: 'POST', path: PATH, body: {}, idempotencyKey: 'mine-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect((err as PaidCallOutcomeUnknownError).request.idempotencyKey).toBe('mine-1');
    expect(proxySends().map((r) => r.headers.get('idempotency-key'))).toEqual(['mine-1']);
  });

  test('a failed /health read counts as "no extensions": still never re-sent', async () => {
    const double = fakeFetch(connectionError('ECONNREFUSED'), connectionError('ECONNREFUSED'), connectionError('ECONNREFUSED'), connectionError('ECONNRESET'), json(200, {}));
    const err = await client(double.fetch).request({ method: 'POST', path: PATH, body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(double.seen.filter((r) => r.url.pathname.startsWith('/proxy/'))).toHaveLength(1);
  });
});

describe('a spend-limit 429 is never retried, on any gateway', () => {
  for (const extensions of [undefined, ['idempotency']] as const) {
    test(`${extensions ? 'with' : 'without'} the idempotency extension`, async () => {
      const replies: Reply[] = [json(429, { error: 'spend_limit_exceeded', message: 'daily limit reached' }), json(200, {})];
      const double = extensions ? fakeFetch(...replies) : fakeFetch(publicHealth(), ...replies);
      const pg = client(double.fetch, extensions ? { extensions } : {});
      const err = await pg.request({ method: 'POST', path: PATH, body: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SpendLimitError);
      expect((err as SpendLimitError).charged).toBe(false);
      expect((err as SpendLimitError).status).toBe(429);
      expect(double.seen.filter((r) => r.url.pathname.startsWith('/proxy/'))).toHaveLength(1);
      expect(pg.delays).toEqual([]);
    });
  }

  test('any 429 code other than rate_limit_exceeded counts as a spend limit; outside /proxy/ a 429 is a rate limit', async () => {
    const { pg } = publicClient(json(429, { error: 'wallet_limit', message: 'x' }));
    await expect(pg.request({ method: 'GET', path: PATH })).rejects.toBeInstanceOf(SpendLimitError);
    const other = fakeFetch(json(429, { error: 'wallet_limit', message: 'x' }), json(200, { ok: 1 }));
    expect((await client(other.fetch).request({ method: 'GET', path: '/v1/balance' })).status).toBe(200);
  });
});

describe('paid calls on a gateway that replays by key: one loop, one budget', () => {
  const replaying = (...replies: Reply[]) => {
    const double = fakeFetch(...replies);
    return { ...double, pg: client(double.fetch, { extensions: ['idempotency'], maxRetries: 2 }) };
  };

  test('failed sends and cut bodies share the budget: at most maxRetries + 1 sends, one key', async () => {
    const { pg, seen } = replaying(json(500, { error: 'internal_error', message: 'x' }), () => cutBody(200), () => cutBody(200), json(200, { ok: 1 }));
    const err = await pg.request({ method: 'POST', path: PATH, body: {}, bytes: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(seen).toHaveLength(3);
    const keys = new Set(seen.map((r) => r.headers.get('idempotency-key')));
    expect(keys.size).toBe(1);
    expect((err as ConnectionError).action).toContain(`idempotencyKey "${[...keys][0]}"`);
  });

  test('within the budget a cut body is fetched again and the call succeeds', async () => {
    const { pg, seen } = replaying(() => cutBody(200), json(200, { ok: 1 }));
    const res = await pg.request<Uint8Array>({ method: 'POST', path: PATH, body: {}, bytes: true });
    expect(new TextDecoder().decode(res.data)).toBe('{"ok":1}');
    expect(seen).toHaveLength(2);
  });
});

describe('paid calls through a custom fetch that throws strings', () => {
  test('a non-Error failure after sending is an unknown outcome too', async () => {
    let n = 0;
    const fetch: Fetch = async () => {
      n++;
      if (n === 1) return publicHealth();
      throw 'socket hang up'; // eslint-disable-line no-throw-literal
    };
    await expect(client(fetch).request({ method: 'GET', path: PATH })).rejects.toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(n).toBe(2);
  });
});
