// The SDK in a browser: every cross-origin call is checked against the gateway's CORS policy, and
// a header outside the CORS-safelisted ones makes the browser ask first (a preflight). The public
// gateway publishes no CORS policy, so the mock answers preflights conservatively (the headers the
// public gateway's own client sends). Here a client built where `window` and `document` exist runs
// a tour of the SDK; each request it sent is replayed as the browser's preflight against the mock,
// which must allow its method and every non-safelisted header, in both profiles.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { setupServer } from 'msw/node';
import { createMockGateway, MOCK_ORIGIN } from '@proxygate-kit/server-mock';
import { Proxygate, type ClientOptions, type Fetch } from '@proxygate-kit/sdk';

type Profile = 'public' | 'extended';
const APP_ORIGIN = 'https://app.example';

interface Sent {
  method: string;
  url: URL;
  headers: Headers;
}

// Fetch standard, "CORS-unsafe request-header byte" and "CORS-safelisted request-header".
const UNSAFE_BYTE = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/;
function safelisted(name: string, value: string): boolean {
  if (value.length > 128) return false;
  switch (name) {
    case 'accept':
      return !UNSAFE_BYTE.test(value);
    case 'accept-language':
    case 'content-language':
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case 'content-type': {
      if (UNSAFE_BYTE.test(value)) return false;
      const essence = value.split(';')[0]!.trim().toLowerCase();
      return ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'].includes(essence);
    }
    default:
      return false;
  }
}

/** The headers a browser would name in Access-Control-Request-Headers for this request. */
const unsafeHeaders = (sent: Sent): string[] => [...sent.headers].filter(([name, value]) => !safelisted(name, value)).map(([name]) => name).sort();
const needsPreflight = (sent: Sent): boolean => !['GET', 'HEAD', 'POST'].includes(sent.method) || unsafeHeaders(sent).length > 0;

