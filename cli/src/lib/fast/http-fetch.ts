// `fetch` over node:http(s), for the data commands' start-up path. Node's own fetch (undici) sets
// up its dispatcher and compiles its WebAssembly HTTP parser on the first request and holds the
// process ~25 ms at exit: ~60 ms of a one-call command that starts in ~60 ms. This transport sends
// what undici's fetch sends (its default headers, the body bytes, no redirect following: the SDK
// follows or refuses redirects itself) and answers with a real `Response` (Node's, from the
// response stream), decoded as undici decodes it (gzip, deflate, br). Anything else it is asked
// (another redirect mode, a body it does not know) goes to Node's fetch.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';

// zlib only for an encoded answer (and node:module only then: the bundle loads it on first use).
const zlibModule = (): typeof import('node:zlib') => createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');

type Fetch = typeof globalThis.fetch;

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** The classes answers are made of: the process's (web-lite's and stream-lite's on the data path). */
export interface WebClasses {
  Headers: typeof Headers;
  Response: typeof Response;
  ReadableStream?: new (source: UnderlyingDefaultSource<Uint8Array>) => ReadableStream<Uint8Array>;
}

/** A fetch for the data path; `fallback` (Node's fetch) takes what this one does not cover. */
export function createHttpFetch(fallback: Fetch, web: WebClasses = globalThis): Fetch {
  const { Headers } = web;
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
    const body = url ? await bodyBytes(init.body) : unsupported;
    if (!url || body === unsupported || init.redirect !== 'manual' || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fallback(input, init);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    // What undici's fetch adds when absent, in its order.
    if (typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    for (const [name, value] of [
      ['accept', '*/*'],
      ['accept-language', '*'],
      ['sec-fetch-mode', 'cors'],
      ['user-agent', 'node'],
      ['accept-encoding', 'gzip, deflate'],
    ] as const) {
      if (!headers.has(name)) headers.set(name, value);
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      // As a list (undici's order); node:http then adds nothing of its own, so Host and Connection too.
      const raw: string[] = ['host', url.host, 'connection', 'keep-alive'];
      headers.forEach((value, name) => raw.push(name, value));
      // As the fetch standard says: the body's length, or 0 for a POST or PUT without one.
      if (body !== undefined) raw.push('content-length', String(body.length));
      else if (method === 'POST' || method === 'PUT') raw.push('content-length', '0');
      const req = request(url, { method, headers: raw as unknown as Record<string, string> });
      // No body: no length and no chunked encoding added by node:http either.
      if (body === undefined) req.useChunkedEncodingByDefault = false;
      let settled = false;
      const onAbort = () => {
        const reason = signal?.reason as unknown;
        req.destroy(reason instanceof Error ? reason : undefined);
        if (!settled) {
          settled = true;
          reject(reason);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject(new TypeError('fetch failed', { cause: error }));
      });
      req.on('response', (res) => {
        settled = true;
        try {
          resolve(toResponse(web, res, method, signal, () => signal?.removeEventListener('abort', onAbort)));
        } catch (error) {
          res.destroy();
          reject(new TypeError('fetch failed', { cause: error }));
        }
      });
      req.end(body);
    });
  }) as Fetch;
}

const unsupported = Symbol('unsupported body');

async function bodyBytes(body: RequestInit['body']): Promise<Buffer | undefined | typeof unsupported> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return unsupported;
}

/** Node's Response over the message stream: status, reason, headers as received, body decoded. */
function toResponse(web: WebClasses, res: IncomingMessage, method: string, signal: AbortSignal | undefined, done: () => void): Response {
  const { Headers, Response } = web;
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
    } catch {
      // A header value Headers refuses is dropped (undici drops the response's invalid ones too).
    }
  }
  const empty = NULL_BODY_STATUS.has(status) || method === 'HEAD';
  const statusText = /^[\t\x20-\x7e\x80-\xff]*$/.test(res.statusMessage ?? '') ? (res.statusMessage ?? '') : '';
  const body = empty ? null : bodyStream(web.ReadableStream ?? ReadableStream, res, headers.get('content-encoding'), signal, done);
  if (empty) {
    res.resume();
    res.once('end', done);
  }
  return new Response(body, { status, statusText, headers });
}

/** The message as a web stream, decoded as undici decodes it; a cut connection errors it as undici does ("terminated"). */
function bodyStream(
  Stream: NonNullable<WebClasses['ReadableStream']>,
  res: IncomingMessage,
  encoding: string | null,
  signal: AbortSignal | undefined,
  done: () => void,
): ReadableStream<Uint8Array> {
  let source: NodeJS.ReadableStream = res;
  const codings = (encoding ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .reverse();
  if (codings.length > 0 && codings.every((c) => ['gzip', 'x-gzip', 'deflate', 'br'].includes(c))) {
    const zlib = zlibModule();
    const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
    for (const coding of codings) {
      const decoder = coding === 'br' ? zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }) : coding === 'deflate' ? zlib.createInflate(flush) : zlib.createGunzip(flush);
      const from = source;
      from.on('error', (error: Error) => decoder.destroy(error));
      source = from.pipe(decoder);
    }
  }
  let finished = false;
  return new Stream({
    start(controller) {
      const fail = (error: unknown) => {
        if (finished) return;
        finished = true;
        done();
        controller.error(error);
      };
      source.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      source.on('end', () => {
        if (finished) return;
        finished = true;
        done();
        controller.close();
      });
      source.on('error', (error: Error) => fail(new TypeError('terminated', { cause: error })));
      res.on('aborted', () => fail(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })));
      res.on('close', () => {
        if (!res.complete) fail(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
      });
      signal?.addEventListener('abort', () => {
        fail(signal.reason);
        res.destroy();
      }, { once: true });
    },
    pull() {
      res.resume();
    },
    cancel(reason) {
      finished = true;
      done();
      res.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}
