import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessMock } from './helpers/mock.js';
import { cli, isolatedEnv } from './helpers/run.js';

const { mock, server, origin } = startInProcessMock('cli-paid-calls');
afterAll(() => server.close());

let env: Awaited<ReturnType<typeof isolatedEnv>>;
beforeEach(async () => {
  mock.gateway.reset();
  env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: origin, PROXYGATE_API_KEY: mock.demoTokens.trader });
});
afterEach(() => env.restore());

const lines = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n');

describe('call', () => {
  it('prints the body to stdout and the summary to stderr, appends the receipt, verifies with --keys', async () => {
    const receipts = join(env.dir, 'r.jsonl');
    const keys = join(env.dir, 'keys.json');
    expect((await cli(['receipts', 'keys', 'export', '--output', keys])).exitCode).toBe(0);
    const r = await cli(['call', 'echo', '/echo', '--data', '{"a": 1}', '--query', 'x=1', '--receipts', receipts, '--keys', keys]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'POST', path: '/echo', query: { x: '1' }, body: '{"a": 1}' });
    expect(r.stderr).toMatch(/cost: \$0\.\d+ · request: req_\w+ · receipt: valid · shield: monitor/);
    expect(r.stderr).not.toContain(mock.demoTokens.trader);
    const [line] = await lines(receipts);
    expect(JSON.parse(line ?? '')).toMatchObject({ receipt_version: 3, method: 'POST', path: '/echo', seq: 1 });
  });

  it('reuses an idempotency key without a second charge', async () => {
    const before = JSON.parse((await cli(['balance', '--json'])).stdout).balance_micro_cents;
    const args = ['call', 'weather-current', '/current', '--query', 'city=Oslo', '--idempotency-key', 'cli-test-key-1', '--json'];
    const first = JSON.parse((await cli(args)).stdout);
    const second = JSON.parse((await cli(args)).stdout);
    expect(second.replayed).toBe(true);
    expect(second.request_id).toBe(first.request_id);
    const after = JSON.parse((await cli(['balance', '--json'])).stdout).balance_micro_cents;
    expect(before - after).toBe(first.cost_micro_cents);
  });

  it('a failure after the gateway may have charged prints the key to retry with; the retry is not charged twice', async () => {
    const before = JSON.parse((await cli(['balance', '--json'])).stdout).balance_micro_cents;
    mock.faults.inject({ kind: 'server_error', status: 500, path: '/proxy/', phase: 'after', times: 3 });
    const failed = await cli(['call', 'weather-current', '/current', '--query', 'city=Rome']);
    expect(failed.exitCode).toBe(1);
    const key = /--idempotency-key (\S+):/.exec(failed.stderr)?.[1];
    expect(key).toMatch(/^cli-/);
    const retried = JSON.parse((await cli(['call', 'weather-current', '/current', '--query', 'city=Rome', '--idempotency-key', key ?? '', '--json'])).stdout);
    const after = JSON.parse((await cli(['balance', '--json'])).stdout).balance_micro_cents;
    expect(before - after).toBe(retried.cost_micro_cents);
  });

  it('refuses locally above --max-cost (nothing charged)', async () => {
    const before = JSON.parse((await cli(['balance', '--json'])).stdout).balance_micro_cents;
    const r = await cli(['call', 'weather-current', '/current', '--max-cost', '0.000001']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^max_cost_exceeded: /);
    expect(JSON.parse((await cli(['balance', '--json'])).stdout).balance_micro_cents).toBe(before);
  });

  it('a strict shield block exits 5 and still records the zero-amount receipt', async () => {
    const receipts = join(env.dir, 'blocked.jsonl');
    const r = await cli(['call', 'product-reviews', '/reviews', '--query', 'product=x', '--shield', 'strict', '--receipts', receipts]);
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^shield_blocked: /);
    const [line] = await lines(receipts);
    expect(JSON.parse(line ?? '')).toMatchObject({ amount: '0', shield: { action: 'blocked' } });
  });

  it('streams SSE data lines and settles the receipt after the stream', async () => {
    const receipts = join(env.dir, 's.jsonl');
    const r = await cli(['call', 'llm-stream', '/chat', '--data', '{"prompt":"hi"}', '--stream', '--receipts', receipts]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('{"delta":"Hello"}');
    expect(r.stderr).toMatch(/request: req_/);
    expect(await lines(receipts)).toHaveLength(1);
  });

  it('trade is required: a read-only token exits 3 before spending', async () => {
    process.env['PROXYGATE_API_KEY'] = mock.demoTokens.readOnly;
    const r = await cli(['call', 'weather-current', '/current']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('trade');
  });
});

