// `JSON.stringify(error)` of every error a paid call can throw: no token (put in the path, the
// query, the body, a header, a hook's or a schema's error) survives, and the receipt facts are
// serialised as the properties hold them (the parsed receipt, the raw one, the verdict, the cost
// as a decimal string). Before, a ShieldBlockedError put the raw header under `receipt` and
// dropped `cost` and `receiptVerdict`, and PaidCallOutcomeUnknownError kept the query in clear.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  BadRequestError,
  ConnectionError,
  InsufficientCreditsError,
  InsufficientScopeError,
  InternalServerError,
  InvalidRequestError,
  PaidCallOutcomeUnknownError,
  ProxygateError,
  RateLimitError,
  ShieldBlockedError,
  SpendLimitError,
  ValidationError,
} from '../../src/core/error.js';
import { MaxCostExceededError, ReceiptHookError, UnboundedCostError } from '../../src/resources/calls/errors.js';
import type { PaidCallOptions } from '../../src/resources/calls/options.js';
import { client, fakeFetch, json, mintToken } from '../core/helpers.js';
import { startMock, type Profile } from './mock.js';

type Harness = ReturnType<typeof startMock>;

interface Case {
  name: string;
  type: new (...args: never[]) => ProxygateError;
  run(harness: Harness, token: string): Promise<unknown>;
}

/** A token in the query and the body of the call. */
const carrying = (token: string, extra: PaidCallOptions = {}): PaidCallOptions => ({ query: { t: token }, body: { note: token }, ...extra });

type Fault = Parameters<Harness['mock']['faults']['inject']>[0];
/** A call carrying the token, retries off, after the mock is told to fail it with `fault`. */
const faulted = (fault: Fault) => (h: Harness, token: string) => {
  h.mock.faults.inject(fault);
  return h.client({ maxRetries: 0 }).call('mockworks/echo', '/echo', carrying(token));
};

const CASES: Record<Profile, Case[]> = {
  public: [
    {
      name: 'a 503 after the charge',
      type: PaidCallOutcomeUnknownError,
      run: faulted({ kind: 'server_error', phase: 'after', path: '/proxy/', status: 503 }),
    },
    {
      name: 'a reset after the charge',
      type: PaidCallOutcomeUnknownError,
      run: faulted({ kind: 'reset', phase: 'after', path: '/proxy/' }),
    },
    {
      name: 'a strict block, refunded',
      type: ShieldBlockedError,
      run: (h, token) => h.client().call('product-reviews', '/reviews', { query: { t: token }, shield: 'strict' }),
    },
    {
      name: 'a path that is not an endpoint (the gateway echoes it)',
      type: BadRequestError,
      run: (h, token) => h.client().call('mockworks/echo', `/echo/${token}`, carrying(token)),
    },
    {
      name: 'a rate limit before processing',
      type: RateLimitError,
      run: faulted({ kind: 'rate_limit', phase: 'before', path: '/proxy/', retryAfter: 0 }),
    },
    {
      name: 'a spend limit',
      type: SpendLimitError,
      run: async (h, token) => {
        const capped = h.client({ apiKey: h.mock.demoTokens.capped });
        await capped.call('weather-current', '/current', { query: { city: 'Oslo' } });
        return capped.call('weather-current', '/current', { query: { city: token } });
      },
    },
    {
      name: 'an empty wallet',
      type: InsufficientCreditsError,
      run: (h, token) => h.client({ apiKey: h.mock.demoTokens.broke }).call('mockworks/echo', '/echo', carrying(token)),
    },
    {
      name: 'a price above maxCost',
      type: MaxCostExceededError,
      run: (h, token) => h.client().call('mockworks/echo', `/echo`, carrying(token, { maxCost: 1 })),
    },
    {
      name: 'a per-token price maxCost cannot bound',
      type: UnboundedCostError,
      run: (h, token) => h.client().call('chat-completions', '/chat/completions', { body: { messages: [{ role: 'user', content: token }] }, maxCost: 1_000_000 }),
    },
    {
      name: 'a header value that cannot be sent',
      type: InvalidRequestError,
      run: (h, token) => h.client().call('mockworks/echo', '/echo', carrying(token, { headers: { 'x-note': `${token}\r\nx: y` } })),
    },
    {
      name: 'a token without the trade scope',
      type: InsufficientScopeError,
      run: (h, token) => h.client({ scopes: ['catalog:read'] }).call('mockworks/echo', '/echo', carrying(token)),
    },
    {
      name: 'a schema whose error quotes the body',
      type: ValidationError,
      run: (h, token) =>
        h.client().call('mockworks/echo', '/echo', carrying(token, {
          schema: {
            parse: (value: unknown) => {
              throw new Error(`unexpected ${JSON.stringify(value)}`);
            },
          },
        })),
    },
    {
      name: 'an onReceipt hook whose error quotes the call',
      type: ReceiptHookError,
      run: (h, token) =>
        h.client().call('mockworks/echo', '/echo', carrying(token, {
          onReceipt: (event) => {
            throw new Error(`disk full writing ${event.call.path} for ${token}`);
          },
        })),
    },
  ],
  extended: [
    {
      name: 'a 500 after the charge, retries off (the receipt attached)',
      type: InternalServerError,
      run: faulted({ kind: 'server_error', phase: 'after', path: '/proxy/' }),
    },
    {
      name: 'a reset after the charge, retries off',
      type: ConnectionError,
      run: faulted({ kind: 'reset', phase: 'after', path: '/proxy/' }),
    },
    {
      name: 'a strict block, refunded (v3 receipt)',
      type: ShieldBlockedError,
      run: (h, token) => h.client().call('product-reviews', '/reviews', { query: { t: token }, shield: 'strict' }),
    },
  ],
};

