// The server hands msw only the handlers that may answer a request (src/handler-routes.ts). Each
// request must get exactly the handlers msw itself would find matching, in the same order, or a
// route would answer 404 (or another route's answer) over real sockets only.
import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createMockGateway, PROFILES } from '../src/index.js';
import { handlerRoutes } from '../src/handler-routes.js';
import { startMockServer } from '../src/serve.js';
import { id } from './helpers.js';

const ORIGIN = 'http://127.0.0.1:4010';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const PATHS = [
  '/',
  '/health',
  '/health/',
  '/v1/apis',
  `/v1/apis/${id('echo')}`,
  '/v1/apis/echo/docs',
  '/v1/balance',
  '/v1/usage',
  '/v1/me',
  '/v1/tokens',
  '/v1/tokens/tok_1',
  '/v1/nothing/here',
  '/proxy/echo',
  '/proxy/echo/echo',
  '/proxy/weather/current/deeper',
  '/.well-known/oauth-protected-resource',
  '/.well-known/proxygate-receipt-keys',
  '/__mock/faults',
  '/__mock/ledger',
  '/__mock/health',
  '/mcp',
  '/unknown',
  '/v1/apis%2F..%2Fbalance',
];

describe.each(PROFILES)('handler routes (%s profile)', (profile) => {
  const mock = createMockGateway({ profile, seed: 'handler-routes' });
  const routes = handlerRoutes(mock.handlers);

  it('hands msw exactly the handlers msw would find matching, in their order', async () => {
    let matched = 0;
    for (const method of METHODS) {
      for (const path of PATHS) {
        const url = new URL(`${path}?listing=x&q=1`, ORIGIN);
        const expected = [];
        for (const handler of mock.handlers) {
          if (await handler.test({ request: new Request(url, { method }), resolutionContext: { baseUrl: ORIGIN } })) expected.push(handler);
        }
        expect(routes(method, url), `${method} ${path}`).toEqual(expected);
        matched += expected.length;
      }
    }
    // Most of the table matched something (a table of empty lists would pass the loop too).
    expect(matched).toBeGreaterThan(PATHS.length);
  });

  it('remembers the answer per method and path: the same list for the same route, the query aside', () => {
    const first = routes('GET', new URL('/v1/apis?limit=1', ORIGIN));
    expect(first.length).toBeGreaterThan(0);
    expect(routes('GET', new URL('/v1/apis?limit=2', ORIGIN))).toBe(first);
    expect(routes('POST', new URL('/v1/apis', ORIGIN))).not.toBe(first);
  });
});

describe('real sockets', () => {
  it('a client reuses its connection for the next request, and close() still ends it at once', async () => {
    const server = await startMockServer({ seed: 'handler-routes-keepalive' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = httpRequest(`${server.url}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get('/health')).toEqual({ status: 200, reused: false });
      expect(await get('/v1/apis?limit=1')).toEqual({ status: 200, reused: true });
      expect(await get('/v1/nothing/here')).toEqual({ status: 404, reused: true });
    } finally {
      await server.close();
      agent.destroy();
    }
  });
});
