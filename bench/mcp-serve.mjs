// `proxygate mcp serve` overhead. Run with `npm run bench:mcp` (builds the CLI first).
// One run, against one local proxygate-mock over HTTP (a subprocess): the latency of a tool call
// through `mcp serve` (a stdio subprocess, driven by the MCP SDK's client, as a host runs it) and
// through `connectGateway` directly (this process), interleaved call by call so load falls on both
// alike. Both verify the paid call's receipt against pinned keys; the server also keeps it
// (--receipts FILE) and wraps every result. Prints the medians, their ratio (goal <= 1.2x) and the
// load average. BENCH_CALLS (default 150) calls per tool and side, after 15 warm-up calls.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { connectGateway } from '@proxygate-kit/sdk/mcp';
import { KeySet } from '@proxygate-kit/sdk/receipts';

const GOAL = 1.2;
const CALLS = Number(process.env.BENCH_CALLS ?? 150);
const WARMUP = 15;
const repo = fileURLToPath(new URL('..', import.meta.url));
const cliBin = join(repo, 'cli/bin/run.cjs');
const mockBin = join(repo, 'server-mock/bin/proxygate-mock.js');
for (const file of ['cli/oclif.manifest.json', 'cli/dist/commands.js', 'server-mock/dist/serve.js']) {
  if (!existsSync(join(repo, file))) {
    console.error(`${file} is missing: build first (npm run bench:mcp does)`);
    process.exit(2);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function startMock() {
  const child = spawn(process.execPath, [mockBin, '--port', '0', '--seed', 'bench-mcp', '--json', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`proxygate-mock exited (${code})`)));
  });
  const info = JSON.parse(line);
  return { url: info.url, token: info.tokens.trader, stop: () => child.stdin.end() };
}

async function timed(run) {
  const start = process.hrtime.bigint();
  const result = await run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

const dir = mkdtempSync(join(tmpdir(), 'pg-bench-mcp-'));
const mock = await startMock();
let serve;
let direct;
try {
  const load = { before: loadavg() };
  const catalog = await (await fetch(`${mock.url}/v1/apis?limit=100`)).json();
  const echo = catalog.data.find((l) => l.slug === 'echo').listing_id;
  const keys = KeySet.fromDocument(await (await fetch(`${mock.url}/.well-known/proxygate-receipt-keys`)).json());

  direct = await connectGateway({ url: `${mock.url}/mcp`, restBaseUrl: mock.url, token: mock.token, keys });
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    PROXYGATE_GATEWAY_URL: mock.url,
    PROXYGATE_API_KEY: mock.token,
    PROXYGATE_CONFIG_DIR: join(dir, 'config'),
    PROXYGATE_DATA_DIR: join(dir, 'data'),
    PROXYGATE_CACHE_DIR: join(dir, 'cache'),
    PROXYGATE_CREDENTIAL_STORE: 'file',
  };
  const transport = new StdioClientTransport({ command: process.execPath, args: [cliBin, 'mcp', 'serve', '--receipts', join(dir, 'receipts.jsonl')], env, stderr: 'ignore' });
  serve = new Client({ name: 'bench', version: '1' });
  await serve.connect(transport);
  await serve.listTools();

  const paid = { listing_id: echo, path: '/echo', query: { q: 'bench' }, shield: 'strict' };
  const cases = {
    browse_apis: {
      direct: () => direct.browseApis({ q: 'weather', limit: 5 }),
      serve: () => serve.callTool({ name: 'browse_apis', arguments: { q: 'weather', limit: 5 } }),
    },
    'call_api (paid)': {
      direct: () => direct.callApi(paid),
      serve: () => serve.callTool({ name: 'call_api', arguments: paid }),
    },
  };
  const check = (name, side, result) => {
    if (side === 'serve' && result.isError) throw new Error(`${name} through mcp serve failed: ${result.content?.[0]?.text}`);
    if (side === 'direct' && name.startsWith('call_api') && !result.verification.valid) throw new Error('direct call_api receipt did not verify');
  };
  const rows = [];
  for (const [name, sides] of Object.entries(cases)) {
    for (let i = 0; i < WARMUP; i++) {
      check(name, 'direct', await sides.direct());
      check(name, 'serve', await sides.serve());
    }
    const samples = { direct: [], serve: [] };
    for (let i = 0; i < CALLS; i++) {
      // Alternate which side goes first, so neither always runs on a freshly idle machine.
      const order = i % 2 === 0 ? ['direct', 'serve'] : ['serve', 'direct'];
      for (const side of order) {
        const { ms, result } = await timed(sides[side]);
        check(name, side, result);
        samples[side].push(ms);
      }
    }
    rows.push({ name, direct: samples.direct, serve: samples.serve });
  }
  load.after = loadavg();

  console.log(`mcp serve vs connectGateway direct: tool-call latency, ${CALLS} interleaved calls per tool and side`);
  console.log(`(node ${process.version}; proxygate-mock over HTTP on 127.0.0.1; goal <= ${GOAL}x the direct median)`);
  for (const row of rows) {
    const d = median(row.direct);
    const s = median(row.serve);
    const ratio = s / d;
    console.log(
      `  ${row.name.padEnd(16)} direct ${d.toFixed(2).padStart(6)} ms (p90 ${percentile(row.direct, 0.9).toFixed(2)})` +
        `   serve ${s.toFixed(2).padStart(6)} ms (p90 ${percentile(row.serve, 0.9).toFixed(2)})   ${ratio.toFixed(2)}x  ${ratio <= GOAL ? 'ok' : 'over goal'}`,
    );
  }
  const fmt = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`load average (1/5/15 min): before ${fmt(load.before)}, after ${fmt(load.after)}`);
} finally {
  await serve?.close().catch(() => undefined);
  await direct?.close().catch(() => undefined);
  mock.stop();
  rmSync(dir, { recursive: true, force: true });
}