describe.each(['public', 'extended'] as const)('every paid-call error serialises without the token (%s profile)', (profile) => {
  let harness: Harness;
  beforeAll(() => {
    harness = startMock(`error-json-${profile}`, { profile });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  test.each(CASES[profile].map((c) => [c.name, c] as const))('%s', async (_name, { type, run }) => {
    const token = mintToken();
    const error = await run(harness, token).then(
      () => {
        throw new Error('the call did not fail');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(type);
    const json = JSON.stringify(error);
    expect(json).not.toContain(token);
    expect((error as Error).message).not.toContain(token);
    expect(String(error)).not.toContain(token);
    // What JSON carries is what the properties say, redacted.
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(parsed['name']).toBe((error as Error).name);
    expect(parsed['message']).toBe((error as Error).message);
  });
});

describe('receipt facts in JSON are the properties', () => {
  let harness: Harness;
  beforeAll(() => {
    harness = startMock('error-json-shapes', { profile: 'public' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  test('a strict block: receipt parsed, rawReceipt as sent, cost as a decimal string, the verdict and the verified refund', async () => {
    const error = (await harness.client().call('product-reviews', '/reviews', { shield: 'strict' }).catch((e: unknown) => e)) as ShieldBlockedError;
    expect(error).toBeInstanceOf(ShieldBlockedError);
    expect(error.receipt).not.toBeNull();
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json['receipt']).toEqual(JSON.parse(JSON.stringify(error.receipt)));
    expect(json['rawReceipt']).toBe(error.rawReceipt);
    expect(json['cost']).toBe(String(error.cost));
    expect(json['receiptVerdict']).toEqual(JSON.parse(JSON.stringify(error.receiptVerdict)));
    expect(json['receiptVerified']).toBe(true);
    expect(json['refunded']).toEqual({ value: true, verified: true });
    expect(json['shield']).toEqual(JSON.parse(JSON.stringify(error.shield)));
  });

  test('a call whose outcome is unknown: request.path keeps no token, in the property or in JSON', async () => {
    const token = mintToken();
    harness.mock.faults.inject({ kind: 'server_error', phase: 'after', path: '/proxy/', status: 503 });
    const error = (await harness.client({ maxRetries: 0 }).call('mockworks/echo', '/echo', { query: { t: token } }).catch((e: unknown) => e)) as PaidCallOutcomeUnknownError;
    expect(error).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(error.request.path).toContain('t=[REDACTED]');
    const json = JSON.parse(JSON.stringify(error)) as { request: { path: string }; rawReceipt?: unknown };
    expect(json.request.path).toBe(error.request.path);
  });

  test('the client key in an unfamiliar shape, sent in the path and query, is redacted too', async () => {
    const key = `acme-${crypto.randomUUID()}`;
    const { fetch } = fakeFetch(json(503, { error: 'service_unavailable', message: 'Try later.' }));
    const pg = client(fetch, { apiKey: key, extensions: [], maxRetries: 0 });
    const error = (await pg.request({ method: 'GET', path: `/proxy/echo/${key}?k=${key}` }).catch((e: unknown) => e)) as PaidCallOutcomeUnknownError;
    expect(error).toBeInstanceOf(PaidCallOutcomeUnknownError);
    expect(error.request.path).not.toContain(key);
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error)).not.toContain(key);
  });
});
