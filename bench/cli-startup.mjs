// CLI start-up benchmark. Run with `npm run bench:cli` (builds first: the manifest must exist).
// Prints, from one run, the median wall time of `proxygate --version` and of
// `proxygate receipts verify` (one receipt, pinned key set, offline) against `node -e 0`,
// measured interleaved in the same run. Goal: <= 1.6x `node -e 0`.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalize } from '@proxygate-kit/sdk/receipts';

const GOAL = 1.6;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repo, 'cli/bin/run.js');
if (!existsSync(join(repo, 'cli/oclif.manifest.json'))) {
  console.error('cli/oclif.manifest.json is missing: run the build first (npm run bench:cli does)');
  process.exit(2);
}

/** One v3 receipt signed by a key made for this run, and the key set that verifies it. */
function fixture(dir) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  const keys = {
    issuer: 'bench',
    keys: [{ kid: 'bench-1', kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x, not_before: '2026-01-01T00:00:00.000Z', not_after: null, status: 'active' }],
  };
  const unsigned = {
    receipt_version: 3, kid: 'bench-1', request_id: 'req_bench0001', buyer: 'tok_bench', seller: 'sel_bench',
    listing_id: 'lst_bench', service: 'weather', method: 'GET', path: '/v1/current', amount: '1500', currency: 'USD',
    timestamp: '2026-11-25T12:00:00.000Z',
    request_sha256: crypto.createHash('sha256').update('q').digest('hex'),
    response_sha256: crypto.createHash('sha256').update('r').digest('hex'),
    shield: { mode: 'monitor', score_bp: 0, flags: [], action: 'allowed' },
    seq: 1, prev: '0'.repeat(64),
  };
  const signature = crypto.sign(null, Buffer.from(`proxygate-receipt-v3\n${canonicalize(unsigned)}`), privateKey).toString('base64');
  writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
  writeFileSync(join(dir, 'receipt.json'), JSON.stringify({ ...unsigned, signature }));
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
  fixture(dir);
  const env = { PATH: process.env.PATH ?? '', HOME: dir, PROXYGATE_CONFIG_DIR: join(dir, 'config'), PROXYGATE_CREDENTIAL_STORE: 'file' };
  const cases = {
    'node -e 0': ['-e', '0'],
    'proxygate --version': [bin, '--version'],
    'proxygate receipts verify (1 receipt)': [bin, 'receipts', 'verify', join(dir, 'receipt.json'), '--keys', join(dir, 'keys.json')],
  };
  // Warm the file cache (and V8's compile cache where Node has one) before measuring.
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
