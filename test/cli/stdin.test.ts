import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startMockProcess, type MockProcess } from './harness.js';

// oclif fills a missing argument from piped stdin (after a 10 ms wait): the CLI must read stdin
// only where it says so (`-d -`, `login`, receipt input), or a script's pipe is silently eaten.
let mock: MockProcess;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  mock = await startMockProcess('cli-stdin');
  dir = await mkdtemp(join(tmpdir(), 'pg-stdin-'));
  env = { PROXYGATE_GATEWAY_URL: mock.url, PROXYGATE_API_KEY: mock.tokens.trader, PROXYGATE_CONFIG_DIR: join(dir, 'config'), PROXYGATE_CREDENTIAL_STORE: 'file' };
}, 30_000);

afterAll(async () => {
  await mock?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('piped stdin is never taken for a missing argument', { timeout: 60_000 }, () => {
  it('receipts audit and the oclif path of receipts verify read piped receipts as receipts', async () => {
    const keys = join(dir, 'keys.json');
    const receipts = join(dir, 'receipts.jsonl');
    expect((await runCli(['receipts', 'keys', 'export', '-o', keys], { env })).code).toBe(0);
    for (let i = 0; i < 2; i++) expect((await runCli(['call', 'echo', '/echo', '--receipts', receipts], { env })).code).toBe(0);
    const { readFile } = await import('node:fs/promises');
    const input = await readFile(receipts, 'utf8');
    const audit = await runCli(['receipts', 'audit', '--keys', keys, '--json'], { env, input });
    expect(audit.stderr).toBe('');
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, counts: { receipts: 2, valid: 2, invalid: 0 } });
    // --profile sends verify through oclif instead of the fast path: same answer.
    const slow = await runCli(['receipts', 'verify', '--keys', keys, '--profile', 'default', '--json'], { env, input });
    expect(slow.code).toBe(0);
    expect(JSON.parse(slow.stdout)).toMatchObject({ valid: 2, invalid: 0 });
  });

  it('apis without a query lists the whole catalog whatever is piped in', async () => {
    const all = await runCli(['apis', '--limit', '100', '--json'], { env });
    const piped = await runCli(['apis', '--limit', '100', '--json'], { env, input: 'zzz-no-such-thing\n' });
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout).data.length).toBe(JSON.parse(all.stdout).data.length);
    expect(JSON.parse(all.stdout).data.length).toBeGreaterThan(0);
  });

  it('a missing required argument is a usage error even with data on stdin', async () => {
    const r = await runCli(['tokens', 'revoke'], { env, input: 'tok_from_stdin\n' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('usage_error: Missing 1 required arg: id (see "proxygate tokens revoke --help")');
  });
});
