// The seed's first promise, shown rather than claimed: every listing's upstream key is injected
// by the gateway into the upstream request only, and nothing the gateway returns (body, header,
// receipt, error, SSE event, usage row, receipt log, request log line, MCP result) carries it,
// even when the upstream echoes its request back; the shield then flags (monitor) or blocks
// (strict) the answer.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Gateway,
  MOCK_ORIGIN,
  PROFILES,
  scan,
  UPSTREAM_CREDENTIAL_PREFIX,
  UPSTREAM_CREDENTIAL_REDACTED,
  type UpstreamAuth,
} from '../src/index.js';
import { startMockServer } from '../src/serve.js';
import { decodeReceiptHeader, id, useMock } from './helpers.js';

interface Seen {
  listingId: string;
  query: URLSearchParams;
  headers: Record<string, string>;
}

/** A body every POST endpoint of the catalog accepts (chat messages, translate text, search q). */
const BODY = JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }], text: 'hello', to: 'de', q: 'x' });
const MODES = ['off', 'monitor', 'strict'] as const;

function placed(seen: Seen, auth: UpstreamAuth): string | null {
  if (auth.in === 'query') return seen.query.get(auth.name);
  const value = seen.headers[auth.name.toLowerCase()] ?? null;
  return value !== null && auth.in === 'header' && auth.scheme ? value.replace(/^Bearer /, '') : value;
}

/** The body as far as it arrives (a body cut off by a fault still shows its first bytes). */
async function bodyText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Cut off: what arrived is what a client could read.
  }
  return text;
}

/** Every text a client could read from one answer: all header values (the receipt decoded) and the body. */
async function readable(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  const receipt = response.headers.get('x-proxygate-receipt');
  const decoded = receipt ? JSON.stringify(decodeReceiptHeader(receipt)) : '';
  return `${headers}\n${decoded}\n${await bodyText(response)}`;
}

