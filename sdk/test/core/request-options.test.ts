// openai-node parity against the mock gateway, in both profiles: every resource method returns a
// promise with `.asResponse()` (the raw Response, body readable) and `.withResponse()`; per-call
// `headers`, `query`, `fetchOptions` and `idempotencyKey`; a User-Agent naming the SDK version;
// a call that needs a token, made without one, says where the key goes and sends nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import {
  AuthenticationError,
  InvalidRequestError,
  Proxygate,
  ValidationError,
  VERSION,
  type ClientOptions,
  type Fetch,
} from '@proxygate-kit/sdk';

type Profile = 'public' | 'extended';

interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  init: RequestInit | undefined;
}

function startGateway(profile: Profile) {
  const mock = createMockGateway({ seed: `request-options-${profile}`, mcp: false, profile });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  const sent: Sent[] = [];
  const fetch: Fetch = (input, init) => {
    sent.push({ method: init?.method ?? 'GET', url: new URL(String(input)), headers: new Headers(init?.headers), init });
    return globalThis.fetch(input, init);
  };
  const client = (options: ClientOptions = {}) => new Proxygate({ gatewayUrl: MOCK_ORIGIN, fetch, logLevel: 'off', apiKey: null, ...options });
  return { mock, sent, client, close: () => server.close() };
}

/** What a call returns: an APIPromise or a PagePromise (both have the two methods). */
interface Answerable {
  asResponse(): Promise<Response>;
  withResponse(): Promise<{ status: number; response: Response; headers: Headers }>;
}

