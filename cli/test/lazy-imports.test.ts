import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

// Start-up stays fast only if loading a command module loads no SDK, MCP or HTTP code:
// those are imported inside run() (lib/sdk-loader.ts). Type-only imports are erased.
// Modules under lazy/ may import them, because nothing imports lazy/ except through import().
// `@proxygate-kit/sdk/defaults` is the exception: a module of constants that imports nothing.
const HEAVY = /^(?:import|export)\s+(?!type\b)[^;]*from\s+'(@proxygate-kit\/sdk(?!\/defaults')[^']*|@modelcontextprotocol\/[^']*|ofetch|zod|msw[^']*)'/m;
const STATIC_LAZY = /^(?:import|export)\s+(?!type\b)[^;]*from\s+'[^']*\/lazy\/[^']*'/m;
const isLazy = (file: string) => file.startsWith(join(src, 'lazy'));

describe('lazy imports', () => {
  const all = files(src);
  it('no module under src/ imports the SDK, MCP SDK, ofetch or zod at the top level', () => {
    const offenders = all.filter((file) => !isLazy(file) && readFileSync(file, 'utf8').split('\n').some((line) => HEAVY.test(line)));
    expect(offenders.map((f) => f.slice(src.length))).toEqual([]);
  });
  it('modules under lazy/ are reached only through import()', () => {
    expect(all.some(isLazy)).toBe(true);
    const offenders = all.filter((file) => readFileSync(file, 'utf8').split('\n').some((line) => STATIC_LAZY.test(line)));
    expect(offenders.map((f) => f.slice(src.length))).toEqual([]);
  });
  it('the check itself catches a value import', () => {
    expect(HEAVY.test("import { Proxygate } from '@proxygate-kit/sdk';")).toBe(true);
    expect(HEAVY.test("import type { Proxygate } from '@proxygate-kit/sdk';")).toBe(false);
    expect(HEAVY.test("export { KeySet } from '@proxygate-kit/sdk/receipts';")).toBe(true);
    expect(HEAVY.test("import { DEFAULT_GATEWAY_URL } from '@proxygate-kit/sdk/defaults';")).toBe(false);
    expect(HEAVY.test("import { formatUsd } from '@proxygate-kit/sdk/money';")).toBe(true);
    expect(STATIC_LAZY.test("import { KeySet } from '../lazy/receipts-sdk.js';")).toBe(true);
    expect(STATIC_LAZY.test("type R = typeof import('../lazy/receipts-sdk.js');")).toBe(false);
  });
});
