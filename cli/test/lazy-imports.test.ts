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
const HEAVY = /^import\s+(?!type\b)[^;]*from\s+'(@proxygate-kit\/sdk[^']*|@modelcontextprotocol\/[^']*|ofetch|zod|msw[^']*)'/m;

describe('lazy imports', () => {
  const all = files(src);
  it('no module under src/ imports the SDK, MCP SDK, ofetch or zod at the top level', () => {
    const offenders = all.filter((file) => readFileSync(file, 'utf8').split('\n').some((line) => HEAVY.test(line)));
    expect(offenders.map((f) => f.slice(src.length))).toEqual([]);
  });
  it('the check itself catches a value import', () => {
    expect(HEAVY.test("import { Proxygate } from '@proxygate-kit/sdk';")).toBe(true);
    expect(HEAVY.test("import type { Proxygate } from '@proxygate-kit/sdk';")).toBe(false);
  });
});
