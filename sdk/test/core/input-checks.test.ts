// Bad input is refused with a typed error before any request (not even the catalog lookup or
// the /health read): before these checks a NaN or negative maxCost passed, an unknown method
// was sent, a Map or a function became "{}" or "undefined" on the wire, a caller content-length
// made the call hang until its timeout, and a gatewayUrl ending in "?" or "#" misrouted every path.
import { describe, expect, test } from 'vitest';
import { InvalidRequestError, Proxygate, type Listing } from '@proxygate-kit/sdk';
import { client, fakeFetch, json } from './helpers.js';

const listing = {
  listing_id: '0b4c2a9e-5d1f-4a7b-9c3e-2f6a8d0e1b57',
  slug: 'svc-test',
  seller_slug: 'tester',
  service: 'svc',
  pricing_unit: 'per_request',
  endpoints: [],
  endpoint_prices: [],
  prices: { perRequest: 100, perMillionInputTokens: null, perMillionOutputTokens: null, seller: { perRequest: 100, perMillionInputTokens: null, perMillionOutputTokens: null }, endpoints: [] },
} as unknown as Listing;

/** A client whose fetch records everything; the first reply would answer /health. */
function recording() {
  const double = fakeFetch(json(200, { status: 'healthy', platform_pubkey: '11111111111111111111111111111111' }), json(200, {}));
  return { ...double, pg: client(double.fetch) };
}

async function refused(run: (pg: Proxygate) => Promise<unknown>, argument: string | RegExp): Promise<void> {
  const { pg, seen } = recording();
  const error = await run(pg).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  const e = error as InvalidRequestError;
  expect(e.code).toBe('invalid_request');
  if (typeof argument === 'string') expect(e.argument).toBe(argument);
  else expect(e.argument).toMatch(argument);
  expect(e.message).toContain('nothing was sent');
  expect(seen).toHaveLength(0);
}

describe('paid calls refuse bad input before any request', () => {
  test.each([Number.NaN, -1, 1.5, 2 ** 53, Number.POSITIVE_INFINITY, -1n, '500' as unknown as number])('maxCost %s', async (maxCost) => {
    await refused((pg) => pg.call(listing, '/x', { maxCost }), 'maxCost');
    await refused((pg) => pg.call('svc-test', '/x', { maxCost }), 'maxCost');
  });

  test('maxCost 0 and 0n are allowed bounds (refused for the price, not the value)', async () => {
    const { pg, seen } = recording();
    await expect(pg.call(listing, '/x', { maxCost: 0 })).rejects.toMatchObject({ code: 'max_cost_exceeded' });
    await expect(pg.call(listing, '/x', { maxCost: 0n })).rejects.toMatchObject({ code: 'max_cost_exceeded' });
    expect(seen).toHaveLength(0);
  });

  test.each(['FOO', 'TRACE', 'CONNECT', 'OPTIONS', 'HEAD', 'GE T', '', 42 as unknown as string])('method %s', async (method) => {
    await refused((pg) => pg.call(listing, '/x', { method }), 'method');
  });

  test('body types that cannot be sent as exact bytes', async () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const bodies: unknown[] = [
      Symbol('s'),
      () => 1,
      1n,
      new Blob(['x']),
      new ReadableStream(),
      new FormData(),
      new URLSearchParams('a=1'),
      new Map([['a', 1]]),
      new Set([1]),
      Promise.resolve(1),
      circular,
      { n: 1n },
    ];
    for (const body of bodies) await refused((pg) => pg.call(listing, '/x', { body, method: 'POST' }), 'body');
    await refused((pg) => pg.call(listing, '/x', { body: { a: 1 }, method: 'GET' }), 'body');
  });

  test('typed arrays and DataViews are sent as their bytes', async () => {
    const { pg, seen } = recording();
    await pg.call(listing, '/x', { body: new Uint16Array([0x6968]), verifyReceipt: false });
    const sent = seen.find((request) => request.url.pathname.startsWith('/proxy/'));
    expect(sent?.body).toBe('hi');
  });

  test.each(['content-length', 'Content-Length', 'transfer-encoding', 'host', 'connection'])('caller header %s', async (name) => {
    await refused((pg) => pg.call(listing, '/x', { body: 'abc', headers: { [name]: '999' } }), `headers.${name.toLowerCase()}`);
  });

  test('header values with CR or LF and bad header names', async () => {
    await refused((pg) => pg.call(listing, '/x', { headers: { 'x-a': 'v\r\nx-injected: 1' } }), 'headers.x-a');
    await refused((pg) => pg.call(listing, '/x', { headers: { 'bad name': 'v' } }), 'headers');
  });

  test('query values that are not strings, numbers or booleans', async () => {
    await refused((pg) => pg.call(listing, '/x', { query: { a: { b: 1 } as unknown as string } }), 'query.a');
    await refused((pg) => pg.call(listing, '/x', { query: 'a=1' as unknown as Record<string, string> }), 'query');
  });

  test('timeout and maxRetries per call', async () => {
    await refused((pg) => pg.call(listing, '/x', { timeout: Number.NaN }), 'timeout');
    await refused((pg) => pg.call(listing, '/x', { timeout: -5 }), 'timeout');
    await refused((pg) => pg.call(listing, '/x', { maxRetries: 1.5 }), 'maxRetries');
  });

  test('a bad path, shield mode, idempotency key or listing reference', async () => {
    await refused((pg) => pg.call(listing, 'x'), 'path');
    await refused((pg) => pg.call(listing, '/a/../b'), 'path');
    await refused((pg) => pg.call(listing, '/x', { shield: 'loud' as 'off' }), 'shield');
    await refused((pg) => pg.call(listing, '/x', { idempotencyKey: 'é' }), 'idempotencyKey');
    await refused((pg) => pg.call(listing, '/x?listing=other'), 'query.listing');
    await refused((pg) => pg.call(42 as unknown as string, '/x'), 'listing');
  });
});

