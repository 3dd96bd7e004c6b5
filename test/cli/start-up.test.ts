// The `receipts verify` start-up path as built: what it loads, that V8 takes the code cache the
// build wrote, and that a reader leaving early is not an error.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReceiptFixture, writeV1ReceiptFixture } from '../../cli/scripts/receipt-fixture.mjs';
import { assertBuilt, CLI_BIN, runCli } from './harness.js';

const cli = fileURLToPath(new URL('../../cli/', import.meta.url));
const loader = join(cli, 'bin/fast-path-loader.cjs');
// Before Node 20.16 a vm.Script cannot import(), so the loader keeps no cache there.
const vmCanImport = Boolean((vm as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER);

/** Loads the fast path in a plain `node` (as the binary runs), verifies the fixture, saves the caches. */
function probe(fixture: { keys: string; receipt: string }, env: Record<string, string>, loaderPath = loader) {
  const r = spawnSync(process.execPath, ['-e', `
    const { loadFastPath } = require(${JSON.stringify(loaderPath)});
    const fastPath = loadFastPath();
    fastPath.exports.runVerifyFastPath(${JSON.stringify([fixture.receipt, '--keys', fixture.keys])}, { checkedKeys: fastPath.checkedKeys }).then((code) => {
      fastPath.save();
      process.stderr.write(JSON.stringify({ cacheUsed: fastPath.cacheUsed, code }));
    });
  `], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
  // The probe's JSON comes last on stderr, after any error line of the run itself.
  return { stdout: r.stdout, result: JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('{'))) as { cacheUsed: boolean; code: number } };
}

