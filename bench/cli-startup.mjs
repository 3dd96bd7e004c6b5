// CLI start-up benchmark. Run with `npm run bench:cli` (builds first: the manifest must exist).
// Prints, from one run, the median wall time of each command against `node -e 0` measured
// interleaved in the same run, the peak memory (RSS) of each, then `call --batch` against a loop
// of single calls (bench/cli-batch.mjs). Commands:
// - `proxygate --version` (answered by bin/run.cjs alone);
// - `proxygate apis --json` and `proxygate call weather-current /current` against a local
//   proxygate-mock this benchmark starts (the data path: dist/data-catalog and data-call bundles);
// - `proxygate receipts verify`, offline, of one receipt: a v3 receipt with a key file and a
//   public-gateway v1 receipt with `--pin platform=` (its own path: dist/fast-path.bundle.cjs).
// Goals (issue 16): data commands <= 2.5x `node -e 0` and <= 70 MiB peak; `--version` and
// `receipts verify` <= 1.6x (their earlier goal); 100 calls in one batch <= 0.1x the loop.
// The per-user code caches are written by the warm-up runs, as a user's first run writes them.
// BENCH_RUNS (default 15) sets the runs per command; BENCH_BATCH_CALLS (default 100) the batch.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReceiptFixture, writeV1ReceiptFixture } from '../cli/scripts/receipt-fixture.mjs';
import { batchVsLoop, cliEnv, printBatchVsLoop, startMock } from './cli-batch.mjs';

const DATA_GOAL = 2.5;
const FAST_GOAL = 1.6;
const RSS_GOAL_MIB = 70;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repo, 'cli/bin/run.cjs');
for (const built of ['cli/oclif.manifest.json', 'cli/dist/data-catalog.bundle.cjs', 'cli/dist/data-call.bundle.cjs', 'cli/dist/fast-path.bundle.cjs', 'server-mock/dist/serve.js']) {
  if (!existsSync(join(repo, built))) {
    console.error(`${built} is missing: run the build first (npm run bench:cli does)`);
    process.exit(2);
  }
}

const loadavg = () => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
};

function time(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/**
 * Peak RSS (MiB) and CPU time (ms, user + system) of one run, read by a preloaded probe at exit
 * (getrusage of the process). CPU time leaves out the waits (the mock's answers, the scheduler of
 * a busy machine), so it shows the CLI's own work when wall times are noisy.
 */
function usage(args, env, probe, out) {
  const r = spawnSync(process.execPath, ['--require', probe, ...args], { env: { ...env, PG_BENCH_USAGE_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const { maxRSS, cpu } = JSON.parse(readFileSync(out, 'utf8'));
  return { rss: maxRSS / 1024, cpu: cpu / 1000 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'pg-bench-cli-'));
const mock = await startMock();
try {
  const fixture = writeReceiptFixture(dir);
  const v1 = writeV1ReceiptFixture(dir);
  const probe = join(dir, 'usage-probe.cjs');
  writeFileSync(probe, "process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.PG_BENCH_USAGE_OUT, JSON.stringify({ maxRSS: u.maxRSS, cpu: u.userCPUTime + u.systemCPUTime })); });\n");
  const env = cliEnv(mock, dir);
  // name: [argv, goal (x node -e 0), whether the memory goal applies]
  const cases = {
    'node -e 0': [['-e', '0']],
    'proxygate --version': [[bin, '--version'], FAST_GOAL],
    'proxygate apis --json': [[bin, 'apis', '--json'], DATA_GOAL, true],
    'proxygate call weather-current /current': [[bin, 'call', 'weather-current', '/current'], DATA_GOAL, true],
    'proxygate receipts verify (1 receipt)': [[bin, 'receipts', 'verify', fixture.receipt, '--keys', fixture.keys], FAST_GOAL, true],
    'proxygate receipts verify (1 v1, --pin)': [[bin, 'receipts', 'verify', v1.receipt, '--pin', `platform=${v1.platformPubkey}`], FAST_GOAL, true],
  };
  const loadBefore = loadavg();
  // Warm the file cache, pin the mock's receipt keys, write the per-user code caches (under dir),
  // and let the mock (a fresh process) compile its own hot paths: its first answers are slower.
  for (const [args] of Object.values(cases)) for (let i = 0; i < 5; i++) time(args, env);
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const [name, [args]] of Object.entries(cases)) samples[name].push(time(args, env));
  const usages = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < Math.min(RUNS, 7); i++) for (const [name, [args]] of Object.entries(cases)) usages[name].push(usage(args, env, probe, join(dir, 'usage.json')));
  const rss = Object.fromEntries(Object.entries(usages).map(([name, xs]) => [name, Math.max(...xs.map((x) => x.rss))]));
  const cpu = Object.fromEntries(Object.entries(usages).map(([name, xs]) => [name, median(xs.map((x) => x.cpu))]));
  const base = median(samples['node -e 0']);
  console.log(`CLI start-up, median of ${RUNS} interleaved runs (node ${process.version}, load average ${loadBefore} -> ${loadavg()})`);
  console.log(`goals: data commands <= ${DATA_GOAL}x node -e 0 (wall) and <= ${RSS_GOAL_MIB} MiB peak RSS; --version and receipts verify <= ${FAST_GOAL}x`);
  console.log('(cpu: median user + system time of the process, from separate runs; it leaves out waits for the mock and the scheduler)');
  for (const [name, [, goal, memoryGoal]] of Object.entries(cases)) {
    const m = median(samples[name]);
    const ratio = m / base;
    const timeVerdict = goal === undefined ? 'baseline' : ratio <= goal ? 'ok' : 'over goal';
    const memVerdict = memoryGoal ? (rss[name] <= RSS_GOAL_MIB ? ' ok' : ' over goal') : '';
    const cpuRatio = (cpu[name] / cpu['node -e 0']).toFixed(2);
    console.log(`  ${name.padEnd(42)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2).padStart(5)}x ${goal === undefined ? '        ' : `(<= ${goal})`} ${timeVerdict.padEnd(9)} peak ${rss[name].toFixed(1).padStart(5)} MiB${memVerdict.padEnd(10)} cpu ${cpu[name].toFixed(0).padStart(4)} ms ${cpuRatio}x`);
  }
  console.log();
  const batchEnv = cliEnv(mock, join(dir, 'batch'));
  printBatchVsLoop(batchVsLoop(batchEnv, Number(process.env.BENCH_BATCH_CALLS ?? 100)));
  console.log(`load average at the end: ${loadavg()}`);
} finally {
  await mock.stop();
  rmSync(dir, { recursive: true, force: true });
}
