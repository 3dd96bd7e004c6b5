// client.call against the mock gateway in both profiles: `public` (v1 receipts, no idempotency,
// public scopes) and `extended` (v3 receipts that bind content, Idempotency-Key, our scopes).
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import { BadRequestError, InsufficientScopeError, PermissionDeniedError, ShieldBlockedError, UserAbortError, ValidationError } from '../../src/core/error.js';
import type { CallResult } from '../../src/resources/calls/index.js';
import { requestSha256, responseSha256 } from '../../src/receipts/hashes.js';
import type { ReceiptV3 } from '../../src/receipts/types.js';
import { AmbiguousListingError } from '../../src/resources/listing-lookup.js';
import {
  LISTING_TTL_MS,
  MaxCostExceededError,
  UnboundedCostError,
  type PaidCallErrorDetails,
  type ShieldBlockedDetails,
} from '../../src/resources/calls/index.js';
import type { Listing } from '../../src/resources/models.js';
import { asUntrusted } from '../../src/shield/untrusted.js';
import { netCharged, PROFILES, startMock } from './mock.js';

const SURCHARGE = 5_000;

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
}

/** The echo, once the body is known to have parsed (`body` is typed `Echo` only then). */
function echoOf(result: CallResult<Echo>): Echo {
  if (result.bodyParseError !== null) throw new Error(`the body did not parse: ${result.bodyParseError}`);
  return result.body;
}

