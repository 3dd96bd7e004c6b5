// The data commands' start-up path (cli/src/data-path.ts, run by bin/run.cjs) against the oclif
// command it stands in for: the same stdout, stderr and exit code for each invocation. Each side
// runs against its own proxygate-mock started with the same seed, with its own config and data
// directories, in the same order, so both see the same gateway state; what differs by run
// (request ids, times, signatures, ports, directories, minted secrets) is masked before comparing.
// The built binary's side also reports whether oclif was loaded: each invocation says whether a
// start-up path must have run it (so a path that silently hands everything back fails here).
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, mockControl, startMockProcess, type MockProcess, type MockProfile } from './harness.js';

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
  /** Which heavy packages the process loaded (the built binary's side only). */
  loaded?: { oclif: boolean; zod: boolean; mcp: boolean };
}

/** Which of the mock's tokens the invocation runs with (`none`: no key at all). */
type TokenName = keyof MockProcess['tokens'] | 'none';

interface RunOptions {
  input?: string | undefined;
  token?: TokenName | undefined;
  env?: Record<string, string> | undefined;
  /** Written by the built binary's side at exit (`--require`d before bin/run.cjs). */
  probe?: { script: string; out: string } | undefined;
}

/** The built binary (its fast paths first), or oclif alone as bin/run.cjs runs it when they decline. */
async function run(side: Side, args: readonly string[], options: RunOptions = {}): Promise<Outcome> {
  const token = options.token ?? 'trader';
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: side.dir,
    PROXYGATE_CONFIG_DIR: join(side.dir, 'config'),
    PROXYGATE_DATA_DIR: join(side.dir, 'data'),
    PROXYGATE_CACHE_DIR: join(side.dir, 'cache'),
    PROXYGATE_CREDENTIAL_STORE: 'file',
    PROXYGATE_GATEWAY_URL: side.mock.url,
    ...(token === 'none' ? {} : { PROXYGATE_API_KEY: side.mock.tokens[token] }),
    NO_COLOR: '1',
    ...options.env,
  };
  const probe = side.name === 'fast' ? options.probe : undefined;
  if (probe) env['PG_PROBE_OUT'] = probe.out;
  const argv =
    side.name === 'fast'
      ? [...(probe ? ['--require', probe.script] : []), CLI_BIN, ...args]
      : ['-e', `import('@oclif/core').then((o) => o.execute({ args: JSON.parse(process.env.PG_ARGS), dir: ${JSON.stringify(CLI_BIN_DIR)} }))`];
  if (side.name === 'oclif') env['PG_ARGS'] = JSON.stringify(args);
  const outcome = await new Promise<Outcome>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env, cwd: join(repo, 'cli'), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
  if (probe) outcome.loaded = JSON.parse(await readFile(probe.out, 'utf8')) as NonNullable<Outcome['loaded']>;
  return outcome;
}

