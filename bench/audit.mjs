// Streaming audit benchmark. Run with `npm run bench:audit` (builds the sdk first).
// Generates (once, cached in the OS temp dir) 1,000,000 chained v3 receipts over 100 buyer
// tokens, signed by a key generated for that file (only its public key is kept beside it), then
// measures in fresh processes, in the same run:
//   - peak RSS of the streaming audit at 100k and 1M receipts (goal <= 200 MB and flat),
//   - wall time of the audit vs verifyStream of the same file (goal <= 1.3x), pool and single thread,
//   - pool vs single thread for the audit (goal >= 1.7x on 2 cores).
// Peak RSS comes from fresh processes auditing the whole file and its first 100k receipts. The
// time ratios come from one process that alternates verify / audit, single thread / pool, over
// slices of 25,000 receipts (the first --timing receipts, default 300,000), so load from other
// processes falls on every mode alike; CPU time per receipt (all threads) is printed too.
// Options: --receipts N (default 1,000,000), --small N (default 100,000), --timing N,
// --regenerate, --generate-only. The load average is printed: figures are only comparable on an idle machine.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PREFIX = 'proxygate-receipt-v3\n';
const ZERO = '0'.repeat(64);
const BUYERS = 100;
const self = fileURLToPath(import.meta.url);

