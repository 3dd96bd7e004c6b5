import { afterAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import { BadRequestError, InsufficientScopeError, ShieldBlockedError, UserAbortError, ValidationError } from '../../src/core/error.js';
import type { CallResult } from '../../src/resources/calls.js';
import { requestSha256, responseSha256 } from '../../src/receipts/hashes.js';
import type { ReceiptV3 } from '../../src/receipts/types.js';
import {
  AmbiguousListingError,
  LISTING_TTL_MS,
  MaxCostExceededError,
  type PaidCallErrorDetails,
  type ShieldBlockedDetails,
} from '../../src/resources/calls.js';
import { asUntrusted } from '../../src/shield/untrusted.js';
import { netCharged, startMock } from './mock.js';

const harness = startMock();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
}

async function balance(): Promise<number> {
  return (await harness.client().account.balance()).balance_micro_cents;
}

describe('client.call: clean calls', () => {
  test('returns the parsed body, verified v3 receipt, shield verdict, cost and request id', async () => {
    const client = harness.client();
    const before = await balance();
    const result = await client.call<Echo>('echo', '/echo', { query: { msg: 'hi there', n: 2 } });

    expect(result.status).toBe(200);
    expect(result.body).toEqual({ method: 'GET', path: '/echo', query: { msg: 'hi there', n: '2' }, body: '' });
    expect(result.receiptVerdict).toMatchObject({ valid: true, reason: 'valid' });
    const receipt = result.receipt as ReceiptV3;
    expect(receipt.receipt_version).toBe(3);
    expect(result.cost).toBe(60_000); // price 50 000 + shield fee 10 000
    expect(receipt.amount).toBe('60000');
    expect(result.requestId).toBe(receipt.request_id);
    expect(result.shield).toMatchObject({ mode: 'monitor', action: 'allowed', flags: [], source: 'receipt' });
    expect(result.replayed).toBe(false);
    // The receipt binds exactly what crossed the wire.
    expect(receipt.request_sha256).toBe(
      await requestSha256({ method: 'GET', path: '/echo', query: { msg: 'hi there', n: '2' } }),
    );
    expect(receipt.response_sha256).toBe(await responseSha256(result.rawBody));

    const [sent] = harness.proxyCalls();
    expect(sent?.url.pathname).toBe('/proxy/echo/echo');
    expect(sent?.url.searchParams.get('listing')).toBe(result.listing.id);
    expect(sent?.headers.get('x-proxygate-shield')).toBe('monitor');
    expect(sent?.headers.get('idempotency-key')).toBe(result.idempotencyKey);
    expect(await balance()).toBe(before - 60_000);
    expect(netCharged(harness.mock, { idempotencyKey: result.idempotencyKey })).toBe(60_000);
  });

  test('POST bodies are sent as exact bytes and hashed as sent; text bodies stay text', async () => {
    const client = harness.client();
    const result = await client.call<Echo>('echo', '/echo', { body: { text: 'héllo', n: 1 } });
    expect(result.body.method).toBe('POST');
    expect(result.body.body).toBe('{"text":"héllo","n":1}');
    expect(result.receiptVerdict?.valid).toBe(true);

    const page = await client.call('release-notes', '/page', { shield: 'off' });
    expect(typeof page.body).toBe('string');
    expect(page.contentType).toMatch(/text\/html/);
  });

  test('shield off costs no shield fee and reports mode off', async () => {
    const result = await harness.client().call('echo', '/echo', { shield: 'off' });
    expect(result.cost).toBe(50_000);
    expect(result.shield).toMatchObject({ mode: 'off', action: 'allowed' });
  });

  test('a free listing is called with a receipt of amount 0', async () => {
    const result = await harness.client().call('time-now', '/now');
    expect(result.cost).toBe(0);
    expect(result.body).toEqual({ now: '2026-11-25T12:00:00.000Z' });
  });

  test('the caller idempotency key is sent, and a second call with it is a replay charged once', async () => {
    const client = harness.client();
    const first = await client.call('echo', '/echo', { idempotencyKey: 'order-42', query: { a: '1' } });
    const again = await client.call('echo', '/echo', { idempotencyKey: 'order-42', query: { a: '1' } });
    expect(again.replayed).toBe(true);
    expect(again.requestId).toBe(first.requestId);
    expect(again.receiptVerdict?.valid).toBe(true);
    expect(netCharged(harness.mock, { idempotencyKey: 'order-42' })).toBe(60_000);
  });
});

