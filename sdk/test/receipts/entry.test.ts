import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const srcDir = new URL('../../src/receipts/', import.meta.url);

/** Every module the browser entry reaches through static imports (keyed by path from src/receipts/). */
function reachable(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (url: URL) => {
    const file = url.href.startsWith(srcDir.href) ? url.href.slice(srcDir.href.length) : `../${url.href.slice(new URL('..', srcDir).href.length)}`;
    if (seen.has(file)) return;
    const text = readFileSync(url, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) {
      visit(new URL(m[1]!.replace(/\.js$/, '.ts'), url));
    }
  };
  visit(new URL(entry, srcDir));
  return seen;
}

describe('@proxygate-kit/sdk/receipts entry', () => {
  const modules = reachable('index.ts');

  it('reaches the whole verifier but not the Node-only pool', () => {
    expect([...modules.keys()]).toEqual(expect.arrayContaining(['verify.ts', 'stream.ts', 'key-set.ts', 'backends.ts']));
    expect(modules.has('pool.ts')).toBe(false);
    expect(modules.has('node.ts')).toBe(false);
  });

  it('has no static node:* import and no network code', () => {
    for (const [file, text] of modules) {
      const valueImports = [...text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
      expect(valueImports.filter((s) => s!.startsWith('node:') || !s!.startsWith('.') && s !== '@noble/ed25519'), file).toEqual([]);
      expect(text, file).not.toMatch(/\bofetch\b|\bfetch\(|XMLHttpRequest/);
    }
  });

  it('exports the agreed public API', async () => {
    const api = await import('../../src/receipts/index.js');
    for (const name of ['KeySet', 'parseReceipt', 'decodeReceiptHeader', 'verifyReceipt', 'verifyReceipts', 'auditReceipts',
      'verifyStream', 'requestSha256', 'responseSha256', 'receiptHash', 'canonicalize', 'ReceiptParseError']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('the Node entry re-exports the browser entry plus the pool and file loader', async () => {
    const node = await import('../../src/receipts/node.js');
    const browser = await import('../../src/receipts/index.js');
    for (const name of Object.keys(browser)) expect(node, name).toHaveProperty(name);
    expect(typeof node.createVerifierPool).toBe('function');
    expect(typeof node.loadKeySetFile).toBe('function');
  });
});
