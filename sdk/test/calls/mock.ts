// Test harness: the SDK client against the in-process mock gateway (msw), in either profile
// (`public`: the public gateway's wire only; `extended`: plus our extensions), with a fetch
// wrapper that counts requests and can tamper with answers the way a hostile network would.
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import { Proxygate, type ClientOptions, type Fetch } from '../../src/index.js';
import { KeySet } from '../../src/receipts/key-set.js';

export type MockGateway = ReturnType<typeof createMockGateway>;
export type Profile = 'public' | 'extended';
export const PROFILES: readonly Profile[] = ['public', 'extended'];

export interface SeenCall {
  method: string;
  url: URL;
  headers: Headers;
}

/** Rewrites a response before the SDK sees it (spoofed headers, altered bytes). */
export type Tamper = (response: Response, request: SeenCall) => Response | Promise<Response>;

export interface Harness {
  mock: MockGateway;
  profile: Profile;
  seen: SeenCall[];
  /** Cancellations of response bodies, per request path. */
  cancelled: string[];
  /** Reads the SDK pulled from response bodies (chunks delivered), in order, by request path. */
  pulls: string[];
  tamper: Tamper | undefined;
  client(options?: ClientOptions): Proxygate;
  proxyCalls(): SeenCall[];
  /** The receipt keys to pin: the key-set document (extended), or the /health keys (public). */
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

export function startMock(seed = 'calls-tests', options: { profile?: Profile } = {}): Harness & { close(): void; reset(): void } {
  const profile = options.profile ?? 'extended';
  let mock = createMockGateway({ seed, mcp: false, profile });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  const harness: Harness & { close(): void; reset(): void } = {
    mock,
    profile,
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
      if (profile === 'extended') return KeySet.fromDocument(harness.mock.gateway.keySet());
      const { body } = harness.mock.gateway.health();
      return KeySet.fromDocument({ keys: [], platform_pubkey: body.platform_pubkey, receipt_ca_pubkey: body.receipt_ca_pubkey });
    },
    reset() {
      mock = createMockGateway({ seed, mcp: false, profile });
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

/** Sum of the ledger's charges minus refunds for one request id, idempotency key or listing. */
export function netCharged(mock: MockGateway, match: { idempotencyKey?: string; requestId?: string; listingId?: string }): number {
  let net = 0;
  for (const entry of mock.ledger()) {
    const hit =
      (match.idempotencyKey !== undefined && entry.idempotency_key === match.idempotencyKey) ||
      (match.requestId !== undefined && entry.request_id === match.requestId) ||
      (match.listingId !== undefined && entry.listing_id === match.listingId);
    if (hit) net += entry.kind === 'charge' ? entry.amount_micro_usd : -entry.amount_micro_usd;
  }
  return net;
}
