// Test harness: the SDK client against the in-process mock gateway (msw), with a fetch wrapper
// that counts requests and can tamper with answers the way a hostile network would.
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import { Proxygate, type ClientOptions, type Fetch } from '../../src/index.js';
import { KeySet } from '../../src/receipts/key-set.js';

export type MockGateway = ReturnType<typeof createMockGateway>;

export interface SeenCall {
  method: string;
  url: URL;
  headers: Headers;
}

/** Rewrites a response before the SDK sees it (spoofed headers, altered bytes). */
export type Tamper = (response: Response, request: SeenCall) => Response | Promise<Response>;

export interface Harness {
  mock: MockGateway;
  seen: SeenCall[];
  /** Cancellations of response bodies, per request path. */
  cancelled: string[];
  /** Reads the SDK pulled from response bodies (chunks delivered), in order, by request path. */
  pulls: string[];
  tamper: Tamper | undefined;
  client(options?: ClientOptions): Proxygate;
  proxyCalls(): SeenCall[];
  keys(): KeySet;
}

/** Wraps a body so a test can see whether the SDK cancelled the upstream read. */
function observeCancel(body: ReadableStream<Uint8Array>, onCancel: () => void, onPull: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        onPull();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        onCancel();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

export function startMock(seed = 'calls-tests'): Harness & { close(): void; reset(): void } {
  let mock = createMockGateway({ seed, mcp: false });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  const harness: Harness & { close(): void; reset(): void } = {
    mock,
    seen: [],
    cancelled: [],
    pulls: [],
    tamper: undefined,
    client(options: ClientOptions = {}) {
      const fetch: Fetch = async (input, init) => {
        const request: SeenCall = {
          method: init?.method ?? 'GET',
          url: new URL(String(input instanceof Request ? input.url : input)),
          headers: new Headers(init?.headers),
        };
        harness.seen.push(request);
        let response = await globalThis.fetch(input, init);
        if (harness.tamper) response = await harness.tamper(response, request);
        if (!response.body) return response;
        const body = observeCancel(
          response.body,
          () => harness.cancelled.push(request.url.pathname),
          () => harness.pulls.push(request.url.pathname),
        );
        return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      };
      return new Proxygate({
        gatewayUrl: MOCK_ORIGIN,
        apiKey: harness.mock.demoTokens.trader,
        keys: harness.keys(),
        logLevel: 'off',
        fetch,
        ...options,
      });
    },
    proxyCalls() {
      return harness.seen.filter((call) => call.url.pathname.startsWith('/proxy/'));
    },
    keys() {
      return KeySet.fromDocument(harness.mock.gateway.keySet());
    },
    reset() {
      mock = createMockGateway({ seed, mcp: false });
      server.resetHandlers(...mock.handlers);
      harness.mock = mock;
      harness.seen.length = 0;
      harness.cancelled.length = 0;
      harness.pulls.length = 0;
      harness.tamper = undefined;
    },
    close() {
      server.close();
    },
  };
  return harness;
}

/** Sum of the ledger's charges minus refunds for one request id or idempotency key. */
export function netCharged(mock: MockGateway, match: { idempotencyKey?: string; requestId?: string }): number {
  let net = 0;
  for (const entry of mock.ledger()) {
    const hit =
      (match.idempotencyKey !== undefined && entry.idempotency_key === match.idempotencyKey) ||
      (match.requestId !== undefined && entry.request_id === match.requestId);
    if (hit) net += entry.kind === 'charge' ? entry.amount_micro_cents : -entry.amount_micro_cents;
  }
  return net;
}
