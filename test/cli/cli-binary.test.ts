import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startMockProcess, type MockProcess, type RunResult } from './harness.js';

let mock: MockProcess;
let dir: string;
let env: Record<string, string>;
/** Every output of every run, to check the canary (the parent key) never appears. */
const transcript: string[] = [];

async function pg(args: string[], options: Parameters<typeof runCli>[1] = {}): Promise<RunResult> {
  const result = await runCli(args, { ...options, env: { ...env, ...options.env } });
  transcript.push(result.stdout, result.stderr);
  return result;
}
const json = (r: RunResult) => JSON.parse(r.stdout) as Record<string, any>;
const SIGINT_READY = fileURLToPath(new URL('./sigint-ready.mjs', import.meta.url));

beforeAll(async () => {
  mock = await startMockProcess('cli-binary');
  dir = await mkdtemp(join(tmpdir(), 'pg-bin-'));
  env = {
    PROXYGATE_GATEWAY_URL: mock.url,
    PROXYGATE_API_KEY: mock.tokens.trader,
    PROXYGATE_CONFIG_DIR: join(dir, 'config'),
    PROXYGATE_CREDENTIAL_STORE: 'file',
  };
}, 30_000);

afterAll(async () => {
  await mock?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the built proxygate binary', { timeout: 60_000 }, () => {
  it('--version, --help and the help topics', async () => {
    const version = await pg(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^@proxygate-kit\/cli\/0\.1\.0 /);
    const help = await pg(['--help']);
    for (const word of ['apis', 'call', 'receipts', 'tokens', 'mcp', 'whoami', 'HELP TOPICS', 'exit-codes']) expect(help.stdout).toContain(word);
    expect((await pg(['help', 'environment'])).stdout).toContain('PROXYGATE_API_KEY');
    const codes = await pg(['help', 'exit-codes']);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '5 ', '6 ', '130']) expect(codes.stdout).toContain(`  ${code}`);
    expect((await pg(['receipts', 'verify', '--help'])).stdout).toContain('--shard');
    // Completion (the cache goes under a throwaway HOME).
    const completion = await pg(['autocomplete', 'bash'], { env: { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache') } });
    expect(completion.code).toBe(0);
    expect(completion.stdout).toContain('proxygate autocomplete script bash');
  });

  it('catalog commands print JSON that parses', async () => {
    const apis = json(await pg(['apis', 'weather', '--json']));
    expect(apis.data.length).toBeGreaterThan(0);
    const withDocs = apis.data.find((l: { has_docs: boolean }) => l.has_docs);
    const id = withDocs.listing_id as string;
    expect(json(await pg(['apis', 'show', id, '--json'])).listing_id).toBe(id);
    expect(json(await pg(['apis', 'docs', id, '--json'])).listing_id).toBe(id);
    expect(Array.isArray(json(await pg(['pricing', '--json'])).data)).toBe(true);
    expect(Array.isArray(json(await pg(['services', '--json'])).data)).toBe(true);
    expect(Array.isArray(json(await pg(['categories', '--json'])).data)).toBe(true);
    const all = json(await pg(['apis', '--all', '--limit', '3', '--json']));
    expect(all.has_more).toBe(false);
  });

  it('account, token and escape-hatch commands', async () => {
    expect(json(await pg(['whoami', '--json']))).toMatchObject({ key_source: 'env', scopes: expect.arrayContaining(['trade']) });
    expect(Number.isSafeInteger(json(await pg(['balance', '--json'])).available)).toBe(true);
    const call = json(await pg(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--json']));
    expect(call.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(json(await pg(['usage', '--json'])).data[0].request_id).toBe(call.request_id);
    expect(json(await pg(['rate', call.request_id, '--down', '--json'])).is_positive).toBe(false);
    const created = await pg(['tokens', 'create', '--scope', 'account:read', '--expires', '1h', '--name', 'bin-child']);
    expect(created.code).toBe(0);
    const child = created.stdout.trim();
    expect(child).toMatch(/^pg_del_/);
    const listed = json(await pg(['tokens', 'list', '--json'])).data as Array<{ id: string; name: string | null }>;
    const entry = listed.find((t) => t.name === 'bin-child');
    expect(entry).toBeDefined();
    expect(json(await pg(['tokens', 'revoke', entry!.id, '--json'])).revoked_at).not.toBeNull();
    expect(json(await pg(['api', 'GET', '/v1/tokens/self', '--json'])).type).toBe('api_key');
    const log = await pg(['receipts', 'log']);
    expect(log.code).toBe(0);
    expect(log.stdout.trim().split('\n').map((l) => JSON.parse(l).receipt_version)).toContain(3);
  });

  it('exit codes: 2 usage, 3 scope, 4 auth, 5 shield, 1 API error; one line, no stack', async () => {
    const usage = await pg(['apis', '--limit', 'many']);
    expect(usage.code).toBe(2);
    const unknown = await pg(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^usage_error: unknown command "frobnicate"/);
    const scope = await pg(['tokens', 'list'], { env: { PROXYGATE_API_KEY: mock.tokens.readOnly } });
    expect(scope.code).toBe(3);
    const auth = await pg(['balance'], { env: { PROXYGATE_API_KEY: undefined } });
    expect(auth.code).toBe(4);
    const blocked = await pg(['call', 'product-reviews', '/reviews', '--query', 'product=x', '--shield', 'strict']);
    expect(blocked.code).toBe(5);
    const missing = await pg(['apis', 'show', 'nope-nope']);
    expect(missing.code).toBe(1);
    for (const r of [usage, unknown, scope, auth, blocked, missing]) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const debug = await pg(['apis', 'show', 'nope-nope'], { env: { DEBUG: '1' } });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('reads stdin: a request body, receipts to verify, a piped login key', async () => {
    const echoed = await pg(['call', 'echo', '/echo', '--data', '-'], { input: '{"from":"stdin"}' });
    expect(echoed.code).toBe(0);
    expect(JSON.parse(echoed.stdout)).toMatchObject({ body: '{"from":"stdin"}' });

    const receipts = join(dir, 'r.jsonl');
    const keys = join(dir, 'keys.json');
    expect((await pg(['receipts', 'keys', 'export', '--output', keys])).code).toBe(0);
    const exported = await pg(['receipts', 'keys', 'export']);
    expect(JSON.parse(exported.stdout).keys.length).toBeGreaterThan(0);
    for (const q of ['a=1', 'a=2']) await pg(['call', 'echo', '/echo', '--query', q, '--receipts', receipts]);
    // Offline: the gateway URL points nowhere, verification still works.
    const offline = { PROXYGATE_GATEWAY_URL: 'http://127.0.0.1:9' };
    const fromStdin = await pg(['receipts', 'verify', '--keys', keys], { input: await readFile(receipts, 'utf8'), env: offline });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout.trim()).toBe('2 valid, 0 invalid');
    const audit = json(await pg(['receipts', 'audit', receipts, '--keys', keys, '--json'], { env: offline }));
    expect(audit.chains[0].receipts).toBe(2);
    // The kept lines are trail lines: the receipt's own JSON is a string inside (quotes escaped).
    const broken = (await readFile(receipts, 'utf8')).replace('\\"amount\\":\\"', '\\"amount\\":\\"9');
    const bad = await pg(['receipts', 'verify', '-', '--keys', keys], { input: broken, env: offline });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/stdin:1: bad_signature: /);
    expect(bad.stdout).toMatch(/1 valid, 1 invalid/);

    // The start-up fast path and the oclif command give the same answer (--profile forces oclif).
    for (const extra of [[], ['--json']]) {
      const fast = await pg(['receipts', 'verify', '-', '--keys', keys, ...extra], { input: broken, env: offline });
      const slow = await pg(['receipts', 'verify', '-', '--keys', keys, '--profile', 'default', ...extra], { input: broken, env: offline });
      expect(fast).toEqual(slow);
    }
    const noKeys = await pg(['receipts', 'verify', receipts], { env: offline });
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/^usage_error: no keys/);

    const login = await pg(['login', '--profile', 'piped', '--json'], { input: `${mock.tokens.trader}\n`, env: { PROXYGATE_API_KEY: undefined } });
    expect(login.code).toBe(0);
    expect(json(login)).toMatchObject({ profile: 'piped', storage: 'file' });
    expect((await stat(join(dir, 'config', 'credentials.json'))).mode & 0o777).toBe(0o600);
    const who = json(await pg(['whoami', '--profile', 'piped', '--json'], { env: { PROXYGATE_API_KEY: undefined } }));
    expect(who.key_source).toBe('profile');
    expect(who.stored_in).toContain('credentials.json');
    expect(json(await pg(['logout', '--profile', 'piped', '--json'])).removed).toBe(true);
  });

  it('never prompts without a TTY: login with nothing piped fails with exit 2 (a wait would end in the test timeout)', async () => {
    const r = await pg(['login'], { env: { PROXYGATE_API_KEY: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/paste|input hidden/i);
  });

  it('Ctrl-C exits 130', async () => {
    // The CLI waits on stdin (kept open); a preload has it say on stderr once its Ctrl-C handler
    // is in place, and only then comes the SIGINT.
    let ready = false;
    const r = await pg(['receipts', 'verify', '--keys', join(dir, 'keys.json')], {
      keepStdinOpen: true,
      env: { NODE_OPTIONS: `--import=${SIGINT_READY}` },
      onSpawn: (child) => {
        let seen = '';
        child.stderr?.on('data', (chunk: Buffer | string) => {
          seen += String(chunk);
          if (!ready && seen.includes('[test] SIGINT handler installed')) ready = child.kill('SIGINT');
        });
      },
    });
    expect(ready).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
  });

  it('mcp tools/call/config through the real HTTP transport', async () => {
    const tools = await pg(['mcp', 'tools', '--json']);
    expect(tools.code).toBe(0);
    expect(json(tools).data).toHaveLength(7);
    expect(json(await pg(['mcp', 'call', 'get_pricing', '--json'])).structuredContent).toBeDefined();
    // The host runs the local protector (`mcp serve`), pointed at this gateway; no token in the config.
    const config = await pg(['mcp', 'config', '--json']);
    const args = json(config).config.mcpServers.proxygate.args as string[];
    expect(args.slice(-4)).toEqual(['mcp', 'serve', '--gateway', mock.url]);
    expect(config.stdout).not.toMatch(/pg_(live|del)_/);
  });

  it('a canary key never shows up in output, even in errors and with DEBUG', async () => {
    const canary = `pg_live_CANARY${'q7'.repeat(12)}zz`;
    for (const args of [['whoami'], ['balance', '--json'], ['api', 'GET', '/v1/balance'], ['call', 'echo', '/echo']]) {
      const r = await pg(args, { env: { PROXYGATE_API_KEY: canary, DEBUG: '1' } });
      expect(r.code).toBe(4);
      expect(r.stdout + r.stderr).not.toContain(canary);
      expect(r.stdout + r.stderr).not.toContain('CANARYq7');
    }
    const flagged = await pg(['whoami', '--api-key', canary]);
    expect(flagged.stdout + flagged.stderr).not.toContain(canary);
    // And the real parent key never appeared in anything printed by any run of this file.
    expect(transcript.join('\n')).not.toContain(mock.tokens.trader);
  });
});
