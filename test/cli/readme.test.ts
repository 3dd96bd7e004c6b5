// The README's command blocks are run as written, line by line, through bash with `proxygate` on
// PATH (the built binary): "The real gateway" against `proxygate-mock --profile public`, "CLI"
// against the default demo mock. A README line that stops working fails here.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockGateway } from '@proxygate-kit/server-mock';
import { callCost, usd } from '../../cli/test/helpers/prices.js';
import { CLI_BIN, startMockProcess, type MockProcess, type MockProfile } from './harness.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The command lines of the first ```sh block under a `## heading` (comments and blank lines dropped). */
function readmeCommands(heading: string, text = README): string[] {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README has no "## ${heading}" section`);
  const section = text.slice(start + 1).split(/\n## /)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`"## ${heading}" has no sh block`);
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

interface LineResult {
  line: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

describe.each<[string, MockProfile]>([
  ['The real gateway', 'public'],
  ['CLI', 'extended'],
])('README "%s" block, run as written against proxygate-mock --profile %s', (heading, profile) => {
  let mock: MockProcess;
  let dir: string;
  let results: LineResult[];
  const commands = readmeCommands(heading);

  beforeAll(async () => {
    mock = await startMockProcess(`readme-${profile}`, profile);
    dir = await mkdtemp(join(tmpdir(), `pg-readme-${profile}-`));
    const bin = join(dir, 'bin');
    await import('node:fs/promises').then(({ mkdir }) => mkdir(bin));
    await writeFile(join(bin, 'proxygate'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} "$@"\n`);
    chmodSync(join(bin, 'proxygate'), 0o755);
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      HOME: dir,
      PROXYGATE_GATEWAY_URL: mock.url,
      PROXYGATE_CONFIG_DIR: join(dir, 'config'),
      PROXYGATE_CREDENTIAL_STORE: 'file',
      PROXYGATE_CACHE_DIR: join(dir, 'cache'),
      NO_COLOR: '1',
    };
    // "The real gateway" section says to set PROXYGATE_API_KEY; the CLI block logs in with $KEY.
    if (profile === 'public') env['PROXYGATE_API_KEY'] = mock.tokens.trader;
    else env['KEY'] = mock.tokens.trader;
    results = commands.map((line) => {
      const r = spawnSync('bash', ['-c', line], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
      return { line, status: r.status, stdout: r.stdout, stderr: r.stderr };
    });
  }, 240_000);

  afterAll(async () => {
    await mock?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has commands to run, all of them proxygate commands', () => {
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.every((line) => line.startsWith('proxygate '))).toBe(true);
  });

  it('every line exits 0, printing no secret', () => {
    for (const r of results) {
      expect(r.status, `${r.line}\n${r.stderr}`).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(mock.tokens.trader);
    }
  });

  it('the paid call costs the listing\'s buyer price plus the shield surcharge, and its receipt verifies', async () => {
    const catalog = createMockGateway({ seed: 'readme-prices' });
    const call = results.find((r) => r.line.startsWith('proxygate call '));
    expect(call).toBeDefined();
    expect(call?.stderr).toContain(`cost: ${usd(callCost(catalog, 'skycast/weather-current'))} · request: `);
    const verify = results.find((r) => r.line.startsWith('proxygate receipts verify '));
    expect(verify?.stdout).toMatch(/^1 valid, 0 invalid$/m);
    // "The real gateway" saves a copy with --receipts; the CLI block relies on the kept log alone
    // (HOME is the test's directory, so the default data directory is under it).
    const file =
      profile === 'public'
        ? join(dir, 'receipts.jsonl')
        : join(dir, '.local', 'share', 'proxygate', 'receipts', 'default', (await readdir(join(dir, '.local', 'share', 'proxygate', 'receipts', 'default')))[0] ?? '');
    const saved = (await readFile(file, 'utf8')).trim().split('\n');
    expect(saved).toHaveLength(1);
    const entry = JSON.parse(saved[0] ?? '') as { proxygate_receipt: number; receipt: string; verdict: { valid: boolean } };
    expect(entry).toMatchObject({ proxygate_receipt: 1, verdict: { valid: true } });
    if (profile === 'public') {
      // The public gateway's v1 receipt (integer amount) and the /health keys it verified against.
      expect(JSON.parse(entry.receipt)).toMatchObject({ amount: callCost(catalog, 'skycast/weather-current') });
      expect(JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'))).toMatchObject({ keys: [], platform_pubkey: expect.any(String) });
      expect(verify?.stdout).toMatch(/ at \S+Z \(unix seconds \d+\)$/m);
    }
  });
});
