// CLI start-up benchmark. Run with `npm run bench:cli` (builds first: the manifest must exist).
// Prints, from one run, the median wall time of `proxygate --version` and of
// `proxygate receipts verify` (one receipt, pinned key set, offline; a v3 receipt with a key file
// and a public-gateway v1 receipt with `--pin platform=`) against `node -e 0`,
// measured interleaved in the same run. Goal: <= 1.6x `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReceiptFixture, writeV1ReceiptFixture } from '../cli/scripts/receipt-fixture.mjs';

const GOAL = 1.6;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repo, 'cli/bin/run.cjs');
if (!existsSync(join(repo, 'cli/oclif.manifest.json'))) {
  console.error('cli/oclif.manifest.json is missing: run the build first (npm run bench:cli does)');
  process.exit(2);
}


function time(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'pg-bench-cli-'));
try {
  const fixture = writeReceiptFixture(dir);
  const v1 = writeV1ReceiptFixture(dir);
  const env = { PATH: process.env.PATH ?? '', HOME: dir, PROXYGATE_CONFIG_DIR: join(dir, 'config'), PROXYGATE_CREDENTIAL_STORE: 'file' };
  const cases = {
    'node -e 0': ['-e', '0'],
    'proxygate --version': [bin, '--version'],
    'proxygate receipts verify (1 receipt)': [bin, 'receipts', 'verify', fixture.receipt, '--keys', fixture.keys],
    'proxygate receipts verify (1 v1, --pin)': [bin, 'receipts', 'verify', v1.receipt, '--pin', `platform=${v1.platformPubkey}`],
  };
  // Warm the file cache, and write the per-user code cache of the verify fast path (under HOME=dir).
  for (const args of Object.values(cases)) time(args, env);
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(time(args, env));
  const base = median(samples['node -e 0']);
  console.log(`CLI start-up, median of ${RUNS} interleaved runs (node ${process.version}, goal <= ${GOAL}x node -e 0)`);
  for (const [name, xs] of Object.entries(samples)) {
    const m = median(xs);
    const ratio = m / base;
    const verdict = name === 'node -e 0' ? 'baseline' : ratio <= GOAL ? 'ok' : 'over goal';
    console.log(`  ${name.padEnd(40)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x  ${verdict}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
