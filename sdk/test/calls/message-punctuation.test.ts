// Messages joined from pieces that are someone else's sentences (the gateway's "Injected 503.",
// "... perform this action.") read as one text: no ".." or ".;" where the pieces meet.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { PaidCallOutcomeUnknownError, PermissionDeniedError } from '../../src/core/error.js';
import { joinSentences } from '../../src/internal/text.js';
import { startMock } from './mock.js';

describe('joinSentences', () => {
  test.each([
    ['Injected 503.', 'It was not sent again', '. ', 'Injected 503. It was not sent again'],
    ['Injected 503', 'It was not sent again', '. ', 'Injected 503. It was not sent again'],
    ['Really?', 'Yes', '. ', 'Really? Yes'],
    ['Back off after the interval.', 'retry in 1 s', '; ', 'Back off after the interval; retry in 1 s'],
    ['bad value;', 'nothing was sent', '; ', 'bad value; nothing was sent'],
    ['Blocked.', 'the body was damaged)', ' (', 'Blocked (the body was damaged)'],
    ['Wait...', 'then retry', '; ', 'Wait...; then retry'],
    ['head.  ', 'tail', '. ', 'head. tail'],
    ['', 'tail', '. ', 'tail'],
    ['head.', '', '. ', 'head.'],
  ])('%j + %j with %j', (head, tail, separator, joined) => {
    expect(joinSentences(head, tail, separator)).toBe(joined);
  });
});

describe('messages against the public profile', () => {
  let harness: ReturnType<typeof startMock>;
  beforeAll(() => {
    harness = startMock('message-punctuation', { profile: 'public' });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.reset());

  const doubled = /\.\.(?!\.)|\.;|\.\s*\./;

  test('a 403 whose gateway message ends its sentence, then the scope the SDK adds', async () => {
    const error = await harness.client({ apiKey: harness.mock.demoTokens.readOnly }).call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    const message = (error as PermissionDeniedError).message;
    expect(message).toContain('perform this action. This operation likely needs');
    expect(message).not.toMatch(doubled);
  });

  test('a 503 after the charge ("Injected 503."), then "It was not sent again"', async () => {
    harness.mock.faults.inject({ kind: 'server_error', phase: 'after', path: '/proxy/', status: 503 });
    const error = await harness.client({ maxRetries: 0 }).call('echo', '/echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaidCallOutcomeUnknownError);
    const message = (error as PaidCallOutcomeUnknownError).message;
    expect(message).toContain('Injected 503. It was not sent again');
    expect(message).not.toMatch(doubled);
  });
});
