// `call`: what a paid call prints and keeps (the receipt, whatever its verdict), its refusals, idempotent
// replays, and an answer lost after the charge.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAPPED_LIMIT_MICRO_USD } from '@proxygate-kit/server-mock';
import { useInProcessMock, type MockProfile } from '../../helpers/mock.js';
import { callCost, usd } from '../../helpers/prices.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { keptLogFile, trailLines, trailReceipts } from '../../helpers/trail.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe.each<MockProfile>(['extended', 'public'])('call against the %s profile', (profile) => {
  const ctx = useInProcessMock(`cli-paid-calls-${profile}`, profile);
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.server.resetHandlers();
    ctx.mock.faults.clear();
    await env.restore();
  });

  it('prints the body to stdout, the cost in USD from the receipt to stderr, and keeps the receipt as received (log and --receipts)', async () => {
    const receipts = join(env.dir, 'r.jsonl');
    const keys = join(env.dir, 'keys.json');
    expect((await cli(['receipts', 'keys', 'export', '--output', keys])).exitCode).toBe(0);
    const r = await cli(['call', 'echo', '/echo', '--data', '{"a": 1}', '--query', 'x=1', '--receipts', receipts, '--keys', keys]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'POST', path: '/echo', query: { x: '1' }, body: '{"a": 1}' });
    const cost = callCost(ctx.mock, 'echo');
    const log = keptLogFile(env.dir);
    expect(r.stderr).toMatch(new RegExp(`^cost: ${escape(usd(cost))} · request: [0-9a-f-]{36} · receipt: valid, saved to ${escape(log)} and ${escape(receipts)} · shield: monitor allowed score 0\\.00\\n$`));
    expect(r.stderr).not.toContain(ctx.mock.demoTokens.trader);
    // The same trail line in both: the receipt's own text, the verdict and the call.
    const [entry] = await trailLines(receipts);
    expect(await trailLines(log)).toEqual([entry]);
    expect(entry).toMatchObject({ proxygate_receipt: 1, verdict: { valid: true, reason: 'valid' }, call: { gateway: ctx.origin, method: 'POST', path: '/echo', status: 200, cost_micro_usd: cost } });
    const saved = JSON.parse(entry?.receipt ?? '');
    expect(entry?.call.request_id).toBe(saved.request_id);
    if (profile === 'extended') expect(saved).toMatchObject({ receipt_version: 3, method: 'POST', path: '/echo', seq: 1, amount: String(cost) });
    // The public gateway's v1 receipt: integer amount and Unix-seconds timestamp, kept as integers.
    else expect(saved).toMatchObject({ amount: cost, timestamp: expect.any(Number), buyer: expect.any(String), seller: expect.any(String) });
    expect(saved.request_id).toMatch(UUID);
    const json = JSON.parse((await cli(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--json'])).stdout);
    expect(json).toMatchObject({ status: 200, cost_micro_usd: callCost(ctx.mock, 'skycast/weather-current'), listing_id: ctx.mock.gateway.listing('skycast/weather-current').id });
    expect(json.receipt_raw).toEqual(expect.any(String));
  });

  it('keeps the receipt whatever its verdict: pinned and verified on first use, INVALID against the wrong keys (exit 1)', async () => {
    const receipts = join(env.dir, 'r.jsonl');
    const plain = await cli(['call', 'echo', '/echo', '--receipts', receipts]);
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).toMatch(/^pinned the receipt keys of /);
    expect(plain.stderr).toContain(`receipt: valid, saved to ${keptLogFile(env.dir)} and ${receipts}`);
    // Keys of another gateway (another seed): the receipt cannot verify, and is kept all the same.
    const other = join(env.dir, 'other-keys.json');
    const foreign = await import('@proxygate-kit/server-mock').then(({ createMockGateway }) => createMockGateway({ seed: 'another-gateway', profile }));
    const { KeySet } = await import('@proxygate-kit/sdk/receipts');
    const doc =
      profile === 'extended'
        ? foreign.gateway.keySet()
        : KeySet.fromKeys([], { platformPubkey: foreign.gateway.health().body.platform_pubkey, receiptCaPubkey: foreign.gateway.health().body.receipt_ca_pubkey ?? '' }).toJSON();
    await writeFile(other, JSON.stringify(doc));
    const bad = await cli(['call', 'echo', '/echo', '--receipts', receipts, '--keys', other]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).not.toBe('');
    expect(bad.stderr).toMatch(new RegExp(`receipt: INVALID \\((bad_signature|unknown_key)\\), saved to \\S+ and ${escape(receipts)}`));
    expect(bad.stderr).toMatch(/^receipt_invalid: /m);
    const kept = await trailLines(receipts);
    expect(kept.map((l) => l.verdict.valid)).toEqual([true, false]);
    expect(await trailLines(keptLogFile(env.dir))).toEqual(kept);
  });

  it('a receipt that does not even parse is still written (wrapped), and verify calls it malformed', async () => {
    const receipts = join(env.dir, 'r.jsonl');
    const keys = join(env.dir, 'keys.json');
    await cli(['receipts', 'keys', 'export', '--output', keys]);
    // A gateway answering with a receipt header that is neither JSON nor base64 of JSON.
    ctx.server.use(
      http.get('*/proxy/echo/echo', () => HttpResponse.json({ ok: true }, { headers: { 'x-proxygate-receipt': 'not*a*receipt' } })),
    );
    const r = await cli(['call', 'echo', '/echo', '--receipts', receipts]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`receipt: INVALID (malformed), saved to ${keptLogFile(env.dir)} and ${receipts}`);
    // The header value as received, since it is no JSON: the verifier calls it malformed again.
    const [entry] = await trailLines(receipts);
    expect(entry).toMatchObject({ receipt: 'not*a*receipt', verdict: { valid: false, reason: 'malformed' } });
    await writeFile(receipts, `${JSON.stringify({ unparsed_receipt: entry?.receipt })}\n`);
    const verified = await cli(['receipts', 'verify', receipts, '--keys', keys]);
    expect(verified.exitCode).toBe(1);
    expect(verified.stdout).toMatch(new RegExp(`^${escape(receipts)}:1: malformed: `));
  });

  it('a strict shield block exits 5 and still records the zero-amount receipt', async () => {
    const receipts = join(env.dir, 'blocked.jsonl');
    const r = await cli(['call', 'product-reviews', '/reviews', '--query', 'product=x', '--shield', 'strict', '--receipts', receipts]);
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe('');
    // The first receipt from this gateway pinned its keys (said once), then the block.
    expect(r.stderr.split('\n')[0]).toMatch(/^pinned the receipt keys of /);
    expect(r.stderr).toMatch(new RegExp(`^shield_blocked: .*its receipt was saved to ${escape(keptLogFile(env.dir))} and ${escape(receipts)}\\)\\n$`, 'm'));
    const [entry] = await trailLines(receipts);
    expect(entry).toMatchObject({ verdict: { valid: true }, call: { status: 422 } });
    const saved = JSON.parse(entry?.receipt ?? '');
    if (profile === 'extended') expect(saved).toMatchObject({ amount: '0', shield: { action: 'blocked' } });
    else expect(saved).toMatchObject({ amount: 0 });
  });

  it('streams SSE data lines and settles the receipt after the stream', async () => {
    const receipts = join(env.dir, 's.jsonl');
    const r = await cli(['call', 'llm-stream', '/chat', '--data', '{"prompt":"hi"}', '--stream', '--receipts', receipts]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('{"delta":"Hello"}');
    expect(r.stderr).toMatch(new RegExp(`cost: ${escape(usd(callCost(ctx.mock, 'lingua/llm-stream')))} · request: [0-9a-f-]{36}`));
    expect(await trailLines(receipts)).toMatchObject([{ verdict: { valid: true }, call: { method: 'POST', path: '/chat' } }]);
  });

  it('--max-cost refuses in USD before sending; on a per-token listing it says it cannot bound the call', async () => {
    const before = ctx.mock.ledger().length;
    const cost = callCost(ctx.mock, 'skycast/weather-current');
    const r = await cli(['call', 'weather-current', '/current', '--max-cost', '0.001']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `max_cost_exceeded: weather-current costs ${usd(cost)} with the shield surcharge, above --max-cost $0.001; nothing was sent (raise --max-cost, pick a cheaper listing, or pass --shield off to skip the shield surcharge)\n`,
    );
    const exact = await cli(['call', 'weather-current', '/current', '--max-cost', (cost / 1e6).toFixed(6), '--json']);
    expect(JSON.parse(exact.stdout).cost_micro_usd).toBe(cost);
    const llm = await cli(['call', 'chat-completions', '/chat/completions', '--data', '{"messages":[{"role":"user","content":"hi"}]}', '--max-cost', '0.05']);
    expect(llm.exitCode).toBe(1);
    expect(llm.stderr).toMatch(/^max_cost_unbounded: --max-cost \$0\.05 cannot bound a call to chat-completions before it is made: .*per token.*; nothing was sent \(pass --allow-unbounded-cost /);
    expect(ctx.mock.ledger()).toHaveLength(before + 1);
    const allowed = await cli(['call', 'chat-completions', '/chat/completions', '--data', '{"messages":[{"role":"user","content":"hi"}]}', '--max-cost', '0.05', '--allow-unbounded-cost', '--json']);
    expect(allowed.exitCode).toBe(0);
    expect(JSON.parse(allowed.stdout).cost_micro_usd).toBeGreaterThan(0);
    expect((await cli(['call', 'echo', '/echo', '--max-cost', '0.0000001'])).exitCode).toBe(2);
  });

  it('a spend-limit 429 says nothing was charged (exit 1), and is sent once', async () => {
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.capped;
    const cost = callCost(ctx.mock, 'skycast/weather-current');
    const calls = Math.floor(CAPPED_LIMIT_MICRO_USD / cost);
    for (let i = 0; i < calls; i++) expect((await cli(['call', 'weather-current', '/current'])).exitCode).toBe(0);
    const before = ctx.mock.ledger().length;
    const r = await cli(['call', 'weather-current', '/current']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^spend_limit_exceeded: .*: a spend limit blocked the call; nothing was charged \(wait for the limit to reset, raise it, or use a key with a higher limit; "proxygate whoami" shows the key\)\n$/);
    expect(ctx.mock.ledger()).toHaveLength(before);
  });

  it('the listing is looked up beside /health, and a failed lookup is reported once, as before, never asked twice', async () => {
    const seen: string[] = [];
    const listen = ({ request }: { request: Request }) => {
      const url = new URL(request.url);
      seen.push(`${url.pathname}${url.search}`);
    };
    ctx.server.events.on('request:start', listen);
    try {
      const r = await cli(['call', 'no-such-listing', '/current']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^listing_not_found: .*no-such-listing/);
      const lookups = seen.filter((path) => path.startsWith('/v1/apis'));
      expect(lookups.length).toBeGreaterThan(0);
      expect(new Set(lookups).size).toBe(lookups.length);
      expect(seen.filter((path) => path === '/health')).toHaveLength(1);
      expect(seen.filter((path) => path.startsWith('/proxy/'))).toEqual([]);
    } finally {
      ctx.server.events.removeListener('request:start', listen);
    }
  });

  it('a call its options rule out is refused for them (exit 2), even with a listing that does not exist', async () => {
    const r = await cli(['call', 'no-such-listing', '/current', '--query', 'listing=other']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/listing/);
    expect(r.stderr).not.toMatch(/listing_not_found/);
  });

  it('a token without the spending scope exits 3 before anything is charged', async () => {
    process.env['PROXYGATE_API_KEY'] = ctx.mock.demoTokens.readOnly;
    const before = ctx.mock.ledger().length;
    const r = await cli(['call', 'weather-current', '/current']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(profile === 'extended' ? /^insufficient_scope: .*trade/ : /^forbidden: .*proxy/);
    expect(ctx.mock.ledger()).toHaveLength(before);
  });
});

describe('idempotent paid calls (extension: the extended profile)', () => {
  const ctx = useInProcessMock('cli-paid-calls-idempotency');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.mock.faults.clear();
    await env.restore();
  });

  it('reuses an idempotency key without a second charge', async () => {
    const args = ['call', 'weather-current', '/current', '--query', 'city=Oslo', '--idempotency-key', 'cli-test-key-1', '--json'];
    const first = JSON.parse((await cli(args)).stdout);
    const second = JSON.parse((await cli(args)).stdout);
    expect(second.replayed).toBe(true);
    expect(second.request_id).toBe(first.request_id);
    expect(ctx.mock.ledger().filter((e) => e.kind === 'charge')).toHaveLength(1);
  });

  it('a failure after the gateway may have charged prints the key to retry with; the retry is not charged twice', async () => {
    ctx.mock.faults.inject({ kind: 'server_error', status: 500, path: '/proxy/', phase: 'after', times: 3 });
    const failed = await cli(['call', 'weather-current', '/current', '--query', 'city=Rome']);
    expect(failed.exitCode).toBe(1);
    const key = /--idempotency-key (\S+):/.exec(failed.stderr)?.[1];
    expect(key).toMatch(/^cli-/);
    const retried = JSON.parse((await cli(['call', 'weather-current', '/current', '--query', 'city=Rome', '--idempotency-key', key ?? '', '--json'])).stdout);
    expect(retried.replayed).toBe(true);
    const charges = ctx.mock.ledger().filter((e) => e.kind === 'charge');
    expect(charges).toHaveLength(1);
    expect(charges[0]?.amount_micro_usd).toBe(callCost(ctx.mock, 'skycast/weather-current'));
  });
});