describe.each(PROFILES)('client.call against the %s profile', (profile) => {
  const extended = profile === 'extended';
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock(`calls-${profile}`, { profile });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  async function available(): Promise<number> {
    return (await harness.client().account.balance()).available;
  }
  async function listing(ref: string): Promise<Listing> {
    return harness.client().catalog.get(ref);
  }
  /** What one call to `ref` costs, from the catalog: buyer price plus the shield surcharge unless off. */
  async function price(ref: string, shieldOff = false): Promise<number> {
    return (await listing(ref)).prices.perRequest! + (shieldOff ? 0 : SURCHARGE);
  }
  const catalogLookups = () => harness.seen.filter((call) => call.url.pathname === '/v1/apis');

  describe('clean calls', () => {
    test('returns the parsed body, the verified receipt (raw and parsed), shield verdict, cost and request id', async () => {
      const expected = await price('echo');
      const before = await available();
      harness.seen.length = 0;
      const result = await harness.client().call<Echo>('echo', '/echo', { query: { msg: 'hi there', n: 2 } });

      expect(result.status).toBe(200);
      expect(result.body).toEqual({ method: 'GET', path: '/echo', query: { msg: 'hi there', n: '2' }, body: '' });
      expect(result.receiptVerdict).toMatchObject({ valid: true, reason: 'valid' });
      expect(result.cost).toBe(BigInt(expected));
      expect(result.rawReceipt).toBe(result.headers.get('x-proxygate-receipt'));
      expect(result.requestId).toBe(result.receipt?.request_id);
      expect(result.shield).toMatchObject({ mode: 'monitor', action: 'allowed', flags: [] });
      expect(result.replayed).toBe(false);
      if (extended) {
        const receipt = result.receipt as ReceiptV3;
        expect(receipt.receipt_version).toBe(3);
        expect(receipt.amount).toBe(String(expected));
        expect(result.shield?.source).toBe('receipt');
        // The receipt binds exactly what crossed the wire.
        expect(receipt.request_sha256).toBe(await requestSha256({ method: 'GET', path: '/echo', query: { msg: 'hi there', n: '2' } }));
        expect(receipt.response_sha256).toBe(await responseSha256(result.rawBody));
      } else {
        // v1 as the public gateway emits it: integer amount and timestamp; the verdict comes from headers.
        expect(result.receipt?.receipt_version ?? 1).toBe(1);
        expect(result.receipt?.amount).toBe(expected);
        expect(typeof result.receipt?.timestamp).toBe('number');
        expect(result.shield?.source).toBe('headers');
        expect(result.headers.get('x-proxygate-shield')).toBe('monitored');
      }

      const [sent, ...others] = harness.proxyCalls();
      expect(others).toHaveLength(0);
      expect(sent?.url.pathname).toBe('/proxy/echo/echo');
      expect(sent?.url.searchParams.get('listing')).toBe(result.listing.listing_id);
      expect(sent?.headers.get('x-proxygate-shield')).toBe('monitor');
      // A key only where the gateway replays by it.
      expect(sent?.headers.get('idempotency-key')).toBe(result.idempotencyKey);
      expect(result.idempotencyKey === null).toBe(!extended);
      expect(await available()).toBe(before - expected);
      expect(netCharged(harness.mock, { requestId: result.requestId! })).toBe(expected);
    });

    test('POST bodies are sent as exact bytes; text bodies stay text', async () => {
      const client = harness.client();
      const result = await client.call<Echo>('echo', '/echo', { body: { text: 'héllo', n: 1 } });
      expect(echoOf(result).method).toBe('POST');
      expect(echoOf(result).body).toBe('{"text":"héllo","n":1}');
      expect(result.receiptVerdict?.valid).toBe(true);
      const page = await client.call('release-notes', '/page', { shield: 'off' });
      expect(typeof page.body).toBe('string');
      expect(page.contentType).toMatch(/text\/html/);
    });

    test('shield off costs no surcharge; a free endpoint with the shield off costs nothing', async () => {
      const result = await harness.client().call('echo', '/echo', { shield: 'off' });
      expect(result.cost).toBe(BigInt(await price('echo', true)));
      expect(result.shield === null || result.shield.mode === 'off').toBe(true);
      const free = await harness.client().call('time-now', '/now', { shield: 'off' });
      expect(free.cost ?? 0n).toBe(0n);
      expect(free.body).toEqual({ now: '2026-11-25T12:00:00.000Z' });
    });

    test.runIf(extended)('the caller idempotency key is sent, and a second call with it is a replay charged once', async () => {
      const client = harness.client();
      const first = await client.call('echo', '/echo', { idempotencyKey: 'order-42', query: { a: '1' } });
      const again = await client.call('echo', '/echo', { idempotencyKey: 'order-42', query: { a: '1' } });
      expect(again.replayed).toBe(true);
      expect(again.requestId).toBe(first.requestId);
      expect(again.receiptVerdict?.valid).toBe(true);
      expect(netCharged(harness.mock, { idempotencyKey: 'order-42' })).toBe(await price('echo'));
    });

    test.runIf(!extended)('a caller idempotency key does not make a second call a replay here: each is charged', async () => {
      const client = harness.client();
      const first = await client.call('echo', '/echo', { idempotencyKey: 'order-42' });
      const again = await client.call('echo', '/echo', { idempotencyKey: 'order-42' });
      expect(again.replayed).toBe(false);
      expect(again.requestId).not.toBe(first.requestId);
      expect(netCharged(harness.mock, { listingId: first.listing.listing_id })).toBe(2 * (await price('echo')));
    });
  });

  describe('typed bodies', () => {
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
      expect(result?.rawReceipt).toBeTruthy();
      expect(result?.cost).toBe(BigInt(await price('echo')));
      expect(JSON.stringify(error)).not.toContain('receipt'); // the result is kept, not serialised
    });
  });

  describe('receipt versions and verification', () => {
    test.each([
      ['traderV1', 1],
      ['traderV2', 2],
    ] as const)('%s gets a v%i receipt that verifies; cost comes from its amount, the verdict from headers', async (token, version) => {
      // The extended gateway advertises receipt_v3: legacy receipts need the explicit opt-in (see downgrade.test.ts).
      const client = harness.client({ apiKey: harness.mock.demoTokens[token], allowLegacyReceipts: true });
      const result = await client.call('product-reviews', '/reviews');
      expect(result.receipt?.receipt_version ?? 1).toBe(version);
      expect(result.receiptVerdict).toMatchObject({ valid: true });
      expect(result.cost).toBe(BigInt(await price('product-reviews')));
      expect(result.requestId).toBe(result.receipt?.request_id);
      expect(result.shield).toMatchObject({ action: 'flagged', source: 'headers' });
    });

    test('key material from meta.receiptKeys() (the key-set document, or /health on the public gateway) verifies', async () => {
      const keys = await harness.client().meta.receiptKeys();
      const result = await harness.client({ keys }).call('echo', '/echo');
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
      expect(result.receiptVerdict).toMatchObject({ valid: true });
      expect(result.rawReceipt).toBe(result.headers.get('x-receipt'));
    });

    test('verifyReceipt: false skips verification even with a key set', async () => {
      const result = await harness.client().call('echo', '/echo', { verifyReceipt: false });
      expect(result.receipt).not.toBeNull();
      // Not verified is said, never left to look like a pass.
      expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'no_keys', message: expect.stringContaining('verifyReceipt: false') });
    });

    test.runIf(extended)('a receipt signed by a key outside the pinned set is reported, the body kept', async () => {
      const pinnedBeforeRotation = harness.keys();
      harness.mock.rotateKeys();
      const result = await harness.client({ keys: pinnedBeforeRotation }).call<Echo>('echo', '/echo');
      expect(echoOf(result).method).toBe('GET');
      expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'unknown_key' });
      expect(result.cost).toBe(BigInt(await price('echo')));
    });
  });

  describe('upstream error statuses', () => {
    test('an upstream 400 (refunded) throws the typed error carrying its receipt (raw and verified) and cost 0', async () => {
      const error = await harness.client().call('translate-text', '/translate', { body: { to: 'fr' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      const failed = error as BadRequestError & PaidCallErrorDetails;
      expect(failed.status).toBe(400);
      expect(failed.rawReceipt).toBeTruthy();
      expect(failed.receipt?.receipt_version ?? 1).toBe(extended ? 3 : 1);
      expect(failed.receiptVerdict).toMatchObject({ valid: true });
      expect(failed.requestId).toBe(failed.receipt?.request_id);
      // The mock refunds an upstream failure: the receipt says 0 and the ledger nets to 0.
      expect(failed.cost).toBe(0n);
      expect(harness.mock.ledger().filter((entry) => entry.request_id === failed.requestId).map((entry) => entry.kind).sort()).toEqual(['charge', 'refund']);
      expect(netCharged(harness.mock, { requestId: failed.requestId ?? '' })).toBe(0);
    });

    test('a gateway refusal (no receipt) carries no receipt details', async () => {
      const client = harness.client({ apiKey: harness.mock.demoTokens.broke });
      const error = await client.call('echo', '/echo').catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 402 });
      expect((error as Partial<PaidCallErrorDetails>).receipt).toBeUndefined();
    });
  });

  describe('shield verdicts per mode', () => {
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
      expect(result.cost).toBe(BigInt(await price('link-directory')));
    });

    test('strict mode blocks: ShieldBlockedError with score, flags, refund and the refund receipt', async () => {
      const client = harness.client();
      const before = await available();
      const error = await client.call('product-reviews', '/reviews', { shield: 'strict' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ShieldBlockedError);
      const blocked = error as ShieldBlockedError & ShieldBlockedDetails;
      // The verified receipt (amount 0) makes the refund a fact; only a v3 receipt signs the block itself.
      expect(blocked.refunded).toEqual({ value: true, verified: true });
      expect(blocked.blockVerified).toBe(extended);
      expect(blocked.receiptVerified).toBe(true);
      expect(blocked.flags).toContain('prompt_injection');
      expect(blocked.score).toBeGreaterThanOrEqual(0.7);
      expect(blocked.rawReceipt).toBeTruthy();
      expect(String(blocked.refundReceipt?.amount)).toBe('0');
      expect(blocked.refundReceiptVerdict).toMatchObject({ valid: true });
      expect(blocked.shield).toMatchObject({ action: 'blocked' });
      if (extended) expect((blocked.refundReceipt as ReceiptV3).shield.action).toBe('blocked');
      expect(await available()).toBe(before);
      const requestId = blocked.refundReceipt!.request_id;
      expect(netCharged(harness.mock, { requestId })).toBe(0);
    });

    test('shield off lets a hostile body through unscanned', async () => {
      const result = await harness.client().call('product-reviews', '/reviews', { shield: 'off' });
      expect(result.shield === null || (result.shield.mode === 'off' && result.shield.flags.length === 0)).toBe(true);
    });
  });

  describe('tampering', () => {
    test.runIf(extended)('a spoofed verdict header is content_mismatch and the signed verdict wins', async () => {
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
      expect(result.status).toBe(200);
    });

    test.runIf(extended)('altered response bytes fail response_sha256 but the body and the raw receipt are still returned', async () => {
      harness.tamper = async (response, request) => {
        if (!request.url.pathname.startsWith('/proxy/')) return response;
        const text = (await response.text()).replace('"GET"', '"PUT"');
        return new Response(text, { status: response.status, headers: response.headers });
      };
      const result = await harness.client().call<Echo>('echo', '/echo');
      expect(echoOf(result).method).toBe('PUT');
      expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'response_sha256' });
      expect(result.rawReceipt).toBeTruthy();
    });

    test.runIf(!extended)('a v1 receipt binds no content: altered bytes still verify (the public wire cannot tell)', async () => {
      harness.tamper = async (response, request) => {
        if (!request.url.pathname.startsWith('/proxy/')) return response;
        const text = (await response.text()).replace('"GET"', '"PUT"');
        return new Response(text, { status: response.status, headers: response.headers });
      };
      const result = await harness.client().call<Echo>('echo', '/echo');
      expect(echoOf(result).method).toBe('PUT');
      expect(result.receiptVerdict).toMatchObject({ valid: true });
    });

    test('an unparseable receipt header is reported as malformed, never thrown, and kept raw', async () => {
      harness.tamper = (response) => {
        const headers = new Headers(response.headers);
        if (headers.has('x-proxygate-receipt')) headers.set('x-proxygate-receipt', 'not base64 at all!');
        return new Response(response.body, { status: response.status, headers });
      };
      const result = await harness.client().call<Echo>('echo', '/echo');
      expect(echoOf(result).method).toBe('GET');
      expect(result.receipt).toBeNull();
      expect(result.rawReceipt).toBe('not base64 at all!');
      expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'malformed' });
    });

    test('a receipt that fails verification is still returned raw with its verdict', async () => {
      harness.tamper = (response) => {
        const encoded = response.headers.get('x-proxygate-receipt');
        if (!encoded) return response;
        const receipt = JSON.parse(atob(encoded)) as Record<string, unknown>;
        receipt['amount'] = typeof receipt['amount'] === 'number' ? receipt['amount'] + 1 : String(Number(receipt['amount']) + 1);
        const headers = new Headers(response.headers);
        headers.set('x-proxygate-receipt', btoa(JSON.stringify(receipt)));
        return new Response(response.body, { status: response.status, headers });
      };
      const result = await harness.client().call('echo', '/echo');
      expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'bad_signature' });
      expect(result.rawReceipt).toBe(result.headers.get('x-proxygate-receipt'));
      expect(result.cost).toBe(BigInt((await price('echo')) + 1));
    });

    test('with no key set the verdict says no_keys (never valid), the receipt parsed', async () => {
      const result = await harness.client({ keys: undefined }).call('echo', '/echo');
      expect(result.receiptVerdict).toMatchObject({ valid: false, reason: 'no_keys', message: expect.stringContaining('no receipt keys') });
      expect(result.receipt).not.toBeNull();
    });
  });

  describe('refusals before sending', () => {
    test('maxCost (micro-USD) below the buyer price plus surcharge refuses with nothing sent or charged', async () => {
      const expected = await price('echo');
      const client = harness.client();
      const ledgerBefore = harness.mock.ledger().length;
      const error = await client.call('echo', '/echo', { maxCost: expected - 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MaxCostExceededError);
      expect((error as MaxCostExceededError).priceMicroUsd).toBe(BigInt(expected));
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'max_cost_exceeded', priceMicroUsd: String(expected), maxCostMicroUsd: String(expected - 1) });
      expect(harness.proxyCalls()).toHaveLength(0);
      expect(harness.mock.ledger()).toHaveLength(ledgerBefore);
      // Without the shield surcharge the same budget is enough, and exactly the price is allowed.
      const ok = await client.call('echo', '/echo', { maxCost: BigInt(expected - 1), shield: 'off' });
      expect(ok.cost).toBe(BigInt(expected - SURCHARGE));
      await client.call('echo', '/echo', { maxCost: expected });
      expect(harness.proxyCalls()).toHaveLength(2);
    });

    test('an endpoint priced apart (endpoint_prices) is bounded by its own price', async () => {
      const weather = await listing('weather-current');
      const forecast = weather.prices.endpoints.find((p) => p.path === '/forecast')!;
      expect(forecast.perRequest).not.toBe(weather.prices.perRequest);
      const result = await harness.client().call(weather, '/forecast', { maxCost: forecast.perRequest! + SURCHARGE, query: { city: 'Oslo' } });
      expect(result.cost).toBe(BigInt(forecast.perRequest! + SURCHARGE));
      await expect(harness.client().call(weather, '/forecast', { maxCost: forecast.perRequest! + SURCHARGE - 1 })).rejects.toBeInstanceOf(MaxCostExceededError);
    });

    test('a per-token listing: maxCost cannot bound it, so it is refused unless allowUnboundedCost, then checked on the receipt', async () => {
      const chat = await listing('chat-completions');
      const body = { messages: [{ role: 'user', content: 'hello there, how are you today' }] };
      const refused = await harness.client().call(chat, '/chat/completions', { body, maxCost: 1_000_000 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UnboundedCostError);
      expect((refused as UnboundedCostError).message).toMatch(/cannot bound/);
      expect(harness.proxyCalls()).toHaveLength(0);

      const generous = await harness.client().call(chat, '/chat/completions', { body, maxCost: 1_000_000, allowUnboundedCost: true });
      expect(generous.receiptVerdict).toMatchObject({ valid: true });
      const cost = Number(generous.cost);
      expect(cost).toBeGreaterThan(SURCHARGE);
      expect(netCharged(harness.mock, { requestId: generous.requestId! })).toBe(cost);

      const tight = await harness.client().call(chat, '/chat/completions', { body, maxCost: cost - 1, allowUnboundedCost: true });
      expect(tight.receiptVerdict).toMatchObject({ valid: false, reason: 'content_mismatch', field: 'amount' });
      expect(tight.cost).toBe(BigInt(cost));
      // Without maxCost nothing is refused.
      expect((await harness.client().call(chat, '/chat/completions', { body })).status).toBe(200);
    });

    test('a client that knows its token lacks trade refuses locally and sends nothing at all', async () => {
      const client = harness.client({ scopes: ['catalog:read', 'account:read'] });
      const error = await client.call('echo', '/echo').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect((error as InsufficientScopeError).local).toBe(true);
      expect(harness.seen).toHaveLength(0);
    });

    test('the gateway 403 for a read-only token says which scope is missing', async () => {
      const client = harness.client({ apiKey: harness.mock.demoTokens.readOnly });
      const error = await client.call('echo', '/echo').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermissionDeniedError);
      if (extended) {
        expect((error as InsufficientScopeError).requiredScope).toBe('trade');
        expect((error as InsufficientScopeError).local).toBe(false);
      } else {
        expect(error).not.toBeInstanceOf(InsufficientScopeError);
        expect((error as Error).message).toContain('"proxy" (public gateway scope) or "trade"');
      }
    });

    test('dot segments and a listing query parameter are refused before sending', async () => {
      const client = harness.client();
      await expect(client.call('echo', '/echo/../../v1/tokens')).rejects.toThrow(/segments/);
      await expect(client.call('echo', '/%2e%2e/v1/tokens')).rejects.toThrow(/segments/);
      await expect(client.call('echo', 'echo')).rejects.toThrow(/start with/);
      await expect(client.call('echo', '/echo', { query: { listing: 'x' } })).rejects.toThrow(/listing/);
      await expect(client.call('echo', '/echo', { method: 'GET', body: 'x' })).rejects.toThrow(/cannot carry a body/);
      await expect(client.call('echo', '/echo', { method: 'GE T' })).rejects.toThrow(/method/);
      expect(harness.proxyCalls()).toHaveLength(0);
    });
  });

  describe('listing resolution (the catalog.get rule, cached per client)', () => {
    test('id, seller/slug, slug and service resolve with one lookup each, then come from the cache', async () => {
      const client = harness.client();
      const bySlug = await client.call('echo', '/echo');
      const byId = await client.call(bySlug.listing.listing_id, '/echo');
      const bySeller = await client.call(`${bySlug.listing.seller_slug}/echo`, '/echo');
      await client.call('echo', '/echo');
      expect(byId.listing.listing_id).toBe(bySlug.listing.listing_id);
      expect(bySeller.listing.listing_id).toBe(bySlug.listing.listing_id);
      // echo: one slug lookup; the id and seller/slug are cached from it.
      expect(catalogLookups().map((call) => call.url.search)).toEqual(['?slug=echo&limit=100']);
      await client.call('translate', '/translate', { body: { text: 'hi' } });
      expect(catalogLookups().map((call) => call.url.search).slice(1)).toEqual(['?slug=translate&limit=100', '?service=translate&limit=100']);
    });

    test('concurrent calls to an unresolved listing share one lookup', async () => {
      const client = harness.client();
      await Promise.all([client.call('echo', '/echo'), client.call('echo', '/echo'), client.call('echo', '/echo')]);
      expect(catalogLookups()).toHaveLength(1);
      expect(harness.proxyCalls()).toHaveLength(3);
    });

    test('a resolved listing is looked up again once its TTL has passed', async () => {
      const client = harness.client();
      const start = Date.now();
      const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
      try {
        await client.call('echo', '/echo');
        clock.mockReturnValue(start + LISTING_TTL_MS - 1);
        await client.call('echo', '/echo');
        expect(catalogLookups()).toHaveLength(1);
        clock.mockReturnValue(start + LISTING_TTL_MS + 1);
        await client.call('echo', '/echo');
        expect(catalogLookups()).toHaveLength(2);
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

    test('a slug of two sellers, or a service of several listings, is refused instead of guessed', async () => {
      const bySlug = await harness.client().call('web-search', '/search').catch((e: unknown) => e);
      expect(bySlug).toBeInstanceOf(AmbiguousListingError);
      expect((bySlug as AmbiguousListingError).candidates).toHaveLength(2);
      const byService = await harness.client().call('weather', '/current').catch((e: unknown) => e);
      expect(byService).toBeInstanceOf(AmbiguousListingError);
      expect((byService as AmbiguousListingError).candidates.map((c) => c.slug)).toEqual(expect.arrayContaining(['weather-current', 'weather-alerts']));
      expect(harness.proxyCalls()).toHaveLength(0);
    });

    test('an unknown reference is a not-found error and is not cached', async () => {
      const client = harness.client();
      await expect(client.call('no-such-thing', '/x')).rejects.toMatchObject({ code: 'listing_not_found' });
      await expect(client.call('no-such-thing', '/x')).rejects.toMatchObject({ code: 'listing_not_found' });
      expect(catalogLookups().filter((call) => call.url.search === '?slug=no-such-thing&limit=100')).toHaveLength(2);
    });
  });
});
