import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import { expect, test } from 'vitest';
import * as sdk from '@proxygate-kit/sdk';
import { Proxygate, VERSION } from '@proxygate-kit/sdk';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

test('the sdk resolves to its sources in tests', () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
});

/** Static import/export specifiers of a TS module (type-only imports are erased, so skipped). */
function staticImports(source: string): string[] {
  const specs: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    if (m[2]) continue;
    if (m[3] === undefined && m[1] === 'export') continue;
    specs.push(m[4]!);
  }
  return specs;
}

test('the main entry statically imports no Node built-in (browsers and edge runtimes)', () => {
  const builtins = new Set(builtinModules);
  const seen = new Set<string>();
  const offenders: string[] = [];
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) offenders.push(`${file.slice(srcDir.length + 1)} -> ${spec}`);
    }
  };
  walk(resolve(srcDir, 'index.ts'));
  expect(seen.size).toBeGreaterThan(10);
  expect(offenders).toEqual([]);
});

test('the package root exports the client, its errors (also as statics) and the pagination classes', () => {
  const errorNames = [
    'ProxygateError', 'APIError', 'BadRequestError', 'AuthenticationError', 'InsufficientCreditsError', 'PermissionDeniedError',
    'InsufficientScopeError', 'NotFoundError', 'ConflictError', 'UnprocessableEntityError', 'ShieldBlockedError', 'RateLimitError',
    'InternalServerError', 'ConnectionError', 'TimeoutError', 'UserAbortError', 'ValidationError',
  ] as const;
  for (const name of errorNames) {
    expect(typeof sdk[name], name).toBe('function');
    expect(Proxygate[name], name).toBe(sdk[name]);
  }
  expect(sdk.default).toBe(Proxygate);
  expect(typeof sdk.PagePromise).toBe('function');
  const pg = new Proxygate({ apiKey: null, fetch: () => Promise.reject(new Error('unused')), logLevel: 'off' });
  for (const resource of ['catalog', 'account', 'tokens', 'receiptsLog', 'meta', 'calls'] as const) expect(pg[resource], resource).toBeTruthy();
  expect(typeof pg.call).toBe('function');
});