describe('an answer lost after the charge on the public profile (no idempotent replay)', () => {
  const ctx = useInProcessMock('cli-paid-calls-lost', 'public');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.mock.faults.clear();
    await env.restore();
  });

  it('a body damaged after the charge is printed as received, said not to be JSON, charged once, its receipt kept', async () => {
    ctx.mock.faults.inject({ kind: 'malformed_json', path: '/proxy/', phase: 'after', times: 5 });
    const r = await cli(['call', 'weather-current', '/current', '--query', 'city=Rome']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\{,$/);
    expect(r.stderr).toMatch(/^warning: the body is not valid JSON \(.+\); printed as received$/m);
    expect(ctx.mock.ledger().filter((e) => e.kind === 'charge')).toHaveLength(1);
    expect(await trailReceipts(keptLogFile(env.dir))).toHaveLength(1);
    const json = JSON.parse((await cli(['call', 'weather-current', '/current', '--json'])).stdout) as { body: unknown; body_parse_error?: string };
    expect(typeof json.body).toBe('string');
    expect(json.body_parse_error).toEqual(expect.any(String));
  });

  it.each(['server_error', 'truncate'] as const)('%s: sent once, exit 6, one line with the request and the usage command that finds it', async (kind) => {
    const receipts = join(env.dir, 'r.jsonl');
    ctx.mock.faults.inject({ kind, path: '/proxy/', phase: 'after', times: 5 });
    const r = await cli(['call', 'weather-current', '/current', '--query', 'city=Rome', '--receipts', receipts]);
    expect(r.exitCode).toBe(6);
    // One line, after the note of the first pin when a receipt arrived (truncate: in the headers).
    const stderr = r.stderr.trim().split('\n');
    if (kind === 'truncate') expect(stderr.shift()).toMatch(/^pinned the receipt keys of /);
    expect(stderr).toHaveLength(1);
    const line = stderr[0] ?? '';
    const listingId = ctx.mock.gateway.listing('skycast/weather-current').id;
    expect(line).toMatch(new RegExp(`^paid_call_outcome_unknown: the paid call GET /proxy/weather/current \\(listing ${listingId}\\) sent at \\S+ (may have been charged|was charged \\(a receipt arrived\\) but its answer was lost): `));
    const command = /check with "(proxygate usage --service weather --from \S+)" before calling again/.exec(line)?.[1];
    expect(command).toBeDefined();
    const charges = ctx.mock.ledger().filter((e) => e.kind === 'charge');
    expect(charges).toHaveLength(1);
    // The printed command, run as printed, lists the charge.
    const usage = JSON.parse((await cli([...(command ?? '').split(' ').slice(1), '--json'])).stdout);
    expect(usage.data.map((row: { cost_micro_cents: number }) => row.cost_micro_cents)).toEqual([callCost(ctx.mock, 'skycast/weather-current')]);
    if (kind === 'truncate') {
      // The headers (and so the receipt) arrived before the body was cut: the receipt is kept.
      expect(line).toContain(`its receipt was saved to ${keptLogFile(env.dir)} and ${receipts}`);
      expect((await trailReceipts(receipts))[0]).toMatchObject({ amount: callCost(ctx.mock, 'skycast/weather-current') });
    }
  });

  it('--idempotency-key on a gateway that does not replay says a repeat may be charged', async () => {
    const r = await cli(['call', 'echo', '/echo', '--idempotency-key', 'k-1']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^note: this gateway does not advertise idempotent paid calls: --idempotency-key is sent but a repeated call may be charged again$/m);
  });
});
