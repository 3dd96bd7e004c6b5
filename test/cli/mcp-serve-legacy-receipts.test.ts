// `mcp serve --allow-legacy-receipts` is `call --allow-legacy-receipts`: against a gateway that
// signs v3 receipts, a token it keeps on v1 receipts has its answers withheld as downgrades by
// default (the refusal says what happened and names the flag), and served with the flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProcess, type MockProcess } from './harness.js';
import { listingId, newHome, serve, textOf, type Home } from './mcp-serve-harness.js';

describe('mcp serve --allow-legacy-receipts (extended profile, a v1-receipt token)', { timeout: 120_000 }, () => {
  let mock: MockProcess;
  let echo: string;
  const homes: Home[] = [];
  beforeAll(async () => {
    mock = await startMockProcess('mcp-serve-legacy');
    echo = await listingId(mock, 'echo');
  }, 30_000);
  afterAll(async () => {
    await Promise.all(homes.map((h) => h.remove()));
    await mock?.stop();
  });

  it.each([
    ['without the flag, the answer is withheld as a downgrade', [], true],
    ['with the flag, the answer is served', ['--allow-legacy-receipts'], false],
  ] as const)('%s', async (_, args, withheld) => {
    const h = await newHome(mock, mock.tokens.traderV1);
    homes.push(h);
    const server = await serve(h, args);
    try {
      const result = await server.call('call_api', { listing_id: echo, path: '/echo' });
      expect(Boolean(result.isError)).toBe(withheld);
      if (withheld) {
        expect(textOf(result)).toMatch(/is WITHHELD: the receipt is v1, older than the v3 receipts this gateway signs: a downgrade \(its signature verified.*; if the gateway keeps this token on legacy receipts, pass --allow-legacy-receipts/);
        expect(textOf(result)).not.toContain('did not verify');
      } else {
        expect(textOf(result)).toMatch(/Receipt: valid/);
      }
    } finally {
      await server.close();
    }
  });
});
