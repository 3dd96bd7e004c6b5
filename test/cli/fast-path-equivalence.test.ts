// The data commands' start-up path (cli/src/data-path.ts, run by bin/run.cjs) against the oclif
// command it stands in for: the same stdout, stderr and exit code for each invocation. Each side
// runs against its own proxygate-mock started with the same seed, with its own config and data
// directories, in the same order, so both see the same gateway state; what differs by run
// (request ids, times, signatures, ports, directories, minted secrets) is masked before comparing.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, startMockProcess, type MockProcess, type MockProfile } from './harness.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CLI_BIN_DIR = join(repo, 'cli/bin');

interface Side {
  name: 'fast' | 'oclif';
  mock: MockProcess;
  dir: string;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built binary (its fast paths first), or oclif alone as bin/run.cjs runs it when they decline. */
function run(side: Side, args: readonly string[], input?: string): Promise<Outcome> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: side.dir,
    PROXYGATE_CONFIG_DIR: join(side.dir, 'config'),
    PROXYGATE_DATA_DIR: join(side.dir, 'data'),
    PROXYGATE_CACHE_DIR: join(side.dir, 'cache'),
    PROXYGATE_CREDENTIAL_STORE: 'file',
    PROXYGATE_GATEWAY_URL: side.mock.url,
    PROXYGATE_API_KEY: side.mock.tokens.trader,
    NO_COLOR: '1',
  };
  const argv =
    side.name === 'fast'
      ? [CLI_BIN, ...args]
      : ['-e', `import('@oclif/core').then((o) => o.execute({ args: JSON.parse(process.env.PG_ARGS), dir: ${JSON.stringify(CLI_BIN_DIR)} }))`];
  if (side.name === 'oclif') env['PG_ARGS'] = JSON.stringify(args);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env, cwd: join(repo, 'cli'), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** What differs from run to run, masked: the mock's URL and port, directories, ids, times, signatures, secrets, durations. */
function mask(text: string, side: Side): string {
  const url = new URL(side.mock.url);
  return text
    .split(side.mock.url)
    .join('<gateway>')
    .split(`${url.hostname}_${url.port}`)
    .join('<gateway-file>')
    .split(side.dir)
    .join('<dir>')
    .replace(/pg_(?:live|del|test)_(?:…[A-Za-z0-9]{0,4}|[A-Za-z0-9._~+/=-]+)/g, '<token>')
    .replace(/tok_[A-Za-z0-9]+/g, '<token-id>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<time>')
    .replace(/\b1[6-9]\d{8}(?:\d{3})?\b/g, '<unix>')
    .replace(/[A-Za-z0-9+/_-]{40,}={0,2}/g, '<blob>')
    .replace(/\b\d+(?:\.\d+)? ?(?:ms|s)\b/g, '<duration>')
    .replace(/^date: .*$/gm, 'date: <http-date>');
}

