// `receipts verify` and `receipts audit` on receipts kept by paid calls: valid chains, tampered and
// removed receipts, shards, key sources, and the public profile's v1/v2 receipts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock } from '../../helpers/mock.js';
import { callCost, usd } from '../../helpers/prices.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { toBareReceipts } from '../../helpers/trail.js';

const lines = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('receipts verify / audit (offline)', () => {
  const ctx = useInProcessMock('cli-receipts-offline');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  async function makeReceipts(count: number): Promise<{ receipts: string; keys: string }> {
    const receipts = join(env.dir, 'chain.jsonl');
    const keys = join(env.dir, 'keys.json');
    await cli(['receipts', 'keys', 'export', '--output', keys]);
    for (let i = 0; i < count; i++) await cli(['call', 'echo', '/echo', '--query', `i=${i}`, '--receipts', receipts]);
    // These tests are about the verifier on bare receipt lines (the older file form).
    return { receipts: await toBareReceipts(receipts), keys };
  }

  it('all valid: exit 0, summary line, JSON report; audit totals in micro-USD and USD; offline', async () => {
    const { receipts, keys } = await makeReceipts(3);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    const r = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('3 valid, 0 invalid');
    const json = JSON.parse((await cli(['receipts', 'verify', receipts, '--keys', keys, '--json'])).stdout);
    expect(json).toMatchObject({ valid: 3, invalid: 0, failures: [] });
    // The audit's JSON is the SDK's report file (what "receipts audit merge" reads).
    const audit = JSON.parse((await cli(['receipts', 'audit', receipts, '--keys', keys, '--json'])).stdout);
    expect(audit).toMatchObject({ format: 'proxygate-audit-report', ok: true, counts: { receipts: 3, valid: 3, invalid: 0 }, sha256: expect.any(String) });
    expect(audit.chains).toHaveLength(1);
    expect(audit.chains[0]).toMatchObject({ receipts: 3, total: String(3 * callCost(ctx.mock, 'echo')), runs: [{ first: { seq: 1 }, last: { seq: 3 }, anchor: 'genesis' }] });
    expect(audit.spend).toMatchObject({ total: String(3 * callCost(ctx.mock, 'echo')) });
    const human = await cli(['receipts', 'audit', receipts, '--keys', keys]);
    expect(human.stdout).toContain(`audit: 1 chain(s), spend ${usd(3 * callCost(ctx.mock, 'echo'))} (${3 * callCost(ctx.mock, 'echo')} micro-USD)`);
    expect(human.stdout).toMatch(new RegExp(`^  ${escape(audit.chains[0].buyer)}: 3 receipt\\(s\\), seq 1\\.\\.3, spend ${escape(usd(3 * callCost(ctx.mock, 'echo')))}$`, 'm'));

    // Reconciled with saved usage (offline): every call has its receipt and the amounts agree.
    process.env['PROXYGATE_GATEWAY_URL'] = ctx.origin;
    const usageFile = join(env.dir, 'usage.json');
    await writeFile(usageFile, (await cli(['usage', '--all', '--json'])).stdout);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    const reconciled = JSON.parse((await cli(['receipts', 'audit', receipts, '--keys', keys, '--usage', usageFile, '--json'])).stdout);
    expect(reconciled.usage.joined).toMatchObject({ matched: 3, missing_receipts: 0, amount_mismatches: 0 });
    const dropped = (await lines(receipts)).slice(1).join('\n') + '\n';
    await writeFile(join(env.dir, 'dropped.jsonl'), dropped);
    const missing = await cli(['receipts', 'audit', join(env.dir, 'dropped.jsonl'), '--keys', keys, '--usage', usageFile]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toMatch(/usage: 2 matched, 1 without a receipt/);

    // The log page from the gateway carries a signed head: with it the audit proves completeness.
    process.env['PROXYGATE_GATEWAY_URL'] = ctx.origin;
    const page = join(env.dir, 'log.json');
    await writeFile(page, (await cli(['api', 'GET', '/v1/receipts', '--json'])).stdout);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    const withHead = await cli(['receipts', 'audit', page, '--keys', keys, '--head', page]);
    expect(withHead.exitCode).toBe(0);
    expect(withHead.stdout).toMatch(/log head: signature valid, tree size 3, root matches/);
    process.env['PROXYGATE_GATEWAY_URL'] = ctx.origin;
    const logged = join(env.dir, 'logged.jsonl');
    const headFile = join(env.dir, 'head.json');
    const log = await cli(['receipts', 'log', '--limit', '2', '--output', logged, '--head', headFile]);
    expect(log.exitCode).toBe(0);
    expect(await lines(logged)).toHaveLength(3);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    expect((await cli(['receipts', 'audit', logged, '--keys', keys, '--head', headFile])).exitCode).toBe(0);
    const cut = JSON.parse(await readFile(page, 'utf8'));
    cut.data.pop();
    await writeFile(join(env.dir, 'cut.json'), JSON.stringify(cut));
    expect((await cli(['receipts', 'audit', join(env.dir, 'cut.json'), '--keys', keys, '--head', page])).exitCode).toBe(1);
  });

  it('a tampered receipt: exit 1, one line with its reason, request id and time; a removed one: chain_gap under --audit', async () => {
    const { receipts, keys } = await makeReceipts(3);
    const all = await lines(receipts);
    const tampered = JSON.parse(all[1] ?? '');
    tampered.amount = '1';
    await writeFile(receipts, [all[0], JSON.stringify(tampered), all[2]].join('\n') + '\n');
    const r = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(r.exitCode).toBe(1);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(new RegExp(`chain\\.jsonl:2: bad_signature: .* \\[${tampered.request_id} at ${escape(tampered.timestamp)}\\]$`));
    expect(out[1]).toBe('2 valid, 1 invalid');
    const json = JSON.parse((await cli(['receipts', 'verify', receipts, '--keys', keys, '--json'])).stdout);
    expect(json.failures[0]).toMatchObject({ reason: 'bad_signature', at: expect.stringContaining(':2'), time: { value: tampered.timestamp, unit: 'rfc3339' } });
    await writeFile(receipts, [all[0], all[2]].join('\n') + '\n');
    const gap = await cli(['receipts', 'verify', receipts, '--keys', keys, '--audit']);
    expect(gap.exitCode).toBe(1);
    expect(gap.stdout).toMatch(/chain_gap/);
  });

  it('--shard splits the receipts between jobs without overlap; JSON arrays are read too', async () => {
    const { receipts, keys } = await makeReceipts(5);
    const array = join(env.dir, 'chain.json');
    await writeFile(array, `[\n${(await lines(receipts)).join(',\n')}\n]\n`);
    const counts = [];
    for (const shard of ['1/2', '2/2']) counts.push(JSON.parse((await cli(['receipts', 'verify', array, '--keys', keys, '--shard', shard, '--json'])).stdout).valid);
    expect(counts).toEqual([3, 2]);
    expect((await cli(['receipts', 'verify', receipts, '--keys', keys, '--audit', '--shard', '1/1'])).exitCode).toBe(0);
  });

  it('usage errors exit 2: no keys, bad shard, unreadable file, unusable key file', async () => {
    const { receipts, keys } = await makeReceipts(1);
    // Without --keys the keys pinned for the current gateway are used; another gateway has none.
    expect((await cli(['receipts', 'verify', receipts])).exitCode).toBe(0);
    const noPin = await cli(['receipts', 'verify', receipts, '--gateway', 'http://127.0.0.1:9']);
    expect(noPin.exitCode).toBe(2);
    expect(noPin.stderr).toMatch(/^usage_error: no keys to verify against: .* has no receipt keys pinned for http:\/\/127\.0\.0\.1:9 /);
    expect((await cli(['receipts', 'verify', receipts, '--keys', keys, '--shard', '3/2'])).exitCode).toBe(2);
    expect((await cli(['receipts', 'verify', join(env.dir, 'missing.jsonl'), '--keys', keys])).exitCode).toBe(2);
    await writeFile(join(env.dir, 'bad-keys.json'), '{"keys":[{"kid":"k"}]}');
    expect((await cli(['receipts', 'verify', receipts, '--keys', join(env.dir, 'bad-keys.json')])).exitCode).toBe(2);
  });

  it('a key pinned with --pin verifies; a wrong pin gives unknown_key; PROXYGATE_RECEIPT_KEYS names a key file', async () => {
    const { receipts, keys } = await makeReceipts(1);
    const doc = JSON.parse(await readFile(keys, 'utf8'));
    const key = doc.keys[0];
    expect((await cli(['receipts', 'verify', receipts, '--pin', `${key.kid}=${key.x}`])).exitCode).toBe(0);
    process.env['PROXYGATE_RECEIPT_KEYS'] = keys;
    try {
      expect((await cli(['receipts', 'verify', receipts])).stdout).toBe('1 valid, 0 invalid\n');
      expect((await cli(['call', 'echo', '/echo'])).stderr).toContain('receipt: valid');
    } finally {
      delete process.env['PROXYGATE_RECEIPT_KEYS'];
    }
    const wrong = await cli(['receipts', 'verify', receipts, '--pin', `other=${key.x}`]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toMatch(/unknown_key/);
  });
});

describe('receipts from the public profile (v1/v2: integer amount and timestamp)', () => {
  const ctx = useInProcessMock('cli-receipts-public', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(() => env.restore());

  it('v1 and v2 receipts verify with the /health pins; --list shows each time with the unit it was read in', async () => {
    const receipts = join(env.dir, 'r.jsonl');
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts])).exitCode).toBe(0);
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.traderV2;
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts])).exitCode).toBe(0);
    const [v1, v2] = (await lines(await toBareReceipts(receipts))).map((l) => JSON.parse(l));
    expect(v1.receipt_version).toBeUndefined();
    expect(v2).toMatchObject({ receipt_version: 2, delegation: { not_before: expect.any(Number), not_after: expect.any(Number) } });
    const health = ctx.mock.gateway.health().body;
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    const pins = ['--pin', `platform=${health.platform_pubkey}`, '--pin', `receipt-ca=${health.receipt_ca_pubkey}`];
    const listed = await cli(['receipts', 'verify', receipts, ...pins, '--list']);
    expect(listed.exitCode).toBe(0);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    expect(listed.stdout).toBe(
      [
        `${receipts}:1: valid v1 ${v1.request_id} ${usd(callCost(ctx.mock, 'echo'))} at ${iso(v1.timestamp)} (unix seconds ${v1.timestamp})`,
        `${receipts}:2: valid v2 ${v2.request_id} ${usd(callCost(ctx.mock, 'echo'))} at ${iso(v2.timestamp)} (unix seconds ${v2.timestamp})`,
        '2 valid, 0 invalid',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await cli(['receipts', 'verify', receipts, ...pins, '--list', '--json'])).stdout);
    expect(json.receipts[0]).toMatchObject({ valid: true, version: 1, amount_micro_usd: String(callCost(ctx.mock, 'echo')), time: { value: v1.timestamp, unit: 'unix_seconds' } });
    // Tampered: the amount is covered by the signature; the failure line names the time and its unit.
    const all = await lines(receipts);
    await writeFile(receipts, `${all[0]?.replace(`"amount":${v1.amount}`, `"amount":${v1.amount + 1}`)}\n${all[1]}\n`);
    const bad = await cli(['receipts', 'verify', receipts, ...pins]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`:1: bad_signature: .* \\[${v1.request_id} at ${escape(iso(v1.timestamp))} \\(unix seconds ${v1.timestamp}\\)\\]\\n1 valid, 1 invalid\\n$`));
  });

  it('usage from the public gateway (no request ids) is reconciled by sums over its window', async () => {
    const receipts = join(env.dir, 'r.jsonl');
    await cli(['call', 'echo', '/echo', '--receipts', receipts]);
    await cli(['call', 'echo', '/echo', '--receipts', receipts]);
    const usageFile = join(env.dir, 'usage.json');
    const exported = (await cli(['usage', '--all', '--json'])).stdout;
    expect(JSON.parse(exported).data.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(exported).data.every((row: { request_id?: unknown }) => row.request_id === undefined)).toBe(true);
    await writeFile(usageFile, exported);
    const health = ctx.mock.gateway.health().body;
    const pins = ['--pin', `platform=${health.platform_pubkey}`];
    const r = await cli(['receipts', 'audit', receipts, ...pins, '--usage', usageFile]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const cost = callCost(ctx.mock, 'echo');
    expect(r.stdout).toMatch(new RegExp(`^  usage \\S+\\.\\.\\S+ \\(rows without request ids, compared by sums\\): rows ${escape(usd(2 * cost))} in 2 paid call\\(s\\), receipts ${escape(usd(2 * cost))} in 2: they agree$`, 'm'));
    // The export says one call cost more than its receipt signs for: found, by sums.
    const raised = JSON.parse(exported);
    raised.data[0].cost_micro_cents += 1;
    await writeFile(usageFile, JSON.stringify(raised));
    const differs = await cli(['receipts', 'audit', receipts, ...pins, '--usage', usageFile, '--json']);
    expect(differs.exitCode).toBe(1);
    expect(JSON.parse(differs.stdout).issues).toContainEqual(expect.objectContaining({ reason: 'content_mismatch', field: 'usage.total', source: usageFile }));
  });

});
