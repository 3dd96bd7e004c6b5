// The SDK against the in-process mock gateway (msw): two independent implementations of the spec.
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import { Proxygate, type ClientOptions, type Fetch } from '@proxygate-kit/sdk';

export type MockGateway = ReturnType<typeof createMockGateway>;

export interface Harness {
  mock: MockGateway;
  /** Every request the SDK sent, as `METHOD pathname?search`. */
  sent: string[];
  client(options?: ClientOptions): Proxygate;
  close(): void;
}

/** Retry waits are recorded, not waited, so fault tests stay fast. */
class NoWaitClient extends Proxygate {
  protected override sleep(): Promise<void> {
    return Promise.resolve();
  }
}

export function startMock(seed = 'sdk-resources'): Harness {
  const mock = createMockGateway({ seed, mcp: false });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  const sent: string[] = [];
  const fetch: Fetch = (input, init) => {
    const url = new URL(String(input));
    sent.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
    return globalThis.fetch(input, init);
  };
  return {
    mock,
    sent,
    client: (options = {}) => new NoWaitClient({ gatewayUrl: MOCK_ORIGIN, fetch, logLevel: 'off', apiKey: null, ...options }),
    close: () => server.close(),
  };
}