describe('receipts verify start-up path (built)', () => {
  let dir: string;
  let fixture: { keys: string; receipt: string };
  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'pg-start-up-'));
    fixture = writeReceiptFixture(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the bundle requires only node:fs and node:crypto (not the verifier pool\'s worker_threads or os)', () => {
    const bundle = readFileSync(join(cli, 'dist/fast-path.bundle.cjs'), 'utf8');
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['node:fs', 'node:crypto']));
  });

  it('the data commands\' bundles hold neither oclif, zod nor the MCP SDK, are ASCII, and require only the built-ins a data command uses at once', () => {
    for (const group of ['catalog', 'call', 'account', 'receipts']) {
      const bundle = readFileSync(join(cli, `dist/data-${group}.bundle.cjs`), 'utf8');
      // zod's schemas all carry `_zod`; oclif-lite stands in for @oclif/core; the MCP SDK is the mcp commands'.
      for (const absent of ['_zod', '@oclif/core', 'modelcontextprotocol', 'jsonrpc']) expect(bundle.includes(absent), `${group}: ${absent}`).toBe(false);
      // ASCII: the loader makes the source text by a plain copy of the bytes it hashes.
      expect(/[^\x00-\x7f]/.test(bundle), `${group}: non-ASCII`).toBe(false);
      // Required at load (as a string literal); the rest (child_process, https, readline, worker_threads, os, module) on first use.
      const atLoad = new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
      expect([...atLoad].filter((id) => !['node:crypto', 'node:fs', 'node:fs/promises', 'node:http', 'node:path', 'node:util', 'url'].includes(id!)), group).toEqual([]);
      // No import(): the first one of a process starts Node's ESM loader.
      expect(bundle, group).not.toMatch(/\bimport\(/);
    }
  });

  it('each data topic goes to the bundle of its commands\' group', async () => {
    const { dataCommandGroups } = await import('../../cli/src/data-path.js');
    const { TOPIC_BUNDLES } = createRequire(import.meta.url)(loader) as { TOPIC_BUNDLES: Record<string, string> };
    const groups = dataCommandGroups() as Record<string, Record<string, unknown>>;
    const ids = Object.values(groups).flatMap((group) => Object.keys(group));
    const topics = [...new Set(ids.map((id) => id.split(':')[0]!))];
    expect(Object.keys(TOPIC_BUNDLES).sort()).toEqual(topics.sort());
    for (const id of ids) expect(Object.keys(groups[TOPIC_BUNDLES[id.split(':')[0]!]!.replace(/^data-/, '')] ?? {}), id).toContain(id);
    // bin/run.cjs sends these topics to the data path.
    const run = readFileSync(join(cli, 'bin/run.cjs'), 'utf8');
    const listed = /const DATA_TOPICS = new Set\(\[([^\]]*)\]\)/.exec(run)?.[1]?.match(/'[^']+'/g)?.map((t) => t.slice(1, -1));
    expect(listed?.sort()).toEqual(topics.sort());
  });

  describe.skipIf(!vmCanImport || process.platform === 'win32')('the per-user start-up caches', () => {
    const cacheDir = () => join(dir, 'cache');
    const cacheFiles = () => readdirSync(cacheDir()).filter((name) => name.endsWith('.v8cache'));

    it('is written after a run (0700 directory, 0600 file) and used by the next one', () => {
      rmSync(cacheDir(), { recursive: true, force: true });
      const env = { PROXYGATE_CACHE_DIR: cacheDir() };
      expect(probe(fixture, env)).toEqual({ stdout: '1 valid, 0 invalid\n', result: { cacheUsed: false, code: 0 } });
      const [file] = cacheFiles();
      expect(file).toMatch(/^verify-.+\.v8cache$/);
      expect(statSync(cacheDir()).mode & 0o777).toBe(0o700);
      expect(statSync(join(cacheDir(), file!)).mode & 0o777).toBe(0o600);
      expect(probe(fixture, env)).toEqual({ stdout: '1 valid, 0 invalid\n', result: { cacheUsed: true, code: 0 } });
    });

    it('remembers keys that passed the curve checks, and trusts that file only where the code cache is trusted', async () => {
      const { Point } = await import('@noble/ed25519');
      const env = { PROXYGATE_CACHE_DIR: join(dir, 'keys-cache') };
      probe(fixture, env);
      const keyDoc = JSON.parse(readFileSync(fixture.keys, 'utf8')) as { keys: Array<{ x: string }> };
      const checked = join(dir, 'keys-cache', 'checked-keys');
      expect(readFileSync(checked, 'utf8')).toBe(`${keyDoc.keys[0]!.x}\n`);
      expect(statSync(checked).mode & 0o777).toBe(0o600);

      // A key with a torsion component: refused (exit 2) unless the private file says it passed.
      const order8 = Point.fromBytes(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex'));
      const x = Buffer.from(Point.fromBytes(Buffer.from(keyDoc.keys[0]!.x, 'base64url')).add(order8).toBytes()).toString('base64url');
      const torsioned = { ...fixture, keys: join(dir, 'torsioned-keys.json') };
      writeFileSync(torsioned.keys, JSON.stringify({ ...keyDoc, keys: [{ ...keyDoc.keys[0]!, x }] }));
      expect(probe(torsioned, env).result.code).toBe(2);
      writeFileSync(checked, `${x}\n`, { mode: 0o600 });
      expect(probe(torsioned, env).result.code).toBe(1); // loaded as the file says; the signature then fails
      chmodSync(join(dir, 'keys-cache'), 0o777);
      expect(probe(torsioned, env).result.code).toBe(2);
    });

    it('a flipped byte anywhere in it means it is not used (V8 alone would run it: crashes, wrong verdicts)', () => {
      const env = { PROXYGATE_CACHE_DIR: cacheDir() };
      probe(fixture, env);
      const file = join(cacheDir(), cacheFiles()[0]!);
      const bytes = readFileSync(file);
      for (const at of [0, 10, 50, bytes.length >> 1, bytes.length - 1]) {
        const flipped = Buffer.from(bytes);
        flipped[at]! ^= 0x10;
        writeFileSync(file, flipped);
        expect(probe(fixture, env), `byte ${at}`).toEqual({ stdout: '1 valid, 0 invalid\n', result: { cacheUsed: false, code: 0 } });
      }
    });

    it('a cache made for another build of the bundle (same length) is not used', () => {
      const copy = join(dir, 'copy');
      mkdirSync(join(copy, 'bin'), { recursive: true });
      mkdirSync(join(copy, 'dist'), { recursive: true });
      copyFileSync(loader, join(copy, 'bin/fast-path-loader.cjs'));
      const bundle = readFileSync(join(cli, 'dist/fast-path.bundle.cjs'), 'utf8');
      writeFileSync(join(copy, 'dist/fast-path.bundle.cjs'), bundle);
      const env = { PROXYGATE_CACHE_DIR: join(dir, 'copy-cache') };
      const copyLoader = join(copy, 'bin/fast-path-loader.cjs');
      probe(fixture, env, copyLoader);
      expect(probe(fixture, env, copyLoader).result.cacheUsed).toBe(true);
      // Same length, other text: V8 itself would accept the old bytecode and run the old code.
      writeFileSync(join(copy, 'dist/fast-path.bundle.cjs'), bundle.replaceAll('} valid, ${', '} VALID, ${'));
      expect(probe(fixture, env, copyLoader)).toEqual({ stdout: '1 VALID, 0 invalid\n', result: { cacheUsed: false, code: 0 } });
    });

    it('is neither used nor written in a directory others can write to, nor with PROXYGATE_DISABLE_CODE_CACHE', () => {
      const shared = join(dir, 'shared-cache');
      const env = { PROXYGATE_CACHE_DIR: shared };
      probe(fixture, env);
      expect(probe(fixture, env).result.cacheUsed).toBe(true);
      expect(probe(fixture, { ...env, PROXYGATE_DISABLE_CODE_CACHE: '1' }).result.cacheUsed).toBe(false);
      chmodSync(shared, 0o777);
      expect(probe(fixture, env).result.cacheUsed).toBe(false);
      rmSync(shared, { recursive: true });
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      probe(fixture, env);
      expect(readdirSync(shared)).toEqual([]);
    });
  });

  it('verifies the fixture through the fast path', async () => {
    const r = await runCli(['receipts', 'verify', fixture.receipt, '--keys', fixture.keys]);
    expect(r).toMatchObject({ code: 0, stdout: '1 valid, 0 invalid\n', stderr: '' });
  });

  it('verifies a public-gateway v1 receipt pinned with --pin platform=, same answer as the oclif command', async () => {
    const v1 = writeV1ReceiptFixture(dir);
    const args = ['receipts', 'verify', v1.receipt, '--pin', `platform=${v1.platformPubkey}`];
    const fast = await runCli(args);
    expect(fast).toMatchObject({ code: 0, stdout: '1 valid, 0 invalid\n', stderr: '' });
    // --list names the version, amount in USD and the timestamp with the unit it was read in.
    const listed = await runCli([...args, '--list']);
    expect(listed.stdout).toBe(`${v1.receipt}:1: valid v1 ${v1.requestId} $0.00105 at 2023-11-14T22:13:20Z (unix seconds 1700000000)\n1 valid, 0 invalid\n`);
    // --profile is not a fast-path flag: the oclif command answers, identically.
    for (const extra of [[], ['--list'], ['--json', '--list']]) {
      expect(await runCli([...args, ...extra, '--profile', 'default'])).toEqual(await runCli([...args, ...extra]));
    }
    const tampered = join(dir, 'receipt-v1-tampered.json');
    writeFileSync(tampered, readFileSync(v1.receipt, 'utf8').replace('"amount":1050', '"amount":1051'));
    const bad = await runCli(['receipts', 'verify', tampered, '--pin', `platform=${v1.platformPubkey}`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/: bad_signature: .* \[[0-9a-f-]{36} at 2023-11-14T22:13:20Z \(unix seconds 1700000000\)\]\n0 valid, 1 invalid\n$/);
  });

  it.skipIf(process.platform === 'win32')('a reader that stops at once is not an error: exit 0, nothing on stderr', () => {
    // `true` exits without reading, so the report's write meets a closed pipe (EPIPE).
    const r = spawnSync('bash', ['-c', `"$0" "$1" receipts verify "$2" --keys "$3" 2>"$4" | true; echo "\${PIPESTATUS[0]}"`,
      process.execPath, CLI_BIN, fixture.receipt, fixture.keys, join(dir, 'stderr.txt')], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(join(dir, 'stderr.txt'), 'utf8')).toBe('');
  });
});