describe.each<MockProfile>(['extended', 'public'])('data commands: fast path and oclif agree, %s profile', { timeout: 180_000 }, (profile) => {
  const sides: Side[] = [];
  let files: string;

  beforeAll(async () => {
    const seed = `fast-path-equivalence-${profile}`;
    const [a, b] = await Promise.all([startMockProcess(seed, profile), startMockProcess(seed, profile)]);
    for (const [name, mock] of [['fast', a], ['oclif', b]] as const) sides.push({ name, mock: mock as MockProcess, dir: await mkdtemp(join(tmpdir(), `pg-eq-${name}-`)) });
    // Shared input files, the same bytes for both sides.
    files = await mkdtemp(join(tmpdir(), 'pg-eq-files-'));
    await writeFile(join(files, 'batch.jsonl'), ['{"listing":"echo","path":"/echo","query":{"i":1}}', 'not json', '{"listing":"weather-current","path":"/current","max_cost":"0.000001"}'].join('\n'));
    await writeFile(join(files, 'body.json'), '{"from": "file"}');
  }, 60_000);

  afterAll(async () => {
    for (const side of sides) {
      await side.mock.stop();
      await rm(side.dir, { recursive: true, force: true });
    }
    if (files) await rm(files, { recursive: true, force: true });
  });

  // In order: each side's gateway and directories go through the same states.
  const invocations: Array<{ args: string[]; input?: string; only?: MockProfile }> = [
    { args: ['apis', '--json'] },
    { args: ['apis', 'weather'] },
    { args: ['apis', '--limit', '2', '--sort', 'price_asc'] },
    { args: ['apis', '--sort', 'nope'] },
    { args: ['apis', 'show', 'echo'] },
    { args: ['apis', 'show', 'skycast/weather-current', '--json'] },
    { args: ['apis', 'show', 'no-such-listing'] },
    { args: ['apis', 'docs', 'skycast/weather-current'] },
    { args: ['pricing', '--limit', '3'] },
    { args: ['services', '--json'] },
    { args: ['categories'] },
    { args: ['balance'] },
    { args: ['balance', '--json'] },
    { args: ['call', 'echo', '/echo'] },
    { args: ['call', 'echo', '/echo', '--query', 'a=1', '-q', 'b=2', '--json'] },
    { args: ['call', 'echo', '/echo', '-X', 'PUT', '-d', '@BODY'] },
    { args: ['call', 'echo', '/echo', '-d', '-'], input: '{"piped": true}' },
    { args: ['call', 'skycast/weather-current', '/current', '--query', 'city=Oslo', '--include'] },
    { args: ['call', 'weather-current', '/current', '--max-cost', '0.000001'] },
    { args: ['call', 'product-reviews', '/reviews', '--shield', 'strict'] },
    { args: ['call', 'echo', 'no-slash'] },
    { args: ['call'] },
    { args: ['call', 'echo', '/echo', '--bogus'] },
    { args: ['call', '--batch', 'BATCH'] },
    { args: ['call', '--batch', '-', '--concurrency', '2'], input: '{"listing":"echo","path":"/echo"}\n{"listing":"echo"}\n' },
    { args: ['usage', '--limit', '3'] },
    { args: ['usage', '--json', '--limit', '2'] },
    { args: ['tokens', 'list'] },
    { args: ['tokens', 'create', '--scope', 'catalog:read', '--expires', '1h'] },
    { args: ['tokens', 'revoke', 'tok_doesnotexist'] },
    { args: ['receipts', 'path', '--json'] },
    { args: ['receipts', 'keys', 'show'] },
    { args: ['receipts', 'keys', 'export', '--output', 'KEYS'] },
    { args: ['receipts', 'verify', 'LOG', '--keys', 'KEYS'] },
    { args: ['receipts', 'audit', 'LOG', '--keys', 'KEYS', '--json'] },
    { args: ['receipts', 'log', '--output', 'PAGE'], only: 'extended' },
    { args: ['receipts', 'keys', 'forget'] },
  ];

  it.each(invocations.map((inv, i) => [i, inv.args.join(' '), inv] as const))('#%i %s', async (_i, _label, inv) => {
    if (inv.only && inv.only !== profile) return;
    const outcomes = await sequential(sides, async (side) => {
      const month = new Date().toISOString().slice(0, 7);
      const args = inv.args.map((arg) =>
        arg === 'BODY' ? join(files, 'body.json') : arg === '@BODY' ? `@${join(files, 'body.json')}` : arg === 'BATCH' ? join(files, 'batch.jsonl') : arg === 'KEYS' ? join(side.dir, 'keys.json') : arg === 'PAGE' ? join(side.dir, 'page.jsonl') : arg === 'LOG' ? join(side.dir, 'data', 'receipts', 'default', `${month}.jsonl`) : arg,
      );
      await mkdir(side.dir, { recursive: true });
      const out = await run(side, args, inv.input);
      return { code: out.code, stdout: mask(out.stdout, side), stderr: mask(out.stderr, side) };
    });
    expect(outcomes[0], `fast path vs oclif: ${inv.args.join(' ')}`).toEqual(outcomes[1]);
  });
});

async function sequential<T>(sides: Side[], f: (side: Side) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const side of sides) out.push(await f(side));
  return out;
}
