// The SDK's browser entries, bundled from the built dist/ as a web app would, import no Node
// built-ins and run in a realm without Node globals.
import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, formatChain, type BrowserBundle } from './browser-bundle.js';
import { createBrowserRealm, NODE_GLOBALS } from './browser-context.js';
import { signedV3Receipt } from './receipt-signer.js';

const BROWSER_ENTRIES = ['@proxygate-kit/sdk', '@proxygate-kit/sdk/receipts', '@proxygate-kit/sdk/mcp'] as const;

const bundles = new Map<string, BrowserBundle>();
beforeAll(async () => {
  for (const entry of [...BROWSER_ENTRIES, '@proxygate-kit/sdk/receipts/node']) bundles.set(entry, await bundleForBrowser(entry, { globalName: 'Entry' }));
}, 60_000);
const bundleOf = (entry: string): BrowserBundle => {
  const bundle = bundles.get(entry);
  if (!bundle) throw new Error(`no bundle for ${entry}`);
  return bundle;
};

describe('browser bundles of the SDK entries', () => {
  it.each(BROWSER_ENTRIES)('%s pulls no Node built-in, statically or dynamically', (entry) => {
    const bundle = bundleOf(entry);
    expect(bundle.nodeImports.map(formatChain)).toEqual([]);
    expect(bundle.externalImports).toEqual([]);
  });

  it.each(BROWSER_ENTRIES)('%s is bundled from the built dist/, not the TypeScript sources', (entry) => {
    const sdkModules = bundleOf(entry).modules.filter((m) => m.startsWith('sdk/'));
    expect(sdkModules.length).toBeGreaterThan(0);
    expect(sdkModules.filter((m) => !m.startsWith('sdk/dist/'))).toEqual([]);
  });

  // Finding: @modelcontextprotocol/sdk's client and HTTP transport are browser-safe; the client
  // shares a few pure helpers from its server/ folder (zod-compat, auth errors), not the server.
  it('the MCP entry bundles the MCP SDK client and HTTP transport but not its server or stdio transport', () => {
    const mcpModules = bundleOf('@proxygate-kit/sdk/mcp').modules.filter((m) => m.includes('@modelcontextprotocol/sdk'));
    expect(mcpModules.filter((m) => /\/client\/(index|streamableHttp)\.js$/.test(m))).toHaveLength(2);
    expect(mcpModules.filter((m) => /stdio|\/server\/(index|mcp|streamableHttp)\.js$/.test(m))).toEqual([]);
  });

  it('the detector does catch Node imports: the Node-only receipts entry is reported with its import chain', () => {
    const chains = bundleOf('@proxygate-kit/sdk/receipts/node').nodeImports.map(formatChain);
    expect(chains).toContain('static import of node:worker_threads: @proxygate-kit/sdk/receipts/node -> sdk/dist/receipts/node.js -> sdk/dist/receipts/pool.js -> node:worker_threads');
    expect(chains).toContain('static import of node:fs: @proxygate-kit/sdk/receipts/node -> sdk/dist/receipts/node.js -> node:fs');
    expect(chains).toContain('static import of node:crypto: @proxygate-kit/sdk/receipts/node -> sdk/dist/receipts/node.js -> sdk/dist/receipts/node-backend.js -> node:crypto');
  });
});