function arg(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

/**
 * Writes `total` receipts, the buyers interleaved round-robin so every prefix of the file holds
 * complete chains from seq 1. Objects are built with their keys in JCS order (all strings ASCII,
 * numbers small integers), so JSON.stringify gives the canonical text itself.
 */
function generate(file, keysFile, total) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  const doc = { issuer: 'bench', keys: [{ kid: 'bench-1', kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', x, not_before: '2026-01-01T00:00:00.000Z', not_after: null, status: 'active' }] };
  const prev = new Array(BUYERS).fill(ZERO);
  const seq = new Array(BUYERS).fill(0);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w');
  let buf = '';
  const t0 = Date.now();
  for (let i = 0; i < total; i++) {
    const b = i % BUYERS;
    seq[b]++;
    const unsigned = {
      amount: String(1000 + (i % 5000)), buyer: `tok_bench${String(b).padStart(3, '0')}`, currency: 'USD', kid: 'bench-1',
      listing_id: `0000000${b % 10}-0000-4000-8000-000000000000`, method: 'GET', path: '/v1/forecast', prev: prev[b],
      receipt_version: 3, request_id: crypto.randomUUID(),
      request_sha256: crypto.createHash('sha256').update(`q${i}`).digest('hex'),
      response_sha256: crypto.createHash('sha256').update(`r${i}`).digest('hex'),
      seller: 'sel_bench', seq: seq[b], service: 'weather',
      shield: { action: i % 3 ? 'allowed' : 'flagged', flags: i % 3 ? [] : ['suspicious_link'], mode: 'monitor', score_bp: i % 10000 },
    };
    const timestamp = new Date(Date.parse('2026-11-25T12:00:00.000Z') + i).toISOString();
    const signedText = PREFIX + JSON.stringify({ ...unsigned, timestamp });
    const signature = crypto.sign(null, Buffer.from(signedText), privateKey).toString('base64');
    const line = JSON.stringify({ ...unsigned, signature, timestamp });
    prev[b] = crypto.createHash('sha256').update(line).digest('hex');
    buf += line + '\n';
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
    if ((i + 1) % 100000 === 0) process.stderr.write(`\rgenerating: ${(i + 1).toLocaleString('en-US')} receipts (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  fs.writeFileSync(keysFile, JSON.stringify(doc));
  fs.renameSync(temp, file);
  process.stderr.write('\n');
}

/** A prefix of the big file with the first `n` lines (complete chains: buyers are interleaved). */
function prefixFile(big, file, n) {
  if (fs.existsSync(file)) return;
  const out = fs.openSync(`${file}.tmp`, 'w');
  const fd = fs.openSync(big, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let lines = 0;
  for (;;) {
    const read = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    let end = read;
    for (let i = 0; i < read; i++) if (chunk[i] === 0x0a && ++lines === n) { end = i + 1; break; }
    fs.writeSync(out, chunk, 0, end);
    if (lines >= n) break;
  }
  fs.closeSync(fd);
  fs.closeSync(out);
  fs.renameSync(`${file}.tmp`, file);
}

/** One measurement in this (fresh) process: prints wall time, peak RSS and the outcome. */
async function child(task, mode, file, keysFile) {
  const { KeySet, auditStream, verifyStream } = await import('@proxygate-kit/sdk/receipts');
  const { createVerifierPool } = await import('@proxygate-kit/sdk/receipts/node');
  const keys = KeySet.fromDocument(fs.readFileSync(keysFile));
  const pool = mode === 'pool' ? createVerifierPool(keys, { size: availableParallelism() }) : undefined;
  const source = () => fs.createReadStream(file, { highWaterMark: 1 << 16 });
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let receipts = 0, ok;
  if (task === 'verify') {
    const verdicts = pool ? pool.verifyStream(source()) : verifyStream(source(), { keys });
    ok = true;
    for await (const v of verdicts) { receipts++; if (!v.valid) ok = false; }
  } else {
    const input = { name: path.basename(file), lines: source() };
    const report = pool ? await pool.audit(input) : await auditStream(input, { keys });
    receipts = report.counts.receipts;
    ok = report.ok && report.chains.length === BUYERS;
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  // CPU time of every thread of the process (workers too): what the work costs, whatever the load.
  const used = process.cpuUsage(cpu);
  await pool?.close();
  process.stdout.write(JSON.stringify({ task, mode, receipts, ok, wallMs, cpuMs: (used.user + used.system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

/** Byte offsets of every `every`-th line start, up to `limit` lines. */
function sliceOffsets(file, every, limit) {
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(1 << 20);
  const offsets = [0];
  let lines = 0, position = 0;
  outer: for (;;) {
    const read = fs.readSync(fd, chunk, 0, chunk.length, position);
    if (read === 0) break;
    for (let i = 0; i < read; i++) {
      if (chunk[i] !== 0x0a) continue;
      lines++;
      if (lines % every === 0 || lines === limit) offsets.push(position + i + 1);
      if (lines >= limit) break outer;
    }
    position += read;
  }
  fs.closeSync(fd);
  return offsets;
}

/** Alternates the four modes over slices of the file; prints each mode's wall and CPU time. */
async function timingChild(file, keysFile, limit) {
  const { KeySet, auditStream, verifyStream } = await import('@proxygate-kit/sdk/receipts');
  const { createVerifierPool } = await import('@proxygate-kit/sdk/receipts/node');
  const keys = KeySet.fromDocument(fs.readFileSync(keysFile));
  const pool = createVerifierPool(keys, { size: availableParallelism() });
  const offsets = sliceOffsets(file, 25_000, Number(limit));
  const modes = {
    'verify/single': async (src) => { let n = 0; for await (const v of verifyStream(src, { keys })) { if (!v.valid) throw new Error('invalid'); n++; } return n; },
    'audit/single': async (src) => (await auditStream({ name: 'slice', lines: src }, { keys, partial: true })).counts.valid,
    'verify/pool': async (src) => { let n = 0; for await (const v of pool.verifyStream(src)) { if (!v.valid) throw new Error('invalid'); n++; } return n; },
    'audit/pool': async (src) => (await pool.audit({ name: 'slice', lines: src }, { partial: true })).counts.valid,
  };
  const names = Object.keys(modes);
  const totals = Object.fromEntries(names.map((n) => [n, { receipts: 0, wallMs: 0, cpuMs: 0 }]));
  // Warm-up: JIT, workers, key objects.
  const warm = sliceOffsets(file, 2000, 2000)[1];
  for (const n of names) await modes[n](fs.createReadStream(file, { start: 0, end: warm - 1 }));
  for (let i = 0; i + 1 < offsets.length; i++) {
    // A different order each slice: no mode always runs first or last.
    for (let k = 0; k < names.length; k++) {
      const n = names[(i + k) % names.length];
      const src = fs.createReadStream(file, { start: offsets[i], end: offsets[i + 1] - 1, highWaterMark: 1 << 16 });
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      const count = await modes[n](src);
      totals[n].wallMs += Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      totals[n].cpuMs += (used.user + used.system) / 1000;
      totals[n].receipts += count;
    }
  }
  await pool.close();
  process.stdout.write(JSON.stringify(totals));
}

function measure(task, mode, file, keysFile) {
  const run = spawnSync(process.execPath, [self, '--child', task, mode, file, keysFile], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${task}/${mode} failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout);
  if (!result.ok) throw new Error(`${task}/${mode} on ${file}: not every receipt verified / audited clean`);
  return result;
}

async function main() {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) return child(...process.argv.slice(childAt + 1, childAt + 5));
  const timingAt = process.argv.indexOf('--timing-child');
  if (timingAt >= 0) return timingChild(...process.argv.slice(timingAt + 1, timingAt + 4));

  const total = Number(arg('--receipts', 1_000_000));
  const small = Number(arg('--small', 100_000));
  const dir = path.join(tmpdir(), 'proxygate-bench-audit');
  fs.mkdirSync(dir, { recursive: true });
  const big = path.join(dir, `receipts-${total}.jsonl`);
  const keysFile = path.join(dir, `receipts-${total}.keys.json`);
  if (process.argv.includes('--regenerate') || !fs.existsSync(big) || !fs.existsSync(keysFile)) generate(big, keysFile, total);
  const smallFile = path.join(dir, `receipts-${total}-first-${small}.jsonl`);
  prefixFile(big, smallFile, small);
  if (process.argv.includes('--generate-only')) return;
  const cores = availableParallelism();
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`audit bench: ${total.toLocaleString('en-US')} chained v3 receipts over ${BUYERS} buyers (${mib(fs.statSync(big).size)} MiB, cached in ${dir}), ${cores} cores, node ${process.version}`);
  const loadBefore = loadavg()[0];

  const timing = Number(arg('--timing', Math.min(300_000, total)));
  const run = spawnSync(process.execPath, [self, '--timing-child', big, keysFile, String(timing)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`timing failed: ${run.stderr}`);
  const t = JSON.parse(run.stdout);
  const memory = [measure('audit', 'pool', smallFile, keysFile), measure('audit', 'pool', big, keysFile), measure('audit', 'single', smallFile, keysFile), measure('audit', 'single', big, keysFile)];
  const loadAfter = loadavg()[0];

  const rate = (r) => Math.round(r.receipts / (r.wallMs / 1000)).toLocaleString('en-US').padStart(7);
  const cpuEach = (r) => `${((r.cpuMs * 1000) / r.receipts).toFixed(0).padStart(4)} µs CPU each`;
  console.log(`time, alternating modes over 25,000-receipt slices of the first ${timing.toLocaleString('en-US')} receipts:`);
  for (const [label, key] of [[`verifyStream, ${cores}-worker pool`, 'verify/pool'], [`audit, ${cores}-worker pool`, 'audit/pool'], ['verifyStream, single thread', 'verify/single'], ['audit, single thread', 'audit/single']]) {
    console.log(`  ${label.padEnd(32)} ${(t[key].wallMs / 1000).toFixed(1).padStart(6)} s  ${rate(t[key])} /s  ${cpuEach(t[key])}`);
  }
  console.log('peak RSS, fresh processes:');
  for (const r of memory) {
    console.log(`  audit ${r.mode.padEnd(6)} ${r.receipts.toLocaleString('en-US').padStart(9)} receipts  ${r.maxRssMiB.toFixed(0).padStart(4)} MiB   (${(r.wallMs / 1000).toFixed(1)} s, ${rate(r)} /s, clean: ${r.ok})`);
  }
  const check = (ok) => (ok ? 'meets' : 'MISSES');
  const rPool = t['audit/pool'].wallMs / t['verify/pool'].wallMs, rSingle = t['audit/single'].wallMs / t['verify/single'].wallMs;
  const speedup = t['audit/single'].wallMs / t['audit/pool'].wallMs;
  const [poolSmall, poolBig, singleSmall, singleBig] = memory;
  const flat = Math.max(poolBig.maxRssMiB / poolSmall.maxRssMiB, singleBig.maxRssMiB / singleSmall.maxRssMiB);
  console.log(`audit / verify wall time:  pool ${rPool.toFixed(2)}x, single ${rSingle.toFixed(2)}x   (goal <= 1.30x: ${check(rPool <= 1.3 && rSingle <= 1.3)})`);
  console.log(`audit / verify CPU time:   pool ${(t['audit/pool'].cpuMs / t['verify/pool'].cpuMs).toFixed(2)}x, single ${(t['audit/single'].cpuMs / t['verify/single'].cpuMs).toFixed(2)}x   (what the audit adds to verification)`);
  const verifySpeedup = t['verify/single'].wallMs / t['verify/pool'].wallMs;
  console.log(`audit pool / single:       ${speedup.toFixed(2)}x   (goal >= 1.70x on 2 cores: ${check(speedup >= 1.7)}; verifyStream's own, same run: ${verifySpeedup.toFixed(2)}x, what the free cores allowed)`);
  const short = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
  console.log(`audit peak RSS ${short(total)} / ${short(small)}:  pool ${poolBig.maxRssMiB.toFixed(0)} / ${poolSmall.maxRssMiB.toFixed(0)} MiB, single ${singleBig.maxRssMiB.toFixed(0)} / ${singleSmall.maxRssMiB.toFixed(0)} MiB, at most ${flat.toFixed(2)}x   (goal <= 200 MiB and flat: ${check(Math.max(poolBig.maxRssMiB, singleBig.maxRssMiB) <= 200 && flat <= 1.25)})`);
  console.log(`load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (figures are only comparable on an idle machine)`);
}

await main();
