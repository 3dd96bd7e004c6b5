// A block's refund, score and flags, and a call's cost, are facts only when a verified receipt
// says so. Before, `ShieldBlockedError.refunded` was read from the unsigned error body: a charged
// call dressed up as a block was reported refunded. And a strict block whose body was damaged on
// the way became a bare 422, though its signed receipt said "blocked".
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ShieldBlockedError, UnprocessableEntityError } from '../../src/core/error.js';
import type { PaidCallErrorDetails } from '../../src/resources/calls/index.js';
import { netCharged, PROFILES, startMock } from './mock.js';

/** Turns a successful paid answer into a fake strict block, keeping every header (the receipt too). */
function fakeBlock(claims: Record<string, unknown>) {
  return async (response: Response, request: { url: URL }): Promise<Response> => {
    if (!request.url.pathname.startsWith('/proxy/')) return response;
    await response.arrayBuffer();
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json');
    const body = { error: 'response_blocked', code: 'shield_blocked', message: 'blocked', ...claims };
    return new Response(JSON.stringify(body), { status: 422, headers });
  };
}

describe.each(PROFILES)('unsigned claims (%s profile)', (profile) => {
  const extended = profile === 'extended';
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock(`claims-${profile}`, { profile });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  test('a charged call dressed up as a refunded block: the verified receipt says it was charged', async () => {
    harness.tamper = fakeBlock({ shield_score: 0.99, shield_flags: ['prompt_injection'], refunded: true });
    const error = await harness.client().call('echo', '/echo', { shield: 'strict' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShieldBlockedError);
    const blocked = error as ShieldBlockedError & PaidCallErrorDetails;
    expect(blocked.receiptVerified).toBe(true);
    expect(blocked.refunded).toEqual({ value: false, verified: true });
    expect(blocked.message).toMatch(/NOT refunded/);
    expect(blocked.blockVerified).toBe(false);
    expect(blocked.cost).toBeGreaterThan(0);
    expect(netCharged(harness.mock, { requestId: blocked.requestId! })).toBe(Number(blocked.cost));
  });

  test('without a key set nothing is verified: the refund stays a claim', async () => {
    const error = await harness.client({ keys: undefined }).call('product-reviews', '/reviews', { shield: 'strict' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShieldBlockedError);
    const blocked = error as ShieldBlockedError & PaidCallErrorDetails;
    expect(blocked.refunded).toEqual({ value: true, verified: false });
    expect(blocked.blockVerified).toBe(false);
    expect(blocked.receiptVerified).toBe(false);
  });

  test.runIf(extended)('score and flags of a genuine block come from the signed receipt, not the body', async () => {
    harness.tamper = async (response, request) => {
      if (!request.url.pathname.startsWith('/proxy/') || response.status !== 422) return response;
      const body = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...body, shield_score: 0.71, shield_flags: ['made_up'] }), { status: 422, headers: response.headers });
    };
    const error = (await harness.client().call('product-reviews', '/reviews', { shield: 'strict' }).catch((e: unknown) => e)) as ShieldBlockedError;
    expect(error.blockVerified).toBe(true);
    expect(error.flags).toContain('prompt_injection');
    expect(error.flags).not.toContain('made_up');
    expect(error.score).not.toBe(0.71);
    expect(error.refunded).toEqual({ value: true, verified: true });
  });

  test('a strict block whose body is damaged on the way', async () => {
    harness.mock.faults.inject({ kind: 'malformed_json', phase: 'after', path: '/proxy/' });
    const error = await harness.client().call('product-reviews', '/reviews', { shield: 'strict' }).catch((e: unknown) => e);
    const details = error as PaidCallErrorDetails;
    expect(details.receiptVerified).toBe(true);
    expect(details.cost).toBe(0n);
    if (extended) {
      // The signed receipt says blocked: still a ShieldBlockedError, its facts from the receipt.
      expect(error).toBeInstanceOf(ShieldBlockedError);
      const blocked = error as ShieldBlockedError;
      expect(blocked.blockVerified).toBe(true);
      expect(blocked.refunded).toEqual({ value: true, verified: true });
      expect(blocked.flags).toContain('prompt_injection');
      expect(blocked.recovery).toBe('none');
    } else {
      // A v1 receipt signs no verdict: the answer stays a 422, with its (verified, zero) receipt attached.
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect(error).not.toBeInstanceOf(ShieldBlockedError);
    }
  });
});