describe('the bundles run without Node globals', () => {
  it('the realm really lacks Node globals', () => {
    const realm = createBrowserRealm();
    for (const name of NODE_GLOBALS) expect(realm.run(`typeof ${name}`), name).toBe('undefined');
  });

  it.each(['noble', 'auto'] as const)('receipts: verifyReceipt (%s backend) accepts a receipt signed at test time and rejects a tampered one', async (backend) => {
    const { receipt, keySetDocument } = signedV3Receipt();
    const tampered = { ...receipt, amount: '1501' };
    const realm = createBrowserRealm({ inputs: JSON.stringify({ receipt, tampered, keySetDocument, backend }) });
    realm.run(bundleOf('@proxygate-kit/sdk/receipts').iife);
    const verdicts = await (realm.run(`(async () => {
      const { receipt, tampered, keySetDocument, backend } = JSON.parse(inputs);
      const keys = Entry.KeySet.fromDocument(keySetDocument);
      const good = await Entry.verifyReceipt(JSON.stringify(receipt), { keys, backend });
      const bad = await Entry.verifyReceipt(tampered, { keys, backend });
      return JSON.stringify([{ valid: good.valid, reason: good.reason }, { valid: bad.valid, reason: bad.reason }]);
    })()`) as Promise<string>);
    expect(JSON.parse(verdicts)).toEqual([{ valid: true, reason: 'valid' }, { valid: false, reason: 'bad_signature' }]);
  });

  it('main entry: a Proxygate client reads the balance through a given fetch and maps a 402 to its error class', async () => {
    const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const apiKey = `pg_live_${Array.from({ length: 32 }, () => base62[randomInt(62)]).join('')}`;
    const seen: { url: string; authorized: boolean }[] = [];
    const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      seen.push({ url: request.url, authorized: request.headers.get('authorization') === `Bearer ${apiKey}` });
      if (request.url.endsWith('/v1/balance')) {
        return Response.json({ balance: 123_456_789, pending_settlement: 0, available: 123_456_789, in_cooldown: false, currency: 'lamports' });
      }
      return Response.json({ error: 'insufficient_credits', message: 'top up', trace_id: 'tr_1' }, { status: 402 });
    };
    const realm = createBrowserRealm({ fakeFetch, apiKey });
    realm.run(bundleOf('@proxygate-kit/sdk').iife);
    const result = await (realm.run(`(async () => {
      const client = new Entry.Proxygate({ apiKey, gatewayUrl: 'https://gateway.test', fetch: fakeFetch, maxRetries: 0 });
      const balance = await client.account.balance();
      let error;
      try { await client.get('/v1/other'); } catch (e) { error = e; }
      return JSON.stringify({
        balance,
        errorClass: error && error.constructor.name,
        isInsufficientCredits: error instanceof Entry.InsufficientCreditsError,
        isApiError: error instanceof Entry.APIError,
        status: error && error.status,
      });
    })()`) as Promise<string>);
    expect(JSON.parse(result)).toEqual({
      balance: { balance: 123_456_789, pending_settlement: 0, available: 123_456_789, in_cooldown: false, currency: 'lamports' },
      errorClass: 'InsufficientCreditsError', isInsufficientCredits: true, isApiError: true, status: 402,
    });
    expect(seen).toEqual([
      { url: 'https://gateway.test/v1/balance', authorized: true },
      { url: 'https://gateway.test/v1/other', authorized: true },
    ]);
  });
});

describe('the MCP entry runs without Node globals', () => {
  it('connectGateway lists the catalog and reads the balance through the mock gateway over a given fetch', async () => {
    const { startMockServer } = await import('@proxygate-kit/server-mock/serve');
    const server = await startMockServer({ quiet: true });
    try {
      const realm = createBrowserRealm({ hostFetch: fetch, mcpUrl: `${server.url}/mcp`, token: server.demoTokens.readOnly });
      realm.run(bundleOf('@proxygate-kit/sdk/mcp').iife);
      const result = await (realm.run(`(async () => {
        const gateway = await Entry.connectGateway({ url: mcpUrl, token, fetch: hostFetch });
        try {
          const tools = await gateway.listTools();
          const listings = await gateway.browseApis({});
          const balance = await gateway.checkBalance();
          return JSON.stringify({
            tools: tools.map((t) => t.name).sort(),
            browsed: listings.data.length > 0 && /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(listings.data[0].listing_id),
            balanceIsInteger: Number.isSafeInteger(balance.available),
          });
        } finally {
          await gateway.close();
        }
      })()`) as Promise<string>);
      const parsed = JSON.parse(result) as { tools: string[]; browsed: boolean; balanceIsInteger: boolean };
      expect(parsed.tools).toEqual(expect.arrayContaining(['browse_apis', 'check_balance']));
      expect(parsed.browsed).toBe(true);
      expect(parsed.balanceIsInteger).toBe(true);
    } finally {
      await server.close();
    }
  }, 30_000);
});
