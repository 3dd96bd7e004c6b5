// `proxygate call --batch`: many paid calls in one process, one result line each, in input order.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useInProcessMock, type MockProfile } from '../../helpers/mock.js';
import { callCost, usd } from '../../helpers/prices.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { keptLogFile, trailLines } from '../../helpers/trail.js';

interface ResultLine {
  line: number;
  exit_code: number;
  status?: number | null;
  cost_micro_usd?: number | string | null;
  cost_usd?: string | null;
  request_id?: string | null;
  receipt_verdict?: { valid: boolean; reason: string } | null;
  receipt_kept_in?: string[];
  listing_id?: string;
  body?: unknown;
  error?: { code: string; message: string; action?: string; exit_code_class: number };
}

const results = (stdout: string): ResultLine[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultLine);

describe.each<MockProfile>(['extended', 'public'])('call --batch against the %s profile', (profile) => {
  const ctx = useInProcessMock(`cli-batch-${profile}`, profile);
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  let n = 0;
  const batch = async (lines: readonly string[]): Promise<string> => {
    const file = join(env.dir, `batch-${++n}.jsonl`);
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  };
  const echo = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify({ listing: 'echo', path: '/echo', query: { i }, ...extra });
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.server.resetHandlers();
    ctx.mock.faults.clear();
    await env.restore();
  });

  it('answers in input order while the calls run at once: slow early lines, fast later ones', async () => {
    // The first three lines wait 400 ms at the gateway; the five after them do not.
    ctx.mock.faults.inject({ kind: 'latency', path: '/proxy/weather/current', latencyMs: 400, times: 3 });
    const receipts = join(env.dir, 'r.jsonl');
    const lines = [
      ...[1, 2, 3].map((i) => JSON.stringify({ listing: 'weather-current', path: '/current', query: { city: `c${i}` } })),
      ...[4, 5, 6, 7, 8].map((i) => echo(i)),
    ];
    const r = await cli(['call', '--batch', await batch(lines), '--concurrency', '8', '--receipts', receipts]);
    expect(r.exitCode).toBe(0);
    const out = results(r.stdout);
    expect(out.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(out.slice(3).map((l) => (l.body as { query: { i: string } }).query.i)).toEqual(['4', '5', '6', '7', '8']);
    expect(out.every((l) => l.exit_code === 0 && l.status === 200 && l.receipt_verdict?.valid === true)).toBe(true);
    // The trail is written as calls finish: the fast echo calls came back before the slow ones.
    const kept = await trailLines(receipts);
    expect(kept).toHaveLength(8);
    expect(kept.slice(0, 5).map((l) => l.call.path)).toEqual(['/echo', '/echo', '/echo', '/echo', '/echo']);
    expect(kept.map((l) => l.call.request_id).sort()).toEqual(out.map((l) => l.request_id).sort());
    expect(r.stderr).toMatch(/^batch: 8 lines, 8 ok, 0 failed · cost: \$/m);
  });

  it('with --concurrency 1 the calls run one after the other, in order', async () => {
    ctx.mock.faults.inject({ kind: 'latency', path: '/proxy/weather/current', latencyMs: 200, times: 1 });
    const receipts = join(env.dir, 'r.jsonl');
    const r = await cli(['call', '--batch', await batch([JSON.stringify({ listing: 'weather-current', path: '/current' }), echo(2), echo(3)]), '--concurrency', '1', '--receipts', receipts]);
    expect(r.exitCode).toBe(0);
    expect((await trailLines(receipts)).map((l) => l.call.path)).toEqual(['/current', '/echo', '/echo']);
  });

  it('runs every line whatever the others do: mixed successes and failures, each with its exit class; the exit code is the worst line\'s', async () => {
    const cost = callCost(ctx.mock, 'echo');
    const lines = [
      echo(1),
      JSON.stringify({ listing: 'no-such-listing', path: '/x' }),
      JSON.stringify({ listing: 'product-reviews', path: '/reviews', shield: 'strict' }),
      echo(4, { method: 'post', body: { a: 1 } }),
      JSON.stringify({ listing: 'echo', path: '/echo', body: '{"raw": 1 }' }),
      JSON.stringify({ listing: 'weather-current', path: '/current', max_cost: '0.000001' }),
    ];
    const r = await cli(['call', '--batch', await batch(lines)]);
    const out = results(r.stdout);
    expect(out.map((l) => [l.line, l.exit_code, l.error?.code ?? null])).toEqual([
      [1, 0, null],
      [2, 1, 'listing_not_found'],
      [3, 5, 'shield_blocked'],
      [4, 0, null],
      [5, 0, null],
      [6, 1, 'max_cost_exceeded'],
    ]);
    expect(out.filter((l) => l.error).every((l) => l.error?.exit_code_class === l.exit_code)).toBe(true);
    // The bodies sent: a JSON value as JSON, a string as written (byte for byte).
    expect(out[3]?.body).toMatchObject({ method: 'POST', body: '{"a":1}', query: { i: '4' } });
    expect(out[4]?.body).toMatchObject({ method: 'POST', body: '{"raw": 1 }' });
    expect(out[0]).toMatchObject({ status: 200, cost_micro_usd: cost, cost_usd: usd(cost).slice(1), listing_id: ctx.mock.gateway.listing('echo').id });
    // A strict block: refunded, its receipt kept and named.
    expect(out[2]).toMatchObject({ status: 422, receipt_kept_in: [keptLogFile(env.dir)] });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('line 2: listing_not_found: ');
    expect(r.stderr).toContain('line 6: max_cost_exceeded: weather-current costs');
    expect(r.stderr).toMatch(/^batch_failed: batch: 6 lines, 3 ok, 3 failed · cost: \$\S+ \(worst: line 2, exit 1\)$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exit code order: a shield block (5) ranks below a line that is not a call (2)', async () => {
    const r = await cli(['call', '--batch', await batch([JSON.stringify({ listing: 'product-reviews', path: '/reviews', shield: 'strict' }), '{"listing":"echo"}', echo(3)])]);
    expect(results(r.stdout).map((l) => l.exit_code)).toEqual([5, 2, 0]);
    expect(r.exitCode).toBe(2);
    const only5 = await cli(['call', '--batch', await batch([echo(1), JSON.stringify({ listing: 'product-reviews', path: '/reviews', shield: 'strict' })])]);
    expect(only5.exitCode).toBe(5);
  });

  it('reports every line that is not a call with its line number (exit class 2), never a stack trace, and runs the others', async () => {
    const lines = [
      echo(1),
      '',
      '{"listing": "echo", "path": "/echo"',
      '[1, 2]',
      '{"path": "/echo"}',
      '{"listing": "echo", "path": "echo"}',
      '{"listing": "echo", "path": "/echo", "max_cost": 0.01}',
      '{"listing": "echo", "path": "/echo", "colour": "red"}',
      '{"listing": "echo", "path": "/echo", "query": {"a": {"b": 1}}}',
      '{"listing": "echo", "path": "/echo", "method": "TRACE"}',
      '{"listing": "echo", "path": "/echo", "body": "not json"}',
      '   ',
      echo(13),
    ];
    const r = await cli(['call', '--batch', await batch(lines)]);
    expect(r.exitCode).toBe(2);
    const out = results(r.stdout);
    // Blank lines are not calls and get no result, but count in the numbering.
    expect(out.map((l) => l.line)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]);
    expect(out.filter((l) => l.exit_code === 0).map((l) => l.line)).toEqual([1, 13]);
    const bad = out.filter((l) => l.exit_code !== 0);
    expect(bad.every((l) => l.exit_code === 2 && l.error?.code === 'invalid_line' && l.error.exit_code_class === 2)).toBe(true);
    const message = (line: number) => out.find((l) => l.line === line)?.error?.message;
    expect(message(3)).toMatch(/^line 3 is not JSON/);
    expect(message(4)).toMatch(/^line 4 is not a JSON object/);
    expect(message(5)).toBe('line 5 has no "listing" (a listing id, SELLER/SLUG, slug or service name)');
    expect(message(6)).toBe('line 6: "path" must be a string starting with "/"');
    expect(message(7)).toMatch(/^line 7: "max_cost" must be a string of USD/);
    expect(message(8)).toMatch(/^line 8 has an unknown field "colour"/);
    expect(message(9)).toMatch(/^line 9: "query.a" must be/);
    expect(message(10)).toMatch(/^line 10: "method" must be GET, POST/);
    expect(message(11)).toMatch(/^line 11: "body" must be JSON/);
    for (const l of bad) expect(r.stderr).toContain(`line ${l.line}: invalid_line: ${l.error?.message}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('keeps every receipt as a single call keeps it: one trail line per paid line, in the log and in --receipts', async () => {
    const receipts = join(env.dir, 'r.jsonl');
    const lines = [...Array.from({ length: 12 }, (_, i) => echo(i + 1)), '{"listing": 1, "path": "/echo"}', JSON.stringify({ listing: 'product-reviews', path: '/reviews', shield: 'strict' })];
    const r = await cli(['call', '--batch', await batch(lines), '--receipts', receipts, '--concurrency', '5']);
    expect(r.exitCode).toBe(2);
    const out = results(r.stdout);
    const log = keptLogFile(env.dir);
    const kept = await trailLines(log);
    // 12 paid calls and the strict block's refund receipt; the bad line sent nothing.
    expect(kept).toHaveLength(13);
    expect(await trailLines(receipts)).toEqual(kept);
    expect(new Set(kept.map((l) => l.call.request_id))).toEqual(new Set(out.filter((l) => l.request_id).map((l) => l.request_id)));
    expect(kept.every((l) => l.verdict.valid && l.proxygate_receipt === 1)).toBe(true);
    expect(out.filter((l) => l.request_id).every((l) => l.receipt_kept_in?.join() === [log, receipts].join())).toBe(true);
    // The keys were pinned once, by the first receipt.
    expect(r.stderr.match(/^pinned the receipt keys of /gm)).toHaveLength(1);
    const again = await cli(['call', '--batch', await batch([echo(1)]), '--no-keep']);
    expect(again.exitCode).toBe(0);
    expect(await trailLines(log)).toHaveLength(13);
    expect(results(again.stdout)[0]?.receipt_kept_in).toEqual([]);
  });

  it('budget per line: --max-cost is the default of each line\'s max_cost, which overrides it; nothing is sent over it', async () => {
    const cost = callCost(ctx.mock, 'skycast/weather-current');
    const ledger = ctx.mock.gateway.ledger().length;
    const lines = [
      JSON.stringify({ listing: 'weather-current', path: '/current' }),
      JSON.stringify({ listing: 'weather-current', path: '/current', max_cost: usd(cost).slice(1) }),
      JSON.stringify({ listing: 'weather-current', path: '/current', max_cost: usd(cost - 1 > 0 ? cost - 1 : 0).slice(1) }),
      JSON.stringify({ listing: 'weather-current', path: '/current', shield: 'off' }),
    ];
    const r = await cli(['call', '--batch', await batch(lines), '--max-cost', usd(cost - 1).slice(1)]);
    const out = results(r.stdout);
    expect(out.map((l) => l.error?.code ?? 'ok')).toEqual(['max_cost_exceeded', 'ok', 'max_cost_exceeded', 'ok']);
    expect(out[0]?.error?.message).toBe(`weather-current costs ${usd(cost)} with the shield surcharge, above --max-cost ${usd(cost - 1)}; nothing was sent`);
    expect(out[2]?.error?.message).toBe(`weather-current costs ${usd(cost)} with the shield surcharge, above its max_cost ${usd(cost - 1)}; nothing was sent`);
    expect(ctx.mock.gateway.ledger().length - ledger).toBe(2);
    expect(r.exitCode).toBe(1);
  });

  it('--max-total bounds the whole batch: lines reserve their price before they are sent, so no more than the budget is spent at any concurrency', async () => {
    const cost = callCost(ctx.mock, 'echo');
    const receipts = join(env.dir, 'r.jsonl');
    const r = await cli(['call', '--batch', await batch(Array.from({ length: 8 }, (_, i) => echo(i + 1))), '--max-total', usd(cost * 3).slice(1), '--concurrency', '8', '--receipts', receipts]);
    expect(r.exitCode).toBe(1);
    const out = results(r.stdout);
    expect(out.filter((l) => l.exit_code === 0)).toHaveLength(3);
    const refused = out.filter((l) => l.exit_code !== 0);
    expect(refused).toHaveLength(5);
    expect(refused.every((l) => l.error?.code === 'max_total_exceeded' && /above what is left of --max-total \(\$0\.00 of /.test(l.error.message))).toBe(true);
    const kept = await trailLines(receipts);
    expect(kept).toHaveLength(3);
    expect(kept.reduce((sum, l) => sum + Number(l.call.cost_micro_usd), 0)).toBe(cost * 3);
    expect(r.stderr).toContain(`cost: ${usd(cost * 3)}`);
  });

  it('--max-total releases what a refused line reserved, and refuses a per-token listing it cannot bound', async () => {
    const cost = callCost(ctx.mock, 'echo');
    // Line 1 is refused by the gateway (nothing charged): its reservation returns to the budget.
    ctx.mock.faults.inject({ kind: 'rate_limit', path: '/proxy/echo/echo', method: 'DELETE', times: 5 });
    const lines = [echo(1, { method: 'DELETE' }), echo(2), JSON.stringify({ listing: 'chat-completions', path: '/chat/completions', body: { messages: [] } })];
    const r = await cli(['call', '--batch', await batch(lines), '--max-total', usd(cost).slice(1), '--concurrency', '1']);
    const out = results(r.stdout);
    expect(out.map((l) => l.error?.code ?? 'ok')).toEqual(['rate_limit_exceeded', 'ok', 'max_total_unbounded']);
    expect(r.exitCode).toBe(1);
  });

  it('usage errors of the batch itself exit 2 before anything is sent', async () => {
    const file = await batch([echo(1)]);
    const cases: Array<[string[], RegExp]> = [
      [['call', '--batch', join(env.dir, 'missing.jsonl')], /^usage_error: cannot read the batch .*missing\.jsonl \(ENOENT\); nothing was sent/],
      [['call', 'echo', '/echo', '--batch', file], /^usage_error: with --batch, LISTING and PATH come from each line of the batch/],
      [['call', '--batch', file, '--data', '{}'], /^usage_error: --data does not apply to --batch/],
      [['call', '--batch', file, '--concurrency', '0'], /^usage_error: .*concurrency/],
      [['call', '--batch', file, '--concurrency', '65'], /^usage_error: .*concurrency/],
      [['call', '--batch', file, '--max-total', '0.0000001'], /^usage_error: --max-total is not an amount of USD/],
      [['call', 'echo', '/echo', '--concurrency', '2'], /^usage_error: --concurrency only makes sense with --batch/],
    ];
    const ledger = ctx.mock.gateway.ledger().length;
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(pattern);
    }
    expect(ctx.mock.gateway.ledger().length).toBe(ledger);
  });

  it('a line\'s own idempotency key is sent; without one each line gets its own where the gateway replays by key', async () => {
    const r = await cli(['call', '--batch', await batch([echo(1, { idempotency_key: 'order-1' }), echo(2), echo(3)])]);
    expect(r.exitCode).toBe(0);
    const out = results(r.stdout) as Array<ResultLine & { idempotency_key?: string }>;
    if (profile === 'extended') {
      expect(out[0]?.idempotency_key).toBe('order-1');
      expect(new Set(out.map((l) => l.idempotency_key)).size).toBe(3);
      // The same key again is a replay, not a second charge.
      const replay = await cli(['call', '--batch', await batch([echo(1, { idempotency_key: 'order-1' })])]);
      expect(results(replay.stdout)[0]).toMatchObject({ replayed: true, request_id: out[0]?.request_id });
    } else {
      expect(r.stderr).toContain('note: this gateway does not advertise idempotent paid calls');
    }
  });

  it('reads a UTF-16 file with a byte-order mark (Windows PowerShell 5 redirection) and CRLF line ends', async () => {
    const file = join(env.dir, 'utf16.jsonl');
    const text = `${echo(1)}\r\n${echo(2)}\r\n`;
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const r = await cli(['call', '--batch', file]);
    expect(r.exitCode).toBe(0);
    expect(results(r.stdout).map((l) => (l.body as { query: { i: string } }).query.i)).toEqual(['1', '2']);
    expect(await readFile(keptLogFile(env.dir), 'utf8')).not.toBe('');
  });
});
