// A paid call decodes its receipt header once (parse and validate); verification then works on
// that receipt instead of reading it again. Counted at the parse module's exports, over REST and
// over MCP, in both profiles.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';

const counts = vi.hoisted(() => ({ decodeReceiptHeader: 0, parseReceipt: 0, validateReceipt: 0 }));
vi.mock('../../src/receipts/parse.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/receipts/parse.js')>();
  return {
    ...real,
    decodeReceiptHeader: ((...args: Parameters<typeof real.decodeReceiptHeader>) => {
      counts.decodeReceiptHeader++;
      return real.decodeReceiptHeader(...args);
    }) as typeof real.decodeReceiptHeader,
    parseReceipt: (input: unknown) => {
      counts.parseReceipt++;
      return real.parseReceipt(input);
    },
    validateReceipt: (input: unknown) => {
      counts.validateReceipt++;
      return real.validateReceipt(input);
    },
  };
});

const { PROFILES, startMock } = await import('./mock.js');
const { connectGateway } = await import('../../src/mcp/index.js');
const { createHarness, listingId, MCP_URL } = await import('../mcp/harness.js');

const reset = () => Object.assign(counts, { decodeReceiptHeader: 0, parseReceipt: 0, validateReceipt: 0 });

describe.each(PROFILES)('one receipt parse per paid call (%s profile)', (profile) => {
  test('REST: the header is decoded once and the verdict is valid', async () => {
    const harness = startMock(`parsed-once-${profile}`, { profile });
    try {
      const pg = harness.client({ keys: harness.keys() });
      reset();
      const result = await pg.call('weather-current', '/current', { query: { city: 'Oslo' } });
      expect(result.receiptVerdict).toMatchObject({ valid: true });
      expect(counts).toEqual({ decodeReceiptHeader: 1, parseReceipt: 0, validateReceipt: 0 });
    } finally {
      harness.close();
    }
  });

  describe('MCP', () => {
    const h = createHarness(`parsed-once-mcp-${profile}`, profile);
    const server = setupServer(...h.handlers);
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterEach(() => server.resetHandlers(...h.handlers));
    afterAll(() => server.close());

    test('call_api: the receipt is decoded once and the verdict is valid', async () => {
      const client = await connectGateway({ url: MCP_URL, token: h.gateway.demoTokens.trader, keys: h.keys });
      try {
        reset();
        const result = await client.callApi({ listing_id: listingId(h.gateway, 'weather-current'), path: '/current' });
        expect(result.verification).toMatchObject({ valid: true });
        expect(counts).toEqual({ decodeReceiptHeader: 1, parseReceipt: 0, validateReceipt: 0 });
      } finally {
        await client.close();
      }
    });
  });
});