describe('client.call: typed bodies', () => {
  test('a schema types and checks the body', async () => {
    const schema = z.object({ method: z.literal('GET'), query: z.record(z.string(), z.string()) });
    const result = await harness.client().call('echo', '/echo', { query: { a: '1' }, schema });
    const method: 'GET' = result.body.method; // typed by the schema
    expect(method).toBe('GET');
    expect(result.body.query).toEqual({ a: '1' });
  });

  test('a body that does not match throws ValidationError carrying the charged result', async () => {
    const schema = z.object({ method: z.literal('POST') });
    const error = await harness.client().call('echo', '/echo', { schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual(['method']);
    const result = (error as { result?: CallResult }).result;
    expect(result?.receiptVerdict?.valid).toBe(true);
    expect(result?.cost).toBe(60_000);
    expect(JSON.stringify(error)).not.toContain('receipt'); // the result is kept, not serialised
  });
});

describe('client.call: receipt versions and verification switch', () => {
  test.each([
    ['traderV1', 1],
    ['traderV2', 2],
  ] as const)('%s gets a v%i receipt that verifies; cost comes from its amount, the verdict from headers', async (token, version) => {
    const client = harness.client({ apiKey: harness.mock.demoTokens[token] });
    const result = await client.call('product-reviews', '/reviews');
    expect(result.receipt?.receipt_version ?? 1).toBe(version);
    expect(result.receiptVerdict).toMatchObject({ valid: true });
    expect(result.cost).toBe(110_000);
    expect(result.requestId).toBe(result.receipt?.request_id);
    expect(result.shield).toMatchObject({ action: 'flagged', source: 'headers' });
  });

  test('a key-set document (not only a KeySet) pinned on the client verifies too', async () => {
    const result = await harness.client({ keys: harness.mock.gateway.keySet() as object }).call('echo', '/echo');
    expect(result.receiptVerdict).toMatchObject({ valid: true });
  });

  test('a plain-JSON x-receipt header (public gateway README form) is read too', async () => {
    harness.tamper = (response) => {
      const encoded = response.headers.get('x-proxygate-receipt');
      if (!encoded) return response;
      const headers = new Headers(response.headers);
      headers.delete('x-proxygate-receipt');
      headers.set('x-receipt', new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0))));
      return new Response(response.body, { status: response.status, headers });
    };
    const result = await harness.client().call('echo', '/echo');
    expect(result.receipt?.receipt_version).toBe(3);
    expect(result.receiptVerdict).toMatchObject({ valid: true });
  });

  test('verifyReceipt: false skips verification even with a key set', async () => {
    const result = await harness.client().call('echo', '/echo', { verifyReceipt: false });
    expect(result.receipt?.receipt_version).toBe(3);
    expect(result.receiptVerdict).toBeNull();
  });

  test('a receipt signed by a key outside the pinned set is reported, the body kept', async () => {
    const pinnedBeforeRotation = harness.keys();
    harness.mock.rotateKeys();
    const result = await harness.client({ keys: pinnedBeforeRotation }).call<Echo>('echo', '/echo');
    expect(result.body.method).toBe('GET');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'unknown_key' });
    expect(result.cost).toBe(60_000);
  });
});

