import { afterAll, beforeAll } from 'vitest';
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN, type MockGateway } from '@proxygate-kit/server-mock';

export type MockProfile = 'public' | 'extended';

/** The mock gateway in-process: msw intercepts the CLI's global fetch, nothing listens. */
export function startInProcessMock(seed = 'cli-tests', profile: MockProfile = 'extended'): { mock: MockGateway; server: ReturnType<typeof setupServer>; origin: string } {
  const mock = createMockGateway({ seed, profile });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  return { mock, server, origin: MOCK_ORIGIN };
}

/**
 * The in-process mock for one describe block: started in its beforeAll, stopped in its afterAll,
 * so blocks for both profiles in one file never have two msw servers listening at once.
 */
export function useInProcessMock(seed: string, profile: MockProfile = 'extended'): { readonly mock: MockGateway; readonly origin: string; readonly server: ReturnType<typeof setupServer> } {
  let started: ReturnType<typeof startInProcessMock> | undefined;
  beforeAll(() => {
    started = startInProcessMock(seed, profile);
  });
  afterAll(() => started?.server.close());
  const get = () => {
    if (!started) throw new Error('the in-process mock is used outside its describe block');
    return started;
  };
  return {
    get mock() {
      return get().mock;
    },
    get origin() {
      return get().origin;
    },
    get server() {
      return get().server;
    },
  };
}
