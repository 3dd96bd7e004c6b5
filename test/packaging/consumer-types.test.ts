// The published types work for users: projects under consumer/, compiled as a user's node16
// project would be (no source condition), resolve every import to dist/*.d.ts.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

async function compile(project: string): Promise<{ ok: boolean; output: string }> {
  const args = [tsc, '-p', `test/packaging/consumer/${project}`, '--listFiles', '--pretty', 'false'];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 90_000 });
    return { ok: true, output: stdout };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

function expectCleanCompile({ ok, output }: { ok: boolean; output: string }, entries: string[]): string[] {
  expect(output.split('\n').filter((line) => /error TS\d+/.test(line))).toEqual([]);
  expect(ok).toBe(true);
  const files = output.split('\n').filter((line) => line.startsWith('/'));
  const ours = files.filter((file) => file.startsWith(`${REPO_ROOT}/sdk/`));
  for (const entry of entries) expect(ours, entry).toContain(`${REPO_ROOT}/sdk/dist/${entry}.d.ts`);
  expect(ours.filter((file) => !/\/sdk\/dist\/.+\.d\.ts$/.test(file)), 'only built declarations').toEqual([]);
  return files;
}

describe.concurrent('TypeScript consumers of the published packages', () => {
  it('a Node project (node16, @types/node) uses the client, errors, receipts, receipts/node and mcp', async () => {
    expectCleanCompile(await compile('tsconfig.json'), ['index', 'receipts/index', 'receipts/node', 'mcp/index']);
  }, 90_000);

  it('a Node project without the DOM lib (lib checking on) uses the client, receipts and receipts/node', async () => {
    expectCleanCompile(await compile('tsconfig.node-only.json'), ['index', 'receipts/index', 'receipts/node']);
  }, 90_000);

  it('a browser project (DOM lib, no @types/node, lib checking on) uses the client, receipts and mcp', async () => {
    const files = expectCleanCompile(await compile('tsconfig.browser.json'), ['index', 'receipts/index', 'mcp/index']);
    expect(files.filter((file) => file.includes('/@types/node/'))).toEqual([]);
    expect(files.some((file) => file.endsWith('/sdk/dist/receipts/node.d.ts'))).toBe(false);
  }, 90_000);
});