describe.each(PROFILES)('upstream credentials (%s profile)', (profile) => {
  it('each listing has its own seeded, clearly fake key, placed where its seller configured it', () => {
    const seen: Seen[] = [];
    const gateway = new Gateway({ profile, seed: 'creds', observeUpstream: (listingId, request) => seen.push({ listingId, query: request.query, headers: request.headers }) });
    const again = new Gateway({ profile, seed: 'creds' });
    const other = new Gateway({ profile, seed: 'other-seed' });
    const auth = gateway.authenticate(`Bearer ${gateway.demoTokens.trader}`);
    const listings = gateway.listApis({ limit: '100' }).data;
    const keys = new Set<string>();
    for (const row of listings) {
      const listing = gateway.listing(row.listing_id);
      const endpoint = listing.endpoints[0]!;
      seen.length = 0;
      gateway.callListing(auth, {
        listing: listing.id,
        service: listing.service,
        method: endpoint.method,
        path: endpoint.path.replace(/\{[^}]+\}/g, 'x'),
        query: 'q=1',
        body: endpoint.method === 'GET' ? null : BODY,
        shield: 'off',
      });
      const key = gateway.upstreamCredentialOf(listing.id);
      expect(key.startsWith(UPSTREAM_CREDENTIAL_PREFIX)).toBe(true);
      expect(again.upstreamCredentialOf(listing.id)).toBe(key);
      expect(other.upstreamCredentialOf(listing.id)).not.toBe(key);
      keys.add(key);
      expect(seen).toHaveLength(1);
      expect(placed(seen[0]!, listing.upstreamAuth)).toBe(key);
      // The buyer's own query reaches the upstream untouched beside it.
      expect(seen[0]!.query.get('q')).toBe('1');
    }
    expect(keys.size).toBe(listings.length);
    // Both placements are in use: a header (x-api-key or Authorization: Bearer) and a query parameter.
    const placements = new Set(listings.map((row) => gateway.listing(row.listing_id).upstreamAuth.in));
    expect(placements).toEqual(new Set(['header', 'query']));
    expect(gateway.listing('weather-current').upstreamAuth).toEqual({ in: 'query', name: 'appid' });
  });

  it("the fake key has a provider key's shape: the shield's secret rule flags it and strict blocks it", () => {
    const key = new Gateway({ profile, seed: 'creds' }).upstreamCredentialOf('echo');
    expect(scan(`{"x-api-key":"${key}"}`, 'monitor')).toMatchObject({ action: 'flagged', flags: ['secret_leak'] });
    expect(scan(`{"x-api-key":"${key}"}`, 'strict')).toMatchObject({ action: 'blocked', flags: ['secret_leak'] });
  });

  describe('over HTTP (in-process)', () => {
    const t = useMock({ profile, seed: 'creds-http' });
    const allKeys = (): string[] => t.mock.gateway.listApis({ limit: '100' }).data.map((row) => t.mock.gateway.upstreamCredentialOf(row.listing_id));
    const expectNoKey = (text: string, keys: readonly string[]) => {
      for (const key of keys) expect(text).not.toContain(key);
      expect(text).not.toContain(UPSTREAM_CREDENTIAL_PREFIX);
    };

    it('no answer of any endpoint of any listing, in any shield mode, carries a key; nor usage, receipts or the ledger', async () => {
      const keys = allKeys();
      const token = t.mock.demoTokens.trader;
      let answers = 0;
      for (const row of t.mock.gateway.listApis({ limit: '100' }).data) {
        for (const endpoint of row.endpoints) {
          for (const mode of MODES) {
            const path = endpoint.path.replace(/\{[^}]+\}/g, 'x');
            const response = await t.fetch(`/proxy/${row.service}${path}?listing=${row.listing_id}&q=1`, {
              token,
              method: endpoint.method,
              headers: { 'x-proxygate-shield': mode, ...(endpoint.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
              ...(endpoint.method === 'GET' ? {} : { body: BODY }),
            });
            expectNoKey(await readable(response), keys);
            answers++;
          }
        }
      }
      expect(answers).toBeGreaterThan(50);
      expectNoKey(await readable(await t.fetch('/v1/usage?limit=100', { token })), keys);
      if (profile === 'extended') expectNoKey(await readable(await t.fetch('/v1/receipts?limit=100', { token })), keys);
      expectNoKey(JSON.stringify(t.mock.ledger()), keys);
    });

    it('an upstream that echoes its request back: the key is replaced, the shield flags it (monitor) and blocks it (strict)', async () => {
      const keys = allKeys();
      const token = t.mock.demoTokens.trader;
      const headersPath = `/proxy/echo/headers?listing=${id('echo')}`;

      const monitored = await t.fetch(headersPath, { token, headers: { 'x-proxygate-shield': 'monitor' } });
      expect(monitored.status).toBe(200);
      expect(monitored.headers.get('x-proxygate-shield-flags')).toBe('secret_leak');
      const echoed = (await monitored.clone().json()) as { headers: Record<string, string> };
      // The upstream did receive the key (the gateway found it in the echo and replaced it).
      expect(echoed.headers['x-api-key']).toBe(UPSTREAM_CREDENTIAL_REDACTED);
      expectNoKey(await readable(monitored), keys);

      const strict = await t.fetch(headersPath, { token, headers: { 'x-proxygate-shield': 'strict' } });
      expect(strict.status).toBe(422);
      const blockText = await readable(strict.clone());
      expectNoKey(blockText, keys);
      expect(await strict.json()).toMatchObject({ error: 'response_blocked', code: 'shield_blocked', shield_flags: ['secret_leak'], refunded: true });
      const receipt = decodeReceiptHeader(strict.headers.get('x-proxygate-receipt'));
      expect(String(receipt['amount'])).toBe('0');
      if (profile === 'extended') expect(receipt['shield']).toMatchObject({ action: 'blocked', flags: ['secret_leak'] });

      // Unscanned, the key still never leaves.
      const off = await t.fetch(headersPath, { token, headers: { 'x-proxygate-shield': 'off' } });
      expect(off.headers.get('x-proxygate-shield')).toBeNull();
      expectNoKey(await readable(off), keys);
    });

    it('answers damaged after the charge (faults) and gateway errors carry no key either', async () => {
      const keys = allKeys();
      const token = t.mock.demoTokens.trader;
      const headersPath = `/proxy/echo/headers?listing=${id('echo')}`;
      for (const kind of ['truncate', 'malformed_json', 'server_error'] as const) {
        t.mock.faults.inject({ kind, phase: 'after', path: '/proxy/' });
        const response = await t.fetch(headersPath, { token, headers: { 'x-proxygate-shield': 'off' } });
        const text = await readable(response);
        expect(text).toContain(kind === 'server_error' ? 'Injected' : '{"headers":{"x-api-key"');
        expectNoKey(text, keys);
      }
      const refused = await t.fetch(`/proxy/echo/nowhere?listing=${id('echo')}`, { token });
      expect(refused.status).toBe(400);
      expectNoKey(await readable(refused), keys);
    });

    it('SSE events of a stream carry no key', async () => {
      const keys = allKeys();
      const row = t.mock.gateway.listApis({ limit: '100' }).data.find((listing) => listing.slug === 'llm-stream')!;
      const endpoint = row.endpoints[0]!;
      const response = await t.fetch(`/proxy/${row.service}${endpoint.path}?listing=${row.listing_id}`, {
        token: t.mock.demoTokens.trader,
        method: endpoint.method,
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        ...(endpoint.method === 'GET' ? {} : { body: BODY }),
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const text = await readable(response);
      expect(text).toContain('data:');
      expectNoKey(text, keys);
    });

    it('the MCP call_api result (in-process /mcp handler) carries no key, and the echo is flagged', async () => {
      const keys = allKeys();
      const client = new Client({ name: 'credential-test', version: '0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${MOCK_ORIGIN}/mcp`), { requestInit: { headers: { authorization: `Bearer ${t.mock.demoTokens.trader}` } } }),
      );
      try {
        const monitored = await client.callTool({ name: 'call_api', arguments: { listing_id: id('echo'), path: '/headers', shield: 'monitor' } });
        expectNoKey(JSON.stringify(monitored), keys);
        expect((monitored.structuredContent as { shield: { flags: string[] } }).shield.flags).toContain('secret_leak');
        const strict = await client.callTool({ name: 'call_api', arguments: { listing_id: id('echo'), path: '/headers', shield: 'strict' } });
        expectNoKey(JSON.stringify(strict), keys);
        expect(strict.isError).toBe(true);
        const weather = await client.callTool({ name: 'call_api', arguments: { listing_id: id('weather-current'), path: '/current', query: { city: 'Oslo' } } });
        expectNoKey(JSON.stringify(weather), keys);
      } finally {
        await client.close();
      }
    });
  });
});

describe('the request log of the HTTP server', () => {
  afterEach(() => vi.restoreAllMocks());

  it('never carries an upstream key (the echo listing included)', async () => {
    const lines: string[] = [];
    // The log line is written when a response finishes: the second /proxy/ line is the signal.
    let bothLogged!: () => void;
    const logged = new Promise<void>((resolve) => (bothLogged = resolve));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
      if (lines.filter((line) => line.includes('/proxy/')).length === 2) bothLogged();
      return true;
    });
    const server = await startMockServer({ seed: 'creds-log', quiet: false });
    try {
      const token = server.demoTokens.trader;
      const keys = server.gateway.listApis({ limit: '100' }).data.map((row) => server.gateway.upstreamCredentialOf(row.listing_id));
      for (const [service, path, listing] of [['echo', '/headers', 'echo'], ['weather', '/current', 'weather-current']] as const) {
        const response = await fetch(`${server.url}/proxy/${service}${path}?listing=${id(listing)}&city=Oslo`, { headers: { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
      }
      await logged;
      expect(lines.filter((line) => line.includes('/proxy/'))).toHaveLength(2);
      const log = lines.join('');
      for (const key of keys) expect(log).not.toContain(key);
      expect(log).not.toContain(UPSTREAM_CREDENTIAL_PREFIX);
    } finally {
      await server.close();
    }
  });
});
