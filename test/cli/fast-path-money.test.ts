// The `receipts verify` start-up bundle takes from the SDK's money module only the formatter its
// --list amounts and audit totals print (through cli/src/lazy/money.ts), not the rest of money or
// the client: the tree-shaking rolldown.config.mjs relies on, checked on the built bundle.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from './harness.js';

const bundlePath = fileURLToPath(new URL('../../cli/dist/fast-path.bundle.cjs', import.meta.url));

describe('the receipts verify bundle and the money module (built)', () => {
  let bundle: string;
  beforeAll(() => {
    assertBuilt();
    bundle = readFileSync(bundlePath, 'utf8');
  });

  it('holds formatUsd (its thousands grouping)', () => {
    expect(bundle).toContain('\\B(?=(\\d{3})+(?!\\d))');
  });

  it('holds none of the money functions it never calls, nor the client', () => {
    // parseUsd, usdToMicroUsd / usdPerTokenToMicroUsdPerMillion, toSafeNumber: their own messages.
    for (const text of ['Not a dollar amount', 'A USD amount', 'A per-token USD price', 'Amount exceeds Number.MAX_SAFE_INTEGER']) {
      expect(bundle, text).not.toContain(text);
    }
    expect(bundle).not.toContain('withOptions');
  });
});
