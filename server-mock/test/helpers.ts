import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createMockGateway, mockListingId, MOCK_ORIGIN, type MockGateway, type MockGatewayOptions } from '../src/index.js';

export interface CallOptions {
  token?: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface MockHarness {
  readonly mock: MockGateway;
  fetch(path: string, options?: CallOptions): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, options?: CallOptions): Promise<{ status: number; headers: Headers; body: T }>;
}

/** A fresh seeded mock per test, served in-process by msw's setupServer; requests use plain fetch. */
export function useMock(options: MockGatewayOptions | (() => MockGatewayOptions) = {}): MockHarness {
  const server = setupServer();
  let current: MockGateway | undefined;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    current = createMockGateway(typeof options === 'function' ? options() : options);
    server.resetHandlers(...current.handlers);
  });
  afterAll(() => server.close());

  const doFetch = (path: string, call: CallOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...call.headers };
    if (call.token) headers['authorization'] = `Bearer ${call.token}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(`${MOCK_ORIGIN}${path}`, { method: call.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body === undefined ? {} : { body }) });
  };

  return {
    get mock() {
      if (!current) throw new Error('useMock: no mock outside a test');
      return current;
    },
    fetch: doFetch,
    async json<T>(path: string, call?: CallOptions) {
      const response = await doFetch(path, call);
      return { status: response.status, headers: response.headers, body: (await response.json()) as T };
    },
  };
}

/** Listing UUID by unique slug or `seller_slug/slug` (seed-independent). */
export const id = mockListingId;

/** `/proxy/{service}{path}?listing=<uuid>` of a catalog listing, with extra query text. */
export function proxyPath(ref: string, service: string, path: string, query = ''): string {
  return `/proxy/${service}${path}?listing=${id(ref)}${query ? `&${query}` : ''}`;
}

export function decodeReceiptHeader(header: string | null): Record<string, unknown> {
  if (!header) throw new Error('no receipt header');
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<string, unknown>;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
