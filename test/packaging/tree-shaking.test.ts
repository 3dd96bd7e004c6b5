// `sideEffects: false` and the module layout let bundlers drop what an app does not use: an app
// that only formats money or only verifies receipts does not ship the HTTP client, zod or MCP.
import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from './browser-bundle.js';

const shipped = (modules: string[], pattern: RegExp) => modules.filter((m) => pattern.test(m));

describe('tree-shaking of the SDK in a browser app', () => {
  it('importing only formatUsd from the main entry ships no client, ofetch, zod or receipts code (only the errors it throws)', async () => {
    const { renderedModules, esm } = await bundleForBrowser('@proxygate-kit/sdk', {
      entryCode: `import { formatUsd } from '@proxygate-kit/sdk';\nexport const shown = formatUsd(150_000_000);`,
    });
    expect(renderedModules).toContain('sdk/dist/lib/money.js');
    expect(shipped(renderedModules, /ofetch|\/zod\/|sdk\/dist\/(core\/(?!error\.js)|resources|receipts|mcp)\//)).toEqual([]);
    expect(esm.length).toBeLessThan(20_000);
  }, 30_000);

  it('verifying receipts ships the receipts modules and noble, not the client, ofetch or zod', async () => {
    const { renderedModules } = await bundleForBrowser('@proxygate-kit/sdk/receipts', {
      entryCode: `import { KeySet, verifyReceipt } from '@proxygate-kit/sdk/receipts';\nexport const check = (r, doc) => verifyReceipt(r, { keys: KeySet.fromDocument(doc) });`,
    });
    expect(renderedModules).toContain('sdk/dist/receipts/verify.js');
    expect(shipped(renderedModules, /@noble\/ed25519/).length).toBeGreaterThan(0);
    expect(shipped(renderedModules, /ofetch|\/zod\/|@modelcontextprotocol|sdk\/dist\/(core|resources|mcp)\//)).toEqual([]);
  }, 30_000);
});
