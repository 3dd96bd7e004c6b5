// The `receipts verify` start-up path as built: what it loads, that V8 takes the code cache the
// build wrote, and that a reader leaving early is not an error.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReceiptFixture } from '../../cli/scripts/receipt-fixture.mjs';
import { assertBuilt, CLI_BIN, runCli } from './harness.js';

const cli = fileURLToPath(new URL('../../cli/', import.meta.url));
const loader = join(cli, 'bin/fast-path-loader.cjs');
const { CACHE } = createRequire(import.meta.url)(loader) as { CACHE: string };
// Before Node 20.16 a vm.Script cannot import(), so the loader (and the build) skip the cache.
const vmCanImport = Boolean((vm as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER);

describe('receipts verify start-up path (built)', () => {
  let dir: string;
  let fixture: { keys: string; receipt: string };
  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'pg-start-up-'));
    fixture = writeReceiptFixture(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the bundle requires only node:fs and node:crypto (no worker_threads, no ESM loader)', () => {
    const bundle = readFileSync(join(cli, 'dist/fast-path.bundle.cjs'), 'utf8');
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['node:fs', 'node:crypto']));
  });

  it.skipIf(!vmCanImport)('the build wrote a code cache for this V8, and V8 accepts it', () => {
    expect(existsSync(CACHE), `${CACHE} (build with this Node first)`).toBe(true);
    // A plain `node` process, as the binary runs: the test runner's own flags would change V8's verdict.
    const probe = spawnSync(process.execPath, ['-e', `
      const { loadFastPath } = require(${JSON.stringify(loader)});
      const { script } = loadFastPath();
      process.stdout.write(String(script.cachedDataRejected));
    `], { encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(probe.stdout).toBe('false');
  });

  it.skipIf(!vmCanImport)('a cache V8 rejects (corrupt, or a bundle rebuilt without it) only costs the compile', () => {
    const copy = join(dir, 'copy');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    mkdirSync(join(copy, 'dist'));
    copyFileSync(loader, join(copy, 'bin/fast-path-loader.cjs'));
    copyFileSync(join(cli, 'dist/fast-path.bundle.cjs'), join(copy, 'dist/fast-path.bundle.cjs'));
    writeFileSync(join(copy, 'dist', basename(CACHE)), Buffer.alloc(4096, 7));
    const probe = spawnSync(process.execPath, ['-e', `
      const { loadFastPath } = require(${JSON.stringify(join(copy, 'bin/fast-path-loader.cjs'))});
      const { exports, script } = loadFastPath();
      exports.runVerifyFastPath(${JSON.stringify([fixture.receipt, '--keys', fixture.keys])})
        .then((code) => process.stderr.write(JSON.stringify({ rejected: script.cachedDataRejected, code })));
    `], { encoding: 'utf8' });
    expect(probe.stdout).toBe('1 valid, 0 invalid\n');
    expect(JSON.parse(probe.stderr)).toEqual({ rejected: true, code: 0 });
  });

  it('verifies the fixture through the fast path', async () => {
    const r = await runCli(['receipts', 'verify', fixture.receipt, '--keys', fixture.keys]);
    expect(r).toMatchObject({ code: 0, stdout: '1 valid, 0 invalid\n', stderr: '' });
  });

  it.skipIf(process.platform === 'win32')('a reader that stops at once is not an error: exit 0, nothing on stderr', () => {
    // `true` exits without reading, so the report's write meets a closed pipe (EPIPE).
    const r = spawnSync('bash', ['-c', `"$0" "$1" receipts verify "$2" --keys "$3" 2>"$4" | true; echo "\${PIPESTATUS[0]}"`,
      process.execPath, CLI_BIN, fixture.receipt, fixture.keys, join(dir, 'stderr.txt')], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(join(dir, 'stderr.txt'), 'utf8')).toBe('');
  });
});