// Preloaded into the built binary's process: at exit, which of the heavy packages it loaded
// (CommonJS, or imported CommonJS, so in require.cache). It writes to its own file, never to
// stdout/stderr. The data path loads none of them, zod only for an answer its stand-in hands over.
const PROBE_SCRIPT = `process.on('exit', () => {
  const files = Object.keys(require.cache);
  const loaded = (name) => files.some((file) => file.split(/[\\\\/]/).join('/').includes('/node_modules/' + name + '/'));
  require('node:fs').writeFileSync(process.env.PG_PROBE_OUT, JSON.stringify({ oclif: loaded('@oclif/core'), zod: loaded('zod'), mcp: loaded('@modelcontextprotocol/sdk') }));
});
`;

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
    .replace(/\btime="\d+(?:\.\d+)?"/g, 'time="<seconds>"')
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
    await writeFile(join(files, 'probe.cjs'), PROBE_SCRIPT);
  }, 60_000);

  afterAll(async () => {
    for (const side of sides) {
      await side.mock.stop();
      await rm(side.dir, { recursive: true, force: true });
    }
    if (files) await rm(files, { recursive: true, force: true });
  });

  // In order: each side's gateway and directories go through the same states. `fast: false`: a
  // start-up path must hand it to oclif (help, DEBUG, what the parser port does not cover, an
  // oclif refusal); otherwise it must run without loading oclif.
  interface Invocation {
    args: string[];
    input?: string;
    only?: MockProfile;
    fast?: boolean;
    token?: TokenName;
    env?: Record<string, string>;
    /** Injected into the side's mock just before its run, removed after. */
    fault?: Record<string, unknown>;
    /** The answer fails the SDK's response check: zod-lite hands it to real zod (loaded then). */
    zod?: boolean;
    /** The exit code both sides must give (where it is the point of the invocation), per profile where they differ. */
    exit?: number | Partial<Record<MockProfile, number>>;
  }
  const invocations: Invocation[] = [
    { args: ['apis', '--json'] },
    { args: ['apis', 'weather'] },
    { args: ['apis', '--limit', '2', '--sort', 'price_asc'] },
    { args: ['apis', '--sort', 'nope'], fast: false, exit: 2 },
    { args: ['apis', 'weather', 'extra'], fast: false, exit: 2 },
    { args: ['apis', '--limt', '5'], fast: false, exit: 2 },
    { args: ['apis', '--verified=true'], fast: false, exit: 2 },
    { args: ['balance', '--json=true'], fast: false, exit: 2 },
    { args: ['apis', '--min-uptime', 'abc'], fast: false, exit: 2 },
    { args: ['apis', '--min-rating', '99.5', '--json'] },
    { args: ['apis', '--help'], fast: false, exit: 0 },
    { args: ['apis', '-h'], fast: false },
    { args: ['apis', 'show', 'echo'] },
    { args: ['apis', 'show', 'skycast/weather-current', '--json'] },
    { args: ['apis', 'show', 'no-such-listing'] },
    { args: ['apis', 'docs', 'skycast/weather-current'] },
    { args: ['apis'], fault: { kind: 'malformed_json', path: '/v1/apis', times: 5 }, zod: true, exit: 1 },
    { args: ['pricing', '--limit', '3'] },
    { args: ['services', '--json'] },
    { args: ['categories'] },
    { args: ['categories', '--json'] },
    { args: ['balance'] },
    { args: ['balance', '--json'] },
    { args: ['balance'], token: 'none', exit: 4 },
    { args: ['balance', '--json'], token: 'none', exit: 4 },
    { args: ['balance', '--api-key', 'pg_live_NotAValidTokenAtAll0000000000'], exit: 4 },
    { args: ['balance'], env: { DEBUG: 'pg-nothing' }, fast: false },
    { args: ['call', 'echo', '/echo'] },
    { args: ['call', 'echo', '/echo', '--query', 'a=1', '-q', 'b=2', '--json'] },
    { args: ['call', 'echo', '/echo', '-X', 'PUT', '-d', '@BODY'] },
    { args: ['call', 'echo', '/echo', '-d', '-'], input: '{"piped": true}' },
    { args: ['call', 'skycast/weather-current', '/current', '--query', 'city=Oslo', '--include'] },
    { args: ['call', 'weather-current', '/current', '--max-cost', '0.000001'] },
    { args: ['call', 'product-reviews', '/reviews', '--shield', 'strict'] },
    { args: ['call', 'echo', '/echo'], token: 'readOnly', exit: 3 },
    { args: ['call', 'echo', '/echo', '--json'], token: 'readOnly', exit: 3 },
    { args: ['call', 'echo', '/echo'], token: 'none', exit: 4 },
    // The answer lost after the charge: the public gateway replays nothing (exit 6, outcome unknown).
    { args: ['call', 'weather-current', '/current', '--query', 'city=Rome'], fault: { kind: 'reset', phase: 'after', path: '/proxy/', times: 5 }, exit: { public: 6 } },
    { args: ['call', 'weather-current', '/current', '--json'], fault: { kind: 'truncate', phase: 'after', path: '/proxy/', times: 5 }, exit: { public: 6 } },
    { args: ['call', 'echo', 'no-slash'], exit: 2 },
    { args: ['call'], exit: 2 },
    { args: ['call', 'echo', '/echo', '--bogus'], fast: false, exit: 2 },
    { args: ['call', 'echo', '/echo', '--', '--json'], fast: false },
    { args: ['call', '--batch', 'BATCH'] },
    { args: ['call', '--batch', '-', '--concurrency', '2'], input: '{"listing":"echo","path":"/echo"}\n{"listing":"echo"}\n' },
    { args: ['usage', '--limit', '3'] },
    { args: ['usage', '--json', '--limit', '2'] },
    { args: ['tokens', 'list'] },
    { args: ['tokens', 'list', '--json'] },
    { args: ['tokens', 'create', '--scope', 'catalog:read', '--expires', '1h'] },
    { args: ['tokens', 'create', '--scope', 'nope'], fast: false, exit: 2 },
    { args: ['tokens', 'revoke', 'tok_doesnotexist'] },
    { args: ['tokens', 'list'], token: 'readOnly' },
    { args: ['receipts', 'path', '--json'] },
    { args: ['receipts', 'keys', 'show'] },
    { args: ['receipts', 'keys', 'export', '--output', 'KEYS'] },
    { args: ['receipts', 'verify', 'LOG', '--keys', 'KEYS'], exit: 0 },
    { args: ['receipts', 'verify', 'LOG', '--keys', 'KEYS', '--json', '--list'], exit: 0 },
    { args: ['receipts', 'verify', 'LOG'] },
    { args: ['receipts', 'verify', 'LOG', '--keys', 'KEYS', '--format', 'junit'], exit: 0 },
    { args: ['receipts', 'verify', 'BODY', '--keys', 'KEYS'], exit: 1 },
    { args: ['receipts', 'audit', 'LOG', '--keys', 'KEYS', '--json'] },
    { args: ['receipts', 'audit', 'LOG', '--keys', 'KEYS'] },
    { args: ['receipts', 'log', '--output', 'PAGE'], only: 'extended' },
    { args: ['receipts', 'keys', 'forget'] },
  ];

  it.each(invocations.map((inv, i) => [i, inv.args.join(' '), inv] as const))('#%i %s', async (i, _label, inv) => {
    if (inv.only && inv.only !== profile) return;
    const outcomes = await sequential(sides, async (side) => {
      const month = new Date().toISOString().slice(0, 7);
      const args = inv.args.map((arg) =>
        arg === 'BODY' ? join(files, 'body.json') : arg === '@BODY' ? `@${join(files, 'body.json')}` : arg === 'BATCH' ? join(files, 'batch.jsonl') : arg === 'KEYS' ? join(side.dir, 'keys.json') : arg === 'PAGE' ? join(side.dir, 'page.jsonl') : arg === 'LOG' ? join(side.dir, 'data', 'receipts', 'default', `${month}.jsonl`) : arg,
      );
      await mkdir(side.dir, { recursive: true });
      if (inv.fault) await mockControl(side.mock, 'POST', 'faults', inv.fault);
      try {
        const out = await run(side, args, { input: inv.input, token: inv.token, env: inv.env, probe: { script: join(files, 'probe.cjs'), out: join(files, `probe-${i}.json`) } });
        return { code: out.code, stdout: mask(out.stdout, side), stderr: mask(out.stderr, side), loaded: out.loaded };
      } finally {
        if (inv.fault) await mockControl(side.mock, 'DELETE', 'faults');
      }
    });
    const [fast, oclif] = outcomes as [Outcome, Outcome];
    const label = inv.args.join(' ');
    const fastPath = inv.fast !== false;
    expect(fast.loaded, `packages the built binary loaded: ${label}`).toEqual({ oclif: !fastPath, zod: fastPath ? inv.zod === true : fast.loaded?.zod, mcp: false });
    delete fast.loaded;
    delete oclif.loaded;
    expect(fast, `fast path vs oclif: ${label}`).toEqual(oclif);
    const exit = typeof inv.exit === 'object' ? inv.exit[profile] : inv.exit;
    if (exit !== undefined) expect(fast.code, `exit code: ${label}`).toBe(exit);
  });
});

async function sequential<T>(sides: Side[], f: (side: Side) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const side of sides) out.push(await f(side));
  return out;
}
