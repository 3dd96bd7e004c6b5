// The SDK against the in-process mock gateway (msw): two independent implementations of the spec,
// in either profile (`public`: the public gateway's wire only; `extended`: plus our extensions).
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import { Proxygate, type ClientOptions, type Fetch } from '@proxygate-kit/sdk';

export type MockGateway = ReturnType<typeof createMockGateway>;
export type Profile = 'public' | 'extended';
export const PROFILES: readonly Profile[] = ['public', 'extended'];

export interface Harness {
  mock: MockGateway;
  profile: Profile;
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

export function startMock(seed = 'sdk-resources', options: { profile?: Profile } = {}): Harness {
  const profile = options.profile ?? 'extended';
  const mock = createMockGateway({ seed, mcp: false, profile });
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
    profile,
    sent,
    client: (clientOptions = {}) => new NoWaitClient({ gatewayUrl: MOCK_ORIGIN, fetch, logLevel: 'off', apiKey: null, ...clientOptions }),
    close: () => server.close(),
  };
}
