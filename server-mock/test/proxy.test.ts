import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { CAPPED_LIMIT_MICRO_USD, Gateway, PROFILES, SHIELD_FEE_MICRO_USD, tokenCost, type LedgerEntry, type ReceiptV3, type UsageResponse } from '../src/index.js';
import { BASE58, decodeReceiptHeader, id, proxyPath, useMock, UUID } from './helpers.js';

function charges(ledger: LedgerEntry[], kind: 'charge' | 'refund'): LedgerEntry[] {
  return ledger.filter((entry) => entry.kind === kind);
}

const available = async (t: ReturnType<typeof useMock>, token: string) => Number((await t.json('/v1/balance', { token })).body['available']);

describe.each(PROFILES)('paid calls (%s profile)', (profile) => {
  const t = useMock({ profile, seed: 'proxy-tests' });
  const extended = profile === 'extended';

  it('passes the upstream body through with the receipt and the shield verdict in the public spelling', async () => {
    const response = await t.fetch(proxyPath('echo', 'echo', '/echo', 'b=2&a=1'), { token: t.mock.demoTokens.trader, method: 'POST', body: 'payload' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ method: 'POST', path: '/echo', query: { b: '2', a: '1' }, body: 'payload' });
    expect(response.headers.get('x-proxygate-shield')).toBe('monitored');
    expect(response.headers.get('x-proxygate-shield-score')).toBe('0.00');
    expect(response.headers.get('x-proxygate-shield-flags')).toBe('none');
    expect(response.headers.get('x-proxygate-shield-action')).toBe(extended ? 'allowed' : null);
    expect(response.headers.get('x-spendlimit-remaining')).toBeNull();
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    const receipt = decodeReceiptHeader(response.headers.get('x-proxygate-receipt'));
    // The echo listing costs 100 + 5% fee = 105, plus the shield surcharge.
    if (extended) {
      expect(receipt).toMatchObject({ receipt_version: 3, amount: '5105', currency: 'USD', method: 'POST', path: '/echo', service: 'echo', seq: 1, listing_id: id('echo') });
    } else {
      expect(Object.keys(receipt).sort()).toEqual(['amount', 'buyer', 'request_id', 'seller', 'signature', 'timestamp']);
      expect(receipt).toMatchObject({ amount: 5105 });
      expect(receipt['buyer']).toMatch(BASE58);
      expect(Number.isInteger(receipt['timestamp']) && (receipt['timestamp'] as number) < 1e11).toBe(true);
    }
    expect(receipt['request_id']).toMatch(UUID);
    const ledger = t.mock.ledger();
    expect(ledger).toEqual([expect.objectContaining({ kind: 'charge', amount_micro_usd: 5_105, request_id: receipt['request_id'], listing_id: id('echo'), idempotency_key: null })]);
  });

  it('charges no surcharge and sends no shield headers with the shield off; a free listing costs only the surcharge', async () => {
    const trader = t.mock.demoTokens.trader;
    const off = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: trader, headers: { 'x-proxygate-shield': 'off' } });
    expect(decodeReceiptHeader(off.headers.get('x-proxygate-receipt'))['amount']).toBe(extended ? '105' : 105);
    expect([...off.headers.keys()].filter((name) => name.startsWith('x-proxygate-shield'))).toEqual([]);
    const freeOff = await t.fetch(proxyPath('weather-alerts', 'weather', '/alerts'), { token: trader, headers: { 'x-proxygate-shield': 'off' } });
    expect(freeOff.status).toBe(200);
    const freeMonitored = await t.fetch(proxyPath('weather-alerts', 'weather', '/alerts'), { token: trader });
    expect(decodeReceiptHeader(freeMonitored.headers.get('x-proxygate-receipt'))['amount']).toBe(extended ? '5000' : 5000);
    expect(t.mock.ledger().map((entry) => entry.amount_micro_usd)).toEqual([105, SHIELD_FEE_MICRO_USD]);
    // An endpoint price overrides the listing price: /forecast is 2000 + 5%.
    const forecast = await t.fetch(proxyPath('weather-current', 'weather', '/forecast'), { token: trader, headers: { 'x-proxygate-shield': 'off' } });
    expect(decodeReceiptHeader(forecast.headers.get('x-proxygate-receipt'))['amount']).toBe(extended ? '2100' : 2100);
    expect((await t.json(proxyPath('echo', 'echo', '/echo'), { token: trader, headers: { 'x-proxygate-shield': 'paranoid' } })).status).toBe(400);
  });

  it('rejects unknown listings, listings of another service, slugs, undeclared paths and empty balances', async () => {
    const trader = t.mock.demoTokens.trader;
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const listing of [missing, 'echo', id('weather-current')]) {
      const answer = await t.json(`/proxy/echo/echo?listing=${listing}`, { token: trader });
      expect([answer.status, answer.body['error']], listing).toEqual([404, 'listing_not_found']);
    }
    const path = await t.json(proxyPath('echo', 'echo', '/admin'), { token: trader });
    expect([path.status, path.body['error']]).toEqual([400, 'path_not_allowed']);
    const broke = await t.json(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.broke });
    expect([broke.status, broke.body['error']]).toEqual([402, 'insufficient_credits']);
    expect(t.mock.ledger()).toEqual([]);
  });

  it('without ?listing= resolves the service to its cheapest available listing that serves the path', async () => {
    const trader = t.mock.demoTokens.trader;
    const listingOf = async (path: string) => {
      const answer = await t.fetch(path, { token: trader });
      expect(answer.status, path).toBe(200);
      const receipt = decodeReceiptHeader(answer.headers.get('x-proxygate-receipt'));
      return t.mock.ledger().find((entry) => entry.request_id === receipt['request_id'])?.listing_id;
    };
    // Two sellers serve /search: seekr (3150) is cheaper than findly (4200).
    expect(await listingOf('/proxy/search/search?q=x')).toBe(id('seekr/web-search'));
    t.mock.gateway.setListingAvailable('seekr/web-search', false);
    expect(await listingOf('/proxy/search/search?q=x')).toBe(id('findly/web-search'));
    // Only weather-current serves /current, though weather-alerts is cheaper.
    expect(await listingOf('/proxy/weather/current')).toBe(id('weather-current'));
    const unknownPath = await t.json('/proxy/weather/radar', { token: trader });
    expect([unknownPath.status, unknownPath.body['error']]).toEqual([400, 'path_not_allowed']);
    const unknownService = await t.json('/proxy/teleport/now', { token: trader });
    expect([unknownService.status, unknownService.body['error']]).toEqual([404, 'listing_not_found']);
    t.mock.gateway.setListingAvailable('findly/web-search', false);
    const down = await t.json('/proxy/search/search', { token: trader });
    expect([down.status, down.body['error'], down.headers.get('retry-after')]).toEqual([503, 'listing_unavailable', '30']);
  });

  it('prices a per-token call on the tokens the upstream reports, rounded up', async () => {
    const trader = t.mock.demoTokens.trader;
    const answer = await t.fetch(proxyPath('chat-completions', 'llm', '/chat/completions'), {
      token: trader,
      body: { messages: [{ role: 'user', content: 'one two three four five' }] },
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { usage: { prompt_tokens: number; completion_tokens: number }; model: string };
    const expected = tokenCost(body.usage.prompt_tokens, body.usage.completion_tokens, 2_100_000, 8_400_000) + SHIELD_FEE_MICRO_USD;
    expect(tokenCost(5, 0, 2_100_000, 0)).toBe(11); // 10.5 rounds up
    expect(Number(decodeReceiptHeader(answer.headers.get('x-proxygate-receipt'))['amount'])).toBe(expected);
    const usage = await t.json<UsageResponse>('/v1/usage', { token: trader });
    expect(usage.body.usage[0]).toMatchObject({ model: 'mock-chat-1', cost_micro_cents: expected, path: '/chat/completions' });
  });

  it('refunds an upstream failure: the receipt says 0 and the usage row the status', async () => {
    const trader = t.mock.demoTokens.trader;
    const failed = await t.fetch(proxyPath('translate-text', 'translate', '/translate'), { token: trader, body: { to: 'fr' } });
    expect(failed.status).toBe(400);
    expect(Number(decodeReceiptHeader(failed.headers.get('x-proxygate-receipt'))['amount'])).toBe(0);
    expect(t.mock.ledger().map((entry) => [entry.kind, entry.amount_micro_usd])).toEqual([['charge', 8_150], ['refund', 8_150]]);
    expect(await available(t, trader)).toBe(10_000_000);
  });

  it('blocks a call over the token spend limit with 429 spend_limit_exceeded, charging nothing, no Retry-After', async () => {
    const capped = t.mock.demoTokens.capped;
    const over = await t.json(proxyPath('llm-stream', 'llm', '/chat'), { token: capped, body: { prompt: 'hi' } });
    expect([over.status, over.body['error'], over.headers.get('retry-after')]).toEqual([429, 'spend_limit_exceeded', null]);
    expect(t.mock.ledger()).toEqual([]);
    const ok = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: capped });
    expect(ok.status).toBe(200);
    expect([ok.headers.get('x-spendlimit-remaining'), ok.headers.get('x-spendlimit-limit')]).toEqual([String(CAPPED_LIMIT_MICRO_USD - 5_105), String(CAPPED_LIMIT_MICRO_USD)]);
    const again = await t.json(proxyPath('echo', 'echo', '/echo'), { token: capped });
    expect([again.status, again.body['error']]).toEqual([429, 'spend_limit_exceeded']);
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(1);
  });

  it(extended ? 'replays the same Idempotency-Key and request with the same receipt, and 409s another request' : 'ignores Idempotency-Key: a re-send is a new charge', async () => {
    const trader = t.mock.demoTokens.trader;
    const headers = { 'idempotency-key': 'order-42' };
    const first = await t.fetch(proxyPath('echo', 'echo', '/echo', 'x=1'), { token: trader, method: 'POST', body: 'same', headers });
    const again = await t.fetch(proxyPath('echo', 'echo', '/echo', 'x=1'), { token: trader, method: 'POST', body: 'same', headers });
    expect(again.status).toBe(200);
    if (!extended) {
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(again.headers.get('x-proxygate-receipt')).not.toBe(first.headers.get('x-proxygate-receipt'));
      expect(charges(t.mock.ledger(), 'charge')).toHaveLength(2);
      expect(t.mock.ledger().every((entry) => entry.idempotency_key === null)).toBe(true);
      const different = await t.fetch(proxyPath('echo', 'echo', '/echo', 'x=1'), { token: trader, method: 'POST', body: 'different', headers });
      expect(different.status).toBe(200);
      expect((await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: trader, headers: { 'idempotency-key': 'x'.repeat(256) } })).status).toBe(200);
      return;
    }
    expect(await again.text()).toBe(await first.text());
    expect(again.headers.get('x-proxygate-receipt')).toBe(first.headers.get('x-proxygate-receipt'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(1);
    expect(t.mock.ledger()[0]?.idempotency_key).toBe('order-42');
    const conflict = await t.json(proxyPath('echo', 'echo', '/echo', 'x=1'), { token: trader, method: 'POST', body: 'different', headers });
    expect([conflict.status, conflict.body['error']]).toEqual([409, 'idempotency_conflict']);
    // Keys are scoped per token: another token may reuse the key.
    const other = await t.fetch(proxyPath('echo', 'echo', '/echo', 'x=1'), { token: t.mock.demoTokens.traderV1, method: 'POST', body: 'different', headers });
    expect(other.status).toBe(200);
    expect(charges(t.mock.ledger(), 'charge')).toHaveLength(2);
    expect((await t.json(proxyPath('echo', 'echo', '/echo'), { token: trader, headers: { 'idempotency-key': 'x'.repeat(256) } })).status).toBe(400);
  });

  it('blocks in strict mode at >= 0.70 with the published 422 body, refunds, and still issues an amount-0 receipt', async () => {
    const trader = t.mock.demoTokens.trader;
    const before = await available(t, trader);
    const blocked = await t.fetch(proxyPath('product-reviews', 'reviews', '/reviews'), { token: trader, headers: { 'x-proxygate-shield': 'strict' } });
    expect(blocked.status).toBe(422);
    const body = (await blocked.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'response_blocked', code: 'shield_blocked', refunded: true, shield_flags: ['prompt_injection'] });
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'refunded', ...(extended ? ['request_id'] : []), 'shield_flags', 'shield_score', 'trace_id']);
    expect(body['shield_score']).toBeGreaterThanOrEqual(0.7);
    expect(JSON.stringify(body)).not.toContain('Ignore all previous');
    expect(blocked.headers.get('x-proxygate-shield')).toBe('strict');
    expect(blocked.headers.get('x-proxygate-shield-action')).toBe(extended ? 'blocked' : null);
    const receipt = decodeReceiptHeader(blocked.headers.get('x-proxygate-receipt'));
    expect(Number(receipt['amount'])).toBe(0);
    if (extended) {
      const v3 = receipt as unknown as ReceiptV3;
      expect([v3.shield.action, v3.request_id]).toEqual(['blocked', body['request_id']]);
      expect(v3.shield.score_bp).toBeGreaterThanOrEqual(7000);
    }
    expect(t.mock.ledger().map((entry) => [entry.kind, entry.amount_micro_usd, entry.request_id])).toEqual([
      ['charge', 5_210, receipt['request_id']],
      ['refund', 5_210, receipt['request_id']],
    ]);
    expect(await available(t, trader)).toBe(before);
    const usage = await t.json<UsageResponse>('/v1/usage', { token: trader });
    expect(usage.body.usage[0]).toMatchObject({ cost_micro_cents: 0, status_code: 422 });

    // Monitor flags the same content but never blocks.
    const monitored = await t.fetch(proxyPath('product-reviews', 'reviews', '/reviews'), { token: trader });
    expect(monitored.status).toBe(200);
    expect(monitored.headers.get('x-proxygate-shield-flags')).toBe('prompt_injection');
    expect(Number(monitored.headers.get('x-proxygate-shield-score'))).toBeGreaterThanOrEqual(0.7);
    if (extended) expect(decodeReceiptHeader(monitored.headers.get('x-proxygate-receipt'))['seq']).toBe(2);
  });

  it('flags but does not block mild links in strict mode, and blocks each hostile listing', async () => {
    const trader = t.mock.demoTokens.trader;
    const strict = { 'x-proxygate-shield': 'strict' };
    const mild = await t.fetch(proxyPath('link-directory', 'links', '/links'), { token: trader, headers: strict });
    expect(mild.status).toBe(200);
    expect(mild.headers.get('x-proxygate-shield-flags')).toBe('suspicious_link');
    const hostile: [string, string, string, string][] = [
      ['release-notes', 'pages', '/page', 'hidden_instructions'],
      ['paste-dump', 'pastebin', '/paste', 'secret_leak'],
      ['link-directory', 'links', '/links?variant=phish', 'suspicious_link'],
    ];
    for (const [ref, service, path, flag] of hostile) {
      const [bare, query] = path.split('?');
      const answer = await t.json<{ shield_flags: string[] }>(proxyPath(ref, service, bare ?? path, query ?? ''), { token: trader, headers: strict });
      expect(answer.status, ref).toBe(422);
      expect(answer.body.shield_flags).toContain(flag);
    }
  });

  it(extended ? 'streams an SSE listing and ends with the proxygate.receipt event' : 'streams an SSE listing with the receipt header up front and no receipt event', async () => {
    const response = await t.fetch(proxyPath('llm-stream', 'llm', '/chat'), { token: t.mock.demoTokens.trader, body: { prompt: 'hi' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text).toContain('data: {"delta":"Hello"}\n\n');
    if (!extended) {
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(text).not.toContain('proxygate.receipt');
      expect(decodeReceiptHeader(response.headers.get('x-proxygate-receipt'))['amount']).toBe(15_500);
      expect(response.headers.get('x-proxygate-shield')).toBe('monitored');
      return;
    }
    expect(response.headers.get('x-proxygate-receipt')).toBeNull();
    const marker = 'event: proxygate.receipt\n';
    const cut = text.indexOf(marker);
    expect(cut).toBeGreaterThan(0);
    const upstream = text.slice(0, cut);
    expect(upstream.endsWith('data: [DONE]\n\n')).toBe(true);
    const data = JSON.parse(/^data: (.*)\n\n$/.exec(text.slice(cut + marker.length))?.[1] ?? '') as { receipt: string; shield: Record<string, unknown> };
    expect(data.shield).toEqual({ mode: 'monitor', score: 0, flags: [], action: 'allowed' });
    const receipt = decodeReceiptHeader(data.receipt) as unknown as ReceiptV3;
    expect(receipt.amount).toBe('15500');
    expect(receipt.response_sha256).toBe(createHash('sha256').update(upstream).digest('hex'));
  });

  it('the REST handler sends the chunks of Gateway.callListingStream, in its order', async () => {
    const handed: string[][] = [];
    const real = t.mock.gateway.callListingStream.bind(t.mock.gateway);
    vi.spyOn(t.mock.gateway, 'callListingStream').mockImplementation((auth, input) => {
      const answer = real(auth, input);
      const seen: string[] = [];
      handed.push(seen);
      const source = answer.chunks;
      return { ...answer, chunks: (async function* () { for await (const chunk of source) { seen.push(chunk); yield chunk; } })() };
    });
    const response = await t.fetch(proxyPath('llm-stream', 'llm', '/chat'), { token: t.mock.demoTokens.trader, body: { prompt: 'hi' } });
    const text = await response.text();
    expect(handed).toHaveLength(1);
    expect(text).toBe(handed[0]!.join(''));
    expect(handed[0]!.at(-1)).toMatch(extended ? /^event: proxygate\.receipt\n/ : /^data: \[DONE\]\n\n$/);
    // A plain answer is the whole body at once, through the same method.
    const plain = await t.fetch(proxyPath('echo', 'echo', '/echo'), { token: t.mock.demoTokens.trader });
    expect(plain.status).toBe(200);
    expect(handed).toHaveLength(2);
  });

  it('caps free endpoints per wallet per UTC day with 429 daily_free_cap and Retry-After', () => {
    const gateway = new Gateway({ profile, seed: 'free', freeDailyCap: 2, now: () => new Date('2026-11-25T23:59:00.000Z') });
    const trader = gateway.authenticate(`Bearer ${gateway.demoTokens.trader}`);
    const capped = gateway.authenticate(`Bearer ${gateway.demoTokens.capped}`);
    const call = (auth: typeof trader) => gateway.callListing(auth, { listing: id('time-now'), service: 'time', method: 'GET', path: '/now', shield: 'off' });
    call(trader);
    call(capped); // same wallet
    expect(() => call(trader)).toThrowError(expect.objectContaining({ status: 429, body: expect.objectContaining({ error: 'daily_free_cap' }), headers: { 'Retry-After': '60' } }) as Error);
    expect(gateway.listApis({ listing_id: id('time-now') }).data[0]?.endpoint_prices[0]?.daily_cap_per_wallet).toBe(2);
  });
});