/** Sends the preflight a browser would send first; the problems the answer leaves (empty: allowed). */
async function preflightProblems(sent: Sent): Promise<string[]> {
  const requested = unsafeHeaders(sent);
  const answer = await fetch(sent.url, {
    method: 'OPTIONS',
    headers: { origin: APP_ORIGIN, 'access-control-request-method': sent.method, ...(requested.length ? { 'access-control-request-headers': requested.join(',') } : {}) },
  });
  const list = (name: string) => (answer.headers.get(name) ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
  const problems: string[] = [];
  if (!answer.ok) problems.push(`preflight answered ${answer.status}`);
  const origin = answer.headers.get('access-control-allow-origin');
  if (origin !== '*' && origin !== APP_ORIGIN) problems.push(`origin not allowed (${origin})`);
  if (!['GET', 'HEAD', 'POST'].includes(sent.method) && !list('access-control-allow-methods').includes(sent.method.toLowerCase())) problems.push(`method ${sent.method}`);
  const allowed = list('access-control-allow-headers');
  for (const header of requested) if (!allowed.includes(header)) problems.push(`header ${header}`);
  return problems;
}

function startGateway(profile: Profile) {
  const mock = createMockGateway({ seed: `browser-cors-${profile}`, mcp: false, profile });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  const sent: Sent[] = [];
  const recording: Fetch = (input, init) => {
    sent.push({ method: (init?.method ?? 'GET').toUpperCase(), url: new URL(String(input)), headers: new Headers(init?.headers) });
    return globalThis.fetch(input, init);
  };
  const options = (extra: ClientOptions): ClientOptions => ({ gatewayUrl: MOCK_ORIGIN, fetch: recording, logLevel: 'off', apiKey: mock.demoTokens.trader, ...extra });
  /** A client made where a page's globals exist (the SDK reads them when it is constructed). */
  const browserClient = (extra: ClientOptions = {}) => {
    vi.stubGlobal('window', {});
    vi.stubGlobal('document', {});
    try {
      return new Proxygate(options(extra));
    } finally {
      vi.unstubAllGlobals();
    }
  };
  const nodeClient = (extra: ClientOptions = {}) => new Proxygate(options(extra));
  return { mock, sent, browserClient, nodeClient, close: () => server.close() };
}

/** Reads, a paid call with a shield mode, a rating; with the extensions, tokens and the receipt log too. */
async function tour(pg: Proxygate, extended: boolean): Promise<void> {
  await pg.meta.health();
  await pg.catalog.list({ limit: 2 });
  await pg.catalog.categories();
  await pg.account.me();
  await pg.account.balance();
  await pg.account.usage({ limit: 1 });
  const paid = await pg.call('echo', '/echo', { body: { hello: 'browser' }, shield: 'monitor' });
  await pg.account.rate({ request_id: paid.requestId!, is_positive: true });
  if (extended) {
    await pg.tokens.self();
    const child = await pg.tokens.create({ scopes: ['catalog:read'] });
    await pg.tokens.list();
    await pg.tokens.revoke(child.info.id);
    await pg.receiptsLog.list({ limit: 1 });
  }
}

describe.each(['public', 'extended'] as const)('in a browser, against the %s profile', (profile) => {
  let g: ReturnType<typeof startGateway>;
  beforeAll(() => {
    g = startGateway(profile);
  });
  afterAll(() => g.close());
  const extended = profile === 'extended';

  test('the SDK sends only headers the gateway\'s preflight allows (no User-Agent, no X-Retry-Count)', async () => {
    g.sent.length = 0;
    await tour(g.browserClient(), extended);
    expect(g.sent.length).toBeGreaterThan(8);
    const names = new Set(g.sent.flatMap((s) => [...s.headers.keys()]));
    // The whole list of what a browser app's calls carry.
    expect([...names].sort()).toEqual(['accept', 'authorization', 'content-type', ...(extended ? ['idempotency-key'] : []), 'x-proxygate-shield'].sort());
    const preflighted = g.sent.filter(needsPreflight);
    expect(preflighted.length).toBeGreaterThan(0);
    for (const sent of preflighted) {
      expect(await preflightProblems(sent), `${sent.method} ${sent.url.pathname} [${unsafeHeaders(sent).join(', ')}]`).toEqual([]);
    }
  });

  test('a public read without a token needs no preflight at all', async () => {
    g.sent.length = 0;
    const pg = g.browserClient({ apiKey: null });
    await pg.catalog.categories();
    await pg.meta.health();
    expect(g.sent.length).toBeGreaterThan(0);
    expect(g.sent.filter(needsPreflight)).toEqual([]);
  });

  test('answers to a cross-origin request let the page read the headers the SDK reads', async () => {
    const answer = await fetch(`${MOCK_ORIGIN}/health`, { headers: { origin: APP_ORIGIN } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    const exposed = (answer.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim());
    expect(exposed).toEqual(expect.arrayContaining(['x-proxygate-receipt', 'x-proxygate-shield', 'x-request-id', 'retry-after']));
  });

  test.each(['x-proxygate-receipt', 'x-receipt'] as const)('a paid answer carrying %s exposes it, and every other header it sends', async (name) => {
    let paid: Headers | undefined;
    const fromPage: Fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('origin', APP_ORIGIN);
      const response = await globalThis.fetch(input, { ...init, headers });
      if (new URL(String(input)).pathname.startsWith('/proxy/')) paid = response.headers;
      return response;
    };
    g.mock.gateway.setReceiptHeader(name);
    try {
      const result = await new Proxygate({ gatewayUrl: MOCK_ORIGIN, fetch: fromPage, logLevel: 'off', apiKey: g.mock.demoTokens.trader }).call('echo', '/echo');
      expect(result.rawReceipt).toBeTruthy();
    } finally {
      g.mock.gateway.setReceiptHeader('x-proxygate-receipt');
    }
    if (!paid) throw new Error('no paid answer was seen');
    expect(paid.has(name)).toBe(true);
    // CORS-safelisted response headers are readable without being exposed.
    const safelisted = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);
    const exposed = (paid.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
    const hidden = [...paid.keys()].filter((header) => !safelisted.has(header) && !header.startsWith('access-control-') && !exposed.includes(header));
    expect(hidden).toEqual([]);
  });

  test('the same tour from Node sends headers that preflight would refuse: the check above can fail', async () => {
    g.sent.length = 0;
    await tour(g.nodeClient(), extended);
    const refused = new Set<string>();
    for (const sent of g.sent.filter(needsPreflight)) for (const problem of await preflightProblems(sent)) refused.add(problem);
    expect([...refused].sort()).toEqual(['header user-agent', 'header x-retry-count']);
  });
});
