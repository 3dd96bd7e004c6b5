// The tarballs work as installed: each is unpacked into an app's node_modules, next to only the
// dependencies its package.json declares (linked from the repository's node_modules; nothing is
// downloaded). An undeclared dependency or an unpacked file the code needs fails here.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll } from './packed-files.js';
import { PACKAGES, REPO_ROOT, type PackageName } from './paths.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'pgk-installed-'));
const app = join(tmp, 'app');
const modules = join(app, 'node_modules');
// Children get no inherited secrets or Node options; PATH finds tar and node's helpers.
const childEnv = { PATH: process.env['PATH'] ?? '', HOME: tmp, NO_COLOR: '1' };

beforeAll(async () => {
  const packed = packAll(tmp);
  mkdirSync(modules, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const declared = new Set<string>();
  for (const [name, { tarball, manifest }] of packed) {
    const into = join(modules, name);
    mkdirSync(into, { recursive: true });
    await run('tar', ['-xzf', tarball!, '-C', into, '--strip-components=1']);
    const deps = manifest as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...deps.dependencies, ...deps.peerDependencies })) declared.add(dep);
  }
  for (const dep of declared) {
    if (dep in PACKAGES) continue;
    const link = join(modules, dep);
    if (existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', dep), link, 'dir');
  }
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: app, env: childEnv, encoding: 'utf8', timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout = '', stderr = '' } = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === 'number' ? code : -1, stdout, stderr };
  }
}

describe('packages installed from their tarballs', () => {
  it('an app lists the SDK catalog from the unpacked mock gateway, through the unpacked SDK', async () => {
    writeFileSync(join(app, 'catalog.mjs'), `
      import { Proxygate, NotFoundError } from '@proxygate-kit/sdk';
      import { KeySet } from '@proxygate-kit/sdk/receipts';
      import { startMockServer } from '@proxygate-kit/server-mock/serve';
      const server = await startMockServer({ quiet: true });
      try {
        const client = new Proxygate({ apiKey: server.demoTokens.readOnly, gatewayUrl: server.url, maxRetries: 0 });
        const page = await client.catalog.list({ limit: 2 });
        const balance = await client.account.balance();
        const keys = KeySet.fromDocument(await client.meta.receiptKeys());
        let notFound = false;
        try { await client.catalog.get('no-such-listing'); } catch (e) { notFound = e instanceof NotFoundError; }
        process.stdout.write(JSON.stringify({
          host: new URL(server.url).hostname, listings: page.data.length,
          balanceIsInteger: Number.isSafeInteger(balance.available), kids: keys.kids.length, notFound,
        }));
      } finally {
        await server.close();
      }`);
    const result = await node(['catalog.mjs']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ host: '127.0.0.1', listings: 2, balanceIsInteger: true, kids: expect.any(Number), notFound: true });
    expect(JSON.parse(result.stdout).kids).toBeGreaterThan(0);
  }, 60_000);

  // The packages are ESM; CommonJS code requires them through require(esm) (Node >= 20.19, 22.12).
  it.skipIf(!(process.features as { require_module?: boolean }).require_module)('a CommonJS app can require() every SDK entry', async () => {
    writeFileSync(join(app, 'consumer.cjs'), `
      const { Proxygate } = require('@proxygate-kit/sdk');
      const { KeySet, verifyReceipt } = require('@proxygate-kit/sdk/receipts');
      const { nodeCryptoBackend, createVerifierPool } = require('@proxygate-kit/sdk/receipts/node');
      const { connectGateway } = require('@proxygate-kit/sdk/mcp');
      process.stdout.write(JSON.stringify([Proxygate, KeySet, verifyReceipt, createVerifierPool, connectGateway].map((f) => typeof f).concat(nodeCryptoBackend.name)));`);
    const result = await node(['consumer.cjs']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(['function', 'function', 'function', 'function', 'function', 'node']);
  }, 60_000);

  it('the proxygate bin answers --version and --help (oclif manifest and commands load)', async () => {
    const cli = join(modules, '@proxygate-kit/cli/bin/run.cjs');
    const version = await node([cli, '--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^@proxygate-kit\/cli\/0\.1\.0 /);
    const help = await node([cli, 'receipts', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('receipts verify');
  }, 60_000);

  it('the proxygate-mock bin answers --help', async () => {
    const result = await node([join(modules, '@proxygate-kit/server-mock/bin/proxygate-mock.js'), '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: proxygate-mock /);
  }, 60_000);

  it('uses the unpacked packages, not the workspace', () => {
    for (const name of Object.keys(PACKAGES) as PackageName[]) {
      const manifest = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as { name: string };
      expect(manifest.name).toBe(name);
      expect(existsSync(join(modules, name, 'test'))).toBe(false);
    }
  });
});
