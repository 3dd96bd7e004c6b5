import { Proxygate, type ClientOptions, type Fetch } from '@proxygate-kit/sdk';
import { HeldTimeouts } from '../held-timeouts.js';

/** One recorded request as the fetch double saw it. */
export interface SeenRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal | undefined;
}

export type Reply = Response | Error | ((req: SeenRequest) => Response | Promise<Response>);

/** A fetch double answering from a queue (the last reply repeats) and recording every request. */
export function fakeFetch(...replies: Reply[]): { fetch: Fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const fetch: Fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    let body: string | undefined;
    if (typeof init?.body === 'string') body = init.body;
    else if (init?.body instanceof Uint8Array) body = new TextDecoder().decode(init.body);
    const req: SeenRequest = { url: new URL(String(input)), method: init?.method ?? 'GET', headers, body, signal: init?.signal ?? undefined };
    seen.push(req);
    const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
    if (reply instanceof Error) throw reply;
    if (typeof reply === 'function') return reply(req);
    return reply.clone();
  };
  return { fetch, seen };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A connection failure shaped like undici's (`TypeError: fetch failed` with a coded cause). */
export function connectionError(code = 'ECONNRESET'): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`socket ${code}`), { code }) });
}

/**
 * A client that records retry delays instead of waiting them, and holds its attempt timeouts
 * until the test fires them (`timeouts.fire()`): nothing in these tests waits for a clock.
 */
export class TestClient extends Proxygate {
  readonly delays: number[] = [];
  readonly timeouts = new HeldTimeouts();
  protected override sleep(ms: number): Promise<void> {
    this.delays.push(ms);
    return Promise.resolve();
  }
  protected override schedule(ms: number, fire: () => void): () => void {
    return this.timeouts.schedule(ms, fire);
  }
}

/**
 * A reply that never answers: it fails with the attempt's abort reason. `stuck` runs once it is
 * waiting (after its abort listener is in place): the moment to fire a timeout or abort.
 */
export function hang(req: SeenRequest, stuck?: () => void): Promise<Response> {
  return new Promise((_, reject) => {
    if (req.signal?.aborted) return reject(req.signal.reason);
    req.signal?.addEventListener('abort', () => reject(req.signal?.reason), { once: true });
    if (stuck) queueMicrotask(stuck);
  });
}

export function client(fetch: Fetch, options: ClientOptions = {}): TestClient {
  return new TestClient({ gatewayUrl: 'http://127.0.0.1:9', apiKey: mintToken(), logLevel: 'off', fetch, ...options });
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A fresh API-key-shaped canary, minted at run time so no secret lives in the repository. */
export function mintToken(prefix = 'pg_live_'): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return prefix + Array.from(bytes, (b) => BASE62[b % 62]).join('');
}