describe('client.call: upstream error statuses', () => {
  test('a charged upstream 400 throws the typed error carrying its verified receipt and cost', async () => {
    const error = await harness.client().call('translate-text', '/translate', { body: { to: 'fr' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    const failed = error as BadRequestError & PaidCallErrorDetails;
    expect(failed.status).toBe(400);
    expect(failed.receipt?.receipt_version).toBe(3);
    expect(failed.receiptVerdict).toMatchObject({ valid: true });
    expect(failed.requestId).toBe(failed.receipt?.request_id);
    expect(failed.cost).toBeGreaterThan(0);
    expect(netCharged(harness.mock, { requestId: failed.requestId ?? '' })).toBe(failed.cost);
  });

  test('a gateway refusal (no receipt) carries no receipt details', async () => {
    const client = harness.client({ apiKey: harness.mock.demoTokens.broke });
    const error = await client.call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 402, code: 'insufficient_credits' });
    expect((error as Partial<PaidCallErrorDetails>).receipt).toBeUndefined();
  });
});

describe('client.call: shield verdicts per mode', () => {
  test('monitor mode never throws: a hostile body comes back flagged with its flags', async () => {
    const result = await harness.client().call('product-reviews', '/reviews', { shield: 'monitor' });
    expect(result.status).toBe(200);
    expect(result.shield?.action).toBe('flagged');
    expect(result.shield?.flags).toContain('prompt_injection');
    expect(result.shield?.scoreBp).toBeGreaterThanOrEqual(7000);
    expect(result.receiptVerdict?.valid).toBe(true);
    const wrapped = asUntrusted(result);
    expect(wrapped.text).toContain('action=flagged');
    expect(wrapped.text).toContain('Ignore all previous instructions');
  });

  test('strict mode below the threshold flags without blocking', async () => {
    const result = await harness.client().call('link-directory', '/links', { shield: 'strict', query: { variant: 'mild' } });
    expect(result.status).toBe(200);
    expect(result.shield).toMatchObject({ mode: 'strict', action: 'flagged' });
    expect(result.shield?.flags).toEqual(['suspicious_link']);
    expect(result.cost).toBe(110_000);
  });

  test('strict mode blocks: ShieldBlockedError with score, flags, refund and the verified refund receipt', async () => {
    const client = harness.client();
    const before = await balance();
    const error = await client.call('product-reviews', '/reviews', { shield: 'strict' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShieldBlockedError);
    const blocked = error as ShieldBlockedError & ShieldBlockedDetails;
    expect(blocked.refunded).toBe(true);
    expect(blocked.flags).toContain('prompt_injection');
    expect(blocked.score).toBeGreaterThanOrEqual(0.7);
    const refund = blocked.refundReceipt as ReceiptV3;
    expect(refund.amount).toBe('0');
    expect(refund.shield.action).toBe('blocked');
    expect(blocked.refundReceiptVerdict).toMatchObject({ valid: true });
    expect(blocked.shield).toMatchObject({ action: 'blocked', source: 'receipt' });
    expect(await balance()).toBe(before);
    const ledger = harness.mock.ledger().filter((entry) => entry.request_id === refund.request_id);
    expect(ledger.map((entry) => entry.kind).sort()).toEqual(['charge', 'refund']);
    expect(netCharged(harness.mock, { requestId: refund.request_id })).toBe(0);
  });

  test('shield off lets a hostile body through unscanned', async () => {
    const result = await harness.client().call('product-reviews', '/reviews', { shield: 'off' });
    expect(result.shield).toMatchObject({ mode: 'off', action: 'allowed', flags: [] });
  });
});

describe('client.call: tampering is reported, the response is kept', () => {
  test('a spoofed verdict header is content_mismatch and the signed verdict wins', async () => {
    harness.tamper = (response) => {
      const headers = new Headers(response.headers);
      if (!headers.has('x-proxygate-shield')) return response;
      headers.set('x-proxygate-shield-score', '0.00');
      headers.set('x-proxygate-shield-flags', 'none');
      headers.set('x-proxygate-shield-action', 'allowed');
      return new Response(response.body, { status: response.status, headers });
    };
    const result = await harness.client().call('product-reviews', '/reviews');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'shield' });
    expect(result.shield).toMatchObject({ action: 'flagged', source: 'receipt' });
    expect(result.shield?.flags).toContain('prompt_injection');
    expect(result.status).toBe(200);
  });

  test('the spoofed header is caught even without a pinned key set', async () => {
    harness.tamper = (response) => {
      const headers = new Headers(response.headers);
      if (headers.has('x-proxygate-shield')) headers.set('x-proxygate-shield-flags', 'none');
      return new Response(response.body, { status: response.status, headers });
    };
    const client = harness.client({ keys: undefined });
    const result = await client.call('product-reviews', '/reviews');
    expect(result.receiptVerdict).toMatchObject({ reason: 'content_mismatch', field: 'shield' });
  });

  test('altered response bytes fail response_sha256 but the body is still returned', async () => {
    harness.tamper = async (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/')) return response;
      const text = (await response.text()).replace('"GET"', '"PUT"');
      return new Response(text, { status: response.status, headers: response.headers });
    };
    const result = await harness.client().call<Echo>('echo', '/echo');
    expect(result.body.method).toBe('PUT');
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'response_sha256' });
  });

  test('an unparseable receipt header is reported as malformed, never thrown', async () => {
    harness.tamper = (response) => {
      const headers = new Headers(response.headers);
      if (headers.has('x-proxygate-receipt')) headers.set('x-proxygate-receipt', 'not base64 at all!');
      return new Response(response.body, { status: response.status, headers });
    };
    const result = await harness.client().call<Echo>('echo', '/echo');
    expect(result.body.method).toBe('GET');
    expect(result.receipt).toBeNull();
    expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'malformed' });
  });

  test('with no key set and an honest gateway there is no verdict, only the parsed receipt', async () => {
    const result = await harness.client({ keys: undefined }).call('echo', '/echo');
    expect(result.receiptVerdict).toBeNull();
    expect(result.receipt?.receipt_version).toBe(3);
  });
});

