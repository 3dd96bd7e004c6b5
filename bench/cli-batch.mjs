// `proxygate call --batch` against a shell loop of `proxygate call`, on a local proxygate-mock:
// the same N paid calls (default 100), one process against N. Prints both wall times and their
// ratio (goal <= 0.1x). `npm run bench:cli` runs it after the start-up figures; alone:
// `node bench/cli-batch.mjs` (build first).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BATCH_GOAL = 0.1;
const repo = fileURLToPath(new URL('..', import.meta.url));
const cliBin = join(repo, 'cli/bin/run.cjs');
const mockBin = join(repo, 'server-mock/bin/proxygate-mock.js');

/** `proxygate-mock --port 0 --json` on 127.0.0.1; stopped by closing its stdin. */
export async function startMock(profile = 'extended') {
  const child = spawn(process.execPath, [mockBin, '--port', '0', '--seed', 'bench-cli', '--profile', profile, '--json', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`proxygate-mock exited early (${code})`)));
  });
  const info = JSON.parse(line);
  return { url: info.url, tokens: info.tokens, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.stdin.end())) };
}

/** A clean environment for the CLI against `mock`, with its own config, data and cache dirs under `dir`. */
export function cliEnv(mock, dir) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    PROXYGATE_CONFIG_DIR: join(dir, 'config'),
    PROXYGATE_DATA_DIR: join(dir, 'data'),
    PROXYGATE_CACHE_DIR: join(dir, 'cache'),
    PROXYGATE_CREDENTIAL_STORE: 'file',
    PROXYGATE_GATEWAY_URL: mock.url,
    PROXYGATE_API_KEY: mock.tokens.trader,
  };
}

function run(args, env, input) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cliBin, ...args], { env, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`proxygate ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Wall time of N single calls one after the other, and of one batch of the same N calls. */
export function batchVsLoop(env, calls = 100) {
  const line = (i) => ({ listing: 'echo', path: '/echo', query: { i: String(i) } });
  // Both pay for the first-use pin alike: make it before timing.
  run(['call', 'echo', '/echo'], env);
  let loopMs = 0;
  for (let i = 0; i < calls; i++) loopMs += run(['call', 'echo', '/echo', '--query', `i=${i}`], env);
  const input = Array.from({ length: calls }, (_, i) => JSON.stringify(line(i))).join('\n');
  const batchMs = run(['call', '--batch', '-'], env, input);
  return { calls, loopMs, batchMs, ratio: batchMs / loopMs };
}

export function printBatchVsLoop({ calls, loopMs, batchMs, ratio }) {
  console.log(`${calls} paid calls against a local proxygate-mock (goal: batch <= ${BATCH_GOAL}x the loop)`);
  console.log(`  ${`${calls} x proxygate call (one process each)`.padEnd(40)} ${loopMs.toFixed(0).padStart(7)} ms`);
  console.log(`  ${'proxygate call --batch - (one process)'.padEnd(40)} ${batchMs.toFixed(0).padStart(7)} ms  ${ratio.toFixed(3)}x  ${ratio <= BATCH_GOAL ? 'ok' : 'over goal'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = mkdtempSync(join(tmpdir(), 'pg-bench-batch-'));
  const mock = await startMock();
  try {
    printBatchVsLoop(batchVsLoop(cliEnv(mock, dir), Number(process.env.BENCH_BATCH_CALLS ?? 100)));
  } finally {
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
