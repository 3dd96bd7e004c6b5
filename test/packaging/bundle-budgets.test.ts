// What a web app pays for the SDK, bundled from the built dist/ through the package `exports` as
// the app's bundler would: esbuild (browser platform, minified, gzip) for the size budgets and its
// warnings, and webpack (target web, production) for its warnings: the runtime-chosen node:crypto
// import used to be "Critical dependency: the request of a dependency is an expression".
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Message } from 'esbuild';
import webpack from 'webpack';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

const ENTRIES = ['@proxygate-kit/sdk', '@proxygate-kit/sdk/receipts', '@proxygate-kit/sdk/mcp', '@proxygate-kit/sdk/money', '@proxygate-kit/sdk/defaults'] as const;
// The offline check of one receipt: the smallest useful import of the receipts entry.
const VERIFY_ONLY = `import { KeySet, verifyReceipt } from '@proxygate-kit/sdk/receipts';
export const check = (receipt, keySetDocument) => verifyReceipt(receipt, { keys: KeySet.fromDocument(keySetDocument) });`;

interface Measured {
  minified: number;
  gzipped: number;
  warnings: Message[];
  inputs: string[];
}

async function esbuildBrowser(code: string): Promise<Measured> {
  const result = await build({
    stdin: { contents: code, resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0]!.contents;
  return { minified: output.byteLength, gzipped: gzipSync(output).byteLength, warnings: result.warnings, inputs: Object.keys(result.metafile.inputs) };
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

describe('esbuild, browser platform, from dist/', () => {
  it('the main entry, every export kept, is at most 60 kB min+gz, with zod/mini (not all of classic zod)', async () => {
    const all = await esbuildBrowser(`export * from '@proxygate-kit/sdk';`);
    expect(all.inputs.filter((i) => !i.includes('node_modules') && i.startsWith('sdk/')).every((i) => i.startsWith('sdk/dist/'))).toBe(true);
    expect(all.inputs.some((i) => i.includes('/zod/v4/mini/'))).toBe(true);
    expect(all.inputs.filter((i) => i.includes('/zod/v4/classic/'))).toEqual([]);
    expect(all.gzipped, `main entry: ${kB(all.minified)} minified, ${kB(all.gzipped)} gzipped`).toBeLessThanOrEqual(60_000);
  }, 30_000);

  it('verifying receipts offline stays within its budget (noble included; no client, zod or MCP)', async () => {
    const verify = await esbuildBrowser(VERIFY_ONLY);
    expect(verify.inputs.filter((i) => /\/zod\/|@modelcontextprotocol|sdk\/dist\/(core|resources|mcp)\//.test(i))).toEqual([]);
    expect(verify.inputs.some((i) => i.includes('@noble/ed25519'))).toBe(true);
    // Issue 14 asks for 10 kB; today's verify path weighs about 12.6 kB: noble 3.3, the strict JSON
    // reader 1.2, the native backends and their probe 0.6, ProxygateError and redaction (KeySetError)
    // 0.4, content hashing 0.4, RFC 3339 dates 0.3, the rest parsing, key-set checks and v1-v3
    // signed bytes. This ceiling catches growth until the path is cut further.
    expect(verify.gzipped, `verify-only: ${kB(verify.minified)} minified, ${kB(verify.gzipped)} gzipped`).toBeLessThanOrEqual(12_800);
  }, 30_000);

  it.each(ENTRIES)('%s bundles without a warning', async (entry) => {
    const { warnings } = await esbuildBrowser(`export * from '${entry}';`);
    expect(warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`)).toEqual([]);
  }, 30_000);
});

describe('webpack 5, target web, production, from dist/', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgk-webpack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function pack(entry: string): Promise<{ warnings: string[]; errors: string[] }> {
    const file = join(dir, `${entry.replace(/\W+/g, '-')}.mjs`);
    writeFileSync(file, `export * from '${entry}';\n`);
    const compiler = webpack({
      mode: 'production',
      target: 'web',
      context: REPO_ROOT,
      entry: file,
      output: { path: join(dir, 'out'), filename: `${entry.replace(/\W+/g, '-')}.js`, library: { type: 'module' } },
      experiments: { outputModule: true },
      resolve: { modules: [join(REPO_ROOT, 'node_modules')] },
      // Size advice is not a bundling problem (the budgets above cover size); terser only costs time.
      performance: false,
      optimization: { minimize: false },
      infrastructureLogging: { level: 'none' },
    });
    return new Promise((resolve, reject) => {
      compiler.run((error, stats) => {
        compiler.close(() => undefined);
        if (error || !stats) return reject(error ?? new Error('webpack gave no stats'));
        const json = stats.toJson({ all: false, warnings: true, errors: true });
        const describe = (m: { moduleName?: string; message: string }) => `${m.moduleName ?? ''}: ${m.message.split('\n')[0]}`;
        resolve({ warnings: (json.warnings ?? []).map(describe), errors: (json.errors ?? []).map(describe) });
      });
    });
  }

  // The MCP entry adds the MCP SDK's client to the same receipts and client code: esbuild covers it.
  it.each(ENTRIES.filter((e) => e !== '@proxygate-kit/sdk/mcp'))('%s bundles without a warning or error', async (entry) => {
    const { warnings, errors } = await pack(entry);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  }, 60_000);
});
