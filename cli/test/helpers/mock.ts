import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN, type MockGateway } from '@proxygate-kit/server-mock';

/** The mock gateway in-process: msw intercepts the CLI's global fetch, nothing listens. */
export function startInProcessMock(seed = 'cli-tests'): { mock: MockGateway; server: ReturnType<typeof setupServer>; origin: string } {
  const mock = createMockGateway({ seed });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  return { mock, server, origin: MOCK_ORIGIN };
}