describe('receipts verify / audit (offline)', () => {
  async function makeReceipts(count: number): Promise<{ receipts: string; keys: string }> {
    const receipts = join(env.dir, 'chain.jsonl');
    const keys = join(env.dir, 'keys.json');
    await cli(['receipts', 'keys', 'export', '--output', keys]);
    for (let i = 0; i < count; i++) await cli(['call', 'echo', '/echo', '--query', `i=${i}`, '--receipts', receipts]);
    return { receipts, keys };
  }

  it('all valid: exit 0, summary line, JSON report; then offline (gateway unreachable) still works', async () => {
    const { receipts, keys } = await makeReceipts(3);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    const r = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('3 valid, 0 invalid');
    const json = JSON.parse((await cli(['receipts', 'verify', receipts, '--keys', keys, '--json'])).stdout);
    expect(json).toMatchObject({ valid: 3, invalid: 0, failures: [] });
    const audit = JSON.parse((await cli(['receipts', 'audit', receipts, '--keys', keys, '--json'])).stdout);
    expect(audit.audit.chains).toHaveLength(1);
    expect(audit.audit.chains[0]).toMatchObject({ count: 3, first_seq: 1, last_seq: 3 });
    const sum = (await lines(receipts)).reduce((s, l) => s + BigInt(JSON.parse(l).amount), 0n);
    expect(audit.audit.spend.total).toBe(sum.toString());

    // Reconciled with saved usage (offline): every call has its receipt and the amounts agree.
    process.env['PROXYGATE_GATEWAY_URL'] = origin;
    const usageFile = join(env.dir, 'usage.json');
    await writeFile(usageFile, (await cli(['usage', '--all', '--json'])).stdout);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    const reconciled = JSON.parse((await cli(['receipts', 'audit', receipts, '--keys', keys, '--usage', usageFile, '--json'])).stdout);
    expect(reconciled.audit.usage).toMatchObject({ matched: 3, missing_receipts: [], amount_mismatches: [] });
    const dropped = (await lines(receipts)).slice(1).join('\n') + '\n';
    await writeFile(join(env.dir, 'dropped.jsonl'), dropped);
    const missing = await cli(['receipts', 'audit', join(env.dir, 'dropped.jsonl'), '--keys', keys, '--usage', usageFile]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toMatch(/usage: 2 matched, 1 without a receipt/);

    // The log page from the gateway carries a signed head: with it the audit proves completeness.
    process.env['PROXYGATE_GATEWAY_URL'] = origin;
    const page = join(env.dir, 'log.json');
    await writeFile(page, (await cli(['api', 'GET', '/v1/receipts', '--json'])).stdout);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    const withHead = await cli(['receipts', 'audit', page, '--keys', keys, '--head', page]);
    expect(withHead.exitCode).toBe(0);
    expect(withHead.stdout).toMatch(/log head: signature valid, tree size 3, root matches/);
    // The same through `receipts log`: every page as JSON Lines plus the head.
    process.env['PROXYGATE_GATEWAY_URL'] = origin;
    const logged = join(env.dir, 'logged.jsonl');
    const headFile = join(env.dir, 'head.json');
    const log = await cli(['receipts', 'log', '--limit', '2', '--output', logged, '--head', headFile]);
    expect(log.exitCode).toBe(0);
    expect(await lines(logged)).toHaveLength(3);
    process.env['PROXYGATE_GATEWAY_URL'] = 'http://127.0.0.1:1';
    expect((await cli(['receipts', 'audit', logged, '--keys', keys, '--head', headFile])).exitCode).toBe(0);
    // Cut the last receipt: the chain alone looks fine, the head does not.
    const cut = JSON.parse(await readFile(page, 'utf8'));
    cut.data.pop();
    await writeFile(join(env.dir, 'cut.json'), JSON.stringify(cut));
    const truncated = await cli(['receipts', 'audit', join(env.dir, 'cut.json'), '--keys', keys, '--head', page]);
    expect(truncated.exitCode).toBe(1);
  });

  it('a tampered receipt: exit 1, one line with its reason code; a removed one: chain_gap under --audit', async () => {
    const { receipts, keys } = await makeReceipts(3);
    const all = await lines(receipts);
    const tampered = JSON.parse(all[1] ?? '');
    tampered.amount = '1';
    await writeFile(receipts, [all[0], JSON.stringify(tampered), all[2]].join('\n') + '\n');
    const r = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(r.exitCode).toBe(1);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(new RegExp(`chain\\.jsonl:2: bad_signature: .*\\(${tampered.request_id}\\)$`));
    expect(out[1]).toBe('2 valid, 1 invalid');
    const json = JSON.parse((await cli(['receipts', 'verify', receipts, '--keys', keys, '--json'])).stdout);
    expect(json.failures[0]).toMatchObject({ reason: 'bad_signature', at: expect.stringContaining(':2') });

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
    const whole = await cli(['receipts', 'verify', receipts, '--keys', keys, '--audit', '--shard', '1/1']);
    expect(whole.exitCode).toBe(0);
  });

  it('usage errors exit 2: no keys, bad shard, unreadable file, unusable key file', async () => {
    const { receipts, keys } = await makeReceipts(1);
    expect((await cli(['receipts', 'verify', receipts])).exitCode).toBe(2);
    expect((await cli(['receipts', 'verify', receipts, '--keys', keys, '--shard', '3/2'])).exitCode).toBe(2);
    expect((await cli(['receipts', 'verify', join(env.dir, 'missing.jsonl'), '--keys', keys])).exitCode).toBe(2);
    await writeFile(join(env.dir, 'bad-keys.json'), '{"keys":[{"kid":"k"}]}');
    expect((await cli(['receipts', 'verify', receipts, '--keys', join(env.dir, 'bad-keys.json')])).exitCode).toBe(2);
  });

  it('a key pinned with --pin verifies; a wrong pin gives unknown_key', async () => {
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
