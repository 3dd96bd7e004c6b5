// A client's token never reaches what an error carries (message, cause, toJSON, stack, body),
// whatever shape the failure takes. Each case failed before its fix (adversarial review).
import { describe, expect, test } from 'vitest';
import { AuthenticationError, ConnectionError } from '@proxygate-kit/sdk';
import { client, fakeFetch, json, mintToken } from './helpers.js';

describe('a token the Headers API refuses never reaches an error message', () => {
  // undici's own TypeError quotes the whole header value ("Bearer <token>") in its message.
  for (const [label, token] of [
    ['an inner line break', `${mintToken()}\nrest`],
    ['a NUL byte', `${mintToken()}\u0000rest`],
    ['a non-Latin-1 character', `${mintToken()}\u2028rest`],
  ] as const) {
    test(`${label}: typed error, no token text, nothing sent`, async () => {
      const { fetch, seen } = fakeFetch(json(200, { balance: 1, pending_settlement: 0, available: 1, in_cooldown: false, currency: 'lamports' }));
      const err = await client(fetch, { apiKey: token }).account.balance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      const secretPart = token.slice('pg_live_'.length, 'pg_live_'.length + 20);
      const seenText = `${String(err)} ${(err as Error).stack ?? ''} ${JSON.stringify(err)}`;
      expect(seenText).not.toContain(secretPart);
      expect(seenText).not.toContain('rest');
      expect(seen).toHaveLength(0);
    });
  }
});

describe('connection errors scrub the client token even in an unfamiliar shape', () => {
  test('message, toJSON and cause carry no token', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    const failing = fakeFetch(new TypeError(`proxy refused credentials ${token}`));
    const err = await client(failing.fetch, { apiKey: token, maxRetries: 0 }).account.balance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    const e = err as ConnectionError;
    expect(e.message).not.toContain(token);
    expect(JSON.stringify(e)).not.toContain(token);
    expect(String((e.cause as Error | undefined)?.message)).not.toContain(token);
    expect(e.message).toContain('[REDACTED]');
  });
});

describe('a non-Error thrown by fetch', () => {
  test('a string quoting the token is redacted in the message and in the cause', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    const throwing = async (): Promise<Response> => {
      throw `proxy said no to ${token}`; // eslint-disable-line no-throw-literal
    };
    const err = await client(throwing, { apiKey: token, maxRetries: 0 }).account.balance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain('proxy said no');
    expect((err as Error).message).not.toContain(token);
    expect(String((err as Error).cause)).not.toContain(token);
  });
});

describe('deeply nested error bodies', () => {
  test('a token nested deeper than the redaction walk goes is not kept in clear', async () => {
    const token = `acme-${crypto.randomUUID()}`;
    let nested: unknown = { echo: token };
    for (let i = 0; i < 40; i++) nested = { inner: nested };
    const { fetch } = fakeFetch(json(400, { error: 'validation_error', message: 'bad', detail: nested }));
    const err = await client(fetch, { apiKey: token }).get('/v1/balance').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'validation_error' });
    expect(JSON.stringify(err)).not.toContain(token);
    expect(JSON.stringify((err as { body: unknown }).body)).not.toContain(token);
  });
});
