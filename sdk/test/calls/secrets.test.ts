import { afterAll, beforeEach, expect, test } from 'vitest';
import { startMock } from './mock.js';

const harness = startMock('secrets-tests');
afterAll(() => harness.close());
beforeEach(() => harness.reset());

function everythingSaid(error: unknown): string {
  const e = error as Error & { action?: string };
  return [e.message, e.stack ?? '', e.action ?? '', JSON.stringify(error), String(error)].join('\n');
}

test('no paid-call failure or result carries the token in clear', async () => {
  const token = harness.mock.demoTokens.trader;
  const client = harness.client({ apiKey: token, maxRetries: 0 });
  harness.mock.faults.inject({ kind: 'truncate', phase: 'after', path: '/proxy/echo' });
  const attempts: (() => Promise<unknown>)[] = [
    () => client.call('echo', '/echo', { maxCost: 1 }),
    () => client.call('weather', '/current'),
    () => client.call('product-reviews', '/reviews', { shield: 'strict' }),
    () => client.call('translate-text', '/translate', { body: {} }),
    () => client.call('echo', '/echo'), // hit by the truncate fault
    () => client.call('no-such-listing', '/x'),
  ];
  const failures: unknown[] = [];
  for (const attempt of attempts) failures.push(await attempt().catch((e: unknown) => e));
  for (const failure of failures) {
    expect(failure).toBeInstanceOf(Error);
    expect(everythingSaid(failure)).not.toContain(token);
  }
  const ok = await client.call('echo', '/echo', { query: { token_in_query: 'no' } });
  const { headers: _headers, ...rest } = ok;
  expect(JSON.stringify(rest, (_k, v: unknown) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : typeof v === 'bigint' ? v.toString() : v))).not.toContain(token);
});
