import { describe, expect, it } from 'vitest';
import type { LedgerEntry, ReceiptV3 } from '../src/index.js';
import { decodeReceiptHeader, useMock } from './helpers.js';

const t = useMock({ seed: 'proxy-tests' });

function charges(ledger: LedgerEntry[], kind: 'charge' | 'refund'): LedgerEntry[] {
  return ledger.filter((entry) => entry.kind === kind);
}

describe('paid calls', () => {
  it('passes the upstream body through with receipt, shield and no spend headers for an uncapped token', async () => {
    const response = await t.fetch('/proxy/echo/echo?listing=echo&b=2&a=1', { token: t.mock.demoTokens.trader, method: 'POST', body: 'payload' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ method: 'POST', path: '/echo', query: { b: '2', a: '1' }, body: 'payload' });
    expect(response.headers.get('x-proxygate-shield')).toBe('monitor');
    expect(response.headers.get('x-proxygate-shield-score')).toBe('0.00');
    expect(response.headers.get('x-proxygate-shield-flags')).toBe('none');
    expect(response.headers.get('x-proxygate-shield-action')).toBe('allowed');
    expect(response.headers.get('x-spendlimit-remaining')).toBeNull();
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    const receipt = decodeReceiptHeader(response.headers.get('x-proxygate-receipt'));
    expect(receipt).toMatchObject({ receipt_version: 3, amount: '60000', currency: 'USD', method: 'POST', path: '/echo', service: 'echo', seq: 1 });
    const ledger = t.mock.ledger();
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ kind: 'charge', amount_micro_cents: 60_000, request_id: receipt['request_id'], idempotency_key: null });
  });

  it('charges no shield fee with the shield off, and nothing on a free listing', async () => {
    const trader = t.mock.demoTokens.trader;
    const off = await t.fetch('/proxy/echo/echo?listing=echo', { token: trader, headers: { 'x-proxygate-shield': 'off' } });
    expect(decodeReceiptHeader(off.headers.get('x-proxygate-receipt'))['amount']).toBe('50000');
    expect(off.headers.get('x-proxygate-shield')).toBe('off');
    const free = await t.fetch('/proxy/weather/alerts?listing=weather-alerts', { token: trader });
    expect(free.status).toBe(200);
    expect(decodeReceiptHeader(free.headers.get('x-proxygate-receipt'))['amount']).toBe('0');
    expect(t.mock.ledger().map((entry) => entry.amount_micro_cents)).toEqual([50_000]);
    expect((await t.json('/proxy/echo/echo?listing=echo', { token: trader, headers: { 'x-proxygate-shield': 'paranoid' } })).status).toBe(400);
  });

  it('rejects unknown listings, wrong services, undeclared paths, bad keys and empty balances', async () => {
    const trader = t.mock.demoTokens.trader;
    const unknown = await t.json('/proxy/echo/echo?listing=lst_nope', { token: trader });
    expect([unknown.status, unknown.body['error']]).toEqual([404, 'listing_not_found']);
    const wrongService = await t.json('/proxy/weather/echo?listing=echo', { token: trader });
    expect(wrongService.status).toBe(404);
    const path = await t.json('/proxy/echo/admin?listing=echo', { token: trader });
    expect([path.status, path.body['error']]).toEqual([400, 'path_not_allowed']);
    const ambiguous = await t.json('/proxy/finance/rates', { token: trader });
    expect(ambiguous.status).toBe(400);
    const single = await t.fetch('/proxy/echo/echo', { token: trader });
    expect(single.status).toBe(200);
    const badKey = await t.json('/proxy/echo/echo?listing=echo', { token: trader, headers: { 'idempotency-key': 'x'.repeat(256) } });
    expect(badKey.status).toBe(400);
    const broke = await t.json('/proxy/echo/echo?listing=echo', { token: t.mock.demoTokens.broke });
    expect([broke.status, broke.body['error']]).toEqual([402, 'insufficient_credits']);
    expect(t.mock.ledger()).toHaveLength(1);
  });

  it('replays the same Idempotency-Key and request with the same receipt, and 409s another request', async () => {
    const trader = t.mock.demoTokens.trader;
    const headers = { 'idempotency-key': 'order-42' };
    const first = await t.fetch('/proxy/echo/echo?listing=echo&x=1', { token: trader, method: 'POST', body: 'same', headers });
    const replay = await t.fetch('/proxy/echo/echo?x=1&listing=echo', { token: trader, method: 'POST', body: 'same', headers });
    expect(replay.status).toBe(first.status);
    expect(await replay.text()).toBe(await first.text());
    expect(replay.headers.get('x-proxygate-receipt')).toBe(first.headers.get('x-proxygate-receipt'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(1);
    expect(t.mock.ledger()[0]?.idempotency_key).toBe('order-42');

    const conflict = await t.json('/proxy/echo/echo?listing=echo&x=1', { token: trader, method: 'POST', body: 'different', headers });
    expect([conflict.status, conflict.body['error']]).toEqual([409, 'idempotency_conflict']);
    // Keys are scoped per token: another token may reuse the key.
    const other = await t.fetch('/proxy/echo/echo?listing=echo&x=1', { token: t.mock.demoTokens.traderV1, method: 'POST', body: 'different', headers });
    expect(other.status).toBe(200);
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(2);
  });

  it('charges exactly once when the answer is lost AFTER the charge and the client retries with the same key', async () => {
    const trader = t.mock.demoTokens.trader;
    const balance = async () => (await t.json<{ balance_micro_cents: number }>('/v1/balance', { token: trader })).body.balance_micro_cents;
    const before = await balance();
    t.mock.faults.inject({ kind: 'server_error', status: 503, phase: 'after', path: '/proxy/' });
    const headers = { 'idempotency-key': 'retry-me' };
    const lost = await t.json('/proxy/weather/current?listing=weather-current&city=Oslo', { token: trader, headers });
    expect(lost.status).toBe(503);
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(1);
    const retry = await t.fetch('/proxy/weather/current?listing=weather-current&city=Oslo', { token: trader, headers });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(1);
    expect(await balance()).toBe(before - 220_000);

    // A BEFORE fault charges nothing at all.
    t.mock.faults.inject({ kind: 'reset', phase: 'before', path: '/proxy/' });
    await expect(t.fetch('/proxy/echo/echo?listing=echo', { token: trader })).rejects.toThrow();
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(1);
  });

  it('blocks in strict mode at >= 0.70 with 422, refunds, and still issues a chained amount-0 receipt', async () => {
    const trader = t.mock.demoTokens.trader;
    const before = (await t.json<{ balance_micro_cents: number }>('/v1/balance', { token: trader })).body.balance_micro_cents;
    const blocked = await t.fetch('/proxy/reviews/reviews?listing=product-reviews', { token: trader, headers: { 'x-proxygate-shield': 'strict' } });
    expect(blocked.status).toBe(422);
    const body = (await blocked.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'response_blocked', code: 'shield_blocked', refunded: true, shield_flags: ['prompt_injection'] });
    expect(body['shield_score']).toBeGreaterThanOrEqual(0.7);
    expect(JSON.stringify(body)).not.toContain('Ignore all previous');
    expect(blocked.headers.get('x-proxygate-shield-action')).toBe('blocked');
    const receipt = decodeReceiptHeader(blocked.headers.get('x-proxygate-receipt')) as unknown as ReceiptV3;
    expect(receipt.amount).toBe('0');
    expect(receipt.shield.action).toBe('blocked');
    expect(receipt.shield.score_bp).toBeGreaterThanOrEqual(7000);
    expect(receipt.request_id).toBe(body['request_id']);
    const ledger = t.mock.ledger();
    expect(ledger.map((entry) => [entry.kind, entry.amount_micro_cents, entry.request_id])).toEqual([
      ['charge', 110_000, receipt.request_id],
      ['refund', 110_000, receipt.request_id],
    ]);
    expect((await t.json<{ balance_micro_cents: number }>('/v1/balance', { token: trader })).body.balance_micro_cents).toBe(before);
    const usage = await t.json<{ data: { refunded: boolean; cost_micro_cents: number; status_code: number }[] }>('/v1/usage', { token: trader });
    expect(usage.body.data[0]).toMatchObject({ refunded: true, cost_micro_cents: 0, status_code: 422 });

    // Monitor mode flags the same content but never blocks; the next receipt continues the chain.
    const monitored = await t.fetch('/proxy/reviews/reviews?listing=product-reviews', { token: trader });
    expect(monitored.status).toBe(200);
    expect(monitored.headers.get('x-proxygate-shield-action')).toBe('flagged');
    expect(monitored.headers.get('x-proxygate-shield-flags')).toBe('prompt_injection');
    expect(decodeReceiptHeader(monitored.headers.get('x-proxygate-receipt'))['seq']).toBe(2);
  });

  it('flags but does not block mild links in strict mode, and blocks each hostile listing', async () => {
    const trader = t.mock.demoTokens.trader;
    const strict = { 'x-proxygate-shield': 'strict' };
    const mild = await t.fetch('/proxy/links/links?listing=link-directory', { token: trader, headers: strict });
    expect(mild.status).toBe(200);
    expect(mild.headers.get('x-proxygate-shield-action')).toBe('flagged');
    expect(mild.headers.get('x-proxygate-shield-flags')).toBe('suspicious_link');
    const hostile: [string, string][] = [
      ['/proxy/pages/page?listing=release-notes', 'hidden_instructions'],
      ['/proxy/pastebin/paste?listing=paste-dump', 'secret_leak'],
      ['/proxy/links/links?listing=link-directory&variant=phish', 'suspicious_link'],
    ];
    for (const [path, flag] of hostile) {
      const answer = await t.json<{ shield_flags: string[] }>(path, { token: trader, headers: strict });
      expect(answer.status, path).toBe(422);
      expect(answer.body.shield_flags).toContain(flag);
    }
  });

  it('streams an sse listing and ends with the proxygate.receipt event', async () => {
    const response = await t.fetch('/proxy/llm/chat?listing=llm-stream', { token: t.mock.demoTokens.trader, body: { prompt: 'hi' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-proxygate-receipt')).toBeNull();
    const text = await response.text();
    const marker = 'event: proxygate.receipt\n';
    const cut = text.indexOf(marker);
    expect(cut).toBeGreaterThan(0);
    const upstream = text.slice(0, cut);
    expect(upstream).toContain('data: {"delta":"Hello"}\n\n');
    expect(upstream.endsWith('data: [DONE]\n\n')).toBe(true);
    const event = text.slice(cut + marker.length);
    const data = JSON.parse(/^data: (.*)\n\n$/.exec(event)?.[1] ?? '') as { receipt: string; shield: Record<string, unknown> };
    expect(data.shield).toEqual({ mode: 'monitor', score: 0, flags: [], action: 'allowed' });
    const receipt = decodeReceiptHeader(data.receipt) as unknown as ReceiptV3;
    expect(receipt.amount).toBe('1050000');
    const { createHash } = await import('node:crypto');
    expect(receipt.response_sha256).toBe(createHash('sha256').update(upstream).digest('hex'));
  });

  it('caps free listings per day with 429 daily_free_cap and Retry-After', async () => {
    const { Gateway } = await import('../src/index.js');
    const gateway = new Gateway({ seed: 'free', freeDailyCap: 2, now: () => new Date('2026-11-25T23:59:00.000Z') });
    const auth = gateway.authenticate(`Bearer ${gateway.demoTokens.trader}`);
    const call = () => gateway.callListing(auth, { listing: 'time-now', service: 'time', method: 'GET', path: '/now' });
    call();
    call();
    expect(call).toThrowError(expect.objectContaining({ status: 429, headers: { 'Retry-After': '60' } }) as Error);
  });
});
