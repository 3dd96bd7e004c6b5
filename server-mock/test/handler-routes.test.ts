// The server hands msw only the handlers that may answer a request (src/handler-routes.ts). Each
// request must get exactly the handlers msw itself would find matching, in the same order, or a
// route would answer 404 (or another route's answer) over real sockets only.
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
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
  // Escapes msw cannot decode: it throws while matching, so the table must leave them to it.
  '/v1/tokens/%E0',
  '/proxy/%ZZ/x',
];

describe.each(PROFILES)('handler routes (%s profile)', (profile) => {
  const mock = createMockGateway({ profile, seed: 'handler-routes' });
  const routes = handlerRoutes(mock.handlers);

  it('hands msw exactly the handlers msw would find matching, in their order', async () => {
    let matched = 0;
    for (const method of METHODS) {
      for (const path of PATHS) {
        const url = new URL(`${path}?listing=x&q=1`, ORIGIN);
        let expected = [];
        let throws = false;
        for (const handler of mock.handlers) {
          const matches = await handler.test({ request: new Request(url, { method }), resolutionContext: { baseUrl: ORIGIN } }).catch(() => (throws = true));
          if (matches) expected.push(handler);
        }
        // Where msw's matching throws (an escape it cannot decode), msw gets every handler, as before.
        if (throws) expected = [...mock.handlers];
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
    // Two paths of one route (one handler set) share one array: the server builds one msw app per set.
    const echo = routes('GET', new URL('/proxy/echo/a', ORIGIN));
    expect(echo.length).toBeGreaterThan(0);
    expect(routes('GET', new URL('/proxy/echo/b', ORIGIN))).toBe(echo);
  });
});

/** One raw HTTP/1.0 exchange (no Host header unless given): the status line's code. */
function rawStatus(url: string, lines: string[]): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(`${lines.join('\r\n')}\r\n\r\n`));
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('real sockets', () => {
  it('a path msw cannot decode gets an answer and the server lives on; no Host header still finds the route', async () => {
    const server = await startMockServer({ seed: 'handler-routes-escapes' });
    try {
      for (const path of ['/v1/%ZZ', '/v1/tokens/%E0', '/proxy/%ZZ/x']) {
        const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.demoTokens.trader}` } });
        expect(response.status, path).toBeGreaterThanOrEqual(400);
        await response.arrayBuffer();
      }
      expect(await rawStatus(server.url, ['GET /health HTTP/1.0'])).toBe(200);
      expect(await rawStatus(server.url, ['GET /v1/nothing/here HTTP/1.0'])).toBe(404);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

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
