// A paid call answered with a JSON content type and an empty (or blank) body: no JSON value came,
// so the result is an UnparsedCallResult (`bodyParseError` set), never a ParsedCallResult<T> whose
// `body` is the string ''. It was charged all the same: the receipt is on the result (and on
// `error.result` when a `schema` rejects it). A body of another content type is its text, as before.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { InvalidJsonError } from '../../src/core/error.js';
import type { CallResult, ReceiptEvent } from '../../src/resources/calls/index.js';
import { PROFILES, startMock, type Tamper } from './mock.js';

interface Weather {
  temperature: number;
}

/** The proxied answer with its body replaced (and its content type, when given); headers kept. */
function replaceBody(body: string, contentType?: string): Tamper {
  return (response, request) => {
    if (!request.url.pathname.startsWith('/proxy/')) return response;
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    if (contentType !== undefined) headers.set('content-type', contentType);
    return new Response(body, { status: response.status, headers });
  };
}

describe.each(PROFILES)('an empty body under a JSON content type, against the %s profile', (profile) => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock(`empty-json-${profile}`, { profile });
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    harness.reset();
    harness.tamper = undefined;
  });

  test.each([['empty', ''], ['blank', ' \n']])('a body that is %s is a bodyParseError, the receipt kept', async (_name, body) => {
    harness.tamper = replaceBody(body);
    const events: ReceiptEvent[] = [];
    const pg = harness.client({ onReceipt: (event) => void events.push(event) });
    const result: CallResult<Weather> = await pg.call<Weather>('weather-current', '/current', { query: { city: 'Oslo' }, maxRetries: 0 });
    expect(result.contentType).toMatch(/^application\/json/);
    expect(result.bodyParseError).toBe('the body is empty, but its content type says JSON');
    expect(result.body).toBe(body);
    expect(result.rawReceipt).not.toBeNull();
    expect(result.cost).not.toBeNull();
    expect(events.length).toBeGreaterThan(0);
  });

  test('with a schema it rejects with InvalidJsonError, the charged result (and its receipt) attached', async () => {
    harness.tamper = replaceBody('');
    const pg = harness.client();
    const schema = { parse: (value: unknown) => value as Weather };
    const err = await pg.call('weather-current', '/current', { query: { city: 'Oslo' }, schema, maxRetries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidJsonError);
    const attached = (err as { result?: CallResult<unknown> }).result;
    expect(attached?.rawReceipt).not.toBeNull();
    expect(attached?.bodyParseError).toBe('the body is empty, but its content type says JSON');
  });

  test('an empty body under another content type is its text, no parse error', async () => {
    harness.tamper = replaceBody('', 'text/plain; charset=utf-8');
    const pg = harness.client();
    const result = await pg.call('weather-current', '/current', { query: { city: 'Oslo' }, maxRetries: 0 });
    expect(result.bodyParseError).toBeNull();
    expect(result.body).toBe('');
    expect(result.rawReceipt).not.toBeNull();
  });
});
