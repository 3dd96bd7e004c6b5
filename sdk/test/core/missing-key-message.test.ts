// A call that needs a token, made without one, says what actually happened: an `apiKey` option that
// holds no key (blank, null, or a function returning none) means PROXYGATE_API_KEY was never read,
// so telling the caller to set it would mislead them. The key in the environment is never printed.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { AuthenticationError, Proxygate, type ClientOptions } from '@proxygate-kit/sdk';
import { fakeFetch, json, mintToken } from './helpers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

async function missingKey(options: ClientOptions): Promise<{ err: AuthenticationError; sent: number }> {
  const { fetch, seen } = fakeFetch(json(200, { balance_micro_cents: 1, currency: 'USD' }));
  const pg = new Proxygate({ fetch, gatewayUrl: 'http://127.0.0.1:7', logLevel: 'off', ...options });
  const err = await pg.account.balance().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AuthenticationError);
  const auth = err as AuthenticationError;
  expect(auth.code).toBe('missing_api_key');
  return { err: auth, sent: seen.length };
}

describe('the missing-key message names the apiKey option that holds no key', () => {
  const cases: [string, ClientOptions['apiKey'], string, string][] = [
    ['a function returning an empty string', async () => '', 'the apiKey function returned none', 'Return a key from the apiKey function, or leave apiKey out to use PROXYGATE_API_KEY'],
    ['a function returning a blank string', () => '  ', 'the apiKey function returned none', 'Return a key from the apiKey function, or leave apiKey out to use PROXYGATE_API_KEY'],
    ['an empty string', '', 'the apiKey option is blank', 'Pass a key as the apiKey option, or leave apiKey out to use PROXYGATE_API_KEY'],
    ['a blank string', ' \n', 'the apiKey option is blank', 'Pass a key as the apiKey option, or leave apiKey out to use PROXYGATE_API_KEY'],
    ['null', null, 'the apiKey option is null (no key)', 'Pass a key as the apiKey option, or leave apiKey out to use PROXYGATE_API_KEY'],
  ];

  test.each(cases)('apiKey as %s, PROXYGATE_API_KEY set: says so, not "set PROXYGATE_API_KEY"; no key printed', async (_name, apiKey, none, action) => {
    const envKey = mintToken();
    vi.stubEnv('PROXYGATE_API_KEY', envKey);
    const { err, sent } = await missingKey({ apiKey });
    expect(sent).toBe(0);
    expect(err.message).toContain(`GET /v1/balance needs an API key and ${none}:`);
    expect(err.message).toContain('leave apiKey out to use the PROXYGATE_API_KEY environment variable');
    expect(err.message).not.toContain('none is set');
    expect(err.message).not.toContain('set the PROXYGATE_API_KEY environment variable');
    expect(err.action).toBe(action);
    expect(JSON.stringify({ message: err.message, action: err.action, body: err.body })).not.toContain(envKey);
  });

  test('nothing given at all (no option, no environment variable): says to set PROXYGATE_API_KEY or pass apiKey', async () => {
    vi.stubEnv('PROXYGATE_API_KEY', '');
    const { err, sent } = await missingKey({});
    expect(sent).toBe(0);
    expect(err.message).toBe('missing_api_key: GET /v1/balance needs an API key and none is set: set the PROXYGATE_API_KEY environment variable or pass apiKey (new Proxygate({ apiKey })); nothing was sent');
    expect(err.action).toBe('Set PROXYGATE_API_KEY or pass the apiKey option');
  });
});