describe('client.request refuses bad input before any request', () => {
  test('a caller content-length (it made the call hang to its timeout) and framing headers', async () => {
    await refused((pg) => pg.request({ method: 'POST', path: '/v1/rate', body: { a: 1 }, headers: { 'content-length': '1000' } }), 'headers.content-length');
    await refused((pg) => pg.request({ method: 'GET', path: '/v1/balance', headers: { 'Transfer-Encoding': 'chunked' } }), 'headers.transfer-encoding');
  });

  test('an unknown method, a bad timeout or retry count', async () => {
    await refused((pg) => pg.request({ method: 'TRACE' as 'GET', path: '/v1/balance' }), 'method');
    await refused((pg) => pg.request({ method: 'GET', path: '/v1/balance', timeout: 0 }), 'timeout');
    await refused((pg) => pg.request({ method: 'GET', path: '/v1/balance', maxRetries: -1 }), 'maxRetries');
  });

  test('defaultHeaders are checked when the client is built', () => {
    const { fetch } = fakeFetch(json(200, {}));
    expect(() => new Proxygate({ fetch, defaultHeaders: { 'content-length': '5' }, logLevel: 'off' })).toThrow(InvalidRequestError);
  });
});

describe('gatewayUrl', () => {
  test.each([
    'https://gateway.test?',
    'https://gateway.test/#',
    'https://gateway.test/base?',
    'https://gateway.test\r\n',
    'https://gateway.test/\nx',
    ' https://gateway.test',
    'https://gateway.test/ ',
    'https://gate way.test',
    'https://gateway.test/\tx',
  ])('%j is refused', (gatewayUrl) => {
    const { fetch, seen } = fakeFetch(json(200, {}));
    const error = (() => {
      try {
        new Proxygate({ fetch, gatewayUrl, logLevel: 'off' });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).argument).toBe('gatewayUrl');
    expect(seen).toHaveLength(0);
  });

  test('a plain origin with a base path is accepted', () => {
    const { fetch } = fakeFetch(json(200, {}));
    expect(new Proxygate({ fetch, gatewayUrl: 'https://gateway.test/base/', logLevel: 'off' }).gatewayUrl).toBe('https://gateway.test/base');
  });
});