describe.each(['public', 'extended'] as const)('against the %s profile', (profile) => {
  let g: ReturnType<typeof startGateway>;
  beforeAll(() => {
    g = startGateway(profile);
  });
  afterAll(() => g.close());
  const extended = profile === 'extended';

  describe('asResponse() and withResponse() on every resource method', () => {
    // [method, the call, a field of the wire body it answers with]
    const cases: [string, (pg: Proxygate, ctx: { listingId: string; requestId: string; tokenId: () => Promise<string> }) => Answerable, string, boolean][] = [
      ['catalog.list', (pg) => pg.catalog.list({ limit: 2 }), 'data', false],
      ['catalog.get', (pg) => pg.catalog.get('echo'), 'data', false],
      ['catalog.docs', (pg, c) => pg.catalog.docs(c.listingId), 'doc_type', false],
      ['catalog.pricing', (pg) => pg.catalog.pricing(), 'services', false],
      ['catalog.services', (pg) => pg.catalog.services(), 'services', false],
      ['catalog.categories', (pg) => pg.catalog.categories(), 'categories', false],
      ['account.me', (pg) => pg.account.me(), 'wallet', false],
      ['account.balance', (pg) => pg.account.balance(), 'available', false],
      ['account.limits', (pg) => pg.account.limits(), 'daily_limit_micro_usdc', false],
      ['account.usage', (pg) => pg.account.usage(), 'summary', false],
      ['account.rate', (pg, c) => pg.account.rate({ request_id: c.requestId, is_positive: true }), 'success', false],
      ['meta.health', (pg) => pg.meta.health(), 'platform_pubkey', false],
      ['meta.receiptKeys', (pg) => pg.meta.receiptKeys(), extended ? 'keys' : 'platform_pubkey', false],
      ['tokens.self', (pg) => pg.tokens.self(), 'scopes', true],
      ['tokens.list', (pg) => pg.tokens.list(), 'data', true],
      ['tokens.create', (pg) => pg.tokens.create({ scopes: ['catalog:read'] }), 'token', true],
      ['tokens.revoke', (pg, c) => ({ asResponse: async () => pg.tokens.revoke(await c.tokenId()).asResponse(), withResponse: async () => pg.tokens.revoke(await c.tokenId()).withResponse() }), 'revoked_at', true],
      ['receiptsLog.list', (pg) => pg.receiptsLog.list(), 'head', true],
      ['get (the escape hatch)', (pg) => pg.get('/v1/balance'), 'available', false],
      ['post (the escape hatch)', (pg, c) => pg.post('/v1/rate', { body: { request_id: c.requestId, is_positive: false } }), 'is_update', false],
    ];

    let listingId: string;
    let requestId: string;
    beforeAll(async () => {
      const pg = g.client({ apiKey: g.mock.demoTokens.trader });
      listingId = (await pg.catalog.get('echo')).listing_id;
      requestId = (await pg.call('echo', '/echo', { query: { n: '1' } })).requestId!;
    });

    test.each(cases.filter(([, , , extensionOnly]) => extended || !extensionOnly))('%s', async (_name, call, wireField) => {
      // A fresh client for each view, so both read the gateway's extensions alike.
      const fresh = () => g.client({ apiKey: g.mock.demoTokens.trader });
      const setup = fresh();
      // Two tokens to revoke (one per view), minted before counting requests.
      const ids = extended ? [(await setup.tokens.create({ scopes: ['catalog:read'] })).info.id, (await setup.tokens.create({ scopes: ['catalog:read'] })).info.id] : [];
      const ctx = { listingId, requestId, tokenId: () => Promise.resolve(ids.shift() ?? '') };

      g.sent.length = 0;
      const response = await call(fresh(), ctx).asResponse();
      const sends = g.sent.length;
      expect(sends).toBeGreaterThan(0);
      expect(response).toBeInstanceOf(Response);
      expect(response.ok).toBe(true);
      expect(response.bodyUsed).toBe(false);
      expect(response.headers.get('content-type')).toContain('application/json');
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toHaveProperty(wireField);

      g.sent.length = 0;
      const withResponse = await call(fresh(), ctx).withResponse();
      expect(withResponse.status).toBe(response.status);
      expect(withResponse.response.status).toBe(response.status);
      // The same requests as asResponse: one answer, not a second request for the raw view.
      expect(g.sent.length).toBe(sends);
    });

    test('asResponse() hands over a 2xx body that fails validation; awaiting it throws ValidationError', async () => {
      const pg = g.client({ validation: 'strict' });
      g.mock.faults.inject({ kind: 'malformed_json', path: '/v1/categories', times: 2 });
      await expect(pg.catalog.categories()).rejects.toBeInstanceOf(ValidationError);
      const raw = await pg.catalog.categories().asResponse();
      expect(raw.status).toBe(200);
      expect(await raw.text()).toMatch(/\{,$/);
    });

    test('asResponse() of an error status rejects with the APIError, like awaiting', async () => {
      const pg = g.client();
      await expect(pg.catalog.docs('00000000-0000-4000-8000-000000000000').asResponse()).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('per-call headers, query, fetchOptions and idempotencyKey', () => {
    test('headers are sent with the call, over defaultHeaders; null removes one the SDK sends', async () => {
      const pg = g.client({ defaultHeaders: { 'x-app': 'default', 'x-other': 'kept' } });
      g.sent.length = 0;
      await pg.catalog.categories({}, { headers: { 'x-app': 'per-call', accept: null } });
      const [sent] = g.sent;
      expect(sent!.headers.get('x-app')).toBe('per-call');
      expect(sent!.headers.get('x-other')).toBe('kept');
      expect(sent!.headers.has('accept')).toBe(false);
    });

    test('query is merged over the method\'s own parameters, on every page of a list', async () => {
      const pg = g.client();
      g.sent.length = 0;
      const pages = [];
      for await (const page of pg.catalog.list({ limit: 1, sort: 'price_asc' }, { query: { trace: 'yes' } }).iterPages()) {
        pages.push(page);
        if (pages.length === 2) break;
      }
      // Two pages asked for, two requests made: the second one carries the cursor.
      expect(g.sent).toHaveLength(2);
      for (const sent of g.sent) {
        expect(sent.url.searchParams.get('trace')).toBe('yes');
        expect(sent.url.searchParams.get('limit')).toBe('1');
        expect(sent.url.searchParams.get('sort')).toBe('price_asc');
      }
      expect(g.sent[0]!.url.searchParams.get('cursor')).toBeNull();
      expect(g.sent[1]!.url.searchParams.get('cursor')).not.toBeNull();
    });

    test('fetchOptions reach fetch, the call\'s over the client\'s; the SDK\'s own fields win', async () => {
      const pg = g.client({ fetchOptions: { cache: 'no-store', keepalive: false } });
      g.sent.length = 0;
      await pg.meta.health({ fetchOptions: { keepalive: true, priority: 'high' } });
      const init = g.sent[0]!.init!;
      expect(init.cache).toBe('no-store');
      expect(init.keepalive).toBe(true);
      expect(init.priority).toBe('high');
      expect(init.method).toBe('GET');
      expect(init.redirect).toBe('manual');
    });

    test.each(['method', 'body', 'headers', 'signal', 'redirect'])('fetchOptions.%s is refused before anything is sent', async (field) => {
      const pg = g.client();
      g.sent.length = 0;
      const err = await pg.meta.health({ fetchOptions: { [field]: 'x' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as InvalidRequestError).argument).toBe(`fetchOptions.${field}`);
      expect(g.sent).toHaveLength(0);
      expect(() => g.client({ fetchOptions: { [field]: 'x' } })).toThrow(InvalidRequestError);
    });

    test('idempotencyKey is sent as Idempotency-Key', async () => {
      const pg = g.client({ apiKey: g.mock.demoTokens.trader });
      g.sent.length = 0;
      await pg.account.balance({ idempotencyKey: 'parity-key-1' });
      expect(g.sent[0]!.headers.get('idempotency-key')).toBe('parity-key-1');
    });
  });

  describe('User-Agent', () => {
    test('names the SDK and its version, and the runtime (Node here)', async () => {
      const pg = g.client();
      g.sent.length = 0;
      await pg.meta.health();
      expect(g.sent[0]!.headers.get('user-agent')).toBe(`proxygate-kit-sdk/${VERSION} node/${process.versions.node}`);
      expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    });

    test('a caller may replace it or remove it', async () => {
      g.sent.length = 0;
      await g.client({ defaultHeaders: { 'user-agent': 'my-app/1.0' } }).meta.health();
      await g.client().meta.health({ headers: { 'user-agent': null } });
      expect(g.sent[0]!.headers.get('user-agent')).toBe('my-app/1.0');
      expect(g.sent[1]!.headers.has('user-agent')).toBe(false);
    });
  });

  describe('a call that needs a token, made without one', () => {
    const needing: [string, (pg: Proxygate) => PromiseLike<unknown>][] = [
      ['account.balance', (pg) => pg.account.balance()],
      ['account.me', (pg) => pg.account.me()],
      ['account.usage', (pg) => pg.account.usage()],
      ['account.rate', (pg) => pg.account.rate({ request_id: 'req_1', is_positive: true })],
      ['a paid call', (pg) => pg.call('echo', '/echo')],
      ['get /v1/wallet/limits', (pg) => pg.get('/v1/wallet/limits')],
    ];

    test.each(needing)('%s: AuthenticationError saying to set PROXYGATE_API_KEY or pass apiKey; nothing sent to that path', async (_name, call) => {
      const pg = g.client({ apiKey: null });
      g.sent.length = 0;
      const err = await Promise.resolve(call(pg)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      const auth = err as AuthenticationError;
      expect(auth.code).toBe('missing_api_key');
      expect(auth.status).toBeUndefined();
      expect(auth.message).toContain('PROXYGATE_API_KEY');
      expect(auth.message).toContain('apiKey');
      expect(auth.action).toContain('PROXYGATE_API_KEY');
      // A paid call looks its listing up in the public catalog first; nothing that needs a token is sent.
      expect(g.sent.filter((s) => !/^\/v1\/apis$|^\/health$/.test(s.url.pathname))).toEqual([]);
    });

    test('public reads still work without a token', async () => {
      const pg = g.client({ apiKey: null });
      expect((await pg.catalog.categories()).data.length).toBeGreaterThan(0);
      expect((await pg.meta.health()).status).toBe('healthy');
    });

    // `process.env.X ?? ''` and a secret store with nothing in it: no key, not a broken one.
    const blank: [string, () => string | undefined][] = [
      ['an empty string', () => ''],
      ['a blank string', () => '   '],
    ];
    test.each(blank)('apiKey as %s is no key: public reads work, a call needing one says the option is blank', async (_name, key) => {
      for (const apiKey of [key() as string, () => key() as string]) {
        const pg = g.client({ apiKey });
        g.sent.length = 0;
        expect((await pg.catalog.categories()).data.length).toBeGreaterThan(0);
        expect(g.sent.map((s) => s.headers.has('authorization'))).toEqual([false]);
        const err = (await pg.account.balance().catch((e: unknown) => e)) as AuthenticationError;
        expect(err).toBeInstanceOf(AuthenticationError);
        expect(err.code).toBe('missing_api_key');
        expect(err.message).toContain('PROXYGATE_API_KEY');
        expect(err.message).toContain(typeof apiKey === 'function' ? 'the apiKey function returned none' : 'the apiKey option is blank');
      }
    });
  });
});