describe('client.call: refusals before sending', () => {
  test('maxCost below price plus shield fee refuses with nothing sent and nothing charged', async () => {
    const client = harness.client();
    const ledgerBefore = harness.mock.ledger().length;
    const error = await client.call('echo', '/echo', { maxCost: 59_999 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxCostExceededError);
    expect((error as MaxCostExceededError).priceMicroCents).toBe(60_000n);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'max_cost_exceeded', priceMicroCents: '60000', maxCostMicroCents: '59999' });
    expect(harness.proxyCalls()).toHaveLength(0);
    expect(harness.mock.ledger()).toHaveLength(ledgerBefore);
    // Without the shield fee the same budget is enough.
    const ok = await client.call('echo', '/echo', { maxCost: 59_999n, shield: 'off' });
    expect(ok.cost).toBe(50_000);
    expect(harness.proxyCalls()).toHaveLength(1);
  });

  test('a client that knows its token lacks trade refuses locally and sends nothing at all', async () => {
    const client = harness.client({ scopes: ['catalog:read', 'account:read'] });
    const error = await client.call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).local).toBe(true);
    expect(harness.seen).toHaveLength(0);
  });

  test('the gateway 403 for a read-only token surfaces the missing scope', async () => {
    const client = harness.client({ apiKey: harness.mock.demoTokens.readOnly });
    const error = await client.call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).requiredScope).toBe('trade');
    expect((error as InsufficientScopeError).local).toBe(false);
  });

  test('dot segments and a listing query parameter are refused before sending', async () => {
    const client = harness.client();
    await expect(client.call('echo', '/echo/../../v1/tokens')).rejects.toThrow(/segments/);
    await expect(client.call('echo', '/%2e%2e/v1/tokens')).rejects.toThrow(/segments/);
    await expect(client.call('echo', 'echo')).rejects.toThrow(/start with/);
    await expect(client.call('echo', '/echo', { query: { listing: 'lst_x' } })).rejects.toThrow(/listing/);
    await expect(client.call('echo', '/echo', { method: 'GET', body: 'x' })).rejects.toThrow(/cannot carry a body/);
    await expect(client.call('echo', '/echo', { method: 'GE T' })).rejects.toThrow(/method/);
    expect(harness.proxyCalls()).toHaveLength(0);
  });
});

describe('listing resolution', () => {
  test('id, slug and service name resolve with one catalog lookup each, cached per client', async () => {
    const client = harness.client();
    const first = await client.call('llm', '/chat', { body: { prompt: 'x' }, shield: 'off' }).catch(() => undefined);
    void first;
    const bySlug = await client.call('echo', '/echo');
    const byId = await client.call(bySlug.listing.id, '/echo');
    await client.call('echo', '/echo');
    expect(byId.listing.slug).toBe('echo');
    const catalogLookups = harness.seen.filter((call) => call.url.pathname.startsWith('/v1/apis'));
    // llm: slug miss + service search; echo: one lookup; the id is cached from the echo lookup.
    expect(catalogLookups.map((call) => call.url.pathname)).toEqual(['/v1/apis/llm', '/v1/apis', '/v1/apis/echo']);
  });

  test('concurrent calls to an unresolved listing share one lookup', async () => {
    const client = harness.client();
    await Promise.all([client.call('echo', '/echo'), client.call('echo', '/echo'), client.call('echo', '/echo')]);
    expect(harness.seen.filter((call) => call.url.pathname.startsWith('/v1/apis'))).toHaveLength(1);
    expect(harness.proxyCalls()).toHaveLength(3);
  });

  test('a resolved listing is looked up again once its TTL has passed', async () => {
    const client = harness.client();
    const lookups = () => harness.seen.filter((call) => call.url.pathname.startsWith('/v1/apis')).length;
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    try {
      await client.call('echo', '/echo');
      clock.mockReturnValue(start + LISTING_TTL_MS - 1);
      await client.call('echo', '/echo');
      expect(lookups()).toBe(1);
      clock.mockReturnValue(start + LISTING_TTL_MS + 1);
      await client.call('echo', '/echo');
      expect(lookups()).toBe(2);
    } finally {
      clock.mockRestore();
    }
  });

  test("one caller's abort during a shared lookup does not fail the others", async () => {
    const client = harness.client();
    const controller = new AbortController();
    const aborted = client.call('echo', '/echo', { signal: controller.signal });
    const other = client.call('echo', '/echo');
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(UserAbortError);
    expect((await other).status).toBe(200);
    expect(harness.proxyCalls()).toHaveLength(1);
  });

  test('a service with several listings is refused instead of guessed', async () => {
    const error = await harness.client().call('weather', '/current').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousListingError);
    expect((error as AmbiguousListingError).candidates).toEqual(expect.arrayContaining(['weather-current', 'weather-alerts']));
    expect(harness.proxyCalls()).toHaveLength(0);
  });

  test('an unknown reference is a not-found error and is not cached', async () => {
    const client = harness.client();
    await expect(client.call('no-such-thing', '/x')).rejects.toMatchObject({ code: 'listing_not_found' });
    await expect(client.call('no-such-thing', '/x')).rejects.toMatchObject({ code: 'listing_not_found' });
    expect(harness.seen.filter((call) => call.url.pathname === '/v1/apis/no-such-thing')).toHaveLength(2);
  });
});
