// The data path's HTTP (http-fetch.ts) and its Headers/Response (web-lite.ts) against Node's own
// fetch, Headers and Response, on one local server: what the server receives, what the caller
// reads, and how failures look.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch, type WebClasses } from '../../../src/lib/fast/http-fetch.js';
import { LiteReadableStream } from '../../../src/lib/fast/stream-lite.js';
import { LiteHeaders, LiteResponse } from '../../../src/lib/fast/web-lite.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
const routes = new Map<string, Handler>();
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (route) route(req, res, Buffer.concat(chunks));
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set('/echo', (req, res, body) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-b', '1');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.setHeader('X-A', ['p', 'q']);
    // What the server received, minus what differs by connection (host port) or is Node's own framing.
    const headers = req.rawHeaders.flatMap((v, i, a) => (i % 2 === 0 ? [[v.toLowerCase(), a[i + 1]]] : [])).filter(([name]) => name !== 'host');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: Object.fromEntries(headers as [string, string][]), body: body.toString('utf8') }));
  });
  routes.set('/gzip', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync('zipped body')));
  routes.set('/deflate', (_req, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync('deflated body')));
  routes.set('/br', (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync('brotli body')));
  routes.set('/redirect', (_req, res) => res.writeHead(302, { location: '/echo' }).end());
  routes.set('/empty', (_req, res) => res.writeHead(204).end());
  routes.set('/cut', (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setImmediate(() => res.socket?.destroy());
  });
  routes.set('/status', (_req, res) => res.writeHead(503, 'Busy Now', { 'retry-after': '1' }).end('{"error":"service_unavailable"}'));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const lite: WebClasses = { Headers: LiteHeaders as unknown as typeof Headers, Response: LiteResponse as unknown as typeof Response };
const transports: Array<[string, typeof fetch]> = [
  ['http-fetch with Node classes', createHttpFetch(() => Promise.reject(new Error('fallback used')))],
  ['http-fetch with web-lite classes', createHttpFetch(() => Promise.reject(new Error('fallback used')), lite)],
  // As the data path makes it: stream-lite bodies too.
  ['http-fetch with web-lite classes and stream-lite bodies', createHttpFetch(() => Promise.reject(new Error('fallback used')), { ...lite, ReadableStream: LiteReadableStream as unknown as NonNullable<WebClasses['ReadableStream']> })],
];

async function seen(f: typeof fetch, path: string, init: RequestInit): Promise<{ status: number; statusText: string; headers: [string, string][]; text: string }> {
  const response = await f(`${origin}${path}`, { redirect: 'manual', ...init });
  return { status: response.status, statusText: response.statusText, headers: [...response.headers].filter(([n]) => n !== 'date'), text: await response.text() };
}

describe.each(transports)('%s answers as Node\'s fetch does', (_name, transport) => {
  const requests: Array<[string, string, RequestInit]> = [
    ['GET with headers', '/echo?a=1&b=%20', { headers: { 'X-Test': 'A', accept: 'application/json' } }],
    ['POST string body', '/echo', { method: 'POST', body: '{"a": 1}', headers: { 'content-type': 'application/json' } }],
    ['POST string body, no type', '/echo', { method: 'POST', body: 'hello' }],
    ['POST no body', '/echo', { method: 'POST' }],
    ['PUT bytes', '/echo', { method: 'PUT', body: new Uint8Array([104, 105]) }],
    ['DELETE', '/echo', { method: 'DELETE' }],
    ['PATCH empty string', '/echo', { method: 'PATCH', body: '' }],
    ['a Headers object', '/echo', { headers: new Headers([['authorization', 'Bearer x'], ['x-retry-count', '0']]) }],
    ['gzip', '/gzip', {}],
    ['deflate', '/deflate', {}],
    ['br', '/br', {}],
    ['a redirect, not followed', '/redirect', {}],
    ['204', '/empty', {}],
    ['503 with a reason', '/status', {}],
  ];
  it.each(requests)('%s', async (_label, path, init) => {
    const [ours, node] = await Promise.all([seen(transport, path, init), seen(fetch, path, init)]);
    // Server-side header order and Node's own `connection` framing are not part of the answer.
    const parse = (s: { text: string }) => {
      try {
        const body = JSON.parse(s.text) as { headers?: Record<string, string> };
        return body.headers ? { ...body, headers: Object.fromEntries(Object.entries(body.headers).sort()) } : body;
      } catch {
        return s.text;
      }
    };
    expect({ ...ours, text: parse(ours) }).toEqual({ ...node, text: parse(node) });
  });

  it('a refused connection is TypeError("fetch failed") with the socket error as its cause, as Node\'s fetch says it', async () => {
    const [ours, node] = await Promise.all([transport('http://127.0.0.1:1/', { redirect: 'manual' }).catch((e: unknown) => e), fetch('http://127.0.0.1:1/', { redirect: 'manual' }).catch((e: unknown) => e)]);
    expect(ours).toBeInstanceOf(TypeError);
    expect((ours as Error).message).toBe((node as Error).message);
    expect(((ours as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('a body cut off mid-way errors the stream ("terminated"), as Node\'s fetch does', async () => {
    const read = async (f: typeof fetch) => (await f(`${origin}/cut`, { redirect: 'manual' })).text().then(() => 'read', (e: Error) => e.message);
    expect(await read(transport)).toBe(await read(fetch));
  });

  it('an aborted signal rejects with its reason; an abort during the body stops the read', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(transport(`${origin}/echo`, { redirect: 'manual', signal: controller.signal })).rejects.toThrow('stop');
    const late = new AbortController();
    const response = await transport(`${origin}/cut`, { redirect: 'manual', signal: late.signal });
    late.abort(new Error('late'));
    await expect(response.text()).rejects.toThrow();
  });
});

it('goes to the fallback for what it does not cover: redirect following, bodies other than text and bytes', async () => {
  const calls: string[] = [];
  const f = createHttpFetch(async (input) => {
    calls.push(String(input));
    return new Response('fallback');
  });
  expect(await (await f(`${origin}/echo`)).text()).toBe('fallback');
  expect(await (await f(`${origin}/echo`, { redirect: 'manual', method: 'POST', body: new URLSearchParams('a=1') })).text()).toBe('fallback');
  expect(calls).toHaveLength(2);
});
